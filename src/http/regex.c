/* Regular expressions of the rules (regex.h). */
#include <pthread.h>
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
 * first use and kept: a rule never allocates per request.  A block is
 * freed when its thread ends (a thread-specific key's destructor); until
 * then it is also on a process-wide list, so the sanitizers see the main
 * thread's as reachable at exit. */
struct md_block {
	pcre2_match_data *md;
	struct md_block *next;
};

static __thread struct md_block *re_md;
static struct md_block *md_all;
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_thread_end(void *arg)
{
	struct md_block *b = arg, **pp;

	pthread_mutex_lock(&md_lock);
	for (pp = &md_all; *pp && *pp != b; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = b->next;
	pthread_mutex_unlock(&md_lock);
	pcre2_match_data_free(b->md);
	free(b);
}

static void md_key_make(void)
{
	pthread_key_create(&md_key, md_thread_end);
}

static pcre2_match_data *md_get(void)
{
	struct md_block *b;

	if (re_md)
		return re_md->md;
	pthread_once(&md_once, md_key_make);
	b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	b->md = pcre2_match_data_create(10, NULL);
	if (!b->md) {
		free(b);
		return NULL;
	}
	pthread_mutex_lock(&md_lock);
	b->next = md_all;
	md_all = b;
	pthread_mutex_unlock(&md_lock);
	pthread_setspecific(md_key, b);
	re_md = b;
	return b->md;
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
