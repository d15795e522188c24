/* The keepalived.conf reader: the top level, virtual_server(_group),
 * real_server and sorry_server.  global_defs is in global_kw.c, checker
 * blocks in check_kw.c, VRRP blocks in vrrp_kw.c, the keywords fulcrum
 * knowingly ignores in ignored.c. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/ka.h"
#include "conf/script_check.h"
#include "conf/source_kw.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"
#include "sched/sched.h"

#define VSG_MAX_EXPAND 4096 /* virtual servers one group may produce */

/* One entry of a virtual_server_group. */
struct vsg_entry {
	struct fc_addr addr; /* first address and the port */
	unsigned count;	     /* addresses in the range (1 for a plain entry) */
	uint32_t fwmark;     /* fwmark entry, or 0 */
	const char *file;
	int line;
};

struct vsg {
	char *name;
	struct vsg_entry *e;
	unsigned n;
	const char *file;
	int line;
	struct vsg *next;
};

/* A virtual_server group NAME whose group was not defined yet. */
struct vsg_pending {
	const struct token *kw; /* the virtual_server keyword */
	char *group;
	size_t body; /* token index just after its '{' */
	struct vsg_pending *next;
};

/* What only this grammar keeps while reading (kw_ctx.reader): groups are
 * expanded where a virtual_server names them, or at the end for those
 * defined further down. */
struct ka_state {
	struct vsg *groups;
	struct vsg_pending *pending;
};

#define KA(c) ((struct ka_state *)(c)->reader)

int conf_sched_known(const char *name)
{
	return sched_find(name) != NULL;
}

/* An error at a position that is not a token (a group entry). */
static void report_at(struct kw_ctx *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_at(struct kw_ctx *c, const char *file, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (c->silent) {
		c->silent_errors++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_report(c->d, DIAG_ERROR, file, line, "%s", msg);
}

/* ---- real_server, sorry_server ---- */

static int rs_addr(struct kw_ctx *c, struct vs_state *vss, const struct kw_stmt *st,
		   struct fc_addr *a, char *err, size_t errlen)
{
	char e[ERRLEN];

	if (addr_parse_ip(st->args[0].text, a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "%s: %s", st->kw->text, e);
	a->port = vss->vs->addr.port;
	if (st->argc > 1 && addr_parse_port(st->args[1].text, &a->port, 0, e, sizeof(e)) < 0)
		return err_set(err, errlen, "%s: %s", st->kw->text, e);
	if (!a->port && !vss->vs->fwmark && vss->vs->addr.family)
		return err_set(err, errlen, "%s: needs a port", st->kw->text);
	return 0;
}

static int p_weight(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct rs_state *rss = obj;
	unsigned w;

	if (kw_uint(st, 0, 0, 65535, &w, err, errlen) < 0)
		return -1;
	rss->rs->cur_weight = rss->rs->weight = (int)w;
	return 0;
}

/* lb_kind / lvs_method */
static const struct kw_enum fwd_names[] = {
    {"NAT", FWD_NAT}, {"DR", FWD_DR}, {"TUN", FWD_TUN}, {"PROXY", FWD_PROXY}, {NULL},
};

static int p_rs_method(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	int f;

	if (kw_enum(st, 0, fwd_names, &f, err, errlen) < 0)
		return -1;
	kw_warn(c, st->kw,
		"%s in real_server is ignored by fulcrum: the virtual server's method applies "
		"to all its real servers",
		st->kw->text);
	return 0;
}

/* Slots of a real_server body (the object is its struct rs_state). */
#define RSS(f, t, lo, hi) KW_SLOT(struct rs_state, f, t, lo, hi)
#define RS(f, t, lo, hi)  KW_SLOT_IN(struct rs_state, rs, struct real_server, f, t, lo, hi)
#define RSS_NZ(f, max, fallback)                                                                   \
	KW_SLOT_X(KW_SELF, struct rs_state, f, KW_T_SECS_NZ, 0, max, fallback)

static const struct kw kw_rs[] = {
    {"weight", p_weight, 1, 1, KW_NOBLOCK},
    {"inhibit_on_failure", NULL, 0, 1, KW_NOBLOCK, RS(inhibit_on_failure, KW_T_BOOL, 0, 0)},
    {"notify_up", NULL, 1, 3, KW_NOBLOCK, RS(notify_up, KW_T_SCRIPT, 0, 0)},
    {"notify_down", NULL, 1, 3, KW_NOBLOCK, RS(notify_down, KW_T_SCRIPT, 0, 0)},
    {"uthreshold", NULL, 1, 1, KW_NOBLOCK, RS(uthreshold, KW_T_UINT, 0, 0x7fffffff)},
    {"lthreshold", NULL, 1, 1, KW_NOBLOCK, RS(lthreshold, KW_T_UINT, 0, 0x7fffffff)},
    {"lvs_method", p_rs_method, 1, 1, KW_NOBLOCK},
    {"lb_kind", p_rs_method, 1, 1, KW_NOBLOCK},
    {"retry", NULL, 1, 1, KW_NOBLOCK, RSS(retry, KW_T_UINT, 0, 1000)},
    {"delay_before_retry", NULL, 1, 1, KW_NOBLOCK,
     RSS(delay_before_retry_ms, KW_T_SECS_MS, 0, 3600000)},
    {"connect_timeout", NULL, 1, 1, KW_NOBLOCK,
     RSS_NZ(connect_timeout_ms, 3600000, "the virtual_server's or the default (5 s)")},
    {"warmup", NULL, 1, 1, KW_NOBLOCK, RSS(warmup_ms, KW_T_SECS_MS, 0, 3600000)},
    {"delay_loop", NULL, 1, 1, KW_NOBLOCK, RSS_NZ(delay_loop_ms, 86400000, "the virtual_server's")},
    {"virtualhost", NULL, 1, 1, KW_NOBLOCK, RSS(virtualhost, KW_T_STR, 0, 0)},
    {NULL},
};

static const struct kw_block blk_rs = {"real_server", kw_rs, kw_checkers, ign_rs, NULL};

static void rs_state_init(struct rs_state *rss, struct vs_state *vss, struct real_server *rs)
{
	memset(rss, 0, sizeof(*rss));
	rss->vss = vss;
	rss->rs = rs;
	rss->retry = rss->delay_before_retry_ms = rss->connect_timeout_ms = CHK_UNSET;
	rss->warmup_ms = CHK_UNSET;
}

static int p_real_server(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct vs_state *vss = obj;
	struct real_server *rs, *old;
	struct rs_state rss;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	rs = rs_new();
	if (!rs)
		return err_set(err, errlen, "out of memory");
	if (rs_addr(c, vss, st, &rs->addr, err, errlen) < 0) {
		rs_free(rs);
		return -1;
	}
	rs->file = config_intern_file(c->cfg, st->kw->file);
	rs->line = st->kw->line;
	rs_state_init(&rss, vss, rs);
	if (st->has_block)
		kw_body(c, &blk_rs, &rss, st->kw);
	chk_inherit_rs(&rss);
	free(rss.virtualhost);
	old = vs_find_rs(vss->vs, &rs->addr);
	if (old) {
		snprintf(b, sizeof(b), "%s:%d", old->file, old->line);
		kw_error(c, st->kw, "duplicate real_server %s in this virtual_server (first at %s)",
			 addr_format(&rs->addr, a, sizeof(a), 1), b);
		rs_free(rs);
		return 0;
	}
	/* the proxy would connect to itself, once per connection, until it
	 * runs out of descriptors */
	if (!vss->vs->fwmark && addr_equal(&rs->addr, &vss->vs->addr)) {
		kw_error(c, st->kw,
			 "real_server %s is the virtual server itself: connections would loop",
			 addr_format(&rs->addr, a, sizeof(a), 1));
		rs_free(rs);
		return 0;
	}
	vs_add_rs(vss->vs, rs);
	return 0;
}

/* ---- virtual_server ---- */

/* "RR": IPVS scheduler names are lower case.  keepalived 1.x handed the
 * name to the kernel, which refused the service; 2.x ignores the line and
 * uses wlc.  Either way the file meant rr: read it so, with a warning.
 * Returns 0 if it did, -1 if the name is unknown in lower case too. */
static int lb_algo_lower(struct kw_ctx *c, const struct kw_stmt *st, struct virtual_server *vs)
{
	char low[sizeof(vs->pool->sched)];
	const char *s = st->args[0].text;
	size_t i, n = strlen(s);

	if (n >= sizeof(low))
		return -1;
	for (i = 0; i <= n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	if (!conf_sched_known(low))
		return -1;
	kw_warn(c, st->kw,
		"%s %s: scheduler names are lower case, read as '%s' (keepalived 2.x ignores "
		"this line and uses wlc)",
		st->kw->text, s, low);
	strcpy(vs->pool->sched, low);
	return 0;
}

static int p_lb_algo(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;
	const char *s = st->args[0].text;

	if (!conf_sched_known(s) && lb_algo_lower(c, st, vs) == 0)
		return 0;
	if (!conf_sched_known(s) || strlen(s) >= sizeof(vs->pool->sched)) {
		char names[256] = "";
		size_t n = 0;
		unsigned i;

		for (i = 0; sched_all[i] && n < sizeof(names); i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? " " : "",
					      sched_all[i]->name);
		return err_set(err, errlen, "%s: unknown scheduler '%s' (fulcrum has %s)",
			       st->kw->text, s, names);
	}
	strcpy(vs->pool->sched, s);
	return 0;
}

static int p_sched_flag(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;
	const char *k = st->kw->text;

	/* IPVS: flag-1 is sh/mh-fallback, flag-2 sh/mh-port */
	if (!strcmp(k, "flag-1") || !strcmp(k, "sh-fallback") || !strcmp(k, "mh-fallback"))
		vs->pool->sched_flags |= SCHED_F_FALLBACK;
	else if (!strcmp(k, "flag-2") || !strcmp(k, "sh-port") || !strcmp(k, "mh-port"))
		vs->pool->sched_flags |= SCHED_F_PORT;
	else
		vs->pool->sched_flags |= SCHED_F_3;
	return 0;
}

static int p_ops(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	kw_warn(c, st->kw,
		"ops (one-packet scheduling) is ignored by fulcrum: UDP datagrams of one client "
		"stay in one session");
	return 0;
}

static int p_persistence_timeout(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
				 size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;

	if (!st->argc) {
		vs->persistence_timeout = 360; /* keepalived's default when no value is given */
		return 0;
	}
	/* keepalived 1.x gave 0 to IPVS, which then does not persist; 2.x
	 * ignores the line, which leaves no persistence either */
	if (!strcmp(st->args[0].text, "0")) {
		kw_warn(c, st->kw,
			"persistence_timeout 0: no persistence (as in keepalived), each connection "
			"is scheduled on its own");
		vs->persistence_timeout = 0;
		return 0;
	}
	return kw_uint(st, 0, 1, 31536000, &vs->persistence_timeout, err, errlen);
}

static int p_persistence_granularity(struct kw_ctx *c, void *obj, const struct kw_stmt *st,
				     char *err, size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;
	const char *s = st->args[0].text;
	struct in_addr m;
	uint32_t mask;
	unsigned p = 0;

	if (strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &m) != 1)
			goto bad;
		mask = ntohl(m.s_addr);
		while (p < 32 && (mask & (0x80000000u >> p)))
			p++;
		/* keepalived 2.0.20 and later hand both to IPVS; fulcrum's
		 * persistence (proxy and XDP) keys on a prefix length of 1 or
		 * more, so serving them would mean other sessions: refused */
		if (p < 32 && (mask << p))
			return err_set(err, errlen,
				       "persistence_granularity: '%s' is not a contiguous netmask "
				       "(fulcrum persists by prefix length)",
				       s);
		if (!p)
			return err_set(err, errlen,
				       "persistence_granularity 0.0.0.0 (every client on one "
				       "server) is not supported by fulcrum");
		vs->persistence_prefix = p;
		return 0;
	}
	if (kw_uint(st, 0, 1, 128, &p, err, errlen) == 0) {
		vs->persistence_prefix = p;
		return 0;
	}
bad:
	return err_set(err, errlen,
		       "persistence_granularity: '%s' is not a netmask (255.255.255.0) or a prefix "
		       "length (1..128)",
		       s);
}

static int p_protocol(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;
	const char *s = st->args[0].text;

	if (!strcasecmp(s, "TCP"))
		vs->protocol = IPPROTO_TCP;
	else if (!strcasecmp(s, "UDP"))
		vs->protocol = IPPROTO_UDP;
	else if (!strcasecmp(s, "SCTP"))
		return err_set(err, errlen, "protocol SCTP is not supported by fulcrum");
	else
		return err_set(err, errlen, "protocol: '%s' is not TCP, UDP or SCTP", s);
	return 0;
}

static int p_sorry_server(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	struct vs_state *vss = obj;
	struct real_server *rs;

	if (vss->vs->pool->sorry)
		return err_set(err, errlen, "sorry_server given twice");
	rs = rs_new();
	if (!rs)
		return err_set(err, errlen, "out of memory");
	if (rs_addr(c, vss, st, &rs->addr, err, errlen) < 0) {
		rs_free(rs);
		return -1;
	}
	rs->file = config_intern_file(c->cfg, st->kw->file);
	rs->line = st->kw->line;
	vss->vs->pool->sorry = rs;
	return 0;
}

/* keepalived: "Condition not met: Quorum >= 1 ... using 1 instead" */
static int p_quorum(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;

	if (!strcmp(st->args[0].text, "0")) {
		kw_warn(c, st->kw, "quorum 0 is read as 1, as keepalived does");
		vs->pool->quorum = 1;
		return 0;
	}
	return kw_uint(st, 0, 1, 0x7fffffff, &vs->pool->quorum, err, errlen);
}

/* keepalived: "Condition not met: 0 <= Hysteresis ... using 0 instead" */
static int p_hysteresis(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	struct virtual_server *vs = ((struct vs_state *)obj)->vs;
	const char *s = st->args[0].text;

	if (s[0] == '-' && s[1] >= '0' && s[1] <= '9' &&
	    strspn(s + 1, "0123456789") == strlen(s + 1)) {
		kw_warn(c, st->kw, "hysteresis %s is read as 0, as keepalived does", s);
		vs->pool->hysteresis = 0;
		return 0;
	}
	return kw_uint(st, 0, 0, 0x7fffffff, &vs->pool->hysteresis, err, errlen);
}

static int p_ip_family(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct vs_state *vss = obj;
	const char *s = st->args[0].text;

	if (!strcmp(s, "inet"))
		vss->family = AF_INET;
	else if (!strcmp(s, "inet6"))
		vss->family = AF_INET6;
	else
		return err_set(err, errlen, "ip_family: '%s' is not inet or inet6", s);
	if (vss->vs->addr.family && vss->vs->addr.family != vss->family)
		return err_set(err, errlen,
			       "ip_family %s does not match the address of the "
			       "virtual_server",
			       s);
	return 0;
}

/* Slots of a virtual_server body (the object is its struct vs_state). */
#define VSS(f, t, lo, hi) KW_SLOT(struct vs_state, f, t, lo, hi)
#define VS(f, t, lo, hi)  KW_SLOT_IN(struct vs_state, vs, struct virtual_server, f, t, lo, hi)
#define VS_X(f, t, lo, hi, arg)                                                                    \
	KW_SLOT_X(offsetof(struct vs_state, vs), struct virtual_server, f, t, lo, hi, arg)
/* ... and of the service's own pool (doc/internals/model.md, "Services and pools") */
#define POOL(f, t, lo, hi) KW_SLOT_IN(struct vs_state, pool, struct pool, f, t, lo, hi)
#define POOL_X(f, t, lo, hi, arg)                                                                  \
	KW_SLOT_X(offsetof(struct vs_state, pool), struct pool, f, t, lo, hi, arg)

static const struct kw kw_vs[] = {
    {"lb_algo", p_lb_algo, 1, 1, KW_NOBLOCK},
    {"lvs_sched", p_lb_algo, 1, 1, KW_NOBLOCK},
    {"lb_kind", NULL, 1, 1, KW_NOBLOCK, VS_X(fwd, KW_T_ENUM, 0, 0, fwd_names)},
    {"lvs_method", NULL, 1, 1, KW_NOBLOCK, VS_X(fwd, KW_T_ENUM, 0, 0, fwd_names)},
    {"sh-port", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"sh-fallback", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"mh-port", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"mh-fallback", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"flag-1", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"flag-2", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"flag-3", p_sched_flag, 0, 0, KW_NOBLOCK},
    {"ops", p_ops, 0, 0, KW_NOBLOCK},
    {"persistence_timeout", p_persistence_timeout, 0, 1, KW_NOBLOCK},
    {"persistence_granularity", p_persistence_granularity, 1, 1, KW_NOBLOCK},
    {"protocol", p_protocol, 1, 1, KW_NOBLOCK},
    {"delay_loop", NULL, 1, 1, KW_NOBLOCK,
     POOL_X(delay_loop_ms, KW_T_SECS_NZ, 0, 86400000, "the default (60 s)")},
    {"sorry_server", p_sorry_server, 1, 2, KW_NOBLOCK},
    {"sorry_server_inhibit", NULL, 0, 1, KW_NOBLOCK, POOL(sorry_inhibit, KW_T_BOOL, 0, 0)},
    {"inhibit_on_failure", NULL, 0, 1, KW_NOBLOCK, POOL(inhibit_on_failure, KW_T_BOOL, 0, 0)},
    {"alpha", NULL, 0, 1, KW_NOBLOCK, POOL(alpha, KW_T_BOOL, 0, 0)},
    {"omega", NULL, 0, 1, KW_NOBLOCK, POOL(omega, KW_T_BOOL, 0, 0)},
    {"quorum", p_quorum, 1, 1, KW_NOBLOCK},
    {"hysteresis", p_hysteresis, 1, 1, KW_NOBLOCK},
    {"quorum_up", NULL, 1, 3, KW_NOBLOCK, POOL(quorum_up, KW_T_SCRIPT, 0, 0)},
    {"quorum_down", NULL, 1, 3, KW_NOBLOCK, POOL(quorum_down, KW_T_SCRIPT, 0, 0)},
    {"ha_suspend", NULL, 0, 0, KW_NOBLOCK, VS(ha_suspend, KW_T_FLAG, 0, 0)},
    {"virtualhost", NULL, 1, 1, KW_NOBLOCK, POOL(virtualhost, KW_T_STR, 0, 0)},
    {"retry", NULL, 1, 1, KW_NOBLOCK, VSS(retry, KW_T_UINT, 0, 1000)},
    {"delay_before_retry", NULL, 1, 1, KW_NOBLOCK,
     VSS(delay_before_retry_ms, KW_T_SECS_MS, 0, 3600000)},
    {"connect_timeout", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct vs_state, connect_timeout_ms, KW_T_SECS_NZ, 0, 3600000,
	       "the default (5 s)")},
    {"warmup", NULL, 1, 1, KW_NOBLOCK, VSS(warmup_ms, KW_T_SECS_MS, 0, 3600000)},
    {"ip_family", p_ip_family, 1, 1, KW_NOBLOCK},
    {"real_server", p_real_server, 1, 2, KW_OPTBLOCK},
    /* fulcrum extensions: the userspace proxy */
    {"proxy_connect_timeout", NULL, 1, 1, KW_NOBLOCK,
     VS(connect_timeout_ms, KW_T_SECS_MS, 1, 3600000)},
    {"proxy_idle_timeout", NULL, 1, 1, KW_NOBLOCK, VS(idle_timeout_ms, KW_T_SECS_MS, 0, 604800000)},
    {"udp_session_timeout", NULL, 1, 1, KW_NOBLOCK, VS(udp_timeout_ms, KW_T_SECS_MS, 0, 604800000)},
    {"proxy_connect_retries", NULL, 1, 1, KW_NOBLOCK, VS(connect_retries, KW_T_UINT, 0, 64)},
    /* fulcrum extensions: servers from the cluster or a script (source_kw.c) */
    {"pacemaker_real_servers", conf_pacemaker_real_servers, 0, 0, KW_NEEDBLOCK},
    {"real_server_script", conf_real_server_script, 1, 2, KW_OPTBLOCK},
    {NULL},
};

static const struct kw_block blk_vs = {"virtual_server", kw_vs, NULL, ign_vs, NULL};

static struct virtual_server *vs_start(struct kw_ctx *c, struct vs_state *vss,
				       const struct token *kw)
{
	memset(vss, 0, sizeof(*vss));
	vss->kw = kw;
	vss->retry = vss->delay_before_retry_ms = vss->connect_timeout_ms = CHK_UNSET;
	vss->warmup_ms = CHK_UNSET;
	vss->vs = vs_new();
	if (!vss->vs)
		return NULL;
	vss->pool = vss->vs->pool;
	vss->vs->pool->quorum = 1; /* keepalived's default: lost when no server is up */
	vss->vs->file = config_intern_file(c->cfg, kw->file);
	vss->vs->line = kw->line;
	return vss->vs;
}

/* Close a virtual_server body: defaults that depend on the family, checker
 * defaults, then add it (a duplicate is an error at file:line). */
static void vs_finish(struct kw_ctx *c, struct vs_state *vss, const char *file, int line)
{
	struct virtual_server *vs = vss->vs, *old;
	char a[ADDR_STRLEN], b[ADDR_STRLEN + 64];
	unsigned maxp = vs->addr.family == AF_INET6 ? 128 : 32;

	if (!vs->persistence_prefix)
		vs->persistence_prefix = maxp;
	else if (vs->persistence_prefix > maxp)
		report_at(c, file, line,
			  "persistence_granularity /%u is longer than the address (/%u)",
			  vs->persistence_prefix, maxp);
	chk_inherit_vs(vss);
	old = config_find_vs(c->cfg, vs->protocol, &vs->addr);
	if (old) {
		snprintf(b, sizeof(b), "%s %s (first at %s:%d)",
			 addr_format(&vs->addr, a, sizeof(a), 1), proto_name(vs->protocol),
			 old->file, old->line);
		report_at(c, file, line, "duplicate virtual_server %s", b);
		vs_free(vs);
		return;
	}
	config_add_vs(c->cfg, vs);
}

static struct vsg *find_group(struct kw_ctx *c, const char *name)
{
	struct vsg *g;

	for (g = KA(c)->groups; g; g = g->next)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

/* The count-th address of a range entry: the last octet (IPv4) or the last
 * 16-bit group (IPv6) counts up. */
static void range_addr(const struct vsg_entry *e, unsigned k, struct fc_addr *a)
{
	*a = e->addr;
	if (a->family == AF_INET) {
		a->u.v4.s_addr = htonl(ntohl(a->u.v4.s_addr) + k);
	} else {
		unsigned v = ((unsigned)a->u.v6.s6_addr[14] << 8 | a->u.v6.s6_addr[15]) + k;

		a->u.v6.s6_addr[14] = (uint8_t)(v >> 8);
		a->u.v6.s6_addr[15] = (uint8_t)v;
	}
}

/* Build one virtual_server per address of group g from the body at token
 * index `body`.  The body was walked once with diagnostics already; these
 * walks are silent, except for what only the expansion can find
 * (duplicates), reported at the group entry. */
static void ka_expand_group(struct kw_ctx *c, const struct token *kw, const struct vsg *g,
			    size_t body)
{
	size_t saved = c->pos;
	unsigned i, k;

	for (i = 0; i < g->n; i++) {
		const struct vsg_entry *e = &g->e[i];

		if (e->fwmark) {
			report_at(c, e->file, e->line,
				  "virtual_server_group %s: fwmark %u: fwmark "
				  "virtual services are not supported by fulcrum yet",
				  g->name, e->fwmark);
			continue;
		}
		for (k = 0; k < e->count; k++) {
			struct vs_state vss;

			if (!vs_start(c, &vss, kw))
				return;
			range_addr(e, k, &vss.vs->addr);
			vss.vs->group = strdup(g->name);
			c->pos = body;
			c->silent++;
			kw_body(c, &blk_vs, &vss, kw);
			c->silent--;
			vs_finish(c, &vss, e->file, e->line);
		}
	}
	c->pos = saved;
}

/* Walk a body into a throw-away virtual_server, for its diagnostics only. */
static void walk_template(struct kw_ctx *c, const struct kw_stmt *st, const struct fc_addr *a,
			  uint32_t fwmark)
{
	struct vs_state vss;

	if (!vs_start(c, &vss, st->kw))
		return;
	if (a)
		vss.vs->addr = *a;
	vss.vs->fwmark = fwmark;
	kw_body(c, &blk_vs, &vss, st->kw);
	vs_free(vss.vs);
}

static int vs_group(struct kw_ctx *c, const struct kw_stmt *st, char *err, size_t errlen)
{
	const char *name = st->args[1].text;
	struct vsg *g = find_group(c, name);
	struct vsg_pending *p, **pp;
	const struct fc_addr *first = NULL;
	size_t body = c->pos;
	unsigned i;

	for (i = 0; g && i < g->n && !first; i++)
		if (!g->e[i].fwmark)
			first = &g->e[i].addr;
	walk_template(c, st, first, 0);
	if (g) {
		ka_expand_group(c, st->kw, g, body);
		return 0;
	}
	/* defined further down: expand once everything is read */
	p = calloc(1, sizeof(*p));
	if (!p || !(p->group = strdup(name))) {
		free(p);
		return err_set(err, errlen, "out of memory");
	}
	p->kw = st->kw;
	p->body = body;
	for (pp = &KA(c)->pending; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return 0;
}

static int p_virtual_server(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct vs_state vss;
	struct fc_addr a;
	unsigned fwmark;
	char e[ERRLEN];

	if (st->argc == 2 && !strcmp(st->args[0].text, "group"))
		return vs_group(c, st, err, errlen);
	if (st->argc == 2 && !strcmp(st->args[0].text, "fwmark")) {
		if (kw_uint(st, 1, 1, 0xffffffffu, &fwmark, err, errlen) < 0)
			return -1;
		kw_error(c, st->kw,
			 "virtual_server fwmark %u: fwmark virtual services are not "
			 "supported by fulcrum yet",
			 fwmark);
		walk_template(c, st, NULL, fwmark);
		return 0;
	}
	if (st->argc != 2)
		return err_set(err, errlen, "virtual_server needs IP PORT, fwmark N or group NAME");
	memset(&a, 0, sizeof(a));
	if (addr_parse_ip(st->args[0].text, &a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "virtual_server: %s", e);
	if (!strcmp(st->args[1].text, "0"))
		return err_set(err, errlen,
			       "virtual_server port 0 (all ports) is not supported by fulcrum");
	if (addr_parse_port(st->args[1].text, &a.port, 0, e, sizeof(e)) < 0)
		return err_set(err, errlen, "virtual_server: %s", e);
	if (!vs_start(c, &vss, st->kw))
		return err_set(err, errlen, "out of memory");
	vss.vs->addr = a;
	kw_body(c, &blk_vs, &vss, st->kw);
	vs_finish(c, &vss, st->kw->file, st->kw->line);
	return 0;
}

/* ---- virtual_server_group ---- */

static int vsg_entry_parse(const struct kw_stmt *st, struct vsg_entry *e, char *err, size_t errlen)
{
	char ip[INET6_ADDRSTRLEN + 1], ebuf[ERRLEN];
	const char *s = st->kw->text, *dash;
	unsigned first, last;
	char *end;

	memset(e, 0, sizeof(*e));
	e->file = st->kw->file;
	e->line = st->kw->line;
	e->count = 1;
	if (!strcmp(s, "fwmark")) {
		if (st->argc != 1)
			return err_set(err, errlen, "fwmark entry: needs one number");
		return kw_uint(st, 0, 1, 0xffffffffu, &e->fwmark, err, errlen);
	}
	if (st->argc != 1)
		return err_set(err, errlen,
			       "virtual_server_group entry '%s': expected IP PORT, IP-LAST PORT or "
			       "fwmark N",
			       s);
	dash = strrchr(s, '-');
	if (!dash) {
		if (addr_parse_ip(s, &e->addr, ebuf, sizeof(ebuf)) < 0)
			return err_set(err, errlen, "virtual_server_group: %s", ebuf);
	} else {
		if ((size_t)(dash - s) >= sizeof(ip))
			return err_set(err, errlen, "virtual_server_group: bad range '%s'", s);
		memcpy(ip, s, (size_t)(dash - s));
		ip[dash - s] = 0;
		if (addr_parse_ip(ip, &e->addr, ebuf, sizeof(ebuf)) < 0)
			return err_set(err, errlen, "virtual_server_group: %s", ebuf);
		if (e->addr.family == AF_INET) {
			first = ntohl(e->addr.u.v4.s_addr) & 0xff;
			last = (unsigned)strtoul(dash + 1, &end, 10);
			if (!dash[1] || *end || last > 255 || last < first)
				return err_set(err, errlen,
					       "virtual_server_group: bad range '%s' (last octet "
					       "%u..255 expected)",
					       s, first);
		} else {
			first = (unsigned)e->addr.u.v6.s6_addr[14] << 8 | e->addr.u.v6.s6_addr[15];
			last = (unsigned)strtoul(dash + 1, &end, 16);
			if (!dash[1] || *end || last > 0xffff || last < first)
				return err_set(err, errlen,
					       "virtual_server_group: bad range '%s' (last group "
					       "%x..ffff expected)",
					       s, first);
		}
		e->count = last - first + 1;
	}
	if (addr_parse_port(st->args[0].text, &e->addr.port, 0, ebuf, sizeof(ebuf)) < 0)
		return err_set(err, errlen, "virtual_server_group: %s", ebuf);
	return 0;
}

static int vsg_line(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct vsg *g = obj;
	struct vsg_entry e, *n;
	unsigned i, total = 0;

	if (st->has_block)
		return err_set(err, errlen, "virtual_server_group entries take no { block }");
	if (vsg_entry_parse(st, &e, err, errlen) < 0)
		return -1;
	for (i = 0; i < g->n; i++)
		total += g->e[i].count;
	if (total + e.count > VSG_MAX_EXPAND)
		return err_set(err, errlen, "virtual_server_group %s: more than %d addresses",
			       g->name, VSG_MAX_EXPAND);
	n = realloc(g->e, (g->n + 1) * sizeof(*n));
	if (!n)
		return err_set(err, errlen, "out of memory");
	g->e = n;
	g->e[g->n++] = e;
	return 0;
}

static const struct kw_block blk_vsg = {"virtual_server_group", NULL, NULL, NULL, vsg_line};

static int p_vsg(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct vsg *g, **gp;

	g = find_group(c, st->args[0].text);
	if (g)
		return err_set(err, errlen,
			       "virtual_server_group %s is defined twice (first at %s:%d)",
			       st->args[0].text, g->file, g->line);
	g = calloc(1, sizeof(*g));
	if (!g || !(g->name = strdup(st->args[0].text))) {
		free(g);
		return err_set(err, errlen, "out of memory");
	}
	g->file = st->kw->file;
	g->line = st->kw->line;
	for (gp = &KA(c)->groups; *gp; gp = &(*gp)->next)
		;
	*gp = g;
	kw_body(c, &blk_vsg, g, st->kw);
	return 0;
}

/* ---- top level ---- */

static int top_other(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen);

static const struct kw kw_top_tab[] = {
    {"global_defs", conf_global_defs, 0, 0, KW_NEEDBLOCK},
    {"virtual_server", p_virtual_server, 1, 2, KW_NEEDBLOCK},
    {"virtual_server_group", p_vsg, 1, 1, KW_NEEDBLOCK},
    {NULL},
};

const struct kw_block kw_top = {"the top level", kw_top_tab, kw_vrrp_top, ign_top, top_other};

static int top_other(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	const char *name = st->kw->text, *why = ign_top_reason(name), *near;

	if (why) {
		if (st->argc)
			kw_warn(c, st->kw, "%s %s: %s; %s ignored", name, st->args[0].text, why,
				st->has_block ? "block" : "line");
		else
			kw_warn(c, st->kw, "%s: %s; %s ignored", name, why,
				st->has_block ? "block" : "line");
		return 0;
	}
	if (kw_retired_warn(c, &kw_top, st->kw))
		return 0;
	near = kw_nearest(&kw_top, name);
	if (near)
		return err_set(err, errlen,
			       "unknown keyword '%s' at the top level (did you mean "
			       "'%s'?)",
			       name, near);
	return err_set(err, errlen, "unknown keyword '%s' at the top level", name);
}

static void ka_state_free(struct ka_state *ka)
{
	struct vsg_pending *p, *pn;
	struct vsg *g, *gn;

	for (p = ka->pending; p; p = pn) {
		pn = p->next;
		free(p->group);
		free(p);
	}
	for (g = ka->groups; g; g = gn) {
		gn = g->next;
		free(g->name);
		free(g->e);
		free(g);
	}
}

void ka_read(struct kw_ctx *c)
{
	struct ka_state ka = {0};
	struct vsg_pending *p;

	c->reader = &ka;
	kw_walk_top(c, &kw_top, NULL);
	for (p = ka.pending; p; p = p->next) {
		const struct vsg *g = find_group(c, p->group);

		if (!g)
			kw_error(c, p->kw,
				 "virtual_server group %s: no virtual_server_group %s is "
				 "defined",
				 p->group, p->group);
		else
			ka_expand_group(c, p->kw, g, p->body);
	}
	vrrp_kw_finish(c);
	conf_stats_finish(c);
	conf_sources_finish(c);
	conf_scripts_finish(c);
	ka_state_free(&ka);
	c->reader = NULL;
}

/* For the generated keyword reference (kw_doc.c). */
const struct kw_block *const kw_doc_ka[] = {&blk_vs, &blk_rs, &blk_vsg, &conf_blk_pcmk, &conf_blk_script,
				       NULL};
