/* An incremental HTTP/1.x response parser for the HTTP_GET / SSL_GET
 * checkers: status line, headers, then the body (Content-Length, chunked,
 * or until the connection closes) handed decoded to a callback.
 *
 * Input comes from the network: it is fed in pieces of any size, and the
 * parser never reads outside the bytes it was given (keepalived's
 * CVE-2018-19115 was a heap overflow in this very place).  It keeps at most
 * one line at a time, bounded by hdr_max; the body is streamed, not kept.
 *
 *   struct http_resp r;
 *   http_resp_init(&r, HTTP_HDR_MAX, HTTP_BODY_MAX, 0);
 *   r.body_cb = ...;                      optional
 *   rc = http_resp_feed(&r, buf, n);      for every read
 *   rc = http_resp_eof(&r);               when the peer closed
 *   http_resp_free(&r);
 */
#ifndef FC_CHECK_HTTP_RESP_H
#define FC_CHECK_HTTP_RESP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_HDR_MAX  (16 * 1024)	/* status line + headers (and, apart, trailers) */
#define HTTP_BODY_MAX (4 * 1024 * 1024) /* decoded body bytes */

enum http_resp_rc {
	HTTP_RESP_ERROR = -1, /* malformed or over a limit: see ->err */
	HTTP_RESP_MORE = 0,   /* need more input */
	HTTP_RESP_DONE = 1,   /* the whole response is in */
};

/* How the end of the body is known. */
enum http_resp_framing {
	HTTP_FRAME_NONE,   /* no body (204, 304) */
	HTTP_FRAME_LENGTH, /* Content-Length */
	HTTP_FRAME_CHUNKED,
	HTTP_FRAME_CLOSE, /* until the connection closes (also HTTP/0.9) */
};

struct http_resp {
	/* results, valid once headers_done (status also for HTTP/0.9: 200) */
	int status;
	int version;	  /* 10 or 11 (HTTP/1.x minor 0/1 or more); 9 for HTTP/0.9 */
	int headers_done; /* the header section ended (body may follow) */
	int conn_close;	  /* "Connection: close", or HTTP/1.0 without keep-alive */
	enum http_resp_framing framing;
	uint64_t content_length; /* HTTP_FRAME_LENGTH */
	uint64_t body_bytes;	 /* decoded body delivered so far */
	char err[96];		 /* why HTTP_RESP_ERROR */

	/* Body bytes as they are decoded (chunk framing removed).  Return 0 to
	 * go on, -1 to stop: feed then returns HTTP_RESP_ERROR with err as the
	 * callback left it (it may write into r->err). */
	int (*body_cb)(void *arg, const char *p, size_t n);
	void *cb_arg;

	/* parser state (private) */
	int state;
	size_t hdr_max, hdr_bytes;
	uint64_t body_max;
	uint64_t chunk_left;
	int have_clen;
	int te_seen;
	int http09;
	int keepalive; /* "Connection: keep-alive" seen */
	int fed;       /* any byte was fed */
	char *line;    /* the line being assembled, owned */
	size_t line_len, line_cap;
};

/* expect_09: the request was HTTP/0.9, so the whole reply is the body. */
void http_resp_init(struct http_resp *r, size_t hdr_max, uint64_t body_max, int expect_09);
void http_resp_free(struct http_resp *r);

/* Feed the next n bytes.  Returns MORE, DONE or ERROR; once DONE or ERROR,
 * further input is ignored (bytes after the end of a response are not
 * looked at). */
int http_resp_feed(struct http_resp *r, const char *p, size_t n);

/* The peer closed the connection: DONE if that ends the response
 * (read-until-close body, or already complete), ERROR if it was cut short. */
int http_resp_eof(struct http_resp *r);

#endif
