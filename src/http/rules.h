/* haproxy.cfg's HTTP rules: ACLs, conditions, sample fetches,
 * `http-request` / `http-response` actions, `use_backend`, log-format
 * expressions -- their keywords (read into the model) and their
 * evaluation (by the HTTP engine on a struct http_txn).
 *
 * Reading: the haproxy.cfg reader (src/conf/haproxy*.c) hands every line
 * of a proxy section whose keyword is one of http_rules_keywords[] to
 * http_rules_parse, which builds proxy->rules (allocated on first use,
 * proxy->rules_free set).  After the whole file is read, the reader calls
 * http_rules_resolve for every proxy (backend names of use_backend, ACLs
 * used before their definition, files of `-f`). */
#ifndef FC_HTTP_RULES_H
#define FC_HTTP_RULES_H

#include <stddef.h>

#include "http/txn-t.h"
#include "model/model-t.h"

/* The keywords http_rules_parse takes: "acl", "http-request",
 * "http-response", "use_backend", "http-after-response" ... NULL-ended. */
extern const char *const http_rules_keywords[];

/* One line: args[0] is the keyword, args[1..nargs-1] its words (quotes
 * and escapes already resolved, ${ENV} expanded).  0, or -1 with err
 * ("unknown fetch 'foo' in ACL 'bar'"; the reader prefixes file:line). */
int http_rules_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		     char *err, size_t errlen);
/* After the read: 0, or -1 with err (the file:line of the offending rule
 * in it). */
int http_rules_resolve(struct config *cfg, struct http_proxy *px, char *err, size_t errlen);

/* What a rule set decided. */
enum http_verdict {
	HTTP_V_CONTINUE, /* no final action: go on (next rule set, backend) */
	HTTP_V_ALLOW,	 /* `allow`: stop this rule set, go on */
	HTTP_V_DENY,	 /* `deny [deny_status N]`: answer reply->status (403) */
	HTTP_V_RETURN,	 /* `return ...` or `redirect ...`: answer *reply */
	HTTP_V_ERROR,	 /* a rewrite failed: answer 500 */
	HTTP_V_TARPIT,	 /* `tarpit`: hold, then answer (500 by default) */
};

/* A prepared answer (deny, return, redirect): status, headers, body.  The
 * body points into the rules' own storage or into `buf`; valid until the
 * transaction ends.  A deny or tarpit without a body of its own (body
 * NULL, errorfile 0) answers with the proxy's error message for `status`
 * (http_error_msg); a return without one has body "" (an empty body). */
#define HTTP_REPLY_HDRS 8
struct http_reply {
	unsigned status;
	const char *ctype;	   /* Content-Type or NULL */
	size_t ctype_len;
	struct {
		const char *name, *val;
		size_t nlen, vlen;
	} hdrs[HTTP_REPLY_HDRS];
	unsigned nhdrs;
	const char *body;
	size_t body_len;
	int errorfile;		   /* body is a whole raw response (errorfile): send as is */
	char buf[4096];		   /* storage for expanded log-format text */
};

/* Evaluate the frontend's (then, after use_backend, the backend's)
 * http-request rules on t.  HTTP_V_DENY / RETURN / ERROR fill *reply. */
enum http_verdict http_req_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply);
/* The backend a frontend's use_backend rules pick for t (the first whose
 * condition holds), else its default_backend, else NULL. */
const struct http_proxy *http_pick_backend(const struct http_proxy *fe, struct http_txn *t);
/* The http-response rules of px on t (t->resp set). */
enum http_verdict http_resp_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply);
/* The http-after-response rules of px on t->resp (header, status and
 * variable actions only: nothing there stops the response). */
void http_after_resp_rules(const struct http_proxy *px, struct http_txn *t);

/* Log-format expressions ("%[url]", "%ci:%cp", HAProxy's httplog): a
 * compiled form kept in the rules; `build` writes the text for t into
 * out[0..cap) and returns its length (truncated at cap - 1, NUL ended). */
struct logfmt;
struct logfmt *logfmt_compile(const char *text, char *err, size_t errlen);
size_t logfmt_build(const struct logfmt *lf, const struct http_txn *t, char *out, size_t cap);
void logfmt_free(struct logfmt *lf);
/* HAProxy's formats: option httplog, option httplog clf, option tcplog. */
extern const char logfmt_httplog[], logfmt_httplog_clf[], logfmt_tcplog[];

#endif
