/* TLS on the HTTP engine's client connections (`bind ... ssl crt ...`).
 *
 * A client of a TLS listener is an ordinary hstream whose s->tls holds
 * the session.  Its handshake runs first, on the stream's worker and
 * without blocking (hs_tls_handshake, from the stream's socket callback,
 * under the stream's timeout: http-request, else client); then ALPN
 * decides: h2 hands the connection and its session to the HTTP/2 gateway
 * (h2_gw.c), anything else stays here as HTTP/1.1.  From then on the
 * stream's reads and writes of the client go through SSL_read/SSL_write
 * (hs_io calls hs_tls_io instead of recv/send), so keep-alive, pipelining,
 * bodies and tunnels take the same paths as in plain HTTP.
 *
 * Two things differ from a socket and are handled where the stream
 * decides what it waits for: OpenSSL may hold decrypted bytes the socket
 * no longer signals (a record larger than the room left in cin:
 * hs_tls_pending), and a read may need the socket writable or a write
 * readable (rd_want, wr_want: hs_tls_events, hs_tls_wake).  A closing stream sends close_notify first
 * (hs_tls_shut); the session's record buffers are given back while the
 * connection is idle (SSL_MODE_RELEASE_BUFFERS, core/tls_srv.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/err.h"
#include "core/log.h"
#include "core/tls.h"
#include "core/tls_cli.h"
#include "core/tls_srv.h"
#include "core/tls_srv_verify.h"
#include "model/model.h"
#include "proxy/h2_gw.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

int hs_tls_start(struct hstream *s, struct tls_srv *srv)
{
	struct hs_tls *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->ssl = tls_srv_session(srv, s->cfd);
	if (!t->ssl) {
		free(t);
		return -1;
	}
	t->srv = srv;
	t->hs_want = EPOLLIN; /* the ClientHello */
	s->tls = t;
	return 0;
}

int hs_tls_copy(struct hstream *s, const struct hs_tls *from)
{
	if (!from)
		return 0;
	s->tls = calloc(1, sizeof(*s->tls));
	if (!s->tls)
		return -1;
	s->tls->facts = from->facts;
	if (from->facts.peer)
		X509_up_ref(from->facts.peer);
	if (from->facts.local)
		X509_up_ref(from->facts.local);
	if (s->x) /* else the transaction, when it comes, takes them */
		s->x->txn.ssl = &s->tls->facts;
	return 0;
}

void hs_tls_free(struct hs_tls *t, int notify)
{
	if (!t)
		return;
	if (t->ssl && notify && !t->hs_want) {
		ERR_clear_error();
		(void)SSL_shutdown(t->ssl); /* close_notify, if the socket takes it now */
	}
	tls_free(t->ssl);
	tls_srv_put(t->srv);
	tls_cli_put(t->cli);
	X509_free(t->facts.peer);
	X509_free(t->facts.local);
	ERR_clear_error();
	free(t);
}

void hs_tls_shut(struct hs_tls *t)
{
	if (t && t->ssl && !t->hs_want) {
		ERR_clear_error();
		(void)SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
}

static void facts_fill(struct hs_tls *t)
{
	const char *sni = SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
	const unsigned char *alpn = NULL;
	unsigned alen = 0;

	t->facts.version = SSL_get_version(t->ssl);
	t->facts.cipher = SSL_get_cipher_name(t->ssl);
	if (sni)
		snprintf(t->facts.sni, sizeof(t->facts.sni), "%s", sni);
	SSL_get0_alpn_selected(t->ssl, &alpn, &alen);
	if (alen && alen < sizeof(t->facts.alpn)) {
		memcpy(t->facts.alpn, alpn, alen);
		t->facts.alpn[alen] = 0;
	}
	t->facts.peer = SSL_get1_peer_certificate(t->ssl);
	t->facts.local = SSL_get_certificate(t->ssl);
	if (t->facts.local)
		X509_up_ref(t->facts.local);
	t->facts.verify = SSL_get_verify_result(t->ssl);
	t->facts.crt_err = tls_srv_verify_errors(t->ssl, &t->facts.ca_err);
	t->facts.crt_sent = t->facts.peer && !SSL_session_reused(t->ssl);
}

ssize_t hs_tls_io(struct hs_tls *t, void *buf, size_t len, int out)
{
	char err[ERRLEN];
	ssize_t n;

	if (!len)
		return out ? 0 : -1;
	n = out ? tls_write(t->ssl, buf, len, err, sizeof(err)) : tls_read(t->ssl, buf, len, err, sizeof(err));
	/* what the socket must be for this call to go on, when it is not
	 * what the call itself waits for; each direction keeps its own until
	 * it is tried again (a read in between does not clear a write's) */
	if (out)
		t->wr_want = n == TLS_WANT_READ ? EPOLLIN : 0;
	else
		t->rd_want = n == TLS_WANT_WRITE ? EPOLLOUT : 0;
	if (n >= 0)
		return n;
	return n == TLS_WANT_READ || n == TLS_WANT_WRITE ? -1 : -2;
}

/* A write that waits for the peer's records (SSL_write wanting read: a
 * TLS 1.2 renegotiation's messages, which OpenSSL reads inside the write)
 * waits for readability instead of writability: the socket is writable, so
 * waiting for EPOLLOUT would wake the stream at once, round after round,
 * and the write would want read each time (a spin that starves the
 * worker).  A read that must send first (SSL_read wanting write: the
 * answer to a TLS 1.3 KeyUpdate, or an alert, into a full socket) waits
 * for writability as well as readability. */
uint32_t hs_tls_events(const struct hs_tls *t, uint32_t ev)
{
	uint32_t out = ev;

	if (!t || !t->ssl)
		return ev;
	if ((ev & EPOLLOUT) && t->wr_want)
		out = (out & ~(uint32_t)EPOLLOUT) | EPOLLIN;
	if ((ev & EPOLLIN) && t->rd_want)
		out |= EPOLLOUT;
	return out;
}

uint32_t hs_tls_wake(const struct hs_tls *t, uint32_t events)
{
	if (t && t->ssl && t->rd_want && (events & EPOLLOUT))
		events |= EPOLLIN; /* the read waited for writable: try it again */
	return events;
}

ssize_t hs_tls_recv(struct hstream *s, struct hs_tls *t, struct hbuf *b)
{
	struct proxy *px = s->pvs->px;
	ssize_t n = hbuf_room(px, b);

	if (n < 0)
		return n;
	n = hs_tls_io(t, b->p + b->len, (size_t)n, 0);
	if (n <= 0)
		hbuf_give(px, b); /* nothing came: an idle connection holds no buffer */
	if (n > 0)
		b->len += (uint32_t)n;
	return n;
}

ssize_t hs_tls_send(struct hs_tls *t, struct hbuf *b)
{
	ssize_t n;

	if (!hbuf_data(b))
		return 0;
	n = hs_tls_io(t, b->p + b->off, hbuf_data(b), 1);
	if (n == -1)
		return 0; /* not now */
	if (n < 0)
		return -1;
	b->off += (uint32_t)n;
	if (b->off == b->len)
		b->off = b->len = 0;
	return n;
}

int hs_tls_pending(const struct hstream *s)
{
	return s->tls && s->tls->ssl && !s->tls->hs_want && SSL_pending(s->tls->ssl) > 0;
}

/* ALPN chose h2 (or the listener is `proto h2`): the connection and its
 * session go to the HTTP/2 gateway; s is closed without its socket. */
static void to_h2(struct hstream *s)
{
	struct pvs *p = s->pvs;
	struct hs_tls *t = s->tls;
	struct fc_addr client = s->client;
	int fd = s->cfd;

	proxy_unlock(p->px);
	loop_io_del(hs_loop(s), &s->cio);
	proxy_relock(p->px);
	s->cfd = -1;
	s->tls = NULL;
	/* linked into p before s leaves it, so p stays */
	h2gw_new_tls(p, fd, &client, t);
	hstream_close(s, 0);
}

/* Read what the socket holds now (bounded), unread. */
static void drain(int fd)
{
	char b[4096];
	int i;

	for (i = 0; i < 16 && recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0; i++)
		;
}

int hs_tls_handshake(struct hstream *s)
{
	struct hs_tls *t = s->tls;
	char err[ERRLEN];
	int r;

	proxy_unlock(s->pvs->px);
	r = tls_handshake(t->ssl, err, sizeof(err));
	proxy_relock(s->pvs->px);
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
		t->hs_want = r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT;
		loop_io_mod(hs_loop(s), &s->cio, t->hs_want);
		return 0;
	}
	if (r < 0) {
		/* a plain HTTP client, a protocol or version we refuse: HAProxy
		 * closes without a word (OpenSSL sent its alert if it could),
		 * with a FIN: what the client sent is read first, so that the
		 * close is no reset */
		drain(s->cfd);
		hstream_close(s, 0);
		return -1;
	}
	t->hs_want = 0;
	/* HAProxy's Th; its Ti (the wait for the first request) starts here */
	t->hs_ms = (uint32_t)(loop_now(hs_loop(s)) - s->head_start_ms);
	s->head_start_ms = s->head_first_ms = loop_now(hs_loop(s));
	tls_srv_put(t->srv); /* no more SNI or ALPN callbacks */
	t->srv = NULL;
	facts_fill(t);
	if (s->x)
		s->x->txn.ssl = &t->facts;
	if (!strcmp(t->facts.alpn, "h2") || (s->pvs->vs && s->pvs->vs->bind_h2)) {
		to_h2(s);
		return -1;
	}
	return 1;
}

struct hstream *hs_tls_accept(struct pvs *p, int fd, const struct fc_addr *client)
{
	struct hstream *s = hstream_new(p, fd, client);

	if (s && hs_tls_start(s, p->vs->tls) < 0) {
		log_err("http: out of memory for a TLS session");
		hstream_close(s, 1);
		return NULL;
	}
	return s;
}
