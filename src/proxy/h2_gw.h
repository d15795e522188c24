/* The HTTP/2 gateway (h2_gw.c, h2_gw_req.c, h2_gw_resp.c, h2_gw_lane.c; types in
 * h2_gw-t.h): clients of a `bind ... proto h2` listener, their streams
 * served by the HTTP engine. */
#ifndef FC_PROXY_H2_GW_H
#define FC_PROXY_H2_GW_H

#include <stddef.h>
#include <sys/types.h>

#include "core/addr.h"
#include "http/hpack-t.h"
#include "proxy/h2_gw-t.h"
#include "proxy/proxy-t.h"

/* A client accepted on p's h2 listener: served from now on (fd is taken
 * in every case). */
void h2gw_new(struct pvs *p, int fd, const struct fc_addr *client);
/* The same over TLS: tls (its handshake over, ALPN h2) is taken too. */
void h2gw_new_tls(struct pvs *p, int fd, const struct fc_addr *client, struct hs_tls *tls);
/* Close a client connection now (its streams too). */
void h2gw_close(struct h2gw_conn *c);
/* Reload: the HTTP/2 clients of `from` now belong to `to`. */
void h2gw_adopt(struct pvs *to, struct pvs *from);

/* ---- within the gateway ---- */

static inline struct loop *h2gw_loop(const struct h2gw_conn *c)
{
	return c->p->px->loop;
}
/* send (out) or recv on a non-blocking socket: bytes (> 0), 0 closed or
 * failed, -1 not now. */
ssize_t h2gw_io(int fd, void *buf, size_t len, int out);
/* Free room at the end of the output buffer (compacted first if worth it). */
uint32_t h2gw_ob_room(struct h2gw_conn *c);
void h2gw_send_rst(struct h2gw_conn *c, uint32_t sid, uint32_t err);
void h2gw_send_wu(struct h2gw_conn *c, uint32_t sid, uint32_t incr);
/* Close a stream: its lane goes back idle when its transaction ended
 * cleanly (s->done, h2gw_stream_pump), else is closed (the engine sees its
 * client leave); with RST_STREAM(err). */
void h2gw_stream_close(struct h2gw_stream *s);
void h2gw_stream_error(struct h2gw_stream *s, uint32_t err);

/* Everything after an event: frames in, streams pumped, frames out,
 * interests set. */
void h2gw_run(struct h2gw_conn *c);
/* The same once, at the end of the loop's round (a lane's event). */
void h2gw_run_later(struct h2gw_conn *c);

/* h2_gw_lane.c: a lane for a new stream (an idle one, else a new hstream
 * of the engine), NULL when none can be made; a stream's lane given back,
 * kept idle for the next stream (keep: its transaction ended cleanly) or
 * closed; every idle lane closed. */
struct h2gw_lane *h2gw_lane_get(struct h2gw_conn *c);
void h2gw_lane_put(struct h2gw_lane *ln, int keep);
void h2gw_lanes_close(struct h2gw_conn *c);

/* h2_gw_req.c: append to the stream's request bytes (0, or -1 full); the
 * HTTP/1.1 head from the decoded fields (0, or -1 malformed or too large). */
int h2gw_rq_put(struct h2gw_stream *s, const char *p, size_t n);
int h2gw_build_request(struct h2gw_stream *s, const struct hpack_hdr *h, int n, int end_stream);

/* h2_gw_resp.c: move a stream's bytes both ways, its response out as
 * frames; 0, or -1 when the stream was closed. */
int h2gw_stream_pump(struct h2gw_stream *s);

#endif
