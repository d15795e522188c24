/* Regular expressions of the rules (ACL -m reg, del-header -m reg,
 * replace-*): PCRE2, compiled at load, matched from any thread (the match
 * data is per thread). */
#ifndef FC_HTTP_REGEX_H
#define FC_HTTP_REGEX_H

#include <stddef.h>
#include <sys/types.h>

struct http_re;

/* NULL with err ("bad regex '(': missing closing parenthesis at 1"). */
struct http_re *http_re_compile(const char *pat, int icase, char *err, size_t errlen);
void http_re_free(struct http_re *re);
/* 1 if re matches somewhere in s[0..len). */
int http_re_match(const struct http_re *re, const char *s, size_t len);
/* If re matches s[0..len), write `fmt` into out[0..cap) with \0..\9
 * replaced by the groups (haproxy's exp_replace: the whole value becomes
 * the format) and return its length; -1 if no match or out is too small. */
ssize_t http_re_subst(const struct http_re *re, const char *s, size_t len, const char *fmt, size_t flen,
		      char *out, size_t cap);

#endif
