/* PCRE2 patterns of the checkers (HTTP_GET's regex, EXPECT_CHECK's expect),
 * compiled once and kept in a small cache keyed by the pattern text
 * (rx_cache.c): compiling at every attempt would cost more than the check
 * itself at thousands of servers.  Patterns are plain C strings (no NUL
 * inside), subjects are bytes with a length. */
#ifndef FC_CHECK_RX_CACHE_H
#define FC_CHECK_RX_CACHE_H

#include <stddef.h>

/* For the readers: 0 if the pattern compiles, else -1 with "'PATTERN':
 * what PCRE2 says at offset N" in err (a bad pattern is a config error, not
 * a check that fails at every attempt). */
int rx_check(const char *pattern, char *err, size_t errlen);

/* 1 if the pattern matches somewhere in s[0..n), 0 if not, -1 on error
 * (reason in err). */
int rx_match(const char *pattern, const char *s, size_t n, char *err, size_t errlen);

/* After rx_match said 0 for s[0..n): 1 if more bytes appended to s could
 * still make it match, 0 if none can -- an anchored pattern ("^\+OK", not
 * under (?m)) whose match already failed before the end of s.  Lets a
 * checker that reads a reply piece by piece give up at once on "-ERR"
 * instead of waiting for the server to close or the deadline. */
int rx_may_match_longer(const char *pattern, const char *s, size_t n);

#endif
