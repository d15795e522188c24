/* haproxy.cfg's proxies in the model: what a `frontend`, `backend` or
 * `listen` section configures, as plain data (no I/O).
 *
 * How a haproxy.cfg maps onto the model (doc/internals/model.md):
 *   - every proxy section is one struct http_proxy (config->http_proxies),
 *     with HP_CAP_FE, HP_CAP_BE or both (listen);
 *   - each `bind` of a proxy with HP_CAP_FE is one struct virtual_server
 *     (fwd FWD_PROXY, vs->http = the proxy), so a frontend with three binds
 *     is three services sharing one http_proxy;
 *   - each proxy with HP_CAP_BE owns one struct pool named after it
 *     (pool->http = the proxy, proxy->pool = the pool), its `server` lines
 *     are the pool's real servers (rs->hp holds haproxy's per-server
 *     options), `balance` sets pool->sched;
 *   - a service's own pool (vs->pool) is the frontend's default backend's
 *     pool (a `listen` section: its own); the HTTP engine chooses another
 *     pool per request from the rules (use_backend).
 *
 * Ownership: the config owns every http_proxy (list) and frees them in
 * config_free; services and pools only point at them.  `rules` and
 * `errors` are owned by the proxy and freed through the free functions
 * their builders store beside them (src/http/ sits above the model: the
 * model calls it only through these pointers). */
#ifndef FC_MODEL_HTTP_PROXY_T_H
#define FC_MODEL_HTTP_PROXY_T_H

#include <stdint.h>

#include "core/addr.h"

struct pool;
struct http_rules;  /* src/http/rules-t.h: acls, http-request/-response, use_backend */
struct http_errors; /* src/http/reply-t.h: status -> prepared reply (errorfile(s), http-errors) */

#define HP_CAP_FE 0x1
#define HP_CAP_BE 0x2

enum hp_mode {
	HP_MODE_TCP,  /* mode tcp (haproxy's default) */
	HP_MODE_HTTP, /* mode http */
};

/* How the HTTP engine treats connections after a transaction (haproxy
 * option http-keep-alive (default) / http-server-close / httpclose). */
enum hp_conn_mode {
	HP_CONN_KAL, /* keep-alive both sides, server connections reused */
	HP_CONN_SCL, /* keep-alive with the client, close the server side */
	HP_CONN_CLO, /* close both after the response */
};

/* option flags (struct http_proxy.options) */
#define HP_OPT_FORWARDFOR    0x0001 /* option forwardfor (see fwdfor) */
#define HP_OPT_ORIGINALTO    0x0002 /* option originalto (see origto) */
#define HP_OPT_REDISPATCH    0x0004 /* option redispatch */
#define HP_OPT_BUFREQ        0x0008 /* option http-buffer-request */
#define HP_OPT_ABORTONCLOSE  0x0010 /* option abortonclose */
#define HP_OPT_DONTLOGNULL   0x0020 /* option dontlognull */
#define HP_OPT_HTTPLOG       0x0040 /* option httplog */
#define HP_OPT_TCPLOG        0x0080 /* option tcplog */
#define HP_OPT_LOGHEALTH     0x0100 /* option log-health-checks */
#define HP_OPT_ALLBACKUPS    0x0200 /* option allbackups */
#define HP_OPT_HTTPLOG_CLF   0x0400 /* option httplog clf */
#define HP_OPT_LOGASAP       0x0800 /* option logasap */
#define HP_OPT_HTTP_IGNPROBES 0x1000 /* option http-ignore-probes */
#define HP_OPT_PERSIST       0x2000 /* option persist: a cookie may lead to a down server */

/* option forwardfor / originalto */
struct hp_xff {
	char header[64];       /* default "X-Forwarded-For" / "X-Original-To" */
	struct fc_addr except; /* `except NET`: addresses in it get no header */
	unsigned except_prefix;
	int has_except;
	int if_none;           /* if-none: keep a header the client sent, add none */
};

/* A `log` target (global or per proxy). */
struct hp_log {
	enum { HP_LOG_UDP, HP_LOG_UNIX, HP_LOG_STDOUT, HP_LOG_STDERR } kind;
	struct fc_addr addr; /* HP_LOG_UDP (port default 514) */
	char path[108];      /* HP_LOG_UNIX, e.g. /dev/log */
	int facility;        /* 0..23 (local2 = 18) */
	int level;           /* max level sent, 0..7; default 7 */
	int minlevel;        /* default 0 */
	char tag[32];        /* default "haproxy"? the program name; set by the reader */
	struct hp_log *next;
};

/* What `balance` asks of the HTTP engine besides the scheduler's name
 * (pool->sched): where the hash key of a request comes from. */
enum hp_hash_src {
	HP_HASH_NONE,      /* roundrobin, static-rr, leastconn, first, random */
	HP_HASH_SOURCE,    /* balance source: the client address */
	HP_HASH_URI,       /* balance uri [whole] [depth N] [len N] [path-only] */
	HP_HASH_URL_PARAM, /* balance url_param NAME */
	HP_HASH_HDR,       /* balance hdr(NAME) */
	HP_HASH_RDP_COOKIE,/* balance rdp-cookie[(NAME)] */
};

struct hp_balance {
	enum hp_hash_src src;
	char name[64];      /* url_param / hdr / rdp-cookie name */
	unsigned uri_len, uri_depth; /* 0 = unlimited */
	int uri_whole, uri_path_only;
	int consistent;     /* hash-type consistent (else map-based) */
	int static_rr;      /* balance static-rr (the scheduler is wrr, as roundrobin's) */
	unsigned random_draws; /* random(N), default 2 */
};

/* `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly]
 * [preserve] [httponly] [secure] [domain D] [attr A]...`: persistence on
 * the servers' `cookie VALUE` (src/proxy/http_cookie.c). */
struct hp_cookie {
	char name[64];      /* "" = no cookie persistence */
	enum {
		HP_CK_PASSIVE, /* no mode given: the request's cookie is read, nothing changed */
		HP_CK_REWRITE, /* the server's own cookie NAME gets the server's value */
		HP_CK_INSERT,  /* we add NAME=VALUE to answers of a client without a valid one */
		HP_CK_PREFIX,  /* the server's cookie NAME becomes VALUE~its value */
	} mode;
	int indirect, nocache, postonly, preserve, httponly, secure;
	char domain[128];   /* "" = none; one domain (HAProxy allows several) */
	char attrs[256];    /* the `attr` values joined with "; ", or "" */
};

/* `stick-table type ip|ipv6|integer|string|binary [len N] size N
 * [expire T] [nopurge] [store ...]` of a proxy: the table the `stick`
 * rules fill (src/proxy/http_stick.c keeps it, per proxy name). */
struct hp_stick_table {
	enum {
		HP_ST_NONE,   /* no table */
		HP_ST_IP,     /* IPv4 address (an IPv6 one is not stored) */
		HP_ST_IPV6,   /* IPv6 address (IPv4 mapped) */
		HP_ST_INT,    /* 64-bit integer */
		HP_ST_STR,    /* string, its first `len` bytes */
		HP_ST_BIN,    /* binary: as string */
	} type;
	unsigned len;       /* string/binary: bytes kept, default 32 */
	unsigned size;      /* entries at most (the least recently used leaves) */
	unsigned expire_ms; /* an entry not used this long leaves; 0: never */
};

/* `stats ...` of a proxy (issue 14 serves it; read now) */
struct hp_stats {
	int enabled;
	char uri[128];      /* default "/haproxy?stats" */
	char realm[128];
	char **auth;        /* "user:pass" strings, owned, n_auth of them */
	unsigned n_auth;
	unsigned refresh_s;
	int hide_version;
	char **scope;       /* owned */
	unsigned n_scope;
	int admin;          /* stats admin if COND: cond kept in rules */
	char *admin_cond;   /* that COND as written ("if { src 10.0.0.0/8 }"), owned, or
			     * NULL (compiled into the proxy's rules: stats_admin) */
	char metrics_uri[128]; /* "" = none; else a GET of this path is answered with
				* Prometheus /metrics (stats_prometheus), before the
				* stats page's own URI is looked at: keepalived.conf's
				* and ldirectord.cf's metrics_uri (conf/stats_kw.c);
				* haproxy.cfg says it with `http-request use-service
				* prometheus-exporter` instead */
};

/* haproxy's options of one `server` line (real_server.hp, NULL outside
 * haproxy.cfg).  weight, addr, port and the check itself are the real
 * server's and its checks'. */
/* HAProxy's refusal of a weight other than 0% or 100% for a server of a
 * static balance (hp_server.static_weights), without its final newline. */
#define HP_STATIC_WEIGHTS "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'."

struct hp_server {
	int backup;
	int disabled;        /* `disabled`: starts in maintenance */
	unsigned maxconn;    /* 0 = unlimited */
	unsigned maxqueue;
	unsigned slowstart_ms;
	int send_proxy;      /* 0, 1 (v1) or 2 (v2) */
	int shutdown_on_down;/* on-marked-down shutdown-sessions */
	char cookie[64];     /* `cookie VALUE`; "" (the default, as HAProxy): none, the
			      * server's clients do not stick to it */
	unsigned inter_ms, fastinter_ms, downinter_ms, rise, fall;
	int static_weights;  /* its backend's balance is static (static-rr, a
			      * map-based hash): as HAProxy, a weight set at
			      * run time (agent, set weight) is 0% or 100% only */
};

/* `capture request|response header NAME len N` (frontend, listen): the
 * value of the last header NAME, cut at N bytes, for %hr / %hs in the log
 * (src/http/capture.h).  As many as a frontend declares, each as long as
 * it says (haproxy 2.6 has no limit but an int's: a value is never longer
 * than the buffer it came from). */
#define HP_CAPTURE_MAX 2147483647 /* the largest len: an int's, as haproxy's */
#define HP_CAPTURE_COOKIE 63 /* capture cookie's largest len (HAProxy's CAPTURE_LEN - 1) */
struct hp_capture {
	char *name; /* owned: the header, "" for a slot rules fill */
	unsigned len;
};

struct http_proxy {
	char *name;               /* owned; unique among proxies */
	unsigned cap;             /* HP_CAP_* */
	enum hp_mode mode;
	const char *file;         /* the section line (owned by the config's file table) */
	int line;

	/* timeouts, milliseconds; 0 = not set (the engine's default then) */
	unsigned t_client, t_server, t_connect, t_queue, t_tunnel, t_tarpit;
	unsigned t_http_request, t_http_keep_alive, t_client_fin, t_server_fin, t_check;

	unsigned maxconn;         /* frontend maxconn; 0 = the global one */
	unsigned fullconn;
	unsigned options;         /* HP_OPT_* */
	enum hp_conn_mode conn_mode;
	struct hp_xff fwdfor, origto;
	unsigned retries;         /* default 3 */
	int redispatch_after;     /* option redispatch [N]: a connection retry
				   * goes to another server every Nth retry, or
				   * (N < 0) on the -Nth before the last; -1 (the
				   * last) without N, 0: only off a down server */
	char *monitor_uri;        /* owned or NULL */
	char *log_format;         /* owned or NULL: log-format, else httplog/tcplog's */
	struct hp_log *logs;      /* owned list; `log global` copies the global ones */
	int log_global;

	struct http_rules *rules;   /* owned (src/http/rules.h), or NULL */
	void (*rules_free)(struct http_rules *);
	struct http_errors *errors; /* owned (src/http/reply.h), or NULL */
	/* the configuration's userlists (hp_global's), which the http_auth
	 * fetches look their argument up in; set by http_rules_resolve */
	const struct hp_userlist *userlists;
	void (*errors_free)(struct http_errors *);

	/* frontend side */
	char *default_backend;    /* owned name, or NULL */
	struct hp_capture *cap_req, *cap_resp; /* owned arrays of n_cap_* */
	unsigned n_cap_req, n_cap_resp;
	/* `capture cookie NAME len N`: the first cookie whose name begins with
	 * NAME, "name=value" cut at N (<= HP_CAPTURE_COOKIE), for %CC / %CS;
	 * "" = none */
	char cap_cookie[64];
	unsigned cap_cookie_len;
	struct http_proxy *default_be; /* resolved at the end of the read */
	struct hp_stats stats;

	/* backend side */
	struct pool *pool;        /* the pool of its servers (HP_CAP_BE), else NULL */
	struct hp_balance balance;
	struct hp_cookie cookie;
	struct hp_stick_table stick; /* its own table (any proxy may have one) */
	struct hp_server defsrv;  /* default-server */

	struct http_proxy *next;
};

/* A `userlist NAME` section: its users and groups as written, each name
 * of a list checked at the end of the read (src/http/auth.h checks
 * credentials and memberships against them). */
struct hp_user {
	char *name;          /* owned */
	char *password;      /* owned: a crypt(3) hash, or the clear text if insecure */
	int insecure;        /* insecure-password */
	char *groups;        /* owned "g1,g2", or NULL */
	const char *file;    /* its line (the config's file table) */
	int line;
	struct hp_user *next;
};

struct hp_ugroup {
	char *name;          /* owned */
	char *users;         /* owned "u1,u2", or NULL */
	const char *file;
	int line;
	struct hp_ugroup *next;
};

struct hp_userlist {
	char *name;          /* owned */
	struct hp_user *users;    /* owned list, file order */
	struct hp_ugroup *groups; /* owned list, file order */
	struct hp_userlist *next;
};

/* `stats socket ... level L`: what the socket's clients may run (HAProxy's
 * ACCESS_LVL_*): user only shows, operator also clears the counters, admin
 * changes servers too.  Ordered: a command needs a level at least this. */
enum hp_level { HP_LEVEL_USER, HP_LEVEL_OPERATOR, HP_LEVEL_ADMIN };

/* One `stats socket`'s served options, beside its path. */
struct hp_stats_opts {
	unsigned mode;       /* the socket file's permissions; 0600 unless `mode` */
	enum hp_level level; /* HP_LEVEL_OPERATOR unless `level` */
};

/* haproxy.cfg's `global` section, as far as it is served.  Kept beside
 * global_defs (config->hp_global) so keepalived's grammar is untouched. */
struct hp_global {
	unsigned maxconn;         /* 0 = default */
	unsigned nbthread;        /* 0 = the CPUs the process may run on */
	unsigned hard_stop_ms;    /* hard-stop-after; 0 = wait for every connection */
	char *pidfile, *chroot, *user, *group; /* owned or NULL */
	int daemon;
	char **stats_sockets;     /* `stats socket PATH [mode M] [level L]`, owned */
	unsigned n_stats_sockets;
	struct hp_stats_opts *stats_opts; /* n_stats_sockets of them, owned */
	struct hp_log *logs;      /* owned list */
	char *log_tag;
	struct hp_userlist *userlists; /* owned list, file order */
};

#endif
