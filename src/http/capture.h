/* `capture request header NAME len N` / `capture response header ...`:
 * what a transaction captured, kept for the log's %hr %hs %hrl %hsl.
 *
 * The values live in t->caps, a block made when the request is taken
 * (capture_req) and freed with the transaction (capture_free).  The block
 * holds the slot counts and each slot's size, so that it is read right
 * even when a reload changed the frontend since; a value takes memory
 * only once something is captured, at most the bytes captured. */
#ifndef FC_HTTP_CAPTURE_H
#define FC_HTTP_CAPTURE_H

#include <stddef.h>

#include "http/sample-t.h"
#include "http/txn-t.h"

struct http_proxy;

/* A capture slot of px (frontend, listen): `capture request|response
 * header NAME len N` (name: the header), `declare capture ... len N` and
 * `http-request capture EXPR len N` (name ""), in order of declaration.
 * As many as px declares, len 0 (`capture ... header` only: it captures
 * "") to HP_CAPTURE_MAX.  Its index, or -1 with err. */
int capture_declare(struct http_proxy *px, int resp, const char *name, unsigned len, char *err, size_t errlen);

/* A capture's len as haproxy 2.6 reads it (atol: blanks, a sign, the
 * digits; whatever follows is ignored -- *clean 0 then, or when there
 * are no digits); past HP_CAPTURE_MAX, some value past it. */
long long capture_len(const char *s, int *clean);

/* The request's captures of fe (t->req parsed): allocates t->caps if fe
 * captures anything.  0, or -1 out of memory (nothing captured). */
int capture_req(struct http_txn *t, const struct http_proxy *fe);
/* The response's (t->resp parsed), into the block capture_req made. */
void capture_resp(struct http_txn *t);
void capture_free(struct http_txn *t);

/* `capture cookie NAME len N` of t->fe: the first cookie of the request's
 * Cookie headers (capture_cookie_req) or the first of the response's
 * Set-Cookie headers (capture_cookie_resp) whose name=value begins with
 * NAME (bytes, case counts: NAME= is an exact name), as "name=value" cut at
 * N bytes, into t->cli_cookie / t->srv_cookie, as HAProxy 2.6 does. */
void capture_cookie_req(struct http_txn *t);
void capture_cookie_resp(struct http_txn *t);

/* v (n bytes, cut at the slot's length and at a NUL) into the request's
 * (resp 0) or the response's slot id of t, if it has one. */
void capture_set(struct http_txn *t, int resp, int64_t id, const char *v, size_t n);

/* capture.req.hdr(N) / capture.res.hdr(N): slot N's value, none if
 * nothing was captured there (or no slot N). */
int capture_f_req(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
int capture_f_resp(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);

/* capture.req.method, capture.req.uri (from the path on, the query
 * included; none for "*" or an authority), capture.req.ver and
 * capture.res.ver ("HTTP/1.1" from 1.1 on, else "HTTP/1.0"), haproxy
 * 2.6's. */
int capture_f_line(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);

/* The log's text: %hr / %hs ("{v1|v2}", nothing without captures) and
 * %hrl / %hsl ("v1 v2", "-" for a slot that captured nothing), values
 * encoded as haproxy does (#XX for controls, bytes over 0x7e, '"', '#',
 * '{', '|', '}'); with CAPTURE_F_QUOTE (+Q) "{v1|v2}" and "v1" "v2" (""
 * for nothing), with CAPTURE_F_ESC (+E) '\\' and ']' escaped by a '\\'.
 * The length written into out[0..cap). */
#define CAPTURE_F_QUOTE 0x1
#define CAPTURE_F_ESC	0x2
size_t capture_format(const struct http_txn *t, int resp, int list, unsigned flags, char *out, size_t cap);

#endif
