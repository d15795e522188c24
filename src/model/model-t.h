/* The model: what fulcrum is asked to serve.  Plain data, no I/O.
 *
 * Readers (src/conf/) build a struct config; apply (src/daemon/apply.c)
 * hands each virtual service to its engine.  Run-time state that must
 * outlive a reload (counters, health, connections) lives in struct rs_live /
 * struct vs_live, which are reference-counted and carried from the old model
 * to the new one when the same server appears in both.
 *
 * Ownership: a config owns its services (virtual servers) and its pools;
 * a pool owns its real servers and their check_confs; each owns its strings
 * and one reference on its live object.  Several services may point to one
 * pool.  Engines and connections take their own references.
 */
#ifndef FC_MODEL_MODEL_T_H
#define FC_MODEL_MODEL_T_H

#include <stdint.h>

#include "core/addr.h"
#include "model/check-t.h"
#include "model/ctr-t.h"
#include "model/vrrp-t.h"
#include "model/http_proxy-t.h"
#include "model/source-t.h"

struct tls_srv; /* core/tls_srv.h */

enum fwd_method {
	FWD_NAT,   /* lb_kind NAT: served by the userspace proxy here (no IPVS) */
	FWD_DR,    /* lb_kind DR: XDP engine (src/xdp/, MAC rewrite) */
	FWD_TUN,   /* lb_kind TUN: XDP engine (src/xdp/, IPIP / IPv6-in-IPv6) */
	FWD_PROXY, /* lb_kind PROXY: fulcrum extension, userspace full proxy */
};

/* What an operator did to a real server at run time. */
enum rs_admin {
	RS_ADMIN_ENABLED,
	RS_ADMIN_DRAIN,    /* no new clients; persistent clients and open conns stay */
	RS_ADMIN_DISABLED, /* no new connections at all, templates dropped */
};

enum rs_health_state { /* (tag apart from the health core's struct rs_health) */
	RS_HEALTH_UP,
	RS_HEALTH_DOWN,
};

/* Rates per second, estimated as IPVS does (2 s samples, EWMA). */
struct fc_rates {
	double cps, inpps, outpps, inbps, outbps;
};

struct rate_est {
	struct fc_stats last;   /* counters at the previous sample */
	uint64_t last_ms;
	struct fc_rates rate;
};

struct hstream;

/* A queue of the HTTP engine (src/proxy/http_queue.c): requests waiting
 * for a slot under a server's `maxconn`, first in first out, touched only
 * under its backend's mutex (hq_lock).  A server's own (rs_live.q: requests its
 * persistence cookie or stick entry sends to it) and a backend's (struct
 * hbe: the others).  cur and max are `show stat`'s qcur and qmax. */
struct srv_queue {
	struct hstream *head, *tail;
	/* written under the HTTP backend's mutex (src/proxy/http_queue.c),
	 * read with none by show stat: atomics, a moment's figure */
	_Atomic uint32_t cur, max;
	uint32_t idx; /* requests it gave a slot so far (the log's %sq/%bq) */
	_Atomic unsigned refs; /* a backend's: its pools (carried across reloads)
				* and the engine's tables of it (taken by a
				* worker, dropped by a model's free: atomic) */
};

/* Run-time state of a real server, shared by every model generation that
 * lists it and by every connection to it.  refs, the connection counts and
 * the counters are atomics: a worker places and closes an L4 connection
 * without the engine lock (doc/internals/threads.md, "The two rules");
 * plain ++/-- on them are atomic read-modify-writes, a plain read a
 * moment's figure.
 *
 * The state that says whether a server takes requests (health, admin,
 * held, maint, dyn_set, dyn_weight, and real_server.cur_weight) is atomic
 * too: the main thread writes it (checks, control commands) while the
 * HTTP engine's workers read it with no engine lock (a persistence
 * cookie's or stick entry's server, a backend table's signature).  Plain
 * accesses elsewhere are sequentially consistent; the readers on the
 * request path (rs_available, rs_effective_weight) load it relaxed: each
 * field is advisory on its own, nothing else is published through it (a
 * reader that acts on a state follows no pointer it guards), and a request
 * that sees a change a moment late is one that came a moment earlier, as
 * with the engine lock it could have.  The rest is under the engine lock. */
struct rs_live {
	_Atomic unsigned refs;
	_Atomic uint32_t activeconns; /* TCP: established; UDP: sessions */
	_Atomic uint32_t inactconns;  /* TCP: connecting or closing */
	uint32_t smax;          /* most activeconns at once (ctr_cur_up) */
	struct ctr ctr;         /* per thread, summed when read (model/ctr.h) */
	struct rate_est est;
	_Atomic enum rs_health_state health;
	_Atomic enum rs_admin admin;
	char reason[128];       /* why health is what it is */
	uint64_t since_ms;      /* when health last changed (monotonic) */
	_Atomic int held;       /* health core: up but out of the pool (quorum lost
				 * with a sorry server, or an idle sorry server) */
	_Atomic int dyn_set;    /* health core: a checker set the weight in force */
	_Atomic int dyn_weight; /* (MISC_CHECK misc_dynamic, FILE_CHECK), if dyn_set */
	_Atomic int maint;      /* forced down by a file in maintenance_dir */
	/* show stat's chkfail (checks failed while the server was up), chkdown
	 * (UP to DOWN transitions) and downtime (ms down, until since_ms when
	 * down now): the health core's, under the engine lock */
	uint64_t chkfail, chkdown, down_ms;
	struct srv_queue q;     /* mode http: waiting for this server (a waiting
				 * request holds a reference: empty when freed) */
};

struct vs_live {
	_Atomic unsigned refs;                      /* atomics, as rs_live's */
	_Atomic uint32_t activeconns, inactconns;
	uint32_t smax;          /* most activeconns at once (ctr_cur_up) */
	struct ctr ctr;         /* per thread, summed when read (model/ctr.h) */
	struct rate_est est;
};

/* Run-time figures of a backend (a pool) of its own, carried across
 * reloads by the pool's name as a server's rs_live is: the rates and time
 * averages of every transaction the backend took, and the counts of what
 * no server had a part in (a request answered 503 without a server, a
 * backend's own deny); `show stat`'s BACKEND row adds its servers'
 * counts to these (src/stats/hastat.c). */
struct be_live {
	_Atomic unsigned refs;
	struct ctr ctr;         /* per thread, summed when read (model/ctr.h) */
	/* the backend's own state, HAProxy's: DOWN while none of its servers
	 * can take a request (health_be_observe, check/health_hastat.c):
	 * since when (0: not observed yet), its DOWN transitions (chkdown)
	 * and the time spent DOWN before the current state (downtime) */
	int down;
	uint64_t since_ms, chkdown, down_ms;
};

struct tls_cli; /* core/tls_cli.h */

/* A server of a pool.  name is its identity within the pool across
 * reloads (config_carry_live): a reader that has names gives them (haproxy),
 * the others get "IP:PORT" (vs_add_rs / config_add_vs fill it in). */
struct real_server {
	char *name;              /* owned; unique within its pool */
	struct fc_addr addr;
	int weight;              /* configured weight, 0..65535; default 1 */
	_Atomic int cur_weight;  /* weight in force (set weight changes it; atomic
				  * as rs_live's state, read by the HTTP workers) */
	int inhibit_on_failure;  /* -1 = as the virtual server says */
	unsigned uthreshold;     /* IPVS upper connection threshold, 0 = none */
	unsigned lthreshold;
	char *notify_up, *notify_down;
	struct check_conf *checks; /* owned list (from_source: its source's, not owned) */
	const char *file;        /* owned by the config's file table */
	int line;

	struct rs_live *live;    /* one reference held */
	void *health;            /* the health core's state (src/check/health.c) */
	struct hp_server *hp;    /* haproxy.cfg's server options (owned), or NULL */
	struct tls_cli *tls;     /* `ssl`: TLS toward the server (one reference,
				  * core/tls_cli.h), or NULL: plain */
	int from_source;         /* put there by the pool's source (src/cluster/), not the file */
	struct real_server *next;
};

/* Scheduler flags, as ipvsadm -b / keepalived lvs_sched flags */
#define SCHED_F_FALLBACK 0x1 /* sh/mh: skip unavailable servers */
#define SCHED_F_PORT     0x2 /* sh/mh: hash the client port too */
#define SCHED_F_3        0x4

/* A pool: the set of servers one or more services send clients to, and
 * whatever belongs to that set rather than to a listener: the scheduler,
 * the sorry server, quorum, and the defaults of the servers and their checks
 * (doc/internals/model.md, "Services and pools", gives the rule field by
 * field).  Named; the name is its identity across reloads.  A keepalived
 * virtual_server is one service and its own pool, named after the service
 * ("TCP 10.0.0.1:80", "FWM 5"). */
struct pool {
	char *name;              /* owned; unique within the config (the readers see to it) */
	struct real_server *rs;  /* owned list, config order */
	unsigned n_rs;
	char sched[16];          /* lb_algo / lvs_sched; default "wlc" */
	unsigned sched_flags;    /* SCHED_F_* */
	struct real_server *sorry;   /* sorry_server, or NULL (owned) */
	int sorry_inhibit;
	int inhibit_on_failure;  /* the servers' default */
	int alpha, omega;        /* the checks' defaults (alpha: start down) */
	unsigned quorum, hysteresis;
	char *quorum_up, *quorum_down;
	unsigned delay_loop_ms;  /* the checks' default interval; default 60000 (keepalived) */
	char *virtualhost;       /* the HTTP checks' default Host */
	const char *file;        /* where it was defined (owned by the config's file table) */
	int line;

	int in_config;           /* 1 once config_add_pool took it: the config owns it;
				  * 0 while it is a service's own pool not yet added (vs_free
				  * frees it then) */
	void *health;            /* the health core's state (quorum, the servers' checks) */
	struct http_proxy *http; /* haproxy.cfg: the backend (or listen) section, or NULL */
	struct pool_source *source; /* pacemaker_real_servers / real_server_script (owned), or NULL */
	struct srv_queue *_Atomic q; /* mode http: the backend's queue, one reference (made
				  * by the HTTP engine at first use, by a worker with no
				  * engine lock: published with a release store; carried
				  * across reloads: its requests keep their turn), or NULL */
	struct be_live *live;    /* one reference held; never NULL once made */
	struct pool *next;
};

/* A service: what clients reach (a VIP:port and protocol, or a firewall
 * mark), how packets get to the servers and what the listener keeps per
 * client; the servers themselves are its pool's. */
struct virtual_server {
	int protocol;            /* IPPROTO_TCP (default) or IPPROTO_UDP */
	struct fc_addr addr;     /* VIP and port */
	uint32_t fwmark;         /* fwmark services: read, refused for now */
	char *group;             /* virtual_server group NAME, or NULL */
	enum fwd_method fwd;     /* lb_kind / lvs_method; default NAT */
	unsigned persistence_timeout; /* seconds; 0 = no persistence */
	unsigned persistence_prefix;  /* granularity as prefix length; default 32/128 */
	int ha_suspend;          /* checks of the pool suspended while the VIP is not local */

	/* userspace proxy timeouts (fulcrum extensions, see doc/config.md) */
	unsigned connect_timeout_ms; /* default 5000 */
	unsigned idle_timeout_ms;    /* TCP idle; default 900000 (IPVS established) */
	unsigned udp_timeout_ms;     /* UDP session; default 300000 (IPVS udp) */
	unsigned connect_retries;    /* other real servers tried after a failed connect; default 2 */

	struct pool *pool;           /* never NULL; vs_new() gives the service its own */
	struct http_proxy *http;     /* haproxy.cfg: the frontend (or listen) it binds for, or NULL */
	int bind_fd;                 /* haproxy.cfg `bind fd@N`: an inherited listening socket; -1 none */
	int bind_h2;                 /* haproxy.cfg `bind ... proto h2`: clients speak HTTP/2 (h2c) */
	struct tls_srv *tls;         /* haproxy.cfg `bind ... ssl crt ...`: the listener's TLS
				      * (one reference, core/tls_srv.h), or NULL: plain */
	const char *file;
	int line;

	struct vs_live *live;        /* one reference held */
	void *engine_priv;           /* the engine's state; moves across reloads */
	struct virtual_server *next;
};

/* vrrp_/checker_ priority, rt_priority, rlimit_rttime, no_swap
 * (src/conf/proc_kw.c reads them, src/daemon/proc_tune.c applies them) */
struct proc_tuning {
	int nice;                  /* priority: nice value, if nice_set */
	int nice_set;
	int rt_priority;           /* SCHED_RR priority 1..99; 0 = not asked */
	unsigned rlimit_rttime_us; /* 0 = default (10000 with rt_priority) */
	int no_swap;               /* lock memory */
};

/* global_defs xdp_mode (fulcrum extension): how the XDP engine attaches. */
enum fc_xdp_mode {
	FC_XDP_MODE_AUTO,    /* native, else generic with a warning (default) */
	FC_XDP_MODE_NATIVE,  /* native only: a driver without XDP is an error */
	FC_XDP_MODE_GENERIC, /* generic (skb) mode only */
};

#define FC_XDP_MAX_IFS 16 /* xdp_interface names at most */

/* global_defs proxy_relay (fulcrum extension): how the userspace proxy
 * moves the bytes of a relayed TCP connection (doc/internals/sockmap.md). */
enum fc_proxy_relay {
	FC_RELAY_AUTO,	  /* the measured best: today copy, splice for bulk (default) */
	FC_RELAY_COPY,	  /* recv/send through a buffer only */
	FC_RELAY_SPLICE,  /* splice(2) through a pipe only */
	FC_RELAY_SOCKMAP, /* the kernel relays (BPF sockmap); else auto */
};

/* nbthread's upper bound (haproxy's MAX_THREADS of a default build) */
#define FC_NBTHREAD_MAX 64

struct global_defs {
	char *control_socket;    /* default /run/fulcrum/fulcrum.sock */
	char *router_id;
	struct proc_tuning vrrp_proc, checker_proc;
	/* XDP engine (lb_kind DR/TUN), fulcrum extensions; see doc/xdp.md */
	char **xdp_interfaces;   /* xdp_interface IF...: owned, n_xdp_interfaces of them;
				  * none = each VIP's own interface */
	unsigned n_xdp_interfaces;
	enum fc_xdp_mode xdp_mode;
	enum fc_proxy_relay proxy_relay;
	unsigned nbthread;       /* userspace engine threads (nbthread); 0 = the CPUs the process may run on */
	/* scripts and privileges; see doc/security.md */
	int script_security;     /* enable_script_security: unsafe scripts refused */
	char *script_user;       /* script_user, else keepalived's default (conf/script_check.c);
				  * NULL = scripts run as the daemon */
	char *run_as_user;       /* run_as_user, run_as_group, chroot_dir (fulcrum extensions): */
	char *run_as_group;      /* NULL = stay root / the user's group / no chroot */
	char *chroot_dir;
	/* ldirectord.cf's autoreload, maintenancedir and callback (read by
	 * src/conf/ldirectord*.c; keepalived.conf has no equivalent): */
	int autoreload;          /* watch the configuration file(s); a change is re-applied
				  * through the reload path, as SIGHUP does */
	char *maintenance_dir;   /* NULL = none; a file there named after a real server
				  * (ip, ip:port, host, host:port) forces it down */
	char *reload_callback;   /* NULL = none; run with the file's name after autoreload
				  * applied a change */
	const char *reload_callback_file; /* where it was given (the config's file table), */
	int reload_callback_line;         /* for the script check's file:line */
	/* stats_listen, stats_uri, stats_auth... (fulcrum extensions, src/conf/stats_kw.c):
	 * the stats page and /metrics of a keepalived/ldirectord director.  While
	 * reading, the keywords fill stats_px (owned, NULL until the first of them);
	 * at the end of the read it moves to http_proxies as a frontend that only
	 * serves the page (a service on stats_addr, src/stats/web.h) and stats_px
	 * is NULL again. */
	struct http_proxy *stats_px;
	struct fc_addr stats_addr;       /* stats_listen ADDR:PORT */
	int stats_listen_set;
	const char *stats_file;          /* where stats_listen was given (the file table) */
	int stats_line;
};

struct config {
	struct global_defs global;
	struct virtual_server *vs;   /* owned list, config order */
	unsigned n_vs;
	struct pool *pools;          /* owned list, config order; services point into it */
	unsigned n_pools;
	char **files;                /* every file read; file pointers point here */
	unsigned n_files;
	unsigned n_warnings;         /* warnings printed while reading */
	struct vrrp_config vrrp;     /* vrrp_instance/_script/_sync_group (run by src/vrrp/vrrp_run.c) */
	struct http_proxy *http_proxies; /* haproxy.cfg's proxy sections (owned list, file order) */
	unsigned n_http_proxies;
	struct hp_global *hp_global; /* haproxy.cfg's global section (owned), or NULL */
	struct http_errors *hp_errsections; /* `http-errors` sections while reading (src/http/reply.h) */
};

#endif
