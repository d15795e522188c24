/* haproxy.cfg's TLS on a bind: `ssl`, `crt FILE|DIR` (several: SNI picks),
 * `crt-list FILE` (haproxy_crtlist.c), `alpn`, `ssl-min-ver`/`ssl-max-ver`,
 * `no-tlsv1x`, `ciphers`, `ciphersuites`, `curves`...; the clients'
 * certificates (`verify`, `ca-file`, `crl-file`, `ca-ignore-err`...); and
 * the global `crt-base` and `ssl-default-bind-*` a bind starts from.  The certificates are loaded
 * here, when the file is read, so that a missing file or a key that does
 * not match the certificate is an error at its line (core/tls_srv.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"

/* ---- the options a bind and ssl-default-bind-options share ---- */

static const struct {
	const char *name;
	unsigned bit;
} no_vers[] = {
	{"no-sslv3", TLS_NO_SSLV3},   {"no-tlsv10", TLS_NO_TLSV10}, {"no-tlsv11", TLS_NO_TLSV11},
	{"no-tlsv12", TLS_NO_TLSV12}, {"no-tlsv13", TLS_NO_TLSV13},
};

static const struct {
	const char *name;
	const char *ver;
} force_vers[] = {
	{"force-sslv3", "SSLv3"},     {"force-tlsv10", "TLSv1.0"}, {"force-tlsv11", "TLSv1.1"},
	{"force-tlsv12", "TLSv1.2"}, {"force-tlsv13", "TLSv1.3"},
};

static int set_str(struct hp_read *r, char *dst, size_t size, const char *kw, const char *v)
{
	if (strlen(v) >= size) {
		hp_error(r, "%s: the value is too long (at most %zu characters)", kw, size - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int hp_ssl_opt_word(struct hp_read *r, struct hp_words *w, int k, struct tls_bind_opts *o)
{
	const char *kw = w->args[k], *v = k + 1 < w->n ? w->args[k + 1] : NULL;
	char e[ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(no_vers) / sizeof(no_vers[0]); i++)
		if (!strcmp(kw, no_vers[i].name)) {
			o->no_ver |= no_vers[i].bit;
			return 1;
		}
	for (i = 0; i < sizeof(force_vers) / sizeof(force_vers[0]); i++)
		if (!strcmp(kw, force_vers[i].name)) {
			o->min_ver = o->max_ver = tls_version_of(force_vers[i].ver);
			return 1;
		}
	if (!strcmp(kw, "no-tls-tickets") || !strcmp(kw, "tls-tickets")) {
		o->no_tickets = kw[0] == 'n';
		return 1;
	}
	if (!strcmp(kw, "prefer-client-ciphers")) {
		o->prefer_client_ciphers = 1;
		return 1;
	}
	if (!strcmp(kw, "strict-sni")) {
		o->strict_sni = 1;
		return 1;
	}
	if (strcmp(kw, "ssl-min-ver") && strcmp(kw, "ssl-max-ver") && strcmp(kw, "ciphers") &&
	    strcmp(kw, "ciphersuites") && strcmp(kw, "curves") && strcmp(kw, "ecdhe") &&
	    strcmp(kw, "alpn"))
		return 0;
	if (!v) {
		hp_error(r, "'%s' needs a value", kw);
		return -1;
	}
	if (!strcmp(kw, "ssl-min-ver") || !strcmp(kw, "ssl-max-ver")) {
		int ver = tls_version_of(v);

		if (!ver) {
			hp_error(r, "%s '%s': not a version (SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3)", kw,
				 v);
			return -1;
		}
		*(kw[5] == 'i' ? &o->min_ver : &o->max_ver) = ver; /* ssl-m[i]n-ver */
		return 2;
	}
	if (!strcmp(kw, "alpn")) {
		if (tls_alpn_parse(o, v, e, sizeof(e)) < 0) {
			hp_error(r, "%s", e);
			return -1;
		}
		return 2;
	}
	if (!strcmp(kw, "ciphers"))
		return set_str(r, o->ciphers, sizeof(o->ciphers), kw, v) < 0 ? -1 : 2;
	if (!strcmp(kw, "ciphersuites"))
		return set_str(r, o->ciphersuites, sizeof(o->ciphersuites), kw, v) < 0 ? -1 : 2;
	return set_str(r, o->curves, sizeof(o->curves), kw, v) < 0 ? -1 : 2; /* curves, ecdhe */
}

/* ---- bind ---- */

void hp_bind_ssl_init(struct hp_read *r, struct hp_bind_ssl *b)
{
	memset(b, 0, sizeof(*b));
	b->o = r->ssl_bind;
}

/* A crt (crt-base applied) or a crt-list (as written: HAProxy applies
 * crt-base to the files it names, not to the list). */
static int add_crt(struct hp_read *r, struct hp_bind_ssl *b, const char *path, int list)
{
	char full[2048];
	struct hp_crt *grown;

	if (path[0] != '/' && r->crt_base[0] && !list)
		snprintf(full, sizeof(full), "%s/%s", r->crt_base, path);
	else
		snprintf(full, sizeof(full), "%s", path);
	grown = realloc(b->crt, (b->ncrt + 1) * sizeof(*grown));
	if (grown)
		b->crt = grown;
	if (!grown || !(grown[b->ncrt].path = strdup(full))) {
		hp_error(r, "out of memory");
		return -1;
	}
	b->crt[b->ncrt++].list = list;
	return 0;
}

/* "all" or "20,18": the X509_V_ERR_* codes into bits. */
static int ignore_list(struct hp_read *r, const char *kw, const char *v, uint64_t *bits)
{
	const char *p = v;
	uint64_t set[TLS_IGNERR_MAX / 64] = {0};

	if (!strcmp(v, "all")) {
		memset(bits, 0xff, sizeof(set));
		return 0;
	}
	while (*p) {
		char *end;
		long e = strtol(p, &end, 10);

		if (end == p || (*end && *end != ',') || e < 0 || e >= TLS_IGNERR_MAX) {
			hp_error(r, "%s '%s': 'all' or a comma-separated list of X509 error numbers "
				    "(0 to %d)",
				 kw, v, TLS_IGNERR_MAX - 1);
			return -1;
		}
		set[e / 64] |= 1ull << (e % 64);
		p = *end ? end + 1 : end;
	}
	memcpy(bits, set, sizeof(set));
	return 0;
}

int hp_verify_word(struct hp_read *r, struct hp_words *w, int k, struct tls_bind_opts *o, int bind)
{
	static const char *const files[] = {"ca-file", "ca-verify-file", "crl-file", NULL};
	const char *kw = w->args[k], *v = k + 1 < w->n ? w->args[k + 1] : NULL;
	char e[ERRLEN];
	int i;

	if (!strcmp(kw, "no-ca-names")) {
		o->no_ca_names = 1;
		return 1;
	}
	for (i = 0; files[i] && strcmp(kw, files[i]); i++)
		;
	if (!files[i] && strcmp(kw, "verify") && (!bind || (strcmp(kw, "ca-ignore-err") &&
							     strcmp(kw, "crt-ignore-err"))))
		return 0;
	if (!v) {
		hp_error(r, "'%s' needs a value", kw);
		return -1;
	}
	if (!strcmp(kw, "verify")) {
		if (!strcmp(v, "none"))
			o->verify = TLS_CV_NONE;
		else if (!strcmp(v, "optional"))
			o->verify = TLS_CV_OPTIONAL;
		else if (!strcmp(v, "required"))
			o->verify = TLS_CV_REQUIRED;
		else {
			hp_error(r, "verify '%s': none, optional or required", v);
			return -1;
		}
		return 2;
	}
	if (!files[i])
		return ignore_list(r, kw, v, kw[1] == 'a' ? o->ca_ignore : o->crt_ignore) < 0 ? -1 : 2;
	if (hp_ssl_path(i == 0 ? o->ca_file : i == 1 ? o->ca_verify_file : o->crl_file, sizeof(o->ca_file),
			r->ca_base, kw, v, e, sizeof(e)) < 0) {
		hp_error(r, "%s", e);
		return -1;
	}
	return 2;
}

/* bind words HAProxy serves that fulcrum does not: refused (a listener
 * that would make its own certificates) */
static const char *const refused[] = {"ca-sign-file", "ca-sign-pass", "generate-certificates", NULL};

int hp_bind_ssl_word(struct hp_read *r, struct hp_words *w, int k, struct hp_bind_ssl *b)
{
	const char *kw = w->args[k];
	int n;

	if (!strcmp(kw, "ssl")) {
		b->ssl = 1;
		return 1;
	}
	if (!strcmp(kw, "crt")) {
		if (k + 1 >= w->n) {
			hp_error(r, "bind: 'crt' needs a file or a directory");
			return -1;
		}
		return add_crt(r, b, w->args[k + 1], 0) < 0 ? -1 : 2;
	}
	if (!strcmp(kw, "crt-list")) {
		if (k + 1 >= w->n) {
			hp_error(r, "bind: 'crt-list' needs a file");
			return -1;
		}
		return add_crt(r, b, w->args[k + 1], 1) < 0 ? -1 : 2;
	}
	for (n = 0; refused[n]; n++)
		if (!strcmp(kw, refused[n])) {
			hp_error(r, "bind: '%s' is not supported (fulcrum makes no certificates)", kw);
			return -1;
		}
	n = hp_verify_word(r, w, k, &b->o, 1);
	if (n)
		return n;
	if (!strcmp(kw, "npn") || !strcmp(kw, "tls-ticket-keys") || !strcmp(kw, "ciphersuites-tls13")) {
		if (k + 1 >= w->n) {
			hp_error(r, "bind: '%s' needs a value", kw);
			return -1;
		}
		hp_warn(r, "bind: '%s %s' is not used by fulcrum", kw, w->args[k + 1]);
		return 2;
	}
	if (!strcmp(kw, "allow-0rtt") || !strcmp(kw, "ssl-reuse") ||
	    !strcmp(kw, "no-ssl-reuse")) {
		hp_warn(r, "bind: '%s' only tunes HAProxy: ignored", kw);
		return 1;
	}
	return hp_ssl_opt_word(r, w, k, &b->o);
}

void hp_bind_ssl_free(struct hp_bind_ssl *b)
{
	for (unsigned i = 0; i < b->ncrt; i++)
		free(b->crt[i].path);
	free(b->crt);
	b->crt = NULL;
	b->ncrt = 0;
}

/* b's crt and the lines of its crt-lists, in the line's order, into *out
 * (hp_crtlist_free): 0, or -1 reported. */
static int expand(struct hp_read *r, struct hp_bind_ssl *b, struct hp_crtlist *out)
{
	for (unsigned i = 0; i < b->ncrt; i++) {
		if (b->crt[i].list ? hp_crtlist_load(r, b->crt[i].path, &b->o, out) < 0
				   : hp_crtlist_add(r, out, b->crt[i].path, NULL, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

struct tls_srv *hp_bind_ssl_done(struct hp_read *r, struct hp_bind_ssl *b, int *failed)
{
	struct hp_crtlist l = {0};
	struct tls_srv *t = NULL;
	char e[ERRLEN];

	*failed = 0;
	if (!b->ssl && b->ncrt)
		hp_warn(r, "bind: 'crt' without 'ssl': the listener is plain HTTP");
	if (b->ssl && expand(r, b, &l) < 0) {
		*failed = 1;
	} else if (b->ssl && !l.n && !(r->fuzz && b->ncrt)) {
		hp_error(r, "bind: 'ssl' needs a certificate ('crt FILE', 'crt DIR' or a 'crt-list' "
			    "that names one)");
		*failed = 1;
	} else if (b->ssl && !r->fuzz) {
		t = tls_srv_new(&b->o, l.crt, l.n, e, sizeof(e));
		if (!t) {
			hp_error(r, "bind: %s", e);
			*failed = 1;
		}
	}
	hp_crtlist_free(&l);
	hp_bind_ssl_free(b);
	return t;
}

/* ---- global ---- */

/* PREFIXciphers, PREFIXciphersuites, PREFIXcurves, PREFIXoptions into o
 * (ssl-default-bind-*, ssl-default-server-*): 1 if the line was one. */
static int defaults_line(struct hp_read *r, struct hp_words *w, const char *prefix, struct tls_bind_opts *o)
{
	const char *k = w->args[0], *rest;
	size_t plen = strlen(prefix);
	int i, n;

	if (strncmp(k, prefix, plen))
		return 0;
	rest = k + plen;
	if (!strcmp(rest, "ciphers") || !strcmp(rest, "ciphersuites") || !strcmp(rest, "curves")) {
		struct hp_words one = {.n = w->n > 1 ? 2 : 1, .args = {(char *)rest, w->n > 1 ? w->args[1] : NULL}};

		if (w->n > 2)
			hp_error(r, "%s takes one value (quote it if it holds blanks)", k);
		else
			(void)hp_ssl_opt_word(r, &one, 0, o);
		return 1;
	}
	if (strcmp(rest, "options"))
		return 0;
	for (i = 1; i < w->n; i += n) {
		n = hp_ssl_opt_word(r, w, i, o);
		if (n < 0)
			return 1;
		if (!n) {
			hp_warn(r, "%s: '%s' is not read by fulcrum", k, w->args[i]);
			n = 1;
		}
	}
	return 1;
}

int hp_global_ssl(struct hp_read *r, struct hp_words *w)
{
	const char *k = w->args[0];

	if (!strcmp(k, "crt-base") || !strcmp(k, "ca-base")) {
		if (w->n != 2)
			hp_error(r, "usage: %s DIR", k);
		else
			set_str(r, k[1] == 'r' ? r->crt_base : r->ca_base, sizeof(r->crt_base), k, w->args[1]);
		return 1;
	}
	if (!strcmp(k, "ssl-server-verify")) {
		if (w->n != 2 || (strcmp(w->args[1], "none") && strcmp(w->args[1], "required")))
			hp_error(r, "usage: ssl-server-verify none|required");
		else
			r->ssl_server_verify = w->args[1][0] == 'n' ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED;
		return 1;
	}
	return defaults_line(r, w, "ssl-default-bind-", &r->ssl_bind) ||
	       defaults_line(r, w, "ssl-default-server-", &r->ssl_server.o);
}
