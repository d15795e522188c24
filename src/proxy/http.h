/* The HTTP engine: haproxy.cfg's `mode http` on the userspace proxy
 * (types and ownership in http-t.h).  tcp.c hands it the clients of a
 * service whose frontend is in mode http; everything else about them is
 * here. */
#ifndef FC_PROXY_HTTP_H
#define FC_PROXY_HTTP_H

#include <stdint.h>
#include <sys/types.h>

#include "model/model-t.h"
#include "proxy/http-t.h"
#include "proxy/proxy-t.h"

/* ---- http_stream.c: a client connection and its transactions ---- */

/* 1 if p's clients are HTTP transactions (the service's frontend is in
 * `mode http`). */
int pvs_is_http(const struct pvs *p);
/* A client accepted on p: served from now on (cfd is taken in every case). */
void hstream_new(struct pvs *p, int cfd, const struct fc_addr *client);
/* Close both sockets at once (rst: with RST) and free through the loop. */
void hstream_close(struct hstream *s, int rst);
/* The loop callback of both sockets of a stream. */
void hstream_on_io(struct loop *l, struct ev_io *io, uint32_t events);
/* Reload: the streams of `from` now belong to `to` and its frontend. */
void http_adopt(struct pvs *to, struct pvs *from);

/* ---- http_srv.c: backends and servers ---- */

/* The state of the backend whose pool is `pool` (made or rebuilt as the
 * pool stands now), one reference for the caller; NULL out of memory or
 * when no table can be built. */
struct hbe *hbe_get(struct proxy *px, const struct pool *pool);
void hbe_put(struct proxy *px, struct hbe *b);
/* Free the backends nobody holds (all of them at shutdown). */
void hbe_reap(struct proxy *px, int all);
/* Choose the server of s's transaction in s->hbe (s->tried looking
 * quiescent): 0 with s->srv_addr and s->live set, or -1 if none can take it. */
int hsrv_pick(struct hstream *s);
/* Open the server socket toward s->srv_addr, unless the one s holds is
 * connected to it already.  0 (connecting or connected), -1 failed now. */
int hsrv_connect(struct hstream *s);
/* Close the server socket (rst: with RST). */
void hsrv_close(struct hstream *s, int rst);

/* ---- http_log.c ---- */

/* The transaction's line to the frontend's log targets (if it logs). */
void http_log_txn(struct hstream *s);
/* The compiled formats (at shutdown). */
void http_log_free(struct proxy *px);

/* ---- http_fwd.c: buffers and bodies ---- */

/* recv into the free end of b: > 0 bytes, 0 EOF, -1 nothing now, -2 error. */
ssize_t hbuf_recv(int fd, struct hbuf *b);
/* send what b holds: bytes sent (>= 0), or -1 on an error. */
ssize_t hbuf_send(int fd, struct hbuf *b);
/* Move the held bytes to the start of the buffer. */
void hbuf_compact(struct hbuf *b);
static inline uint32_t hbuf_data(const struct hbuf *b)
{
	return b->len - b->off;
}
/* Append n bytes; 0, or -1 if they do not fit (nothing appended). */
int hbuf_put(struct hbuf *b, const char *p, size_t n);

/* The framing of the body that follows the head m. */
void hfwd_init(struct hfwd *f, const struct h1_msg *m);
/* Move the body's bytes from in to out as far as both allow (in_eof: the
 * source closed, which ends an H1_BODY_EOF body); out NULL: drop them.  Bytes moved (>= 0), or
 * -1 on a chunked syntax error. */
ssize_t hfwd_move(struct hfwd *f, struct hbuf *in, struct hbuf *out, int in_eof);

#endif
