/* The HTTP engine's buffers and bodies: bytes move from one side's input
 * buffer to the other side's output buffer as the message's framing
 * allows (RFC 9112 section 6: Content-Length counted, chunked checked by
 * h1_chunk_scan as it passes, close-delimited until EOF), so a body is
 * never held whole and the next pipelined message stays where it is. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "http/h1.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

_Static_assert(HTTP_BUF_SIZE == PROXY_BUF_SIZE, "the HTTP engine's buffers come from the relay's pool");

int hbuf_take(struct proxy *px, struct hbuf *b)
{
	if (b->p)
		return 0;
	b->p = proxy_buf_get(px);
	b->off = b->len = 0;
	return b->p ? 0 : -1;
}

void hbuf_give(struct proxy *px, struct hbuf *b)
{
	if (!b->p || hbuf_data(b))
		return;
	proxy_buf_put(px, &b->p);
	b->off = b->len = 0;
}

void hbuf_compact(struct hbuf *b)
{
	if (!b->off)
		return;
	memmove(b->p, b->p + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

ssize_t hbuf_room(struct proxy *px, struct hbuf *b)
{
	if (hbuf_take(px, b) < 0)
		return -2;
	if (b->len == HTTP_BUF_SIZE)
		hbuf_compact(b);
	return b->len == HTTP_BUF_SIZE ? -1 : (ssize_t)(HTTP_BUF_SIZE - b->len);
}

ssize_t hbuf_recv(struct proxy *px, int fd, struct hbuf *b)
{
	ssize_t n = hbuf_room(px, b);

	if (n < 0)
		return n;
	do
		n = recv(fd, b->p + b->len, (size_t)n, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		hbuf_give(px, b); /* nothing came: an idle socket holds no buffer */
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
	b->len += (uint32_t)n;
	return n;
}

ssize_t hbuf_send(int fd, struct hbuf *b)
{
	ssize_t n;

	if (!hbuf_data(b))
		return 0;
	do
		n = send(fd, b->p + b->off, hbuf_data(b), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	b->off += (uint32_t)n;
	if (b->off == b->len)
		b->off = b->len = 0;
	return n;
}

int hbuf_put(struct proxy *px, struct hbuf *b, const char *p, size_t n)
{
	if (hbuf_take(px, b) < 0)
		return -1;
	if (n > HTTP_BUF_SIZE - b->len)
		hbuf_compact(b);
	if (n > HTTP_BUF_SIZE - b->len)
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += (uint32_t)n;
	return 0;
}

void hfwd_init(struct hfwd *f, const struct h1_msg *m)
{
	memset(f, 0, sizeof(*f));
	f->kind = m->body;
	f->left = m->clen;
	h1_chunk_init(&f->ck);
	f->done = f->kind == H1_BODY_NONE || (f->kind == H1_BODY_CL && !f->left);
}

ssize_t hfwd_move(struct proxy *px, struct hfwd *f, struct hbuf *in, struct hbuf *out, int in_eof)
{
	uint64_t n = hbuf_data(in);
	ssize_t body;

	if (f->done)
		return 0;
	if (out && n && hbuf_take(px, out) < 0)
		return -1;
	if (out && out->len + n > HTTP_BUF_SIZE)
		hbuf_compact(out);
	if (out && n > HTTP_BUF_SIZE - out->len)
		n = HTTP_BUF_SIZE - out->len;
	if (!n && (f->kind == H1_BODY_CL || f->kind == H1_BODY_CHUNKED))
		return 0; /* (in's or out's buffer may be none) */
	switch (f->kind) {
	case H1_BODY_CL:
		if (n > f->left)
			n = f->left;
		body = (ssize_t)n;
		f->left -= n;
		f->done = !f->left;
		break;
	case H1_BODY_CHUNKED:
		body = h1_chunk_scan(&f->ck, in->p + in->off, (size_t)n);
		if (body < 0)
			return -1;
		f->done = f->ck.st == H1_CK_DONE;
		break;
	case H1_BODY_EOF:
	case H1_BODY_TUNNEL:
		body = (ssize_t)n;
		f->done = in_eof && n == hbuf_data(in);
		break;
	default:
		f->done = 1;
		return 0;
	}
	if (out && body) {
		memcpy(out->p + out->len, in->p + in->off, (size_t)body);
		out->len += (uint32_t)body;
	}
	in->off += (uint32_t)body;
	if (in->off == in->len)
		in->off = in->len = 0;
	return body;
}

uint64_t hfwd_counted(const struct hfwd *f, uint64_t n, uint64_t data)
{
	if (f->kind != H1_BODY_CHUNKED)
		return n;
	return f->ck.data - data + (f->done ? 1 : 0);
}
