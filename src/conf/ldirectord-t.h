/* Types of the ldirectord.cf reader (src/conf/ldirectord*.c).
 *
 * ldirectord reads its file line by line: `key=value` at column 0 is a
 * global setting or starts a `virtual=` section; the lines of a section are
 * indented (a tab or at least 4 spaces).  Settings apply wherever they are
 * in the file (a global checktimeout after the virtuals still counts), so
 * the reader first collects everything into the structs below and builds
 * the model (struct virtual_server...) once the whole file is read. */
#ifndef FC_CONF_LDIRECTORD_T_H
#define FC_CONF_LDIRECTORD_T_H

#include <stdint.h>

#include "core/addr.h"
#include "kw/kw-t.h"

#define LD_UNSET     (-1)	 /* a number or yes/no not given at this level */
#define LD_MAX_RANGE 4096	 /* real servers one `real=A->B` line may produce */
#define LD_MAX_LINE  (64u << 10) /* longest line read */

enum ld_checktype {
	LD_CT_NEGOTIATE, /* ldirectord's default */
	LD_CT_CONNECT,
	LD_CT_EXTERNAL,
	LD_CT_EXTERNAL_PERL,
	LD_CT_PING,
	LD_CT_ON,
	LD_CT_OFF,
	LD_CT_COMBINED, /* checktype=N: N connects, then one negotiate */
};

/* service=, in ldirectord's order; LD_SVC_NONE is also the guess for a
 * port it knows nothing of. */
enum ld_service {
	LD_SVC_DNS,
	LD_SVC_FTP,
	LD_SVC_HTTP,
	LD_SVC_HTTPS,
	LD_SVC_HTTP_PROXY,
	LD_SVC_IMAP,
	LD_SVC_IMAPS,
	LD_SVC_LDAP,
	LD_SVC_MYSQL,
	LD_SVC_NNTP,
	LD_SVC_NONE,
	LD_SVC_ORACLE,
	LD_SVC_PGSQL,
	LD_SVC_POP,
	LD_SVC_POPS,
	LD_SVC_RADIUS,
	LD_SVC_SIMPLETCP,
	LD_SVC_SIP,
	LD_SVC_SMTP,
	LD_SVC_SUBMISSION,
};

/* fallback= / fallback6=: `host[:port] [gate|masq|ipip]`. */
struct ld_fallback {
	int set;
	struct fc_addr addr; /* the address; port 0 = the virtual's */
	char port[32];	     /* as written (a number or a service name), "" = none */
	int fwd;	     /* enum fwd_method, or LD_UNSET: the virtual's method */
	const char *file;    /* owned by the config's file table */
	int line;
};

/* What may be given globally and overridden per virtual (LD_UNSET / NULL /
 * .set 0: not given at this level). */
struct ld_settings {
	int checktimeout, negotiatetimeout; /* seconds; mutual defaults, see ld_timeouts() */
	int checkinterval;		    /* seconds */
	int checkcount, failurecount;
	int quiescent, cleanstop;     /* yes 1 / no 0 */
	struct ld_fallback fallback;  /* a virtual's (of its family), or the global IPv4 one */
	struct ld_fallback fallback6; /* global only: the IPv6 virtuals' */
	char *fallbackcommand;	      /* owned */
};

/* A `real=` line kept for the end of its section: its port may be a
 * service name, resolved for the section's protocol (known only then). */
struct ld_real_line {
	char *text; /* after "real=", owned */
	int six;    /* written real6= */
	const char *file;
	int line;
	struct ld_real_line *next;
};

/* One virtual= / virtual6= section. */
struct ld_virtual {
	const char *file; /* where `virtual=` is */
	int line;
	int af;		 /* AF_INET (virtual=) or AF_INET6 (virtual6=) */
	char *where;	 /* the value of virtual=, owned: resolved at the end */
	uint32_t fwmark; /* virtual=N */
	int protocol;	 /* IPPROTO_TCP / IPPROTO_UDP; 0 = fwm; LD_UNSET = guess */
	struct ld_settings set;

	int checktype;	       /* enum ld_checktype */
	unsigned num_connects; /* checktype=N */
	int service;	       /* enum ld_service, or LD_UNSET: guessed from the port */
	char *request;	       /* "/" + what was written, as ldirectord; NULL = "/" */
	char *receive;	       /* a regular expression; NULL = "" */
	int head;	       /* httpmethod=HEAD */
	char *virtualhost;
	char *checkcommand; /* external checks; NULL = /bin/true */
	uint16_t checkport; /* 0 = the real server's port */
	/* The negotiation credentials of ftp, imap, pop, ldap, radius and the
	 * database services.  Read and kept here only: the database checks of
	 * issue 13 (mysql, pgsql, oracle) are to take them from here when they
	 * land; until then those services are TCP connects (ldirectord_check.c). */
	char *login, *passwd, *database, *secret;
	int lines_checkinterval; /* line of a per-virtual checkinterval, for the fork=no warning */

	char sched[16];	  /* scheduler=; "" = wrr */
	int persistent;	  /* seconds, LD_UNSET = none */
	unsigned netmask; /* persistence prefix; 0 = the address length */
	int ops;

	struct ld_real_line *reals; /* in file order */
	/* pacemaker_* / real_server_script (ldirectord_source.c): owned until
	 * the pool takes it, or NULL */
	struct pool_source *source;
	int forward;	  /* forward=gate|masq|ipip (enum fwd_method); LD_UNSET = the real= lines' */
	int forward_line;
	struct ld_virtual *next;
};

/* The reader's state (kw_ctx.reader while reading). */
struct ld_read {
	struct ld_settings global;
	int fork;		/* fork=yes */
	struct ld_virtual *vs;	/* every section, in file order */
	struct ld_virtual *cur; /* the section lines are added to, or NULL */
	struct token kw, val;	/* the line being read, as the kw helpers want it */
};

#endif
