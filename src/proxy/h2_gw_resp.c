/* The HTTP/2 gateway, responses (h2_gw.c for the whole): a stream's bytes
 * moved both ways, and the engine's HTTP/1.1 response parsed
 * (h1_parse_resp, chunked bodies de-chunked with h1_chunk_scan) and sent
 * as HEADERS (+ CONTINUATION) and DATA within the peer's limits. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/h1.h"
#include "http/h2_frame.h"
#include "http/hpack.h"
#include "proxy/h2_gw.h"

static int hop_by_hop(const char *n, size_t len)
{
	static const char *const t[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
					  "upgrade" };

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (len == strlen(t[i]) && !strncasecmp(n, t[i], len))
			return 1;
	return 0;
}

/* The head of rb parsed: HEADERS (+ CONTINUATION) into ob.  1 sent, 0 not
 * yet (more bytes or room needed), -1 stream error. */
static int send_head(struct h2gw_stream *s)
{
	struct h2gw_conn *c = s->c;
	struct h1_msg *m = c->rmsg; /* the connection's scratch */
	uint8_t *blk = c->rblk;
	size_t bl = 0;
	int hl, ret = -1;

	for (;;) {
		hl = h1_parse_resp(m, s->rb, s->rb_len, H2GW_RB, s->meth);
		if (hl <= 0) {
			ret = hl == 0 && !s->resp_eof ? 0 : -1;
			goto out;
		}
		if (m->status >= 200)
			break;
		/* an interim response is dropped */
		memmove(s->rb, s->rb + hl, s->rb_len - (uint32_t)hl);
		s->rb_len -= (uint32_t)hl;
	}
	if (m->body == H1_BODY_TUNNEL)
		goto out;
	bl = hpack_enc_status(blk, H2GW_HDRLIST, m->status);
	for (unsigned i = 0; i < m->nhdrs && bl; i++) {
		const struct h1_hdr *h = &m->hdrs[i];
		char name[256];
		size_t r;

		if ((h->flags & H1_HDR_DELETED) || h->name.len >= sizeof(name))
			continue;
		if (hop_by_hop(h1_ptr(m, h->name), h->name.len)) {
			/* the engine closes the lane after this response */
			if (h->name.len == 10 && !strncasecmp(h1_ptr(m, h->name), "connection", 10) &&
			    memmem(h1_ptr(m, h->value), h->value.len, "close", 5))
				s->no_reuse = 1;
			continue;
		}
		for (uint32_t k = 0; k < h->name.len; k++)
			name[k] = (char)tolower((unsigned char)h1_ptr(m, h->name)[k]);
		r = hpack_enc_field(blk + bl, H2GW_HDRLIST - bl, name, h->name.len, h1_ptr(m, h->value),
				    h->value.len);
		bl = r ? bl + r : 0;
	}
	if (!bl)
		goto out; /* does not fit the block */
	/* the frames: HEADERS then CONTINUATIONs of at most max_frame */
	uint32_t nfr = (uint32_t)((bl + c->peer.max_frame - 1) / c->peer.max_frame);

	if (h2gw_ob_room(c) < bl + nfr * H2_FH_LEN + 1024) {
		ret = 0;
		goto out;
	}
	s->body = m->body;
	s->clen_left = m->clen;
	h1_chunk_init(&s->ck);
	s->body_done = m->body == H1_BODY_NONE;
	for (size_t o = 0; o < bl;) {
		size_t n = bl - o < c->peer.max_frame ? bl - o : c->peer.max_frame;
		uint8_t fl = (o + n == bl ? H2_F_END_HEADERS : 0) | (!o && s->body_done ? H2_F_END_STREAM : 0);

		h2_fh_build(c->ob + c->olen, (uint32_t)n, o ? H2_CONTINUATION : H2_HEADERS, fl, s->id);
		memcpy(c->ob + c->olen + H2_FH_LEN, blk + o, n);
		c->olen += (uint32_t)(H2_FH_LEN + n);
		o += n;
	}
	memmove(s->rb, s->rb + hl, s->rb_len - (uint32_t)hl);
	s->rb_len -= (uint32_t)hl;
	s->head_sent = 1;
	if (s->body_done)
		s->done = 1;
	ret = 1;
out:
	return ret;
}

/* Turn the raw bytes rb[pay..rb_len) into body bytes at rb[pay..): 0, or
 * -1 on a chunked syntax error. */
static int take_body(struct h2gw_stream *s)
{
	uint32_t r = s->pay;

	switch (s->body) {
	case H1_BODY_CL: {
		uint64_t n = s->rb_len - s->pay;

		if (n > s->clen_left) {
			n = s->clen_left;
			s->no_reuse = 1; /* anything past the body is dropped */
		}
		s->pay += (uint32_t)n;
		s->clen_left -= n;
		s->rb_len = s->pay;
		s->body_done = !s->clen_left;
		return 0;
	}
	case H1_BODY_EOF:
		s->pay = s->rb_len;
		s->body_done = s->resp_eof;
		return 0;
	case H1_BODY_CHUNKED:
		/* de-chunk in place: data bytes move down over the framing */
		while (r < s->rb_len && s->ck.st != H1_CK_DONE) {
			int data = s->ck.st == H1_CK_DATA;
			size_t k = data ? (s->rb_len - r < s->ck.remain ? s->rb_len - r : s->ck.remain) : 1;
			ssize_t n = h1_chunk_scan(&s->ck, s->rb + r, k);

			if (n < 0)
				return -1;
			if (data) {
				memmove(s->rb + s->pay, s->rb + r, (size_t)n);
				s->pay += (uint32_t)n;
			}
			r += (uint32_t)n;
		}
		memmove(s->rb + s->pay, s->rb + r, s->rb_len - r);
		s->rb_len = s->pay + (s->rb_len - r);
		s->body_done = s->ck.st == H1_CK_DONE;
		if (s->body_done) {
			s->no_reuse |= s->rb_len > s->pay; /* dropped */
			s->rb_len = s->pay;
		}
		return 0;
	default:
		s->body_done = 1;
		return 0;
	}
}

/* DATA frames from rb[0..pay) within the windows and the peer's frame size. */
static void send_body(struct h2gw_stream *s)
{
	struct h2gw_conn *c = s->c;

	for (;;) {
		int64_t n = s->pay;
		uint32_t room = h2gw_ob_room(c);

		if (n > c->peer.max_frame)
			n = c->peer.max_frame;
		if (n > c->send_win)
			n = c->send_win;
		if (n > s->send_win)
			n = s->send_win;
		if (room < H2_FH_LEN + 1024)
			return;
		if (n > room - H2_FH_LEN - 1024)
			n = room - H2_FH_LEN - 1024;
		if (n <= 0 && !(s->body_done && !s->pay))
			return;
		if (n < 0)
			n = 0;
		uint8_t fl = s->body_done && n == s->pay ? H2_F_END_STREAM : 0;

		h2_fh_build(c->ob + c->olen, (uint32_t)n, H2_DATA, fl, s->id);
		memcpy(c->ob + c->olen + H2_FH_LEN, s->rb, (size_t)n);
		c->olen += H2_FH_LEN + (uint32_t)n;
		memmove(s->rb, s->rb + n, s->rb_len - (uint32_t)n);
		s->rb_len -= (uint32_t)n;
		s->pay -= (uint32_t)n;
		c->send_win -= n;
		s->send_win -= n;
		if (fl) {
			s->done = 1;
			return;
		}
	}
}

/* Move a stream's bytes both ways; 0, or -1 when it was closed. */
int h2gw_stream_pump(struct h2gw_stream *s)
{
	struct h2gw_conn *c = s->c;

	while (s->rq_off < s->rq_len) {
		ssize_t n = h2gw_io(s->lane->fd, s->rq + s->rq_off, s->rq_len - s->rq_off, 1);

		if (n < 0)
			break;
		if (n == 0) {
			s->rq_off = s->rq_len = 0; /* the engine answered without reading it all */
			break;
		}
		s->rq_off += (uint32_t)n;
	}
	if (s->rq_off == s->rq_len) {
		s->rq_off = s->rq_len = 0;
		if (s->rq_unacked && !s->req_es) {
			h2gw_send_wu(c, s->id, s->rq_unacked);
			s->recv_win += s->rq_unacked;
		}
		s->rq_unacked = 0;
	}
	while (!s->resp_eof && s->rb_len < H2GW_RB && s->lane->rd) {
		uint32_t want = H2GW_RB - s->rb_len;
		ssize_t n = h2gw_io(s->lane->fd, s->rb + s->rb_len, want, 0);

		if (n < 0) {
			s->lane->rd = 0;
			break;
		}
		if (n == 0) {
			s->resp_eof = 1;
			break;
		}
		s->rb_len += (uint32_t)n;
		/* a short read emptied the socketpair; more brings an event */
		if ((uint32_t)n < want)
			s->lane->rd = 0;
	}
	if (!s->head_sent) {
		int r = send_head(s);

		if (r < 0) {
			h2gw_stream_error(s, H2_INTERNAL_ERROR);
			return -1;
		}
		if (!r)
			return 0;
	}
	if (!s->done) {
		if (take_body(s) < 0 || (s->resp_eof && !s->body_done)) {
			h2gw_stream_error(s, H2_INTERNAL_ERROR);
			return -1;
		}
		send_body(s);
	}
	if (s->done) {
		/* the whole response went out before the request's end: RFC 9113
		 * 8.1, the client may stop sending, without error (a client counts
		 * any other code as a failed stream) */
		if (!s->req_es)
			h2gw_send_rst(c, s->id, H2_NO_ERROR);
		h2gw_stream_close(s);
		return -1;
	}
	return 0;
}
