/* Regular expressions of the rules (regex.h). */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/err.h"
#include "http/regex.h"

struct http_re {
	pcre2_code *code;
};

/* One match-data block per thread, sized for 10 groups (\0..\9), made on
 * first use and kept: a rule never allocates per request. */
static __thread pcre2_match_data *re_md;

static pcre2_match_data *md_get(void)
{
	if (!re_md)
		re_md = pcre2_match_data_create(10, NULL);
	return re_md;
}

struct http_re *http_re_compile(const char *pat, int icase, char *err, size_t errlen)
{
	struct http_re *re = calloc(1, sizeof(*re));
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int code;

	if (!re) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	re->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, icase ? PCRE2_CASELESS : 0, &code, &off,
				 NULL);
	if (!re->code) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		err_set(err, errlen, "bad regex '%s': %s at %zu", pat, (char *)msg, (size_t)off);
		free(re);
		return NULL;
	}
	return re;
}

void http_re_free(struct http_re *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re);
}

static int re_exec(const struct http_re *re, const char *s, size_t len, pcre2_match_data *md)
{
	return md && pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL) > 0;
}

int http_re_match(const struct http_re *re, const char *s, size_t len)
{
	return re_exec(re, s, len, md_get());
}

ssize_t http_re_subst(const struct http_re *re, const char *s, size_t len, const char *fmt, size_t flen,
		      char *out, size_t cap)
{
	pcre2_match_data *md = md_get();
	PCRE2_SIZE *ov;
	size_t i, o = 0, n;
	int groups;

	if (!re_exec(re, s, len, md))
		return -1;
	ov = pcre2_get_ovector_pointer(md);
	groups = (int)pcre2_get_ovector_count(md);
	for (i = 0; i < flen; i++) {
		const char *p = fmt + i;

		n = 1;
		if (fmt[i] == '\\' && i + 1 < flen && fmt[i + 1] >= '0' && fmt[i + 1] <= '9') {
			int g = fmt[++i] - '0';

			if (g >= groups || ov[2 * g] == PCRE2_UNSET)
				continue;
			p = s + ov[2 * g];
			n = ov[2 * g + 1] - ov[2 * g];
		}
		if (o + n >= cap)
			return -1;
		memcpy(out + o, p, n);
		o += n;
	}
	out[o] = 0;
	return (ssize_t)o;
}
