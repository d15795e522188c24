/* Types of the haproxy.cfg reader (src/conf/haproxy*.c).
 *
 * haproxy.cfg is read line by line: a line is split into words
 * (haproxy_lex.c: quotes, escapes, ${ENV}, the .if blocks), a word at the
 * start of a line that names a section (global, defaults, frontend,
 * backend, listen, userlist, http-errors...) opens it, any other line is a
 * keyword of the section open.  A proxy section is built straight into the
 * model (struct http_proxy, its pool and its servers); what only makes
 * sense once the whole section is read -- the health checks of its
 * servers, which depend on `option httpchk` wherever it stands, and the
 * services of its binds, whose pool is the default backend's -- is kept in
 * the structs below and finished at the end of the file. */
#ifndef FC_CONF_HAPROXY_T_H
#define FC_CONF_HAPROXY_T_H

#include <stdint.h>

#include "core/addr.h"
#include "core/tls_cli.h"
#include "core/tls_srv.h"
#include "model/model-t.h"

#define HP_MAX_ARGS   64	  /* words of one line (haproxy's MAX_LINE_ARGS) */
#define HP_MAX_LINE   (64u << 10) /* longest line, after ${ENV} expansion */
#define HP_MAX_NEST   32	  /* nested .if blocks */
#define HP_COMPAT_VER "2.6"	  /* the haproxy version fulcrum answers for */

/* One line split into words: args[i] point into buf. */
struct hp_words {
	char *args[HP_MAX_ARGS + 1]; /* NULL after the last */
	int n;
	char *buf; /* owned */
};

/* The .if/.elif/.else/.endif nesting. */
struct hp_cond {
	struct {
		int active; /* lines of this branch are read */
		int taken;  /* a branch of this block was true already */
		int in_else;
		int line;   /* where the .if is, for "unterminated" */
	} lvl[HP_MAX_NEST];
	int depth;
};

/* How the servers of a proxy are checked (option httpchk, tcp-check...). */
enum hp_chk_kind {
	HP_CHK_TCP,	 /* `check` alone: a TCP connect */
	HP_CHK_HTTP,	 /* option httpchk */
	HP_CHK_TCPCHECK, /* option tcp-check + tcp-check send/expect */
	HP_CHK_PGSQL,	 /* option pgsql-check user U */
	HP_CHK_MYSQL,	 /* option mysql-check user U */
	HP_CHK_SMTP,	 /* option smtpchk */
	HP_CHK_REDIS,	 /* option redis-check */
};

enum hp_expect {
	HP_EXP_NONE,	/* HTTP: 2xx and 3xx pass, as haproxy */
	HP_EXP_STATUS,	/* http-check expect status N[,N...] */
	HP_EXP_RSTATUS, /* http-check expect rstatus RE */
	HP_EXP_STRING,	/* http-check expect string S */
	HP_EXP_RSTRING, /* http-check expect rstring RE */
};

/* Fixed-size on purpose: a defaults section's copy into a proxy is a
 * struct assignment. */
struct hp_chk {
	int kind;	   /* enum hp_chk_kind */
	char meth[16];	   /* "" = OPTIONS (haproxy's default) */
	char uri[1024];	   /* "" = "/" */
	char ver[16];	   /* "" = HTTP/1.0 */
	char host[256];	   /* a Host header sent (http-check send hdr Host, or in ver) */
	char hdrs[1024];   /* http-check send hdr N V...: "n: V\r\n" lines, Host's too */
	char body[1024];   /* http-check send body B */
	int expect;	   /* enum hp_expect */
	int expect_neg;	   /* `!` before the pattern */
	char pattern[512]; /* status list / regex / string */
	char user[64];	   /* pgsql-check / mysql-check user */
	char send[1024];   /* tcp-check send(-binary), concatenated */
	char rx[512];	   /* tcp-check expect: a regex of what the reply holds */
	int n_expect;
	uint16_t port;	   /* tcp-check connect port N */
	const char *file;  /* where the kind was chosen (errors about it) */
	int line;
};

/* A server's check options beyond struct hp_server (reader only). */
struct hp_srv {
	struct real_server *rs; /* in its proxy's pool (NULL in a default-server) */
	int check;		/* `check` given (else always up) */
	int weight;		/* -1: not given (default-server only) */
	uint16_t check_port;	/* `port N`: checks go there */
	struct fc_addr check_addr; /* `addr A`: checks go there (family 0: the server's) */
	int no_port;		/* written without :PORT: the frontend's port */
	int agent;		/* `agent-check` given: an AGENT_CHECK too */
	uint16_t agent_port;	/* agent-port (required with agent-check) */
	struct fc_addr agent_addr; /* agent-addr (family 0: the server's) */
	unsigned agent_inter_ms;   /* agent-inter, 0 = 2 s */
	char agent_send[256];	/* agent-send, escapes decoded by the lexer; "" = none */
	int ssl;		/* `ssl`: TLS toward the server (haproxy_srv_ssl.c) */
	struct tls_cli_opts tls; /* its options (ssl-default-server-* first) */
	char sni[512];		/* `sni EXPR` as written, "" = none */
	int check_ssl;		/* check-ssl; with ssl and no check port, too */
	char check_sni[256];	/* check-sni NAME, "" = none */
	struct hp_srv *next;
};

/* A `bind` address, made into a service at the end (its pool is the
 * default backend's, known only then). */
struct hp_bind {
	struct virtual_server *vs; /* owned until added to the config */
	struct hp_bind *next;
};

/* A line of a defaults section that belongs to a module above the model
 * (errorfile, http-request...): replayed into every proxy that takes the
 * defaults, at its start. */
struct hp_deferred {
	char **args; /* owned, nargs of them, each owned */
	int nargs;
	const char *file;
	int line;
	struct hp_deferred *next;
};

/* A bind line's TLS words (haproxy_ssl.c), made into the listeners'
 * struct tls_srv once the line is read. */
struct hp_bind_ssl {
	int ssl;		  /* `ssl` given */
	struct hp_crt {
		char *path;	  /* owned; a crt's with crt-base applied */
		int list;	  /* a crt-list: read at the end of the line */
	} *crt;			  /* owned, ncrt of them, in the line's order */
	unsigned ncrt;
	struct tls_bind_opts o;	  /* from the global ssl-default-bind-* on */
};

/* A bind's certificates once its crt-lists are read (haproxy_crtlist.c):
 * what tls_srv_new loads. */
struct hp_crtlist {
	struct tls_crt *crt; /* owned, with their paths, options and filters */
	unsigned n;
};

/* One proxy section being read (or a defaults section). */
struct hp_px {
	struct http_proxy *hp; /* defaults: owned here; else owned by the config */
	int is_defaults;
	struct hp_chk chk;
	struct hp_srv defsrv;	 /* default-server's check options */
	struct hp_srv *servers;	 /* owned list */
	/* fulcrum-pacemaker-servers / fulcrum-server-script: the default-server
	 * in force there, on a template server (src_srv.rs, owned) whose
	 * options and checks its source's servers get (haproxy_source.c) */
	struct hp_srv src_srv;
	struct hp_bind *binds;	 /* owned list */
	struct hp_deferred *deferred; /* defaults only */
	char sched[16];		 /* balance's scheduler; "" = the pool's default (wrr) */
	int default_backend_line;
	int log_format_line; /* where log-format was given (its errors' line) */
	struct hp_px *next;
};

enum hp_section {
	HP_SEC_NONE,
	HP_SEC_GLOBAL,
	HP_SEC_PROXY, /* defaults, frontend, backend, listen */
	HP_SEC_USERLIST,
	HP_SEC_HTTP_ERRORS,
	HP_SEC_IGNORED, /* resolvers, peers...: accepted, not read */
};

/* The reader's state. */
struct hp_read {
	struct config *cfg;
	struct conf_diag *d;
	const char *file; /* the config's interned name */
	int line;
	struct hp_cond cond;
	enum hp_section sec;
	struct hp_px *cur;	/* HP_SEC_PROXY */
	char *errsec;		/* HP_SEC_HTTP_ERRORS: its name */
	struct hp_px *pxs;	/* every proxy and defaults section, file order (owned) */
	struct hp_px *last_def; /* the last defaults section, or NULL */
	struct hp_userlist *ul; /* HP_SEC_USERLIST: the one being read (in hp_global), or NULL */
	int fuzz;		/* fuzzing: never touch the file system */
	/* global crt-base and ssl-default-bind-* (haproxy_ssl.c): what a
	 * bind's ssl starts from */
	char crt_base[1024];
	char ca_base[1024];	/* ca-base: under it, the relative ca-file, crl-file */
	struct tls_bind_opts ssl_bind;
	/* ssl-default-server-* (what a server's ssl starts from) and
	 * ssl-server-verify (a server's verify when it says none) */
	struct tls_cli_opts ssl_server;
	enum tls_verify ssl_server_verify;
};

#endif
