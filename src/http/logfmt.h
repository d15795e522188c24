/* Log-format expressions inside src/http (the public part is in
 * rules.h: logfmt_compile, logfmt_build, the httplog formats). */
#ifndef FC_HTTP_LOGFMT_H
#define FC_HTTP_LOGFMT_H

#include <stddef.h>

#include "http/rules.h"

/* As logfmt_compile, with the fetches `use` allows (SMP_USE_*) and the
 * output style: log = 1 for a log line ('-' for an empty field, blanks
 * merged around empty fields), 0 for a rule's value (empty is empty,
 * blanks kept), as haproxy builds them. */
struct logfmt *logfmt_compile_use(const char *text, unsigned use, int log, char *err, size_t errlen);

#endif
