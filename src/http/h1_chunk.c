/* The chunked-body scanner (RFC 9112 section 7.1): where a chunked body
 * ends, checked byte by byte as it goes, whatever the buffer boundaries.
 *
 * The body is forwarded as it came, so the next hop must read it as we
 * did: the scanner is strict where lenient readers disagree (the
 * chunk-smuggling family).  Every line of the framing ends with CRLF (a
 * bare LF is refused, where HAProxy, which re-encodes the body, may take
 * it); the size is 1 to 16 hex digits (no sign, no 0x); after the size
 * only blanks and a chunk extension (";" ...) up to CRLF, without
 * controls but HTAB; a chunk's data is followed by CRLF exactly; trailer
 * lines hold no NUL, bare CR or LF.  Extensions and trailers are bounded
 * so a peer cannot make us scan forever without a byte of data. */
#include <string.h>

#include "http/h1.h"

#define CHUNK_DIGITS_MAX 16    /* a size fits 64 bits */
#define CHUNK_EXT_MAX	 4096  /* bytes of extensions on one chunk line */
#define CHUNK_TRAILERS_MAX 16384 /* bytes of trailer lines */

void h1_chunk_init(struct h1_chunk *c)
{
	c->st = H1_CK_SIZE;
	c->remain = 0;
	c->digits = 0;
	c->tlen = 0;
	c->elen = 0;
	c->data = 0;
}

static int hex_val(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* After the chunk-size line's CRLF: the data, or the trailers after the
 * last chunk. */
static void size_line_done(struct h1_chunk *c)
{
	c->st = c->remain ? H1_CK_DATA : H1_CK_TRAILER;
	c->digits = 0;
	c->elen = 0;
}

ssize_t h1_chunk_scan(struct h1_chunk *c, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && c->st != H1_CK_DONE) {
		unsigned char ch = (unsigned char)buf[i];
		int h;

		switch (c->st) {
		case H1_CK_SIZE:
			if ((h = hex_val(ch)) >= 0) {
				if (++c->digits > CHUNK_DIGITS_MAX)
					return -1;
				c->remain = (c->remain << 4) | (uint64_t)h;
			} else if (!c->digits) {
				return -1; /* no size */
			} else if (ch == '\r') {
				c->st = H1_CK_SIZE_LF;
			} else if (ch == ';' || ch == ' ' || ch == '\t') {
				/* in H1_CK_EXT, digits != 0 means only blanks so far:
				 * "3 4" must not pass for a size a lax reader takes as 34 */
				c->st = H1_CK_EXT;
				c->elen = 1;
				if (ch == ';')
					c->digits = 0;
			} else {
				return -1;
			}
			break;
		case H1_CK_EXT:
			if (ch == '\r') {
				c->st = H1_CK_SIZE_LF;
			} else if ((ch < 0x20 && ch != '\t') || ch == 0x7f || ++c->elen > CHUNK_EXT_MAX) {
				return -1;
			} else if (c->digits && ch != ' ' && ch != '\t') {
				if (ch != ';')
					return -1; /* BWS then ";" (RFC 9112 section 7.1.1) */
				c->digits = 0;
			}
			break;
		case H1_CK_SIZE_LF:
			if (ch != '\n')
				return -1;
			size_line_done(c);
			break;
		case H1_CK_DATA: {
			uint64_t n = len - i;

			if (n > c->remain)
				n = c->remain;
			c->remain -= n;
			c->data += n;
			i += n;
			if (!c->remain)
				c->st = H1_CK_DATA_CR;
			continue;
		}
		case H1_CK_DATA_CR:
			if (ch != '\r')
				return -1;
			c->st = H1_CK_DATA_LF;
			break;
		case H1_CK_DATA_LF:
			if (ch != '\n')
				return -1;
			c->st = H1_CK_SIZE;
			break;
		case H1_CK_TRAILER: /* at the start of a trailer line or the last CRLF */
			if (ch == '\r') {
				c->st = H1_CK_TRAILER_LF;
				break;
			}
			c->st = H1_CK_TLINE;
			continue; /* the byte is the line's first: judged there */
		case H1_CK_TRAILER_LF:
			if (ch != '\n')
				return -1;
			c->st = H1_CK_DONE;
			break;
		case H1_CK_TLINE:
			if (ch == '\r')
				c->st = H1_CK_TLINE_LF;
			else if (ch == '\n' || ch == '\0')
				return -1;
			break;
		case H1_CK_TLINE_LF:
			if (ch != '\n')
				return -1;
			c->st = H1_CK_TRAILER;
			break;
		case H1_CK_DONE:
			break;
		}
		if (c->st >= H1_CK_TRAILER && c->st != H1_CK_DONE && ++c->tlen > CHUNK_TRAILERS_MAX)
			return -1;
		i++;
	}
	return (ssize_t)i;
}

size_t h1_dechunk(char *buf, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		uint64_t size = 0;
		int h;

		while (in < len && (h = hex_val((unsigned char)buf[in])) >= 0) {
			size = (size << 4) | (uint64_t)h;
			in++;
		}
		while (in < len && buf[in] != '\n')
			in++; /* blanks, extensions, CR */
		in++;
		if (!size || size > len - (in < len ? in : len))
			break; /* the last chunk (trailers follow), or not what the scanner passed */
		memmove(buf + out, buf + in, (size_t)size);
		out += (size_t)size;
		in += (size_t)size + 2; /* CRLF */
	}
	return out;
}
