/* HTTP/1.1 message types (RFC 9112): a parsed head, indexed in place.
 *
 * The parser never copies the message: every span is an offset and a
 * length into the buffer the head was parsed from (struct h1_msg.buf), or,
 * for what an edit added, into the message's own `extra` arena
 * (H1_SPAN_EXTRA set in the offset).  Edits (delete a header, add one,
 * replace the method or the URI) are recorded beside the index, and
 * h1_emit_head writes the head that goes on the wire.  So a request costs
 * no allocation, however many headers it has. */
#ifndef FC_HTTP_H1_T_H
#define FC_HTTP_H1_T_H

#include <stddef.h>
#include <stdint.h>

#define H1_MAX_HDRS   101  /* as HAProxy (global.tune.http.maxhdr default): more -> 400 */
#define H1_MAX_ADDED  32   /* headers an edit may add per message */
#define H1_EXTRA_SIZE 2048 /* bytes of added header text, rewritten method/URI */

/* A span of text: buf + off, or extra + (off & ~H1_SPAN_EXTRA). */
#define H1_SPAN_EXTRA 0x80000000u
struct h1_span {
	uint32_t off, len;
};

#define H1_HDR_DELETED 0x1 /* dropped by an edit: not emitted, not found */

struct h1_hdr {
	struct h1_span name, value; /* value without surrounding blanks */
	uint8_t flags;
};

enum h1_meth {
	H1_METH_OTHER, /* any other token: relayed as is */
	H1_METH_GET,
	H1_METH_HEAD,
	H1_METH_POST,
	H1_METH_PUT,
	H1_METH_DELETE,
	H1_METH_OPTIONS,
	H1_METH_CONNECT,
	H1_METH_TRACE,
	H1_METH_PATCH,
};

/* How the body of a message ends (RFC 9112 section 6). */
enum h1_body {
	H1_BODY_NONE,	 /* no body (CL 0, HEAD response, 1xx/204/304...) */
	H1_BODY_CL,	 /* Content-Length bytes (msg.clen) */
	H1_BODY_CHUNKED, /* chunked, ends with the last chunk and trailers */
	H1_BODY_EOF,	 /* response: until the server closes */
	H1_BODY_TUNNEL,	 /* 101 Switching Protocols, 2xx to CONNECT: bytes both ways */
};

/* message flags (h1_msg.flags) */
#define H1_F_CONN_CLOSE	 0x0001 /* Connection: close (or HTTP/1.0 without keep-alive) */
#define H1_F_CONN_KAL	 0x0002 /* Connection: keep-alive */
#define H1_F_CONN_UPG	 0x0004 /* Connection: upgrade */
#define H1_F_UPGRADE	 0x0008 /* an Upgrade header (with Connection: upgrade) */
#define H1_F_TE_CL	 0x0010 /* Transfer-Encoding and Content-Length both: CL dropped,
				  * the connection must close after this message */
#define H1_F_EXPECT_100	 0x0020 /* Expect: 100-continue */
#define H1_F_HAS_CL	 0x0040 /* a (valid) Content-Length was given */
#define H1_F_HAS_TE	 0x0080 /* Transfer-Encoding: ...chunked was given */
#define H1_F_VER_10	 0x0100 /* HTTP/1.0 */
#define H1_F_ABS_URI	 0x0200 /* request-target in absolute form */

/* Parse results (h1_parse_*): > 0 the head's length, 0 incomplete, < 0 one of: */
enum h1_err {
	H1_ERR_SYNTAX = -1,   /* malformed start line or header line -> 400 / 502 */
	H1_ERR_TOO_BIG = -2,  /* the head does not fit the buffer -> 400 (431) / 502 */
	H1_ERR_TOO_MANY = -3, /* more than H1_MAX_HDRS headers -> 400 / 502 */
	H1_ERR_CL = -4,	      /* bad or conflicting Content-Length -> 400 / 502 */
	H1_ERR_TE = -5,	      /* bad Transfer-Encoding (chunked not last, twice, absent) -> 400 / 502 */
	H1_ERR_VERSION = -6,  /* not HTTP/1.x -> 505 / 502 */
	H1_ERR_TE_CODING = -7, /* chunked last after another coding ("gzip, chunked")
				* -> 422 (as HAProxy) / 502 */
};

struct h1_msg {
	const char *buf;   /* the bytes parsed (not owned) */
	uint32_t head_len; /* once parsed: the head's length, final CRLF included */
	int is_req;

	/* start line */
	enum h1_meth meth;
	struct h1_span method, uri; /* request */
	unsigned status;	    /* response: 100..999 */
	struct h1_span reason;	    /* response */
	unsigned vmajor, vminor;

	struct h1_hdr hdrs[H1_MAX_HDRS + H1_MAX_ADDED]; /* received, then added */
	unsigned nhdrs;					/* including added ones */

	/* framing, from the headers (a response's also from the request) */
	enum h1_body body;
	uint64_t clen; /* H1_BODY_CL */
	unsigned flags;

	/* edits */
	struct h1_span new_method, new_uri; /* len 0: unchanged */
	unsigned new_status;                /* 0: unchanged */
	char extra[H1_EXTRA_SIZE];
	uint32_t extra_len;
};

/* The chunked-body scanner: where a chunked body ends, checked as it goes,
 * without copying it (the bytes are forwarded as they came). */
enum h1_chunk_state {
	H1_CK_SIZE,	/* reading the chunk-size hex digits */
	H1_CK_EXT,	/* chunk extension up to CRLF */
	H1_CK_SIZE_LF,	/* CR seen after size/ext */
	H1_CK_DATA,	/* `remain` bytes of data */
	H1_CK_DATA_CR,	/* CRLF after the data */
	H1_CK_DATA_LF,
	H1_CK_TRAILER,	/* trailer lines after the last chunk, up to an empty line */
	H1_CK_TRAILER_LF,
	H1_CK_TLINE,	/* inside a trailer line */
	H1_CK_TLINE_LF,
	H1_CK_DONE,	/* the message is complete */
};

struct h1_chunk {
	enum h1_chunk_state st;
	uint64_t remain; /* H1_CK_DATA: data bytes left; H1_CK_SIZE: the size so far */
	unsigned digits; /* hex digits read (more than 16: error) */
	unsigned tlen;	 /* bytes of trailers so far (bounded) */
	unsigned elen;	 /* bytes of the current chunk extension (bounded) */
	uint64_t data;	 /* data bytes of the chunks so far (the log's %B) */
};

#endif
