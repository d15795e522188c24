/* The HTTP/2 gateway's types (h2_gw.c): a client connection on a `proto
 * h2` listener and its request streams.  Each stream is one HTTP/1.1
 * transaction of the HTTP engine, carried by a lane: an AF_UNIX socketpair
 * whose other end the engine serves as an ordinary keep-alive client
 * (hstream_new).  The gateway writes the request into the lane's `fd` and
 * reads the response from it.  A lane whose transaction ended cleanly goes
 * to the connection's idle lanes and carries a later stream, with the
 * server connection its hstream kept: the streams of one HTTP/2 connection
 * are one session for server-connection reuse, as HAProxy's.
 *
 * Every buffer has a fixed size, so a peer bounds nothing: a frame is at
 * most H2_DEF_FRAME (what we announce), a header block H2GW_HBLOCK, a
 * stream's pending request bytes H2GW_RQ (its window is never given back
 * before they are written), its response bytes H2GW_RB (not read further
 * before they are sent within the peer's windows). */
#ifndef FC_PROXY_H2_GW_T_H
#define FC_PROXY_H2_GW_T_H

#include <stdint.h>

#include "core/addr.h"
#include "core/loop-t.h"
#include "http/h1-t.h"
#include "http/h2_frame-t.h"
#include "http/hpack-t.h"

#define H2GW_MAX_STREAMS 100                         /* SETTINGS_MAX_CONCURRENT_STREAMS */
#define H2GW_IBUF        (H2_FH_LEN + H2_DEF_FRAME)  /* one whole frame */
#define H2GW_OBUF        65536
#define H2GW_HBLOCK      32768                       /* a header block with its CONTINUATIONs */
#define H2GW_HDRLIST     16384                       /* its decoded fields (SETTINGS_MAX_HEADER_LIST_SIZE) */
#define H2GW_RQ          (2 * H2_DEF_WINDOW + 16384) /* request head and body toward the engine */
#define H2GW_RB          32768                       /* response bytes from the engine */

struct pvs;
struct h2gw_conn;
struct hs_tls; /* http-t.h */

/* A socketpair to the engine: carrying stream s, or idle (s NULL, in
 * c->idle, watched for its close). */
struct h2gw_lane {
	struct h2gw_lane *next; /* in c->idle */
	struct h2gw_conn *c;
	struct h2gw_stream *s;
	int fd; /* our end */
	struct ev_io io;
	uint32_t io_ev;
	char *rq, *rb; /* the buffers of the stream it carries (H2GW_RQ, H2GW_RB) */
	unsigned dead : 1;
	unsigned rd : 1; /* readable (an event said so): read until EAGAIN */
};

struct h2gw_stream {
	struct h2gw_stream *next;
	struct h2gw_conn *c;
	uint32_t id;
	struct h2gw_lane *lane;

	/* request, toward the engine (rq and rb: its lane's buffers) */
	char *rq;
	uint32_t rq_len, rq_off;
	uint32_t rq_unacked; /* DATA bytes written on, not yet given back by WINDOW_UPDATE */
	int64_t recv_win;
	uint64_t clen, body_seen; /* content-length (has_clen) and the DATA received */
	enum h1_meth meth;
	unsigned req_es : 1, chunked : 1, has_clen : 1;

	/* response, from the engine: rb[0..pay) is body ready to send as DATA,
	 * rb[pay..rb_len) bytes not yet looked at */
	char *rb;
	uint32_t rb_len, pay;
	enum h1_body body;
	uint64_t clen_left;
	struct h1_chunk ck;
	int64_t send_win;
	unsigned head_sent : 1, resp_eof : 1, body_done : 1, done : 1;
	unsigned no_reuse : 1; /* the engine said close, or sent bytes past the response */
};

struct h2gw_conn {
	struct h2gw_conn *next, *prev; /* in p->h2conns */
	struct pvs *p;
	int fd;
	struct ev_io io;
	uint32_t io_ev;
	struct ev_timer timer;
	struct fc_addr client;
	struct hs_tls *tls; /* a TLS client's session (ALPN h2; owned), or NULL */

	uint8_t *ib;
	uint32_t ilen;
	uint8_t *ob;
	uint32_t olen, ooff;
	uint8_t *hb; /* a header block being gathered (HEADERS then CONTINUATION) */
	uint32_t hb_len, hb_sid;
	uint8_t hb_flags;
	struct h1_msg *rmsg; /* a response head parsed (h2_gw_resp.c's scratch) */
	uint8_t *rblk;       /* its header block (H2GW_HDRLIST) */

	struct hpack_dec dec;
	struct h2_settings peer;
	int64_t send_win;
	uint32_t last_sid;
	unsigned nstreams;
	struct h2gw_stream *streams;
	struct h2gw_lane *idle; /* lanes ready for the next stream */
	unsigned preface : 1, got_settings : 1, in_cont : 1, goaway : 1, eof : 1, closed : 1;
	unsigned run_later : 1; /* h2gw_run deferred to the end of the loop's round */
	unsigned rd : 1;        /* the client's socket may have bytes: read it */
};

#endif
