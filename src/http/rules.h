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

#include "http/rules-t.h"
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
/* After the read: 0, or -1 with err and *file, *line set to the offending
 * rule's place (the reader prefixes it, once). */
int http_rules_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
		       size_t errlen);

/* Evaluate the frontend's (then, after use_backend, the backend's)
 * tcp-request content capture rules and http-request rules on t.
 * HTTP_V_DENY / RETURN / ERROR fill *reply. */
enum http_verdict http_req_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply);
/* mode tcp: px's tcp-request content capture rules on t, a transaction
 * without a request (t->caps made by capture_req): the fetches that need
 * none have their values, the others none. */
void http_tcp_captures(const struct http_proxy *px, struct http_txn *t);
/* The backend a frontend's use_backend rules pick for t (the first whose
 * condition holds), else its default_backend, else NULL. */
const struct http_proxy *http_pick_backend(const struct http_proxy *fe, struct http_txn *t);
/* The backend named `name` that fe may route to (fe itself if a listen,
 * its default_backend, its use_backend rules' and, for a name built from
 * a log-format, any backend of fe's configuration), or NULL: how a
 * transaction under way finds its backend in a reloaded configuration. */
const struct http_proxy *http_backend_named(const struct http_proxy *fe, const char *name);
/* Does px's `stats admin if|unless COND` hold for t: 1 or 0, or -1 when
 * px has no such condition compiled.  The haproxy.cfg reader hands that
 * line to http_rules_parse as "stats admin ..."; the other readers set
 * stats.admin alone (keepalived.conf's stats_admin on: always). */
int http_stats_admin(const struct http_proxy *px, struct http_txn *t);
/* The http-response rules of px on t (t->resp set). */
enum http_verdict http_resp_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply);
/* The http-after-response rules of px on t->resp (header, status and
 * variable actions only: nothing there stops the response). */
void http_after_resp_rules(const struct http_proxy *px, struct http_txn *t);

/* stick_rule.c: the `stick ...` lines (http_rules_parse hands them over),
 * their `table T` once the file is read, and freeing them. */
int stick_rule_parse(struct http_rules *r, char **args, int nargs, const char *file, int line, char *err,
		     size_t errlen);
int stick_rules_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
			size_t errlen);
void stick_rules_free(struct stick_rule *s);

/* Log-format expressions: src/http/logfmt.h. */

#endif
