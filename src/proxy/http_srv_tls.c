/* TLS toward the HTTP engine's servers (`server ... ssl`).
 *
 * The server's context (rs->tls, core/tls_cli.c) is found when the
 * stream connects (hs_stls_start, from hsrv_connect, under the engine
 * lock: the pool is the model's); the session is made on the connecting
 * socket, with the SNI the server line's expression gives on this
 * transaction, and the server's last session offered for resumption.
 * Its handshake runs once the TCP connect is done, while the server
 * socket is still HSS_CONNECTING (htxn_connected): `timeout connect`
 * bounds the two together, and a failed handshake (a certificate that
 * does not verify, a server that speaks no TLS) is a failed connect: the
 * retries, redispatch, and at the end 503, as HAProxy answers.  From then
 * on hs_io reads and writes the server through s->stls as it does the
 * client through s->tls (http_tls.c), and a kept-alive server connection
 * keeps its session for the next transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/err.h"
#include "core/log.h"
#include "core/ratelog.h"
#include "core/tls.h"
#include "core/tls_cli.h"
#include "http/sample.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

static struct tls_cli *tls_of(const struct hstream *s)
{
	const struct pool *pool = s->be ? s->be->pool : NULL;
	const struct real_server *rs;

	for (rs = pool ? pool->rs : NULL; rs; rs = rs->next)
		if (rs->live == s->live)
			return rs->tls;
	return NULL;
}

/* The server line's sni expression on this transaction, into name. */
static void sni_of(struct hstream *s, struct tls_cli *t, char *name, size_t size)
{
	const struct smp_expr *e = tls_cli_sni(t);
	struct smp_ctx c = {.t = s->x ? &s->x->txn : NULL};
	struct sample sm;

	name[0] = 0;
	if (!e || !c.t || !smp_eval(e, &c, &sm) || !smp_cast(&sm, SMP_T_STR))
		return;
	if (sm.len < size && !memchr(sm.str, 0, sm.len)) {
		memcpy(name, sm.str, sm.len);
		name[sm.len] = 0;
	}
}

int hs_stls_wanted(const struct hstream *s)
{
	return tls_of(s) != NULL;
}

int hs_stls_start(struct hstream *s)
{
	struct tls_cli *t = tls_of(s);
	struct hs_tls *st;
	char sni[256];

	if (!t)
		return 0;
	sni_of(s, t, sni, sizeof(sni));
	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	st->ssl = tls_cli_session(t, s->sfd, sni);
	if (!st->ssl) {
		free(st);
		return -1;
	}
	st->cli = tls_cli_ref(t);
	snprintf(st->facts.sni, sizeof(st->facts.sni), "%s", sni); /* hs_stls_reusable */
	st->hs_want = EPOLLOUT; /* the connect first */
	s->stls = st;
	return 0;
}

int hs_stls_reusable(struct hstream *s)
{
	struct tls_cli *t;
	char sni[256];

	if (!s->stls)
		return 1;
	t = tls_of(s);
	if (!t || t != s->stls->cli)
		return 0; /* another server's context (a reload) */
	sni_of(s, t, sni, sizeof(sni));
	return !strcmp(sni, s->stls->facts.sni);
}

static void log_failure(struct hstream *s, const char *err)
{
	static struct ratelog rl;
	unsigned held = 0;
	long v = SSL_get_verify_result(s->stls->ssl);
	char addr[64], more[64] = "";

	if (!ratelog_take(&rl, loop_now(hs_loop(s)), &held))
		return;
	if (held)
		snprintf(more, sizeof(more), " (%u more since the last message)", held);
	log_warn("http: TLS to server %s failed: %s%s%s%s", addr_format(&s->srv_held, addr, sizeof(addr), 1),
		 err, v != X509_V_OK ? ": " : "", v != X509_V_OK ? X509_verify_cert_error_string(v) : "", more);
}

int hs_stls_handshake(struct hstream *s)
{
	struct hs_tls *t = s->stls;
	char err[ERRLEN];
	int r;

	hs_own(s);
	r = tls_handshake(t->ssl, err, sizeof(err));
	hs_shared(s);
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
		t->hs_want = r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT;
		return 0;
	}
	if (r < 0) {
		log_failure(s, err);
		return -1;
	}
	t->hs_want = 0;
	return 1;
}

int hs_stls_pending(const struct hstream *s)
{
	return s->stls && s->stls->ssl && !s->stls->hs_want && SSL_pending(s->stls->ssl) > 0;
}
