/* Cookie and Set-Cookie header values (RFC 6265 section 4), read in place
 * for cookie persistence (src/proxy/http_cookie.c) and edited in place.
 *
 * Tolerant as HAProxy is: a Cookie value is pairs separated by ';', each
 * `name=value` or a bare `name`; blanks around names and values are not
 * theirs; empty pairs (";;") are skipped.  A Set-Cookie value sets one
 * cookie, its first pair; the attributes after it are not parsed.  No
 * function reads outside [0, len). */
#ifndef FC_HTTP_COOKIE_H
#define FC_HTTP_COOKIE_H

#include <stddef.h>

/* One pair, as offsets into the value it came from. */
struct ck_pair {
	size_t name, nlen;
	size_t val, vlen; /* vlen 0 and val == name + nlen: no '=' */
	int has_eq;
	size_t beg, end;  /* the pair without the blanks around it */
	size_t next;      /* where the next pair's search starts (past the ';') */
};

/* The next pair of a Cookie value v[0..len) from *pos (start at 0): 1 with
 * *p filled and *pos moved past it, or 0 at the end. */
int ck_next(const char *v, size_t len, size_t *pos, struct ck_pair *p);

/* The cookie a Set-Cookie value sets: 1 with *p, or 0 if it has none (an
 * empty value, no name). */
int ck_set_cookie(const char *v, size_t len, struct ck_pair *p);

/* Edits of a Cookie value in place; each returns the new length.
 * ck_drop removes pair p with one separator (a ';' and the blanks after
 * it), so "a=1; S=x; b=2" less S is "a=1; b=2", and a lone pair leaves 0.
 * ck_cut_value removes the first n bytes of p's value (prefix mode's
 * "SRV~"). */
size_t ck_drop(char *v, size_t len, const struct ck_pair *p);
size_t ck_cut_value(char *v, size_t len, const struct ck_pair *p, size_t n);

#endif
