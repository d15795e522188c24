/* The checkers' compiled patterns (rx_cache.h).  One loop thread: the
 * cache and the match data are plain statics. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "check/rx_cache.h"
#include "core/err.h"

/* Entries are looked up at match time only, so evicting one never frees a
 * pattern in use. */
#define RX_CACHE 32

static struct rx_entry {
	char *pattern;
	pcre2_code *code; /* NULL: the pattern does not compile, see err */
	char err[120];
} rx_cache[RX_CACHE];
static unsigned rx_next;
static pcre2_match_data *rx_md;

static struct rx_entry *rx_get(const char *pattern)
{
	struct rx_entry *e;
	PCRE2_SIZE off;
	int code, i;

	for (i = 0; i < RX_CACHE; i++)
		if (rx_cache[i].pattern && !strcmp(rx_cache[i].pattern, pattern))
			return &rx_cache[i];
	e = &rx_cache[rx_next++ % RX_CACHE];
	free(e->pattern);
	pcre2_code_free(e->code);
	memset(e, 0, sizeof(*e));
	e->pattern = strdup(pattern);
	if (!e->pattern) {
		snprintf(e->err, sizeof(e->err), "out of memory");
		return e;
	}
	e->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (!e->code) {
		PCRE2_UCHAR msg[96];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(e->err, sizeof(e->err), "bad regex at offset %zu: %s", (size_t)off,
			 (char *)msg);
		return e;
	}
	(void)pcre2_jit_compile(e->code, PCRE2_JIT_COMPLETE); /* the interpreter if no JIT */
	return e;
}

int rx_check(const char *pattern, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re;

	/* compiled apart from the cache: a reader may see many patterns that
	 * a reload then throws away */
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(code, msg, sizeof(msg));
		return err_set(err, errlen, "'%s': %s at offset %zu", pattern, (char *)msg,
			       (size_t)off);
	}
	pcre2_code_free(re);
	return 0;
}

/* pcre2_match on s with options into *rc: 0, or -1 when the pattern does
 * not compile or memory ran out (reason in err). */
static int rx_run(struct rx_entry *e, const char *s, size_t n, uint32_t opts, int *rc,
		  char *err, size_t errlen)
{
	if (!e->code) {
		snprintf(err, errlen, "%s", e->err);
		return -1;
	}
	if (!rx_md)
		rx_md = pcre2_match_data_create(1, NULL);
	if (!rx_md) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*rc = pcre2_match(e->code, (PCRE2_SPTR)(s ? s : ""), n, 0, opts, rx_md, NULL);
	return 0;
}

int rx_match(const char *pattern, const char *s, size_t n, char *err, size_t errlen)
{
	int rc;

	if (rx_run(rx_get(pattern), s, n, 0, &rc, err, errlen) < 0)
		return -1;
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	snprintf(err, errlen, "regex match error %d", rc);
	return -1;
}

int rx_may_match_longer(const char *pattern, const char *s, size_t n)
{
	struct rx_entry *e = rx_get(pattern);
	uint32_t opts = 0;
	char err[64];
	int rc;

	if (!e->code || pcre2_pattern_info(e->code, PCRE2_INFO_ALLOPTIONS, &opts) != 0)
		return 1;
	if (!(opts & PCRE2_ANCHORED))
		return 1; /* a match may yet start in bytes not read */
	if (rx_run(e, s, n, PCRE2_PARTIAL_HARD, &rc, err, sizeof(err)) < 0)
		return 1;
	return rc != PCRE2_ERROR_NOMATCH;
}
