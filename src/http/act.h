/* http-request / http-response / http-after-response actions: parsing
 * and running (types in rules-t.h).  act.c holds the keyword table and
 * the actions on headers and variables; act_req.c the request rewrites,
 * redirect and set-src; act_reply.c the answers (deny, tarpit, return);
 * act_resp.c the response's status. */
#ifndef FC_HTTP_ACT_H
#define FC_HTTP_ACT_H

#include <stddef.h>

#include "http/h1-t.h"
#include "http/rules-t.h"
#include "http/txn-t.h"

/* Which rule set a keyword may appear in. */
#define ACT_W_REQ   0x1
#define ACT_W_RESP  0x2
#define ACT_W_AFTER 0x4

/* What a parser gets: the words after the action keyword up to (not
 * including) `if`/`unless`, and the fetches the rule set may use. */
struct act_pctx {
	char **args;
	int nargs;
	unsigned use;  /* SMP_USE_* */
	unsigned where; /* ACT_W_* */
	char *err;
	size_t errlen;
};

struct act_kw {
	const char *name;
	enum act_kind kind;
	unsigned where;
	/* fills a (kind already set); 0 or -1 with pc->err */
	int (*parse)(struct http_act *a, const struct act_pctx *pc);
};

/* One rule: args[0] is the action keyword (args[-1], "http-request", is
 * the caller's).  The condition is parsed by the caller. */
struct http_act *act_parse(char **args, int nargs, unsigned where, char *err, size_t errlen);
void act_free(struct http_act *a);
/* Run the rules of a list on message m of t until a final one. */
enum http_verdict act_run(const struct http_act *list, struct http_txn *t, struct h1_msg *m,
			  struct http_reply *reply);

/* Parsers and runners of the other files. */
int act_parse_fmt(struct http_act *a, const struct act_pctx *pc);
int act_parse_replace(struct http_act *a, const struct act_pctx *pc);
int act_parse_expr(struct http_act *a, const struct act_pctx *pc);
int act_parse_redirect(struct http_act *a, const struct act_pctx *pc);
int act_parse_reply(struct http_act *a, const struct act_pctx *pc);
int act_parse_status(struct http_act *a, const struct act_pctx *pc);
/* act_capture.c: http-request capture EXPR len N | id N, http-response
 * capture EXPR id N (the reader declares a `len` rule's slot) */
int act_parse_capture(struct http_act *a, const struct act_pctx *pc);
void act_run_capture(const struct http_act *a, struct http_txn *t);
void act_reply_free(struct act_reply *r);
enum http_verdict act_run_uri(const struct http_act *a, struct http_txn *t, struct h1_msg *m);
enum http_verdict act_run_redirect(const struct http_act *a, struct http_txn *t, struct http_reply *reply);
void act_build_reply(const struct act_reply *r, struct http_txn *t, struct http_reply *reply);
/* Read a whole file (a return's body), at most `max` bytes.  0 or -1. */
int act_read_file(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen);

#endif
