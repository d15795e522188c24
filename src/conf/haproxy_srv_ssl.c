/* haproxy.cfg's TLS toward a server: `server ... ssl [verify none|required]
 * [ca-file F] [crl-file F] [crt F] [sni EXPR] [verifyhost H]
 * [no-ssl-reuse]` with the versions, ciphers and alpn a bind takes,
 * `default-server ssl ...`, `check-ssl` / `check-sni`, and the global
 * `ssl-server-verify` and `ssl-default-server-*` a server starts from.
 * The context is made here, when the file is read (core/tls_cli.c), so a
 * CA that cannot be read, or verify required without one (HAProxy's
 * refusal too), is an error at its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"
#include "core/tls_cli.h"
#include "http/sample.h"

int hp_ssl_path(char *dst, size_t size, const char *base, const char *kw, const char *v, char *err,
		size_t errlen)
{
	int n;

	if (!strcmp(v, "@system-ca") || v[0] == '/' || !base || !base[0])
		n = snprintf(dst, size, "%s", v);
	else
		n = snprintf(dst, size, "%s/%s", base, v);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, errlen, "%s: the path is too long (at most %zu characters)", kw,
			       size - 1);
	return 0;
}

/* server words with a value */
static const char *const valued[] = {"verify", "ca-file", "crl-file", "crt", "sni", "verifyhost",
				     "check-sni", "check-alpn", NULL};

int hp_srv_ssl_word(struct hp_read *r, struct hp_words *w, int k, struct hp_srv *s, char *err,
		    size_t errlen)
{
	const char *kw = w->args[k], *v = k + 1 < w->n ? w->args[k + 1] : NULL;
	struct tls_cli_opts *o = &s->tls;
	int i;

	if (!strcmp(kw, "ssl") || !strcmp(kw, "no-ssl")) {
		s->ssl = kw[0] == 's';
		return 1;
	}
	if (!strcmp(kw, "check-ssl") || !strcmp(kw, "no-check-ssl")) {
		s->check_ssl = kw[0] == 'c';
		return 1;
	}
	if (!strcmp(kw, "no-verifyhost")) {
		o->no_verifyhost = 1;
		return 1;
	}
	if (!strcmp(kw, "no-ssl-reuse") || !strcmp(kw, "ssl-reuse")) {
		o->no_reuse = kw[0] == 'n';
		return 1;
	}
	for (i = 0; valued[i] && strcmp(valued[i], kw); i++)
		;
	if (!valued[i]) {
		i = hp_ssl_opt_word(r, w, k, &o->o);
		if (i > 0 && !strcmp(kw, "alpn") &&
		    (o->o.alpn_len != 9 || memcmp(o->o.alpn, "\x08http/1.1", 9))) {
			o->o.alpn_len = 0;
			return err_set(err, errlen, "alpn '%s': fulcrum speaks HTTP/1.1 to servers (alpn "
						    "http/1.1)", v);
		}
		if (i < 0)
			err[0] = 0; /* reported */
		return i;
	}
	if (!v)
		return err_set(err, errlen, "server option '%s' needs a value", kw);
	if (!strcmp(kw, "verify")) {
		if (strcmp(v, "none") && strcmp(v, "required"))
			return err_set(err, errlen, "verify '%s': none or required", v);
		o->verify = v[0] == 'n' ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED;
		return 2;
	}
	if (!strcmp(kw, "ca-file") || !strcmp(kw, "crl-file"))
		return hp_ssl_path(kw[1] == 'a' ? o->ca_file : o->crl_file, sizeof(o->ca_file), r->ca_base,
				   kw, v, err, errlen) < 0 ? -1 : 2;
	if (!strcmp(kw, "crt"))
		return hp_ssl_path(o->crt, sizeof(o->crt), r->crt_base, kw, v, err, errlen) < 0 ? -1 : 2;
	if (!strcmp(kw, "check-alpn")) {
		hp_warn(r, "server option 'check-alpn %s' is not used by fulcrum", v);
		return 2;
	}
	if (!strcmp(kw, "sni")) {
		struct smp_expr e;
		char e2[ERRLEN];

		if (strlen(v) >= sizeof(s->sni))
			return err_set(err, errlen, "sni: at most %zu characters", sizeof(s->sni) - 1);
		if (smp_expr_parse(&e, v, strlen(v), SMP_USE_REQ, e2, sizeof(e2)) < 0)
			return err_set(err, errlen, "sni '%s': %s", v, e2);
		smp_expr_free(&e);
		snprintf(s->sni, sizeof(s->sni), "%s", v);
		return 2;
	}
	if (strlen(v) >= sizeof(o->verifyhost))
		return err_set(err, errlen, "%s: at most %zu characters", kw, sizeof(o->verifyhost) - 1);
	snprintf(kw[0] == 'v' ? o->verifyhost : s->check_sni, sizeof(o->verifyhost), "%s", v);
	return 2;
}

static void sni_free(void *p)
{
	smp_expr_free(p);
	free(p);
}

int hp_srv_ssl_done(struct hp_read *r, struct hp_srv *s, struct real_server *rs, char *err,
		    size_t errlen)
{
	struct tls_cli_opts o = s->tls;
	struct smp_expr *e;
	char e2[ERRLEN];

	if (!s->ssl || r->fuzz)
		return 0;
	if (o.verify == TLS_VERIFY_UNSET)
		o.verify = r->ssl_server_verify == TLS_VERIFY_NONE ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED;
	rs->tls = tls_cli_new(&o, e2, sizeof(e2));
	if (!rs->tls)
		return err_set(err, errlen, "server %s: %s", rs->name, e2);
	if (!s->sni[0])
		return 0;
	e = calloc(1, sizeof(*e));
	if (!e || smp_expr_parse(e, s->sni, strlen(s->sni), SMP_USE_REQ, e2, sizeof(e2)) < 0) {
		free(e);
		return err_set(err, errlen, "server %s: out of memory", rs->name);
	}
	tls_cli_set_sni(rs->tls, e, sni_free);
	return 0;
}
