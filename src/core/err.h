/* One error convention for the whole tree.
 *
 * A function that can fail returns 0 on success and -1 on failure, and on
 * failure writes one human sentence into the caller's buffer (no trailing
 * newline, no "error:" prefix).  Callers add context ("file:line: ") and
 * decide how to report it.  err_set() returns -1 so a failure path reads
 *     return err_set(err, errlen, "bad port '%s'", s);
 */
#ifndef FC_CORE_ERR_H
#define FC_CORE_ERR_H

#include <stddef.h>

#define ERRLEN 512

int err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
