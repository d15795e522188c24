/* HTTP_GET and SSL_GET, as keepalived runs them: for each url { } in turn,
 * a new connection (TLS for SSL_GET), one GET, and the reply judged by its
 * status (the url's status_code set, default 200-299), then the MD5 of the
 * body (digest) and a PCRE2 regex on the body (regex, regex_no_match).
 * Every url must pass.  With http_method HEAD (a fulcrum extension, and
 * ldirectord's httpmethod=HEAD) the request is a HEAD and only the status
 * is judged.  ldirectord's negotiate check (request + expected
 * `receive` text) is a url with a regex.
 *
 * One attempt is a chain of struct http_try, one per url; run->priv is the
 * current one.  Everything is non-blocking on the loop; the health core
 * owns the deadline and calls cancel, which frees the try at once (its
 * ev_io through loop_defer). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check/check.h"
#include "check/check_http.h"
#include "check/http_resp.h"
#include "check/rx_cache.h"
#include "check/tls.h"
#include "core/loop.h"

/* keepalived's User-Agent, so that web servers' log filters and ACLs
 * written for keepalived's checks keep matching */
#define HTTP_USER_AGENT "KeepAliveClient"
#define READ_CHUNK	16384

enum { ST_CONNECT, ST_HANDSHAKE, ST_SEND, ST_RECV };

struct http_try {
	struct check_run *run;
	const struct check_url *url;
	struct ev_io io;
	int fd;
	SSL *ssl; /* SSL_GET, once connected */
	int st;
	int need_body; /* digest or regex: read the whole body */
	char *req;     /* the request, owned */
	size_t req_len, req_off;
	struct http_resp resp;
	EVP_MD_CTX *md; /* digest */
	char *body;	/* regex: the body so far (bounded by HTTP_BODY_MAX) */
	size_t body_len, body_cap;
};

static int try_url(struct check_run *run, const struct check_url *url);

static void try_free_now(void *arg)
{
	struct http_try *t = arg;

	tls_free(t->ssl);
	free(t->req);
	http_resp_free(&t->resp);
	EVP_MD_CTX_free(t->md);
	free(t->body);
	free(t);
}

/* Close the connection now, free the rest once the loop is done with the
 * round (its events may still name &t->io). */
static void try_release(struct http_try *t)
{
	if (t->fd >= 0) {
		if (t->io.registered)
			loop_io_del(t->run->loop, &t->io);
		close(t->fd);
		t->fd = -1;
	}
	/* out of memory in loop_defer: leaking the try is safer than freeing
	 * it while the loop may still look at it */
	(void)loop_defer(t->run->loop, try_free_now, t);
}

/* End the attempt: exactly one check_done, with run->priv already clear. */
static void finish(struct http_try *t, enum check_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void finish(struct http_try *t, enum check_kind kind, const char *fmt, ...)
{
	struct check_run *run = t->run;
	char reason[sizeof(run->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	run->priv = NULL;
	try_release(t);
	check_done(run, kind, "%s", reason);
}

/* ---- the request ---- */

static int is_09(const struct check_http_conf *h)
{
	return h->http_protocol && !strcmp(h->http_protocol, "0.9");
}

/* keepalived's request: HTTP/1.0 by default; "1.0C" and "1.1" add
 * Connection: close; Host is the virtualhost, else the address checked
 * with its port.  HTTP/0.9 is the bare request line.  http_method HEAD
 * (ldirectord's httpmethod) asks for the headers only: the reader refuses
 * it with a digest, a regex or HTTP/0.9, so the status line and headers
 * are all that is judged and no body is waited for. */
static char *build_request(const struct check_run *run, const struct check_url *url, size_t *len)
{
	const struct check_http_conf *h = run->conf->spec;
	const char *proto = h->http_protocol ? h->http_protocol : "1.0";
	const char *vhost = url->virtualhost ? url->virtualhost : run->vhost;
	char hostbuf[ADDR_STRLEN];
	char *s = NULL;
	int n;

	if (h->raw_req) {
		n = asprintf(&s, "%s", h->raw_req);
	} else if (is_09(h)) {
		n = asprintf(&s, "GET %s\r\n", url->path);
	} else {
		if (!vhost || !*vhost)
			vhost = addr_format(&run->target, hostbuf, sizeof(hostbuf), 1);
		n = asprintf(&s,
			     "%s %s HTTP/1.%d\r\n"
			     "User-Agent: " HTTP_USER_AGENT "\r\n"
			     "%s"
			     "Host: %s\r\n\r\n",
			     h->head ? "HEAD" : "GET", url->path, !strcmp(proto, "1.1"),
			     !strcmp(proto, "1.0") ? "" : "Connection: close\r\n", vhost);
	}
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}

/* ---- judging the reply ---- */

static int status_ok(const struct check_url *url, int status)
{
	size_t i;

	for (i = 0; i < sizeof(url->status_ok); i++)
		if (url->status_ok[i])
			break;
	if (i == sizeof(url->status_ok)) /* none set: keepalived's 200-299 */
		return status >= 200 && status <= 299;
	return status >= 0 && status < 600 && (url->status_ok[status / 8] >> (status % 8) & 1);
}

/* The reply is in (or, without body checks, its headers): pass this url
 * and go on to the next, or end the attempt. */
static void judge(struct http_try *t)
{
	const struct check_url *url = t->url;
	struct check_run *run = t->run;
	int status = t->resp.status;

	run->code = status; /* check_code, passed or not */
	if (!status_ok(url, status)) {
		finish(t, CK_L7STS, "%s: status %d", url->path, status);
		return;
	}
	if (url->digest) {
		unsigned char md[EVP_MAX_MD_SIZE];
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		unsigned mdlen = 0, i;

		if (!EVP_DigestFinal_ex(t->md, md, &mdlen)) {
			finish(t, CK_UNK, "%s: MD5 failed", url->path);
			return;
		}
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		if (strcasecmp(hex, url->digest)) {
			finish(t, CK_L7RSP, "%s: digest mismatch (got %s)", url->path, hex);
			return;
		}
	}
	if (url->regex) {
		char err[128];
		int m = rx_match(url->regex, t->body, t->body_len, err, sizeof(err));

		if (m < 0) {
			finish(t, CK_UNK, "%s: %s", url->path, err);
			return;
		}
		if (m == url->regex_no_match) {
			finish(t, CK_L7RSP, "%s: %s", url->path,
			       m ? "regex matched (regex_no_match)" : "regex did not match");
			return;
		}
	}
	if (url->next) {
		/* next url on a connection of its own, as keepalived does */
		run->priv = NULL;
		try_release(t);
		check_stage(run, CK_L4TOUT); /* a new connection */
		try_url(run, url->next);
		return;
	}
	finish(t, CK_L7OK, "%s: status %d", url->path, status);
}

static int body_cb(void *arg, const char *p, size_t n)
{
	struct http_try *t = arg;

	if (t->md && !EVP_DigestUpdate(t->md, p, n))
		return -1;
	if (t->url->regex) {
		if (t->body_len + n > t->body_cap) {
			size_t cap = t->body_cap ? t->body_cap : 4096;
			char *nb;

			while (cap < t->body_len + n)
				cap *= 2;
			nb = realloc(t->body, cap);
			if (!nb) {
				snprintf(t->resp.err, sizeof(t->resp.err), "out of memory");
				return -1;
			}
			t->body = nb;
			t->body_cap = cap;
		}
		memcpy(t->body + t->body_len, p, n);
		t->body_len += n;
	}
	return 0;
}

/* After the parser saw more (rc from feed/eof): 1 if the try ended. */
static int after_input(struct http_try *t, int rc)
{
	if (!t->need_body && t->resp.headers_done) {
		judge(t); /* the status is all that is asked */
		return 1;
	}
	if (rc == HTTP_RESP_ERROR) {
		finish(t, CK_L7RSP, "%s: %s", t->url->path, t->resp.err);
		return 1;
	}
	if (rc == HTTP_RESP_DONE) {
		judge(t);
		return 1;
	}
	return 0;
}

/* ---- driving the connection ---- */

static int set_events(struct http_try *t, uint32_t ev)
{
	if (t->io.events == ev)
		return 0;
	if (loop_io_mod(t->run->loop, &t->io, ev) < 0) {
		finish(t, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Wait for what a TLS call wants, or fail with its reason. */
static void tls_wait(struct http_try *t, ssize_t rc, const char *err)
{
	if (rc == TLS_WANT_READ)
		set_events(t, EPOLLIN);
	else if (rc == TLS_WANT_WRITE)
		set_events(t, EPOLLOUT);
	else
		finish(t, check_conn_kind(t->run), "%s", err);
}

static void do_recv(struct http_try *t)
{
	static char buf[READ_CHUNK]; /* one loop thread: shared by all tries */
	char err[160];

	for (;;) {
		ssize_t n;
		int rc;

		if (t->ssl) {
			n = tls_read(t->ssl, buf, sizeof(buf), err, sizeof(err));
			if (n < 0) {
				if (n == TLS_ERR) {
					finish(t, check_conn_kind(t->run), "%s: %s", t->url->path, err);
					return;
				}
				tls_wait(t, n, err);
				return;
			}
		} else {
			n = read(t->fd, buf, sizeof(buf));
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return;
				finish(t, check_conn_kind(t->run), "%s: read: %s", t->url->path,
				       check_errno_reason(errno));
				return;
			}
		}
		rc = n ? http_resp_feed(&t->resp, buf, (size_t)n) : http_resp_eof(&t->resp);
		if (after_input(t, rc) || !n)
			return;
	}
}

static void do_send(struct http_try *t)
{
	char err[160];

	while (t->req_off < t->req_len) {
		ssize_t n;

		if (t->ssl) {
			n = tls_write(t->ssl, t->req + t->req_off, t->req_len - t->req_off, err,
				      sizeof(err));
			if (n < 0) {
				tls_wait(t, n, err);
				return;
			}
		} else {
			n = send(t->fd, t->req + t->req_off, t->req_len - t->req_off, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR) {
					set_events(t, EPOLLOUT);
					return;
				}
				finish(t, check_conn_kind(t->run), "send: %s", check_errno_reason(errno));
				return;
			}
		}
		t->req_off += (size_t)n;
	}
	t->st = ST_RECV;
	if (set_events(t, EPOLLIN) == 0)
		do_recv(t); /* the reply may be there already (TLS buffers) */
}

static void do_handshake(struct http_try *t)
{
	char err[160];
	int rc = tls_handshake(t->ssl, err, sizeof(err));

	if (rc != 1) {
		tls_wait(t, rc, err);
		return;
	}
	check_stage(t->run, CK_L7TOUT);
	t->st = ST_SEND;
	do_send(t);
}

/* The connect finished (writable): its result, then TLS or the request. */
static void do_connected(struct http_try *t, uint32_t events)
{
	const struct check_conf *k = t->run->conf;
	const struct check_http_conf *h = k->spec;
	int e = 0;
	socklen_t el = sizeof(e);
	char err[160];

	/* writable without error or hang-up is connected: SO_ERROR is asked
	 * only for the reason of a failure (one syscall less per check) */
	if (events & (EPOLLERR | EPOLLHUP)) {
		if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		finish(t, CK_L4CON, "%s", e ? check_errno_reason(e) : "connection failed");
		return;
	}
	if (k->type == CHECK_SSL_GET) {
		const char *sni = NULL;

		/* enable_sni: the url's virtualhost, else the name the reader
		 * gave (the check's or the service's virtualhost), else the
		 * Host the request carries */
		if (h->sni && t->url->virtualhost)
			sni = t->url->virtualhost;
		else if (h->sni && *h->sni)
			sni = h->sni;
		else if (h->sni)
			sni = t->run->vhost;
		t->ssl = tls_client_new(t->fd, sni, err, sizeof(err));
		if (!t->ssl) {
			finish(t, CK_SOCKERR, "%s", err);
			return;
		}
		check_stage(t->run, CK_L6TOUT);
		t->st = ST_HANDSHAKE;
		do_handshake(t);
		return;
	}
	check_stage(t->run, CK_L7TOUT);
	t->st = ST_SEND;
	do_send(t);
}

static void on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct http_try *t = io->data;

	switch (t->st) {
	case ST_CONNECT:
		do_connected(t, events);
		break;
	case ST_HANDSHAKE:
		do_handshake(t);
		break;
	case ST_SEND:
		do_send(t);
		break;
	case ST_RECV:
		do_recv(t);
		break;
	}
}

/* Start the connection for one url; run->priv is the new try unless the
 * attempt already ended (then check_done was called). */
static int try_url(struct check_run *run, const struct check_url *url)
{
	struct http_try *t = calloc(1, sizeof(*t));
	char err[160];

	if (!t) {
		check_done(run, CK_SOCKERR, "out of memory");
		return -1;
	}
	t->run = run;
	t->url = url;
	t->fd = -1;
	/* HEAD: no body comes whatever Content-Length says (RFC 9110 9.3.2) */
	t->need_body = !((const struct check_http_conf *)run->conf->spec)->head &&
		       (url->digest || url->regex);
	http_resp_init(&t->resp, HTTP_HDR_MAX, t->need_body ? HTTP_BODY_MAX : UINT64_MAX,
		       is_09(run->conf->spec));
	t->resp.body_cb = body_cb;
	t->resp.cb_arg = t;
	run->priv = t;
	if (url->digest) {
		t->md = EVP_MD_CTX_new();
		if (!t->md || !EVP_DigestInit_ex(t->md, EVP_md5(), NULL)) {
			finish(t, CK_UNK, "MD5 is not available");
			return -1;
		}
	}
	t->req = build_request(run, url, &t->req_len);
	if (!t->req) {
		finish(t, CK_SOCKERR, "out of memory");
		return -1;
	}
	t->fd = check_connect(run, SOCK_STREAM, err, sizeof(err));
	if (t->fd < 0) {
		finish(t, check_connect_kind(t->fd), "%s", err);
		return -1;
	}
	if (loop_io_add(run->loop, &t->io, t->fd, EPOLLOUT, on_io, t) < 0) {
		finish(t, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
		return -1;
	}
	t->st = ST_CONNECT;
	return 0;
}

static void http_start(struct check_run *run)
{
	const struct check_http_conf *h = run->conf->spec;

	if (!h || !h->urls) {
		check_done(run, CK_UNK, "no url to check");
		return;
	}
	try_url(run, h->urls);
}

static void http_cancel(struct check_run *run)
{
	struct http_try *t = run->priv;

	if (!t)
		return;
	run->priv = NULL;
	try_release(t);
}

/* One configuration (check_http_conf.c) and one run for both; SSL_GET's
 * table adds enable_sni. */
#define HTTP_OPS_COMMON                                                                            \
	.retry_default = 1, .conf_new = check_http_conf_new, .conf_free = check_http_conf_free,    \
	.conf_equal = check_http_conf_equal, .conf_finish = check_http_conf_finish,                \
	.conf_inherit = check_http_conf_inherit, .start = http_start, .cancel = http_cancel

const struct check_ops check_http_get_ops = {
    .type = CHECK_HTTP_GET,
    .name = "HTTP_GET",
    .keywords = check_http_get_kw,
    HTTP_OPS_COMMON,
};

const struct check_ops check_ssl_get_ops = {
    .type = CHECK_SSL_GET,
    .name = "SSL_GET",
    .keywords = check_ssl_get_kw,
    HTTP_OPS_COMMON,
};
