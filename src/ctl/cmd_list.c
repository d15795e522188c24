/* `list`: the running state in ipvsadm -Ln layout, --stats, --rate, --json.
 *
 * Every figure comes from the running model and its live objects
 * (invariant 3).  The column layouts follow ipvsadm's so that scripts and
 * eyes used to `ipvsadm -Ln` read these the same way; the first line names
 * fulcrum instead of "IP Virtual Server".  Servers are listed in config
 * order (ipvsadm sorts; the config order is what the operator wrote). */
#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/health.h"
#include "check/health_stats.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/stats.h"
#include "core/version.h"
#include "ctl/cmd.h"
#include "engine/engines.h"
#include "model/fulcrum-t.h"
#include "model/ctr.h"
#include "model/model.h"
#include "model/stats_fields.h"
#include "vrrp/vrrp_run.h"

enum list_fmt { LIST_PLAIN, LIST_STATS, LIST_RATE, LIST_JSON };

static const struct virtual_server *first_vs(const struct fulcrum *fc)
{
	return fc->cfg ? fc->cfg->vs : NULL;
}

/* "fulcrum 0.1.0 (engine: proxy)": the engines serving the listed services. */
static void title(struct sbuf *out, const struct fulcrum *fc)
{
	const struct virtual_server *vs, *o;
	int n = 0;

	sbuf_puts(out, "fulcrum " FC_VERSION " (engine: ");
	for (vs = first_vs(fc); vs; vs = vs->next) {
		const char *name = engine_for(vs)->name;

		for (o = first_vs(fc); o != vs; o = o->next)
			if (!strcmp(engine_for(o)->name, name))
				break;
		if (o != vs)
			continue;
		sbuf_printf(out, "%s%s", n++ ? ", " : "", name);
	}
	sbuf_printf(out, "%s)\n", n ? "" : "none");
}

/* "TCP  127.0.0.1:8080", as ipvsadm names a service (two spaces). */
static const char *svc_name(const struct virtual_server *vs, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	if (vs->fwmark)
		snprintf(buf, len, "FWM  %u", vs->fwmark);
	else
		snprintf(buf, len, "%s  %s", proto_name(vs->protocol),
			 addr_format(&vs->addr, a, sizeof(a), 1));
	return buf;
}

static void sched_flags(struct sbuf *out, const struct virtual_server *vs)
{
	const char *f1 = "flag-1", *f2 = "flag-2";
	const char *names[3];
	int n = 0, i;

	if (!vs->pool->sched_flags)
		return;
	if (!strcmp(vs->pool->sched, "sh")) {
		f1 = "sh-fallback";
		f2 = "sh-port";
	} else if (!strcmp(vs->pool->sched, "mh")) {
		f1 = "mh-fallback";
		f2 = "mh-port";
	}
	if (vs->pool->sched_flags & SCHED_F_FALLBACK)
		names[n++] = f1;
	if (vs->pool->sched_flags & SCHED_F_PORT)
		names[n++] = f2;
	if (vs->pool->sched_flags & SCHED_F_3)
		names[n++] = "flag-3";
	sbuf_puts(out, " (");
	for (i = 0; i < n; i++)
		sbuf_printf(out, "%s%s", i ? "," : "", names[i]);
	sbuf_puts(out, ")");
}

/* " persistent 50" and, when coarser than one address, " mask 255.255.255.0"
 * (IPv4) or " mask 64" (IPv6).  A prefix of 0 is the model's "unset". */
static void persistence(struct sbuf *out, const struct virtual_server *vs)
{
	unsigned p = vs->persistence_prefix;

	if (!vs->persistence_timeout)
		return;
	sbuf_printf(out, " persistent %u", vs->persistence_timeout);
	if (vs->addr.family == AF_INET6) {
		if (p && p < 128)
			sbuf_printf(out, " mask %u", p);
	} else if (p && p < 32) {
		struct in_addr m = {.s_addr = htonl(0xffffffffu << (32 - p))};
		char buf[INET_ADDRSTRLEN];

		sbuf_printf(out, " mask %s", inet_ntop(AF_INET, &m, buf, sizeof(buf)));
	}
}

/* ipvsadm's number column: 9 wide, scaled above 100 million. */
static void largenum(struct sbuf *out, unsigned long long v)
{
	if (v < 100000000ULL)
		sbuf_printf(out, "%9llu", v);
	else if (v < 1000000000ULL)
		sbuf_printf(out, "%8lluK", v / 1000);
	else if (v < 100000000000ULL)
		sbuf_printf(out, "%8lluM", v / 1000000);
	else if (v < 100000000000000ULL)
		sbuf_printf(out, "%8lluG", v / 1000000000ULL);
	else
		sbuf_printf(out, "%8lluT", v / 1000000000000ULL);
}

static unsigned long long rate_int(double r)
{
	if (!isfinite(r) || r <= 0)
		return 0;
	if (r >= 1.8e19)
		return ULLONG_MAX;
	return (unsigned long long)(r + 0.5);
}

static void figures(struct sbuf *out, enum list_fmt fmt, const struct ctr *c,
		    const struct fc_rates *r)
{
	if (fmt == LIST_STATS) {
		struct fc_stats st;

		ctr_sum(c, &st); /* the threads' slots */
		largenum(out, st.conns);
		largenum(out, st.inpkts);
		largenum(out, st.outpkts);
		largenum(out, st.inbytes);
		largenum(out, st.outbytes);
	} else {
		largenum(out, rate_int(r->cps));
		largenum(out, rate_int(r->inpps));
		largenum(out, rate_int(r->outpps));
		largenum(out, rate_int(r->inbps));
		largenum(out, rate_int(r->outbps));
	}
}

static void text_head(struct sbuf *out, const struct fulcrum *fc, enum list_fmt fmt)
{
	title(out, fc);
	if (fmt == LIST_PLAIN)
		sbuf_puts(
		    out, "Prot LocalAddress:Port Scheduler Flags\n"
			 "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	else
		sbuf_printf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			    "Prot LocalAddress:Port", fmt == LIST_STATS ? "Conns" : "CPS",
			    fmt == LIST_STATS ? "InPkts" : "InPPS",
			    fmt == LIST_STATS ? "OutPkts" : "OutPPS",
			    fmt == LIST_STATS ? "InBytes" : "InBPS",
			    fmt == LIST_STATS ? "OutBytes" : "OutBPS");
}

static void text_vs(struct sbuf *out, const struct virtual_server *vs, enum list_fmt fmt)
{
	char name[ADDR_STRLEN + 16];

	svc_name(vs, name, sizeof(name));
	if (fmt == LIST_PLAIN) {
		sbuf_printf(out, "%s %s", name, vs->pool->sched);
		sched_flags(out, vs);
		persistence(out, vs);
	} else {
		sbuf_printf(out, "%-33s", name);
		figures(out, fmt, &vs->live->ctr, &vs->live->est.rate);
	}
	sbuf_puts(out, "\n");
}

/* The Forward column as ipvsadm writes it: "Local" for a server its engine
 * serves as this host (the XDP engine passes its flows to this host's
 * stack, as IPVS's local forwarding does). */
static const char *rs_fwd_name(const struct virtual_server *vs, const struct real_server *rs)
{
	const struct engine_ops *e = engine_for(vs);

	if (e && e->server_local && e->server_local(vs, rs))
		return "Local";
	return fwd_name(vs->fwd);
}

static void text_rs(struct sbuf *out, const struct virtual_server *vs,
		    const struct real_server *rs, enum list_fmt fmt)
{
	char a[ADDR_STRLEN];

	/* as ipvsadm shows keepalived's table: a server the health checks took
	 * out of the service (down without inhibit_on_failure, or held out
	 * while the quorum is lost) is not in it; --json still lists it */
	if (rs != vs->pool->sorry &&
	    ((rs->live->health == RS_HEALTH_DOWN && !rs_inhibit(rs, vs->pool)) || rs->live->held))
		return;
	addr_format(&rs->addr, a, sizeof(a), 1);
	if (fmt == LIST_PLAIN) {
		sbuf_printf(out, "  -> %-28s %-7s %-6d %-10u %-10u\n", a, rs_fwd_name(vs, rs),
			    rs_effective_weight(rs), rs->live->activeconns, rs->live->inactconns);
	} else {
		sbuf_printf(out, "  -> %-28s", a);
		figures(out, fmt, &rs->live->ctr, &rs->live->est.rate);
		sbuf_puts(out, "\n");
	}
}

/* as ipvsadm shows keepalived's sorry server: a server of the service
 * while in use, or always (weight 0) when inhibited */
static void text_vs_end(struct sbuf *out, const struct virtual_server *vs, enum list_fmt fmt)
{
	if (fmt == LIST_PLAIN && vs->pool->sorry &&
	    (health_sorry_active(vs) || vs->pool->sorry_inhibit))
		text_rs(out, vs, vs->pool->sorry, fmt);
}

/* ---- JSON: generated from the statistics fields (doc/internals/stats.md) ---- */

static enum stat_got get_version(const void *obj, const struct stat_field *f,
				 struct stat_ctx *c, union stat_val *v)
{
	v->s = FC_VERSION;
	return STAT_SET;
}

static enum stat_got get_sorry(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	const struct virtual_server *vs = obj;

	v->p = vs;
	return vs->pool->sorry ? STAT_SET : STAT_NULL;
}

static enum stat_got get_sorry_rs(const void *obj, const struct stat_field *f,
				  struct stat_ctx *c, union stat_val *v)
{
	v->p = ((const struct virtual_server *)obj)->pool->sorry;
	return STAT_SET;
}

static enum stat_got get_first_rs(const void *obj, const struct stat_field *f,
				  struct stat_ctx *c, union stat_val *v)
{
	v->p = ((const struct virtual_server *)obj)->pool->rs;
	return STAT_SET;
}

static const void *next_rs(const void *obj, const void *cur)
{
	return ((const struct real_server *)cur)->next;
}

static enum stat_got get_first_vs(const void *obj, const struct stat_field *f,
				  struct stat_ctx *c, union stat_val *v)
{
	v->p = first_vs(obj);
	return STAT_SET;
}

static const void *next_vs(const void *obj, const void *cur)
{
	return ((const struct virtual_server *)cur)->next;
}

/* the sorry server: a server, and whether it takes the new clients now */
static const struct stat_field sorry_fields[] = {
    {"server", STAT_INLINE, "the sorry server", .get = get_sorry_rs, .sub = &stat_server},
    {"active", STAT_BOOL, "it takes the new clients (no real server can)",
     .get = health_stat_sorry_active},
};

static const struct stat_table sorry_table = STAT_TABLE("sorry_server", sorry_fields);

static const struct stat_field list_vs_fields[] = {
    {"service", STAT_INLINE, "the service", .get = stat_get_self, .sub = &stat_service},
    {"sorry_server", STAT_OBJECT, "sorry_server, or null", .get = get_sorry,
     .sub = &sorry_table},
    {"real_servers", STAT_LIST, "the servers, in config order", .get = get_first_rs,
     .next = next_rs, .sub = &stat_server, .stream = 1},
};

static const struct stat_table list_vs = STAT_TABLE("service", list_vs_fields);

static const struct stat_field list_fields[] = {
    {"version", STAT_STRING, "fulcrum's version", .get = get_version},
    {"virtual_servers", STAT_LIST, "the services, in config order", .get = get_first_vs,
     .next = next_vs, .sub = &list_vs, .stream = 1},
    {"vrrp", STAT_INLINE, "the VRRP instances in brief", .get = stat_get_self,
     .sub = &vrrp_stats_brief},
};

const struct stat_table ctl_list_stats = STAT_TABLE("listing", list_fields);

/* ---- the listing, piece by piece ----
 *
 * The cursor holds pointers into the running model between pieces.  They
 * stay valid as long as no reload swapped the model and no server was
 * added or deleted (the only ways a service or server is freed); if
 * either happened the listing stops with an error rather than read freed
 * memory or mix two models.  Figures are read when their line is written,
 * as ipvsadm reads each service's servers in a separate request. */

struct list_cursor {
	enum list_fmt fmt;
	struct stat_ctx ctx;
	unsigned reloads, edits; /* fc->reloads, ctl_model_edits at the start */
	const struct virtual_server *vs; /* next service; NULL: the tail is next */
	const struct real_server *rs;	 /* next server of vs, when in_vs */
	int started, in_vs;
};

/* One line (text) or object (JSON) of the listing. */
static void list_item(struct sbuf *out, const struct fulcrum *fc, struct list_cursor *c)
{
	int json = c->fmt == LIST_JSON;

	if (!c->in_vs) {
		if (json) {
			if (c->vs != first_vs(fc))
				sbuf_puts(out, ",");
			stat_json_head(out, &list_vs, c->vs, &c->ctx);
		} else
			text_vs(out, c->vs, c->fmt);
		c->rs = c->vs->pool->rs;
		c->in_vs = 1;
	} else if (c->rs) {
		if (json) {
			if (c->rs != c->vs->pool->rs)
				sbuf_puts(out, ",");
			c->ctx.owner = c->vs;
			stat_json(out, &stat_server, c->rs, &c->ctx);
		} else {
			text_rs(out, c->vs, c->rs, c->fmt);
		}
		c->rs = c->rs->next;
	} else {
		if (json)
			stat_json_tail(out, &list_vs, c->vs, &c->ctx);
		else
			text_vs_end(out, c->vs, c->fmt);
		c->vs = c->vs->next;
		c->in_vs = 0;
	}
}

static int list_next(struct fulcrum *fc, void *state, struct sbuf *out, char *err, size_t errlen)
{
	struct list_cursor *c = state;
	size_t base = out->len;

	if (!c->started) {
		c->started = 1;
		ctl_sync(fc, 1);
		c->reloads = fc->reloads;
		c->edits = ctl_model_edits;
		c->vs = first_vs(fc);
		if (c->fmt == LIST_JSON)
			stat_json_head(out, &ctl_list_stats, fc, &c->ctx);
		else
			text_head(out, fc, c->fmt);
	} else if (c->reloads != fc->reloads || c->edits != ctl_model_edits) {
		return err_set(err, errlen,
			       "the configuration changed during the listing (reload, add or "
			       "del server): run it again");
	}
	while (c->vs && out->len - base < CTL_CHUNK)
		list_item(out, fc, c);
	if (c->vs)
		return 1;
	if (c->fmt == LIST_JSON) {
		stat_json_tail(out, &ctl_list_stats, fc, &c->ctx);
		sbuf_puts(out, "\n");
	}
	return 0;
}

static void list_done(void *state)
{
	free(state);
}

int cmd_list_start(struct fulcrum *fc, int argc, char **argv, struct ctl_stream *st, char *err,
		   size_t errlen)
{
	enum list_fmt fmt = LIST_PLAIN;
	struct list_cursor *c;

	if (argc == 1) {
		if (!strcmp(argv[0], "--stats"))
			fmt = LIST_STATS;
		else if (!strcmp(argv[0], "--rate"))
			fmt = LIST_RATE;
		else if (!strcmp(argv[0], "--json"))
			fmt = LIST_JSON;
		else
			return err_set(err, errlen,
				       "unknown option '%s' for list (--stats, --rate or --json)",
				       argv[0]);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(err, errlen, "out of memory");
	c->fmt = fmt;
	st->next = list_next;
	st->done = list_done;
	st->state = c;
	return 0;
}
