/* Health checking types.  A checker is a const struct check_ops in its own
 * file (src/check/check_<name>.c); the health core (health.c) schedules
 * attempts, enforces timeouts, counts retries, rise and fall, and turns
 * results into real-server state through the one apply path. */
#ifndef FC_CHECK_CHECK_T_H
#define FC_CHECK_CHECK_T_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/loop-t.h"
#include "model/check-t.h"

struct fulcrum;
struct real_server;
struct check_run;
struct rs_health;

struct kw;

/* What one attempt found, HAProxy 2.6's check statuses (its
 * management.txt, "check_status"): every check_done() names one, and
 * `show stat` / the stats page / /metrics say it (check_kind.c has the
 * words).  Whether the attempt passed follows from the kind
 * (check_kind_ok). */
enum check_kind {
	CK_INI,      /* initializing: no attempt ended yet (a zeroed run) */
	CK_UNK,      /* unknown (an attempt that ended without a kind) */
	CK_CHECKED,  /* the agent answered nothing of the health (neutral) */
	CK_SOCKERR,  /* a socket could not be made or watched */
	CK_L4OK,     /* connected, nothing more asked */
	CK_L4TOUT,   /* no connection before the deadline */
	CK_L4CON,    /* the connection failed (refused, reset, unreachable) */
	CK_L6OK,     /* the TLS handshake passed, nothing more asked */
	CK_L6TOUT,   /* the TLS handshake did not end before the deadline */
	CK_L6RSP,    /* the TLS handshake failed */
	CK_L7TOUT,   /* connected, no (whole) answer before the deadline */
	CK_L7RSP,    /* an answer, not what was expected (or malformed) */
	CK_L7OK,     /* the answer was the expected one */
	CK_L7OKC,    /* conditionally passed (HTTP 404 with http-check disable-on-404) */
	CK_L7STS,    /* an answer with a status the check refuses (HTTP's, Redis's, SMTP's...) */
	CK_PROCERR,  /* the external check (a script) failed */
	CK_PROCTOUT, /* the script did not end before the deadline */
	CK_PROCOK,   /* the script passed */
	CK_N
};

/* A checker: how it runs an attempt, and its own configuration.  The
 * reader (src/conf/check_kw.c) parses the keywords every checker has into
 * struct check_conf and this checker's `keywords` into the struct that
 * conf_new returns (check_conf.spec); the health core compares two
 * configurations with conf_equal to decide what a reload keeps.  Adding a
 * checker: doc/internals/model.md "Checkers". */
struct check_ops {
	enum check_type type;
	const char *name; /* as in the config: "TCP_CHECK", "HTTP_GET"... */

	/* ---- configuration ---- */
	/* The keywords of its block besides the common ones (a table ending
	 * in {NULL}; may be just that).  Their parsers get the struct
	 * check_conf being read as obj, its spec allocated. */
	const struct kw *keywords;
	/* keepalived's default retry for this checker when no level gives
	 * one (1; DNS_CHECK 3, MISC_CHECK 0). */
	unsigned retry_default;
	/* A new spec with its defaults, NULL on out of memory; conf_free
	 * frees one (NULL-safe); conf_equal: 1 if two specs check the same
	 * thing the same way (every field that changes what is checked).
	 * All three NULL for a checker without configuration of its own. */
	void *(*conf_new)(void);
	void (*conf_free)(void *spec);
	int (*conf_equal)(const void *a, const void *b);
	/* At the end of the block (NULL: nothing to do): what the block must
	 * hold (0, or -1 with a sentence in err), and any rewriting (SMTP's
	 * host { } blocks become checks of their own appended after k). */
	int (*conf_finish)(struct check_conf *k, char *err, size_t errlen);
	/* After k->virtualhost got its inherited value (real_server, then
	 * virtual_server level), or NULL: HTTP_GET / SSL_GET take the
	 * level's virtualhost and resolve enable_sni. */
	void (*conf_inherit)(struct check_conf *k, const char *virtualhost);
	/* The deadline of one attempt, or NULL for connect_timeout (the
	 * common rule); MISC_CHECK: misc_timeout, else the interval. */
	unsigned (*attempt_timeout_ms)(const struct check_conf *k, unsigned interval_ms);
	/* The command line this checker runs, its user (NULL: script_user)
	 * and what names it in messages ("MISC_CHECK misc_path"), for
	 * enable_script_security; NULL for a checker that runs none. */
	const char *(*script)(const struct check_conf *k, const char **user, const char **what);
	/* A failed attempt (check_done with ok 0, the core's deadline) says
	 * nothing of the server: it is counted in neither direction and the
	 * verdict stays (HAProxy's agent-check: an agent that cannot be
	 * reached is not the server failing).  Such a checker gives its
	 * verdicts another way (AGENT_CHECK: check_agent_result). */
	int fail_neutral;

	/* ---- running ---- */
	/* Start one attempt.  The attempt ends with exactly one call of
	 * check_done(run, ...), later from a loop callback or at once from
	 * start itself (e.g. socket() failed).  The core arms its own deadline
	 * (attempt_timeout_ms, else connect_timeout) and calls cancel when it
	 * passes; the checker needs no timer of its own for that. */
	void (*start)(struct check_run *run);
	/* Abort the attempt in progress: close and free everything in
	 * run->priv, do NOT call check_done.  Called on timeout, reload, stop.
	 * Must be harmless when no attempt is in progress. */
	void (*cancel)(struct check_run *run);
};

/* One checker of one real server, at run time.  Owned by the health core;
 * a checker only touches ->priv and reads the rest. */
struct check_run {
	const struct check_ops *ops;
	const struct check_conf *conf; /* the model's; valid while the run lives */
	struct fc_addr target;    /* where to connect: connect_ip/port, else the server's */
	const struct fc_addr *rs_addr; /* the real server's own address */
	const struct real_server *rs; /* read only (FILE_CHECK reads its weight); kept
				       * current by the core across reloads; may be NULL */
	const char *vhost;        /* Host: for HTTP (conf, else the VS's virtualhost), or NULL */
	struct loop *loop;
	struct fulcrum *fc;
	struct rs_health *owner;  /* the server's health state (health.c) */
	void *priv;               /* the checker's attempt state; NULL when idle */

	/* kept by the core */
	struct ev_timer timer;    /* next attempt, or the deadline of this one */
	int in_progress;
	int up;                   /* this checker's verdict: 1 up, 0 down */
	unsigned fails;           /* consecutive failed attempts */
	unsigned oks;             /* consecutive successful attempts */
	unsigned retries_left;    /* keepalived retry / nb_get_retry */
	uint64_t n_ok, n_fail;    /* totals */
	uint64_t last_ms;         /* end of the last attempt (monotonic) */
	uint64_t changed_ms;      /* last verdict change */
	uint32_t last_latency_ms;
	int dyn_weight;           /* MISC_CHECK misc_dynamic: weight asked, -1 = none */
	char reason[192];         /* last result, e.g. "connection refused" */
	enum check_kind kind;     /* last result's kind; CK_INI before the first */
	enum check_kind tout;     /* the kind the deadline gives now: CK_L4TOUT
				   * at the start (CK_PROCTOUT for a script), a
				   * checker moves it on (check_stage) */
	int code;                 /* check_code of the attempt: an HTTP status, or
				   * 0 (set before check_done; 0 at the start) */
	int last_code;            /* code of the last result (check_done keeps it:
				   * the next attempt starts from 0) */
};

/* The head of a byte-stream attempt that may speak TLS (EXPECT_CHECK,
 * PGSQL_CHECK, MYSQL_CHECK): the FIRST member of such a checker's attempt
 * struct (run->priv), so that check_att_release() finds the watcher and the
 * check_stream_*() helpers (check.h) end, watch and wait for TLS the same
 * way for every one of them. */
struct ssl_st;
struct check_stream {
	struct ev_io io;        /* first: check_att_release() */
	struct check_run *run;
	struct ssl_st *ssl;     /* the TLS session once started, else NULL */
	/* frees what the checker's struct holds beyond this head (buffers,
	 * secrets), before the struct itself goes; NULL = nothing */
	void (*free_parts)(struct check_stream *s);
};

#endif
