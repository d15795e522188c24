/* Log-format expressions: compiled once at load, built per transaction
 * (a rule's value, a log line).  Its own unit, below rules and actions
 * (both use it; it uses neither). */
#ifndef FC_HTTP_LOGFMT_H
#define FC_HTTP_LOGFMT_H

#include <stddef.h>

#include "http/rules-t.h"
#include "http/txn-t.h"

/* As logfmt_compile, with the fetches `use` allows (SMP_USE_*) and the
 * output style: log = 1 for a log line ('-' for an empty field, blanks
 * merged around empty fields), 0 for a rule's value (empty is empty,
 * blanks kept), as haproxy builds them. */
struct logfmt *logfmt_compile_use(const char *text, unsigned use, int log, char *err, size_t errlen);

/* ("%[url]", "%ci:%cp", HAProxy's httplog): a
 * compiled form kept in the rules; `build` writes the text for t into
 * out[0..cap) and returns its length (truncated at cap - 1, NUL ended). */
struct logfmt;
struct logfmt *logfmt_compile(const char *text, char *err, size_t errlen);
size_t logfmt_build(const struct logfmt *lf, const struct http_txn *t, char *out, size_t cap);
void logfmt_free(struct logfmt *lf);
/* A proxy's log-format, checked at the reader: 0, or -1 with the reason
 * (it does not compile; http 0, a mode tcp frontend's: it names a
 * variable only mode http has, which haproxy refuses too). */
int logfmt_check(const char *text, int http, char *err, size_t errlen);
/* HAProxy's formats: option httplog, option httplog clf, option tcplog. */
extern const char logfmt_httplog[], logfmt_httplog_clf[], logfmt_tcplog[];

#endif
