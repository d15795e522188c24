/* `capture request header NAME len N` / `capture response header ...`:
 * what a transaction captured, kept for the log's %hr %hs %hrl %hsl.
 *
 * The values live in t->caps, one block made when the request is taken
 * (capture_req) and freed with the transaction (capture_free).  The block
 * holds the slot counts and each slot's size, so that it is read right
 * even when a reload changed the frontend since. */
#ifndef FC_HTTP_CAPTURE_H
#define FC_HTTP_CAPTURE_H

#include <stddef.h>

#include "http/txn-t.h"

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

/* The log's text: %hr / %hs ("{v1|v2}", nothing without captures) and
 * %hrl / %hsl ("v1 v2", "-" for a header not found), values encoded as
 * haproxy does (#XX for controls, bytes over 0x7e, '"', '#', '{', '|',
 * '}').  The length written into out[0..cap). */
size_t capture_format(const struct http_txn *t, int resp, int list, char *out, size_t cap);

#endif
