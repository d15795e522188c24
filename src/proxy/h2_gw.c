/* The HTTP/2 gateway: a client of a `bind ... proto h2` listener (or of a
 * `bind ... ssl` one whose ALPN chose h2, http_tls.c) speaks
 * HTTP/2 with prior knowledge (h2c, RFC 9113 section 3.3); each request
 * stream becomes an HTTP/1.1 request handed to the HTTP engine through a
 * socketpair kept for the connection's later streams (a lane, h2_gw-t.h,
 * h2_gw_lane.c), and the HTTP/1.1 response comes back as HEADERS and DATA.
 * Everything runs on the loop of the service's proxy, the engine's too.
 *
 * One function, conn_run, does all the work after any event: read and
 * handle frames, move every stream's bytes both ways, flush, then set what
 * each descriptor waits for.  Here: the connection and its frames;
 * h2_gw_req.c: the HTTP/1.1 request of a stream; h2_gw_resp.c: its
 * response back as frames.  Connection errors send GOAWAY with the RFC's
 * code and close once it is out; stream errors send RST_STREAM.
 *
 * Limits (doc/internals/http.md): no h2c upgrade from
 * HTTP/1.1, no server push, no CONNECT, priorities ignored, trailers
 * dropped both ways, interim (1xx) responses dropped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "http/h1.h"
#include "http/h2_frame.h"
#include "http/hpack.h"
#include "model/model.h"
#include "proxy/h2_gw.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

/* ---- output ---- */

ssize_t h2gw_io(int fd, void *buf, size_t len, int out)
{
	for (;;) {
		ssize_t n = out ? send(fd, buf, len, MSG_NOSIGNAL) : recv(fd, buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -1;
		return n < 0 ? 0 : n;
	}
}

uint32_t h2gw_ob_room(struct h2gw_conn *c)
{
	if (c->ooff && c->ooff == c->olen)
		c->ooff = c->olen = 0;
	if (c->ooff && H2GW_OBUF - c->olen < 1024) {
		memmove(c->ob, c->ob + c->ooff, c->olen - c->ooff);
		c->olen -= c->ooff;
		c->ooff = 0;
	}
	return H2GW_OBUF - c->olen;
}

/* Room for a small control frame is kept aside: frames that answer the
 * peer (ACKs, RST_STREAM, WINDOW_UPDATE) are at most 17 bytes and the
 * input is not read while less than 1 KiB is free. */
static uint8_t *ob_tail(struct h2gw_conn *c, uint32_t need)
{
	return h2gw_ob_room(c) >= need ? c->ob + c->olen : NULL;
}

void h2gw_send_rst(struct h2gw_conn *c, uint32_t sid, uint32_t err)
{
	uint8_t *o = ob_tail(c, H2_FH_LEN + 4);

	if (o)
		c->olen += (uint32_t)h2_build_rst(o, sid, err);
}

void h2gw_send_wu(struct h2gw_conn *c, uint32_t sid, uint32_t incr)
{
	uint8_t *o = ob_tail(c, H2_FH_LEN + 4);

	if (o && incr)
		c->olen += (uint32_t)h2_build_window_update(o, sid, incr);
}

static void stream_free(void *arg)
{
	free(arg); /* its buffers are its lane's */
}

void h2gw_stream_close(struct h2gw_stream *s)
{
	struct h2gw_conn *c = s->c;
	struct h2gw_stream **pp;
	/* the request all written and the response whole, nothing after it */
	int keep = s->done && s->req_es && s->rq_off == s->rq_len && !s->resp_eof && !s->no_reuse &&
		   !s->rb_len;

	for (pp = &c->streams; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	c->nstreams--;
	h2gw_lane_put(s->lane, keep);
	if (loop_defer(h2gw_loop(c), stream_free, s) < 0)
		stream_free(s); /* only under memory pressure: nothing fetched refers to it yet */
}

void h2gw_stream_error(struct h2gw_stream *s, uint32_t err)
{
	h2gw_send_rst(s->c, s->id, err);
	h2gw_stream_close(s);
}

static struct h2gw_stream *stream_find(struct h2gw_conn *c, uint32_t sid)
{
	for (struct h2gw_stream *s = c->streams; s; s = s->next)
		if (s->id == sid)
			return s;
	return NULL;
}

/* A connection error (section 5.4.1): GOAWAY, every stream closed, the
 * connection closed once the frame is out. */
static void conn_error(struct h2gw_conn *c, uint32_t err)
{
	uint8_t *o;

	if (c->goaway)
		return;
	c->goaway = 1;
	while (c->streams)
		h2gw_stream_close(c->streams);
	o = ob_tail(c, H2_FH_LEN + 8);
	if (o)
		c->olen += (uint32_t)h2_build_goaway(o, c->last_sid, err);
}

/* A complete header block for stream sid. */
static void on_header_block(struct h2gw_conn *c, uint32_t sid, uint8_t flags)
{
	struct hpack_hdr h[H1_MAX_HDRS];
	char buf[H2GW_HDRLIST];
	int n = hpack_decode(&c->dec, c->hb, c->hb_len, h, H1_MAX_HDRS, buf, sizeof(buf));
	struct h2gw_stream *s;

	if (n == HPACK_ERR_TOO_MANY || n == HPACK_ERR_LIST_SIZE) {
		/* the table was updated up to there and cannot be trusted */
		conn_error(c, H2_COMPRESSION_ERROR);
		return;
	}
	if (n < 0) {
		conn_error(c, H2_COMPRESSION_ERROR);
		return;
	}
	if ((s = stream_find(c, sid))) { /* trailers: end the body, dropped */
		if (!(flags & H2_F_END_STREAM)) {
			h2gw_stream_error(s, H2_PROTOCOL_ERROR);
			return;
		}
		if (s->has_clen && s->body_seen != s->clen) {
			h2gw_stream_error(s, H2_PROTOCOL_ERROR);
			return;
		}
		s->req_es = 1;
		if (s->chunked && h2gw_rq_put(s, "0\r\n\r\n", 5) < 0)
			h2gw_stream_error(s, H2_INTERNAL_ERROR);
		return;
	}
	if (sid <= c->last_sid) {
		/* a closed stream, maybe one we reset while this was in flight:
		 * a stream error (section 5.1), the block decoded above */
		h2gw_send_rst(c, sid, H2_STREAM_CLOSED);
		return;
	}
	c->last_sid = sid;
	if (c->goaway)
		return;
	if (c->nstreams >= H2GW_MAX_STREAMS || !c->p->vs) {
		h2gw_send_rst(c, sid, H2_REFUSED_STREAM);
		return;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->lane = h2gw_lane_get(c))) {
		free(s);
		h2gw_send_rst(c, sid, H2_REFUSED_STREAM);
		return;
	}
	s->rq = s->lane->rq; /* the lane's buffers: no allocation per stream */
	s->rb = s->lane->rb;
	s->c = c;
	s->id = sid;
	s->recv_win = H2_DEF_WINDOW;
	s->send_win = c->peer.initial_window;
	s->req_es = !!(flags & H2_F_END_STREAM);
	if (h2gw_build_request(s, h, n, s->req_es) < 0) {
		h2gw_lane_put(s->lane, 1); /* nothing was written into it */
		free(s);
		h2gw_send_rst(c, sid, H2_PROTOCOL_ERROR);
		return;
	}
	s->lane->s = s;
	s->next = c->streams;
	c->streams = s;
	c->nstreams++;
}

static void on_data(struct h2gw_conn *c, const struct h2_fh *fh, const uint8_t *p)
{
	struct h2gw_stream *s = stream_find(c, fh->sid);
	uint32_t off, dlen;
	int r;

	/* the connection's window is given back at once: a stream's own
	 * window bounds what it holds */
	h2gw_send_wu(c, 0, fh->len);
	if (!s) {
		/* a closed stream's DATA is ignored (RFC 9113 5.1: frames in
		 * flight after our RST_STREAM, e.g. the rest of a body whose
		 * answer went out first); its bytes were given back above */
		if (fh->sid > c->last_sid)
			conn_error(c, H2_PROTOCOL_ERROR); /* idle stream */
		return;
	}
	if (s->req_es) {
		h2gw_stream_error(s, H2_STREAM_CLOSED);
		return;
	}
	if ((r = h2_payload(p, fh->len, fh->type, fh->flags, fh->sid, &off, &dlen)) < 0) {
		conn_error(c, (uint32_t)-r);
		return;
	}
	if (fh->len > s->recv_win) {
		h2gw_stream_error(s, H2_FLOW_CONTROL_ERROR);
		return;
	}
	s->recv_win -= fh->len;
	s->rq_unacked += fh->len - dlen; /* padding: given back with the data */
	s->body_seen += dlen;
	if (s->has_clen && s->body_seen > s->clen) {
		h2gw_stream_error(s, H2_PROTOCOL_ERROR);
		return;
	}
	if (dlen) {
		char sz[20];
		int l = snprintf(sz, sizeof(sz), "%x\r\n", dlen);

		if ((s->chunked && h2gw_rq_put(s, sz, (size_t)l) < 0) || h2gw_rq_put(s, (const char *)p + off, dlen) < 0 ||
		    (s->chunked && h2gw_rq_put(s, "\r\n", 2) < 0)) {
			h2gw_stream_error(s, H2_ENHANCE_YOUR_CALM);
			return;
		}
		s->rq_unacked += dlen;
	}
	if (fh->flags & H2_F_END_STREAM) {
		if (s->has_clen && s->body_seen != s->clen) {
			h2gw_stream_error(s, H2_PROTOCOL_ERROR);
			return;
		}
		s->req_es = 1;
		if (s->chunked && h2gw_rq_put(s, "0\r\n\r\n", 5) < 0)
			h2gw_stream_error(s, H2_ENHANCE_YOUR_CALM);
	}
}

static void on_settings(struct h2gw_conn *c, const struct h2_fh *fh, const uint8_t *p)
{
	int64_t delta;
	int r;
	uint8_t *o;

	if (fh->sid) {
		conn_error(c, H2_PROTOCOL_ERROR);
		return;
	}
	if (fh->flags & H2_F_ACK) {
		if (fh->len)
			conn_error(c, H2_FRAME_SIZE_ERROR);
		return;
	}
	if ((r = h2_settings_apply(&c->peer, p, fh->len, &delta)) < 0) {
		conn_error(c, (uint32_t)-r);
		return;
	}
	for (struct h2gw_stream *s = c->streams; s; s = s->next) {
		s->send_win += delta;
		if (s->send_win > H2_MAX_WINDOW) {
			conn_error(c, H2_FLOW_CONTROL_ERROR);
			return;
		}
	}
	c->got_settings = 1;
	if ((o = ob_tail(c, H2_FH_LEN)))
		c->olen += (uint32_t)h2_build_settings_ack(o);
}

static void on_window_update(struct h2gw_conn *c, const struct h2_fh *fh, const uint8_t *p)
{
	struct h2gw_stream *s;
	uint32_t incr;

	if (fh->len != 4) {
		conn_error(c, H2_FRAME_SIZE_ERROR);
		return;
	}
	incr = h2_u31(p);
	if (!fh->sid) {
		if (!incr || c->send_win + incr > H2_MAX_WINDOW)
			conn_error(c, incr ? H2_FLOW_CONTROL_ERROR : H2_PROTOCOL_ERROR);
		else
			c->send_win += incr;
		return;
	}
	if (!(s = stream_find(c, fh->sid))) {
		if (fh->sid > c->last_sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		return; /* closed: ignored (section 6.9) */
	}
	if (!incr || s->send_win + incr > H2_MAX_WINDOW)
		h2gw_stream_error(s, incr ? H2_FLOW_CONTROL_ERROR : H2_PROTOCOL_ERROR);
	else
		s->send_win += incr;
}

/* One whole frame (header parsed, payload p[0..fh->len)). */
static void on_frame(struct h2gw_conn *c, const struct h2_fh *fh, const uint8_t *p)
{
	struct h2gw_stream *s;
	uint32_t off, dlen;
	int r;

	if (c->in_cont && (fh->type != H2_CONTINUATION || fh->sid != c->hb_sid)) {
		conn_error(c, H2_PROTOCOL_ERROR); /* section 6.10 */
		return;
	}
	if (!c->got_settings && fh->type != H2_SETTINGS) {
		conn_error(c, H2_PROTOCOL_ERROR); /* the preface ends with SETTINGS (3.4) */
		return;
	}
	switch (fh->type) {
	case H2_DATA:
		if (!fh->sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		else
			on_data(c, fh, p);
		return;
	case H2_HEADERS:
		if (!fh->sid || !(fh->sid & 1)) {
			conn_error(c, H2_PROTOCOL_ERROR);
			return;
		}
		if ((r = h2_payload(p, fh->len, fh->type, fh->flags, fh->sid, &off, &dlen)) < 0) {
			conn_error(c, (uint32_t)-r);
			return;
		}
		if ((s = stream_find(c, fh->sid)) && s->req_es) {
			h2gw_stream_error(s, H2_STREAM_CLOSED);
			/* the block is still decoded below: the table must follow */
		}
		memcpy(c->hb, p + off, dlen); /* dlen <= H2_DEF_FRAME < H2GW_HBLOCK */
		c->hb_len = dlen;
		c->hb_sid = fh->sid;
		c->hb_flags = fh->flags;
		break;
	case H2_CONTINUATION:
		if (!c->in_cont) {
			conn_error(c, H2_PROTOCOL_ERROR);
			return;
		}
		if (fh->len > H2GW_HBLOCK - c->hb_len) {
			conn_error(c, H2_ENHANCE_YOUR_CALM);
			return;
		}
		memcpy(c->hb + c->hb_len, p, fh->len);
		c->hb_len += fh->len;
		break;
	case H2_PRIORITY:
		if (!fh->sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		else if (fh->len != 5)
			h2gw_send_rst(c, fh->sid, H2_FRAME_SIZE_ERROR);
		return;
	case H2_RST_STREAM:
		if (!fh->sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		else if (fh->len != 4)
			conn_error(c, H2_FRAME_SIZE_ERROR);
		else if ((s = stream_find(c, fh->sid)))
			h2gw_stream_close(s);
		else if (fh->sid > c->last_sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		return;
	case H2_SETTINGS:
		on_settings(c, fh, p);
		return;
	case H2_PUSH_PROMISE: /* a client never sends it (8.4) */
		conn_error(c, H2_PROTOCOL_ERROR);
		return;
	case H2_PING: {
		uint8_t *o;

		if (fh->sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		else if (fh->len != 8)
			conn_error(c, H2_FRAME_SIZE_ERROR);
		else if (!(fh->flags & H2_F_ACK) && (o = ob_tail(c, H2_FH_LEN + 8)))
			c->olen += (uint32_t)h2_build_ping_ack(o, p);
		return;
	}
	case H2_GOAWAY:
		if (fh->sid)
			conn_error(c, H2_PROTOCOL_ERROR);
		else
			c->eof = 1; /* the peer sends nothing more: answer what is open */
		return;
	case H2_WINDOW_UPDATE:
		on_window_update(c, fh, p);
		return;
	default: /* unknown types are ignored (5.5) */
		return;
	}
	/* HEADERS or CONTINUATION */
	c->in_cont = !(fh->flags & H2_F_END_HEADERS);
	if (!c->in_cont)
		on_header_block(c, c->hb_sid, c->hb_flags);
}

static void gw_settings(struct h2gw_conn *c)
{
	static const uint32_t settings[][2] = {
		{ H2_SET_MAX_CONCURRENT_STREAMS, H2GW_MAX_STREAMS },
		{ H2_SET_ENABLE_PUSH, 0 },
		{ H2_SET_MAX_HEADER_LIST_SIZE, H2GW_HDRLIST },
	};
	uint8_t *o = ob_tail(c, H2_FH_LEN + sizeof(settings) / sizeof(*settings) * 6);

	if (o)
		c->olen += (uint32_t)h2_build_settings(o, settings, sizeof(settings) / sizeof(*settings));
}

/* Handle the whole frames in ib. */
static void conn_input(struct h2gw_conn *c)
{
	uint32_t off = 0;

	if (!c->preface) {
		uint32_t n = c->ilen < H2_PREFACE_LEN ? c->ilen : H2_PREFACE_LEN;

		if (memcmp(c->ib, H2_PREFACE, n)) {
			conn_error(c, H2_PROTOCOL_ERROR);
			return;
		}
		if (c->ilen < H2_PREFACE_LEN)
			return;
		c->preface = 1;
		off = H2_PREFACE_LEN;
		gw_settings(c); /* ours, first of what we send (section 3.4) */
	}
	while (!c->goaway && c->ilen - off >= H2_FH_LEN && h2gw_ob_room(c) >= 1024) {
		struct h2_fh fh;

		h2_fh_parse(c->ib + off, &fh);
		if (fh.len > H2_DEF_FRAME) {
			conn_error(c, H2_FRAME_SIZE_ERROR);
			break;
		}
		if (c->ilen - off - H2_FH_LEN < fh.len)
			break;
		on_frame(c, &fh, c->ib + off + H2_FH_LEN);
		off += H2_FH_LEN + fh.len;
	}
	memmove(c->ib, c->ib + off, c->ilen - off);
	c->ilen -= off;
}

/* ---- the connection ---- */

static void conn_free(void *arg)
{
	struct h2gw_conn *c = arg;

	hs_tls_free(c->tls, 0); /* unless handed on, or closed by h2gw_close */
	free(c->ib);
	free(c->ob);
	free(c->hb);
	free(c->rmsg);
	free(c->rblk);
	free(c);
}

static void conn_link(struct pvs *p, struct h2gw_conn *c)
{
	c->p = p;
	c->prev = NULL;
	c->next = p->h2conns;
	if (c->next)
		c->next->prev = c;
	p->h2conns = c;
}

static void conn_unlink(struct h2gw_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->p->h2conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Stop watching c and free it after this round; the fd is the caller's. */
static void conn_release(struct h2gw_conn *c)
{
	struct loop *l = h2gw_loop(c);

	c->closed = 1; /* no lane goes back idle */
	while (c->streams)
		h2gw_stream_close(c->streams);
	h2gw_lanes_close(c);
	loop_timer_stop(l, &c->timer);
	loop_io_del(l, &c->io);
	hpack_dec_free(&c->dec);
	conn_unlink(c);
	if (loop_defer(l, conn_free, c) < 0)
		conn_free(c);
}

void h2gw_close(struct h2gw_conn *c)
{
	struct pvs *p = c->p;

	hs_tls_free(c->tls, 1); /* close_notify before the socket goes */
	c->tls = NULL;
	conn_release(c);
	close(c->fd);
	pvs_maybe_free(p);
}

void h2gw_adopt(struct pvs *to, struct pvs *from)
{
	while (from->h2conns) {
		struct h2gw_conn *c = from->h2conns;

		conn_unlink(c);
		conn_link(to, c);
	}
}

static unsigned conn_timeout(const struct h2gw_conn *c)
{
	const struct http_proxy *fe = c->p->vs ? c->p->vs->http : NULL;

	return fe && fe->t_client ? fe->t_client : 30000;
}

/* Before the preface: peek at the first bytes.  A client that is not
 * sending the preface is handed to the HTTP/1.1 engine as it stands, its
 * bytes unread (fulcrum speaks HTTP/1.1 to servers, so a haproxy.cfg chain
 * of `server ... proto h2` into `bind ... proto h2` still works).  1 when
 * handed over (c is gone), 0 otherwise. */
static int conn_sniff(struct h2gw_conn *c)
{
	char b[H2_PREFACE_LEN];
	ssize_t n = recv(c->fd, b, sizeof(b), MSG_PEEK);
	struct pvs *p = c->p;

	if (c->tls || n <= 0 || !memcmp(b, H2_PREFACE, (size_t)n) || !p->vs)
		return 0; /* TLS: ALPN said h2 */
	conn_release(c);
	hstream_new(p, c->fd, &c->client);
	return 1;
}

/* The client's bytes, through its TLS session if it has one: h2gw_io's
 * results. */
static ssize_t conn_io(struct h2gw_conn *c, void *buf, size_t len, int out)
{
	ssize_t n;

	if (!c->tls)
		return h2gw_io(c->fd, buf, len, out);
	n = hs_tls_io(c->tls, buf, len, out);
	return n == -2 ? 0 : n;
}

void h2gw_run(struct h2gw_conn *c)
{
	struct loop *l = h2gw_loop(c);
	int progress = 0;

	if (!c->preface && !c->ilen && conn_sniff(c))
		return;
	/* input: only after an event of the client's socket (a run asked for
	 * by a lane finds nothing there) */
	while (c->rd && !c->eof && !c->goaway && c->ilen < H2GW_IBUF) {
		size_t want = H2GW_IBUF - c->ilen;
		ssize_t n = conn_io(c, c->ib + c->ilen, want, 0);

		if (n < 0) {
			c->rd = 0;
			break;
		}
		if (n == 0) {
			c->eof = 1;
			break;
		}
		c->ilen += (uint32_t)n;
		progress = 1;
		/* a short read of a socket emptied it (level-triggered: more
		 * bytes bring another event); TLS may hold decrypted bytes */
		if ((size_t)n < want && !c->tls)
			c->rd = 0;
		conn_input(c);
	}
	if (!c->goaway)
		conn_input(c);
	/* streams */
	for (struct h2gw_stream *s = c->streams, *next; s && !c->goaway; s = next) {
		next = s->next;
		h2gw_stream_pump(s);
	}
	/* output */
	while (c->ooff < c->olen) {
		ssize_t n = conn_io(c, c->ob + c->ooff, c->olen - c->ooff, 1);

		if (n < 0)
			break;
		if (n == 0) {
			h2gw_close(c);
			return;
		}
		c->ooff += (uint32_t)n;
	}
	if (c->ooff == c->olen)
		c->ooff = c->olen = 0;
	/* a GOAWAY out, or the peer gone (or done) with nothing left open */
	if ((c->goaway && !c->olen) || (c->eof && !c->streams && !c->olen)) {
		h2gw_close(c);
		return;
	}
	/* what each descriptor waits for */
	uint32_t ev = (!c->eof && !c->goaway && c->ilen < H2GW_IBUF ? EPOLLIN : 0) | (c->olen ? EPOLLOUT : 0);

	ev = hs_tls_events(c->tls, ev);

	if (ev != c->io_ev && loop_io_mod(l, &c->io, ev) == 0)
		c->io_ev = ev;
	for (struct h2gw_stream *s = c->streams; s; s = s->next) {
		uint32_t se = (s->rq_off < s->rq_len ? EPOLLOUT : 0) |
			      (!s->resp_eof && s->rb_len < H2GW_RB && (!s->head_sent || s->pay < s->rb_len ||
								       (c->send_win > 0 && s->send_win > 0))
				       ? EPOLLIN
				       : 0);

		if (se != s->lane->io_ev && loop_io_mod(l, &s->lane->io, se) == 0)
			s->lane->io_ev = se;
	}
	if (progress || !loop_timer_armed(&c->timer))
		loop_timer_start(l, &c->timer, conn_timeout(c));
}

static void run_deferred(void *arg)
{
	struct h2gw_conn *c = arg;

	/* queued before any conn_free of c: c is still here (a closed c
	 * queues no run) */
	c->run_later = 0;
	if (!c->closed)
		h2gw_run(c);
}

void h2gw_run_later(struct h2gw_conn *c)
{
	if (c->run_later)
		return;
	if (loop_defer(h2gw_loop(c), run_deferred, c) < 0) {
		h2gw_run(c);
		return;
	}
	c->run_later = 1;
}

static void on_conn_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct h2gw_conn *c = io->data;

	if (!c->closed) {
		c->rd = 1; /* EPOLLOUT too: a TLS read may wait for it */
		h2gw_run(c);
	}
}

/* The client said nothing for timeout client: GOAWAY if nothing is open;
 * open streams run on the engine's own timeouts. */
static void on_timer(struct loop *l, struct ev_timer *t)
{
	struct h2gw_conn *c = t->data;

	if (c->streams) {
		loop_timer_start(l, &c->timer, conn_timeout(c));
		return;
	}
	conn_error(c, H2_NO_ERROR);
	h2gw_run(c);
}

void h2gw_new(struct pvs *p, int fd, const struct fc_addr *client)
{
	h2gw_new_tls(p, fd, client, NULL);
}

void h2gw_new_tls(struct pvs *p, int fd, const struct fc_addr *client, struct hs_tls *tls)
{
	struct h2gw_conn *c = calloc(1, sizeof(*c));

	if (!c || !(c->ib = malloc(H2GW_IBUF)) || !(c->ob = malloc(H2GW_OBUF)) || !(c->hb = malloc(H2GW_HBLOCK)) ||
	    !(c->rmsg = malloc(sizeof(*c->rmsg))) || !(c->rblk = malloc(H2GW_HDRLIST))) {
		if (c)
			conn_free(c);
		hs_tls_free(tls, 0);
		close(fd);
		return;
	}
	c->tls = tls;
	c->p = p; /* linked once watched */
	c->fd = fd;
	c->client = *client;
	c->send_win = H2_DEF_WINDOW;
	h2_settings_init(&c->peer);
	hpack_dec_init(&c->dec, HPACK_TABLE_LIMIT);
	loop_timer_init(&c->timer, on_timer, c);
	if (loop_io_add(h2gw_loop(c), &c->io, fd, EPOLLIN, on_conn_io, c) < 0) {
		conn_free(c);
		close(fd);
		return;
	}
	c->io_ev = EPOLLIN;
	c->rd = 1; /* a TLS session may hold bytes already */
	conn_link(p, c); /* the pvs stays while its h2 clients do */
	h2gw_run(c);
}
