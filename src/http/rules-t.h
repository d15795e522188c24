/* A proxy's HTTP rules as read from haproxy.cfg: its ACLs, its
 * http-request / http-response / http-after-response actions in order,
 * its use_backend rules.  Owned by the proxy (http_proxy.rules), freed by
 * http_rules_free through proxy->rules_free. */
#ifndef FC_HTTP_RULES_T_H
#define FC_HTTP_RULES_T_H

#include <stddef.h>

#include "http/acl-t.h"
#include "http/sample-t.h"

struct logfmt;
struct http_re;
struct http_proxy;
struct stktable; /* src/proxy/stktable.h */

enum act_kind {
	ACT_ALLOW,
	ACT_DENY,	/* deny [deny_status N] [reply options] */
	ACT_TARPIT,	/* as deny, the engine holds the answer for timeout tarpit */
	ACT_RETURN,	/* return [status N] [reply options] */
	ACT_REDIRECT,	/* redirect location|prefix|scheme ... */
	ACT_SET_HDR,
	ACT_ADD_HDR,
	ACT_DEL_HDR,	/* del-header NAME [-m str|beg|end|sub|reg] */
	ACT_REPL_HDR,	/* replace-header NAME REGEX FMT: the whole value */
	ACT_REPL_VAL,	/* replace-value NAME REGEX FMT: each comma-separated value */
	ACT_SET_PATH,
	ACT_SET_PATHQ,
	ACT_SET_QUERY,
	ACT_SET_URI,
	ACT_SET_METHOD,
	ACT_REPL_PATH,
	ACT_REPL_PATHQ,
	ACT_REPL_URI,
	ACT_SET_VAR,	/* set-var(NAME) EXPR */
	ACT_UNSET_VAR,
	ACT_SET_SRC,	/* set-src EXPR */
	ACT_SET_STATUS, /* http-response set-status N [reason R] */
	ACT_USE_SERVICE, /* use-service prometheus-exporter: the engine answers */
	ACT_AUTH,	/* auth [realm R]: 401 with a Basic challenge (name: the realm) */
	ACT_CAPTURE,	/* capture EXPR len N | id N: into a capture slot (code: its
			 * index; cap_len: N of `len`, the reader declares the slot) */
	ACT_CAPTURE_RESP, /* http-response capture EXPR id N */
};

/* The answer of deny / return / tarpit: a status and optionally a body
 * (string or file read at load, lf-string / lf-file expanded per
 * request, or a whole errorfile) and headers whose values are
 * log-format. */
#define ACT_REPLY_HDRS 8
struct act_reply {
	unsigned status;
	char *ctype;	      /* owned or NULL */
	char *body;	      /* owned or NULL: string, file, errorfile */
	size_t body_len;
	struct logfmt *body_lf; /* lf-string / lf-file */
	int errorfile;
	struct {
		char *name;
		struct logfmt *val;
	} hdrs[ACT_REPLY_HDRS];
	unsigned nhdrs;
};

enum redir_type { REDIR_LOCATION, REDIR_PREFIX, REDIR_SCHEME };

#define REDIR_DROP_QUERY   0x1
#define REDIR_APPEND_SLASH 0x2

struct http_act {
	enum act_kind kind;
	struct cond *cond;	/* NULL: always */
	char *name;		/* header or variable name, owned */
	size_t nlen;
	struct logfmt *fmt;	/* header value, new path..., redirect target, replacement */
	struct http_re *re;	/* replace-*, del-header -m reg */
	enum pat_match hmatch;	/* del-header -m (PAT_M_STR by default) */
	struct smp_expr expr;	/* set-var, set-src */
	struct act_reply *reply;/* deny, tarpit, return */
	enum redir_type redir;
	unsigned code;		/* redirect code, set-status status */
	int cap_id;		/* capture: the slot (-1: none, as haproxy's id -1) */
	unsigned cap_len;	/* capture ... len N: N, 0 with `id` */
	unsigned redir_flags;
	char *reason;		/* set-status reason, owned */
	const char *file;
	int line;
	struct http_act *next;
};

struct use_be {
	char *name; /* owned */
	struct cond *cond;
	const struct http_proxy *be; /* resolved after the read */
	/* a name written as a log-format (`use_backend %[req.hdr(host),lower]`):
	 * built per request and looked up in `all`, the config's proxies */
	struct logfmt *fmt;	/* owned, or NULL */
	const struct http_proxy *all;
	const char *file;
	int line;
	struct use_be *next;
};

/* `stick match|on|store-request|store-response EXPR [table T] [if COND]`
 * of a backend (src/http/stick_rule.c reads them, src/proxy/http_stick.c
 * runs them). */
#define STICK_MATCH      0x1 /* look the request's key up */
#define STICK_STORE_REQ  0x2 /* keep the request's key -> the server that answered */
#define STICK_ON         (STICK_MATCH | STICK_STORE_REQ)
#define STICK_STORE_RESP 0x4 /* the same with a key from the response */

struct stick_rule {
	unsigned kind;		/* STICK_* */
	struct smp_expr expr;
	struct cond *cond;	/* NULL: always */
	char *table;		/* owned: `table T`, NULL: the backend's own */
	const struct http_proxy *tpx; /* the proxy holding the table (resolved) */
	/* tpx's table in the process's registry, found once, when the engine
	 * commits the model (src/proxy/http_stick.c, hst_bind_tables: the
	 * workers parked): a request takes only the table's own mutex, not
	 * the registry's.  Written once per rule (else, out of memory then,
	 * by whichever worker uses it first: all find the same table). */
	struct stktable *_Atomic st;
	const char *file;	/* owned */
	int line;
	struct stick_rule *next;
};

struct http_rules {
	struct acl *acls;  /* named, in order of definition */
	struct acl *anon;  /* anonymous and predefined ACLs the conditions use */
	struct http_act *req, *resp, *after;
	struct http_act *tcp; /* tcp-request content capture: before req */
	struct use_be *use_be;
	struct cond *stats_admin; /* `stats admin if|unless COND`, or NULL */
	struct stick_rule *stick; /* in order */
};

/* What a rule set decided. */
enum http_verdict {
	HTTP_V_CONTINUE, /* no final action: go on (next rule set, backend) */
	HTTP_V_ALLOW,	 /* `allow`: stop this rule set, go on */
	HTTP_V_DENY,	 /* `deny [deny_status N]`: answer reply->status (403) */
	HTTP_V_RETURN,	 /* `return ...` or `redirect ...`: answer *reply */
	HTTP_V_ERROR,	 /* a rewrite failed: answer 500 */
	HTTP_V_TARPIT,	 /* `tarpit`: hold, then answer (500 by default) */
	HTTP_V_SERVICE,	 /* `use-service prometheus-exporter`: the engine answers /metrics */
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
	int redirect;		   /* a redirect's head (hdrs[0] is the location) */
	const char *auth_realm;	   /* http-request auth: the proxy's 401 message with
				    * `www-authenticate: Basic realm="R"` added */
	char buf[4096];		   /* storage for expanded log-format text */
};

#endif
