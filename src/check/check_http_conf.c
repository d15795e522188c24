/* HTTP_GET and SSL_GET's configuration: their keywords (url { } blocks,
 * http_protocol, virtualhost, enable_sni), what a finished block must
 * hold, the virtualhost and SNI they inherit, free and equal.  The struct
 * is check_http-t.h; check_http.c runs it. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/check_http-t.h"
#include "check/rx_cache.h"
#include "core/err.h"
#include "kw/kw.h"

#define HTTP(obj) ((struct check_http_conf *)((struct check_conf *)(obj))->spec)
#define URL(obj)  ((struct check_url *)(obj))

/* ---- url { } ---- */

static int p_digest(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	const char *s = st->args[0].text;

	if (strlen(s) != 32 || strspn(s, "0123456789abcdefABCDEF") != 32)
		return err_set(err, errlen, "digest: '%s' is not an MD5 sum (32 hex digits)", s);
	return kw_str(st, 0, &URL(obj)->digest, err, errlen);
}

/* status_code 200 | 200-299 | a list of both */
static int p_status_code(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct check_url *u = obj;
	unsigned i, lo, hi, k;

	for (i = 0; i < st->argc; i++) {
		const char *s = st->args[i].text;
		char *end;

		if (*s < '0' || *s > '9')
			goto bad;
		lo = hi = (unsigned)strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			hi = (unsigned)strtoul(end + 1, &end, 10);
		}
		if (*end || lo < 100 || hi > 599 || hi < lo)
			goto bad;
		for (k = lo; k <= hi; k++)
			u->status_ok[k / 8] |= (unsigned char)(1u << (k % 8));
		continue;
	bad:
		return err_set(
		    err, errlen,
		    "status_code: '%s' is not a code or range in 100..599 (200, 200-299)", s);
	}
	return 0;
}

static int p_regex(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	char sub[ERRLEN];

	/* a pattern PCRE2 refuses is a config error now, not a failed check
	 * at every attempt later */
	if (rx_check(st->args[0].text, sub, sizeof(sub)) < 0)
		return err_set(err, errlen, "regex %s", sub);
	return kw_str(st, 0, &URL(obj)->regex, err, errlen);
}

static const struct kw kw_url[] = {
    {"path", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct check_url, path, KW_T_STR, 0, 0)},
    {"digest", p_digest, 1, 1, KW_NOBLOCK},
    {"status_code", p_status_code, 1, KW_ANY, KW_NOBLOCK},
    {"regex", p_regex, 1, 1, KW_NOBLOCK},
    {"regex_no_match", NULL, 0, 1, KW_NOBLOCK,
     KW_SLOT(struct check_url, regex_no_match, KW_T_BOOL, 0, 0)},
    {"virtualhost", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct check_url, virtualhost, KW_T_STR, 0, 0)},
    {NULL},
};

const struct kw_block check_http_url_block = {"url", kw_url, NULL, ign_url, NULL};

static void url_free(struct check_url *u)
{
	struct check_url *next;

	for (; u; u = next) {
		next = u->next;
		free(u->path);
		free(u->digest);
		free(u->virtualhost);
		free(u->regex);
		free(u);
	}
}

static int p_url(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct check_url *u = calloc(1, sizeof(*u)), **up;
	unsigned e0 = kw_errors(c);

	if (!u)
		return err_set(err, errlen, "out of memory");
	kw_body(c, &check_http_url_block, u, st->kw);
	if (!u->path) {
		if (kw_errors(c) == e0)
			kw_error(c, st->kw, "url block without a path");
		url_free(u);
		return 0;
	}
	for (up = &HTTP(obj)->urls; *up; up = &(*up)->next)
		;
	*up = u;
	return 0;
}

/* ---- the HTTP_GET / SSL_GET block ---- */

static int p_http_protocol(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	static const char *const ok[] = {"0.9", "1.0", "1.0C", "1.1", NULL};

	if (!kw_in_list(ok, st->args[0].text))
		return err_set(err, errlen, "http_protocol: '%s' is not 0.9, 1.0, 1.0C or 1.1",
			       st->args[0].text);
	return kw_str(st, 0, &HTTP(obj)->http_protocol, err, errlen);
}

/* http_method GET|HEAD (fulcrum extension, ldirectord's httpmethod) */
static const struct kw_enum http_methods[] = {{"GET", 0}, {"HEAD", 1}, {NULL}};
#define METHOD_SLOT                                                                                \
	KW_SLOT_X(offsetof(struct check_conf, spec), struct check_http_conf, head, KW_T_ENUM, 0,   \
		  0, http_methods)

/* the Host: is common to every checker (check_conf.virtualhost) */
#define VHOST_SLOT KW_SLOT(struct check_conf, virtualhost, KW_T_STR, 0, 0)

const struct kw check_http_get_kw[] = {
    {"url", p_url, 0, 0, KW_NEEDBLOCK},
    {"virtualhost", NULL, 1, 1, KW_NOBLOCK, VHOST_SLOT},
    {"http_protocol", p_http_protocol, 1, 1, KW_NOBLOCK},
    {"http_method", NULL, 1, 1, KW_NOBLOCK, METHOD_SLOT},
    {NULL},
};

const struct kw check_ssl_get_kw[] = {
    {"url", p_url, 0, 0, KW_NEEDBLOCK},
    {"virtualhost", NULL, 1, 1, KW_NOBLOCK, VHOST_SLOT},
    {"http_protocol", p_http_protocol, 1, 1, KW_NOBLOCK},
    {"http_method", NULL, 1, 1, KW_NOBLOCK, METHOD_SLOT},
    {"enable_sni", NULL, 0, 1, KW_NOBLOCK,
     CHECK_SPEC_SLOT(struct check_http_conf, enable_sni, KW_T_BOOL, 0, 0)},
    {NULL},
};

void *check_http_conf_new(void)
{
	return calloc(1, sizeof(struct check_http_conf));
}

void check_http_conf_free(void *spec)
{
	struct check_http_conf *h = spec;

	if (!h)
		return;
	url_free(h->urls);
	free(h->http_protocol);
	free(h->sni);
	free(h->raw_req);
	free(h);
}

static int url_equal(const struct check_url *a, const struct check_url *b)
{
	for (; a && b; a = a->next, b = b->next)
		if (!check_str_eq(a->path, b->path) || !check_str_eq(a->digest, b->digest) ||
		    !check_str_eq(a->virtualhost, b->virtualhost) ||
		    !check_str_eq(a->regex, b->regex) || a->regex_no_match != b->regex_no_match ||
		    memcmp(a->status_ok, b->status_ok, sizeof(a->status_ok)))
			return 0;
	return !a && !b;
}

int check_http_conf_equal(const void *va, const void *vb)
{
	const struct check_http_conf *a = va, *b = vb;

	return url_equal(a->urls, b->urls) && check_str_eq(a->http_protocol, b->http_protocol) &&
	       check_str_eq(a->sni, b->sni) && a->enable_sni == b->enable_sni &&
	       !a->head == !b->head && check_str_eq(a->raw_req, b->raw_req);
}

/* HEAD asks for no body: a digest or regex could only fail (ldirectord,
 * which matches its receive string against the body, fails every such
 * check), and HTTP/0.9 has no HEAD.  0, or -1 with the reason. */
static int head_ok(const struct check_http_conf *h, char *err, size_t errlen)
{
	const struct check_url *u;

	if (!h->head)
		return 0;
	if (h->http_protocol && !strcmp(h->http_protocol, "0.9"))
		return err_set(err, errlen, "http_method HEAD: HTTP/0.9 has only GET");
	for (u = h->urls; u; u = u->next)
		if (u->digest || u->regex)
			return err_set(err, errlen,
				       "http_method HEAD: url %s has a %s, but a reply to HEAD has "
				       "no body to check (use GET)",
				       u->path, u->digest ? "digest" : "regex");
	return 0;
}

/* At least one url; HEAD without body checks; enable_sni becomes sni ""
 * (= the Host name) until the virtualhost in force is known
 * (check_http_conf_inherit). */
int check_http_conf_finish(struct check_conf *k, char *err, size_t errlen)
{
	struct check_http_conf *h = k->spec;

	if (!h->urls)
		return err_set(err, errlen, "%s needs at least one url { path ... }",
			       k->type == CHECK_SSL_GET ? "SSL_GET" : "HTTP_GET");
	if (head_ok(h, err, errlen) < 0)
		return -1;
	if (h->enable_sni && !h->sni) {
		h->sni = strdup("");
		if (!h->sni)
			return err_set(err, errlen, "out of memory");
	}
	return 0;
}

/* A level's virtualhost (real_server, then virtual_server) unless the block
 * gave one; SNI "" becomes the virtualhost in force (see doc/config.md). */
void check_http_conf_inherit(struct check_conf *k, const char *vhost)
{
	struct check_http_conf *h = k->spec;

	if (!k->virtualhost && vhost)
		k->virtualhost = strdup(vhost);
	if (h && h->sni && !*h->sni && k->virtualhost) {
		free(h->sni);
		h->sni = strdup(k->virtualhost);
	}
}
