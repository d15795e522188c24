/* The cluster watcher (contract in cluster.h): one run per pool with a
 * source, a timer, at most one process at a time, the last list.
 *
 * Why crm_mon and not cibadmin --query: the raw CIB says where resources
 * run only through their operation history (lrm_rsc_op entries to be
 * replayed the way the scheduler does); crm_mon computes it and prints
 * nodes, active resources and node attributes in one XML reply.  Measured
 * here (Pacemaker 2.1.5, three nodes in namespaces, the 2-core test
 * machine): a crm_mon call costs about 55 ms of CPU (user+sys) and 250 ms
 * of wall time, cibadmin --query 45 ms and 220 ms: the same price for a
 * computed view.  A 1 s poll is thus about 5% of one core, one process per
 * pool and second -- never one per node -- and a change is seen within
 * 1.3 s.  CIB change notifications (a long-running crm_mon, or a libcib
 * client) would cost nothing between changes; not done yet (doc/
 * pacemaker.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "cluster/members.h"
#include "cluster/node_dns.h"
#include "core/addr.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/spawn.h"
#include "model/http_proxy.h"
#include "model/model.h"
#include "model/source.h"

#define CLUSTER_OUTPUT_MAX (4u << 20) /* crm_mon of a large cluster stays well below */
#define CRM_MON_ARGS " --one-shot --output-as=xml --include=none,nodes,resources,attributes"
#define COROSYNC_CONF_MAX (1u << 20)

struct src_run {
	char *pool;		  /* the pool's name */
	char *sig;		  /* the source's definition, to tell it unchanged across reloads */
	struct member_list last;  /* what the source gave last (in the pool) */
	int have_last;
	int stale;		  /* the last read failed: `last` is kept */
	char why[256];		  /* why, while stale */
	char note[256];		  /* the last read's remark (nodes without an address...) */
	char refused[256];	  /* the engine's last refusal of the list, logged once */
	uint64_t last_ok_ms;	  /* loop time of the last good read */
	unsigned reads, failures;
	int uses_dns;		  /* some node is placed by its name (node_dns.h) */
	int dns_wait;		  /* ... and its first lookup runs: read again when it ends */
	struct ev_timer timer;
	struct spawn *sp;
	struct src_run *next;
};

static struct {
	struct fulcrum *fc;
	const struct cluster_hooks *hooks;
	struct src_run *runs;
} C;

/* ---- a source's identity across reloads */

static char *source_sig(const struct pool_source *s)
{
	struct sbuf b;
	char a[ADDR_STRLEN];
	char *out;
	unsigned i;

	sbuf_init(&b);
	sbuf_printf(&b, "%d|%s|%s|%s|%d|%u|%s|%s|%s|%u|%u|%u", s->kind,
		    s->resource ? s->resource : "", s->attr_name ? s->attr_name : "",
		    s->attr_regex ? s->attr_regex : "", s->default_weight, s->port,
		    s->crm_mon ? s->crm_mon : "", s->corosync_conf ? s->corosync_conf : "",
		    s->script ? s->script : "", s->interval_ms, s->timeout_ms, s->resolve_ttl_ms);
	for (i = 0; i < s->n_weights; i++)
		sbuf_printf(&b, "|w %s %d", s->weights[i].node, s->weights[i].weight);
	for (i = 0; i < s->n_addrs; i++)
		sbuf_printf(&b, "|a %s %s", s->addrs[i].node,
			    addr_format(&s->addrs[i].addr, a, sizeof(a), 0));
	out = strdup(sbuf_str(&b));
	sbuf_free(&b);
	return out;
}

static struct src_run *run_find(const char *pool, const char *sig)
{
	struct src_run *r;

	for (r = C.runs; r; r = r->next)
		if (!strcmp(r->pool, pool) && (!sig || !strcmp(r->sig, sig)))
			return r;
	return NULL;
}

/* The first service of pool p in cfg (the one applied; apply_vs does the
 * others of a shared pool). */
static struct virtual_server *pool_vs(const struct config *cfg, const struct pool *p)
{
	struct virtual_server *vs;

	for (vs = cfg ? cfg->vs : NULL; vs; vs = vs->next)
		if (vs->pool == p)
			return vs;
	return NULL;
}

static struct real_server *member_rs(const struct pool *p, const struct member *m)
{
	struct real_server *rs = rs_new();

	if (!rs)
		return NULL;
	if (p->source->hp) { /* haproxy.cfg: its default-server options */
		rs->hp = malloc(sizeof(*rs->hp));
		if (!rs->hp) {
			rs_free(rs);
			return NULL;
		}
		*rs->hp = *p->source->hp;
		/* default-server disabled: it joins in maintenance, as a
		 * `server ... disabled` line would; it stays so while the source
		 * lists it (pool_follow leaves a kept server's state alone) */
		if (rs->hp->disabled)
			rs->live->admin = RS_ADMIN_DISABLED;
	}
	rs->addr = m->addr;
	rs->cur_weight = rs->weight = m->weight;
	rs->from_source = 1;
	rs->checks = p->source->checks; /* the source's checker blocks, shared */
	rs->file = p->source->file;
	rs->line = p->source->line;
	return rs;
}

/* m may join vs's pool: not a server of the file already, not the VIP. */
static int member_fits(const struct virtual_server *vs, const struct member *m)
{
	return !vs_find_rs(vs, &m->addr) && (vs->fwmark || !addr_equal(&m->addr, &vs->addr));
}

void cluster_premerge(struct fulcrum *fc, struct config *newcfg)
{
	struct pool *p;

	for (p = newcfg->pools; p; p = p->next) {
		struct virtual_server *vs = pool_vs(newcfg, p);
		struct src_run *r;
		char *sig;
		unsigned i;

		if (!p->source || !p->name || !vs)
			continue;
		sig = source_sig(p->source);
		r = sig ? run_find(p->name, sig) : NULL;
		free(sig);
		if (!r || !r->have_last)
			continue;
		for (i = 0; i < r->last.n; i++) {
			struct real_server *rs;

			if (!member_fits(vs, &r->last.m[i]))
				continue;
			rs = member_rs(p, &r->last.m[i]);
			if (!rs) {
				log_err("pool %s: out of memory keeping the servers of its source",
					p->name);
				break;
			}
			vs_add_rs(vs, rs);
		}
	}
}

/* ---- bringing a pool in line with a list */

struct change {
	struct real_server **gone; /* unlinked, freed once applied */
	unsigned n_gone;
	struct real_server **added;
	unsigned n_added;
	struct real_server **rew; /* weight changed */
	int *old_w;
	unsigned n_rew;
};

static void change_free(struct change *c)
{
	free(c->gone);
	free(c->added);
	free(c->rew);
	free(c->old_w);
}

static void change_undo(struct virtual_server *vs, struct change *c)
{
	unsigned i;

	for (i = 0; i < c->n_added; i++) {
		vs_unlink_rs(vs, c->added[i]);
	}
	for (i = 0; i < c->n_gone; i++)
		vs_add_rs(vs, c->gone[i]);
	for (i = 0; i < c->n_rew; i++)
		c->rew[i]->cur_weight = c->rew[i]->weight = c->old_w[i];
}

/* 1 changed (applied), 0 nothing to do, -1 refused (undone, logged). */
static int pool_follow(struct src_run *r, struct pool *p, struct virtual_server *vs,
		       const struct member_list *want)
{
	struct change c = {0};
	struct real_server *rs, *next;
	char err[ERRLEN];
	unsigned i, cap = p->n_rs + want->n + 1;
	int ret = 0;

	c.gone = calloc(cap, sizeof(*c.gone));
	c.added = calloc(cap, sizeof(*c.added));
	c.rew = calloc(cap, sizeof(*c.rew));
	c.old_w = calloc(cap, sizeof(*c.old_w));
	if (!c.gone || !c.added || !c.rew || !c.old_w) {
		change_free(&c);
		log_err("pool %s: out of memory following its source", p->name);
		return -1;
	}
	for (rs = p->rs; rs; rs = next) {
		const struct member *m;

		next = rs->next;
		if (!rs->from_source)
			continue;
		m = member_find(want, &rs->addr);
		if (!m) {
			vs_unlink_rs(vs, rs);
			c.gone[c.n_gone++] = rs;
		} else if (m->weight != rs->weight) {
			c.rew[c.n_rew] = rs;
			c.old_w[c.n_rew++] = rs->weight;
			rs->cur_weight = rs->weight = m->weight;
		}
	}
	for (i = 0; i < want->n; i++) {
		if (!member_fits(vs, &want->m[i]))
			continue;
		rs = member_rs(p, &want->m[i]);
		if (!rs) {
			change_undo(vs, &c);
			for (i = 0; i < c.n_added; i++)
				rs_free(c.added[i]);
			change_free(&c);
			log_err("pool %s: out of memory following its source", p->name);
			return -1;
		}
		vs_add_rs(vs, rs);
		c.added[c.n_added++] = rs;
	}
	if (!c.n_gone && !c.n_added && !c.n_rew)
		goto out;
	if (C.hooks->vs_changed(C.fc, vs, err, sizeof(err)) < 0) {
		char again[ERRLEN];

		change_undo(vs, &c);
		if (C.hooks->vs_changed(C.fc, vs, again, sizeof(again)) < 0)
			log_err("pool %s: engine did not take back the previous servers: %s",
				p->name, again);
		for (i = 0; i < c.n_added; i++)
			rs_free(c.added[i]);
		c.n_gone = 0; /* back in the pool */
		/* the same refusal comes back at every read: said once */
		if (strncmp(r->refused, err, sizeof(r->refused) - 1))
			log_err("pool %s: the servers of its source were refused, the previous "
				"ones stay: %s",
				p->name, err);
		snprintf(r->refused, sizeof(r->refused), "%.250s", err);
		ret = -1;
		goto out;
	}
	r->refused[0] = '\0';
	{
		struct sbuf b;
		char a[ADDR_STRLEN];

		sbuf_init(&b);
		for (i = 0; i < c.n_added; i++)
			sbuf_printf(&b, " +%s", addr_format(&c.added[i]->addr, a, sizeof(a), 1));
		for (i = 0; i < c.n_gone; i++)
			sbuf_printf(&b, " -%s", addr_format(&c.gone[i]->addr, a, sizeof(a), 1));
		for (i = 0; i < c.n_rew; i++)
			sbuf_printf(&b, " %s weight %d", addr_format(&c.rew[i]->addr, a, sizeof(a), 1),
				    c.rew[i]->weight);
		log_info("pool %s: servers follow its %s:%s", p->name,
			 p->source->kind == SRC_PACEMAKER ? "cluster" : "script", sbuf_str(&b));
		sbuf_free(&b);
	}
	ret = 1;
out:
	/* the engine let go of them in the apply */
	for (i = 0; i < c.n_gone; i++)
		rs_free(c.gone[i]);
	change_free(&c);
	return ret;
}

/* ---- reading */

static void run_read(struct loop *l, struct ev_timer *t);

static void went_stale(struct src_run *r, const char *why)
{
	r->failures++;
	if (!r->stale)
		log_warn("pool %s: its source cannot be read (%s); its servers stay as they are "
			 "until it can",
			 r->pool, why);
	r->stale = 1;
	snprintf(r->why, sizeof(r->why), "%.200s", why);
}

static int read_corosync(const struct pool_source *s, struct ring_map *rings)
{
	const char *path = s->corosync_conf ? s->corosync_conf : "/etc/corosync/corosync.conf";
	char *buf;
	FILE *f;
	size_t n;
	int r;

	memset(rings, 0, sizeof(*rings));
	f = fopen(path, "r");
	if (!f)
		return -1; /* no corosync.conf: addresses come from the rest */
	buf = malloc(COROSYNC_CONF_MAX + 1);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, COROSYNC_CONF_MAX, f);
	fclose(f);
	buf[n] = '\0';
	r = ring_map_parse(buf, rings, NULL, 0);
	free(buf);
	return r;
}

/* A lookup ended that changes a node's address: the runs that place
 * nodes by name read again now (a first answer, a changed address, a
 * failure: the pool follows without waiting for `interval`). */
static void dns_changed(void *arg)
{
	struct src_run *r;

	(void)arg;
	if (!C.fc)
		return;
	for (r = C.runs; r; r = r->next)
		if (r->uses_dns && !r->sp) {
			loop_timer_stop(C.fc->loop, &r->timer);
			loop_timer_start(C.fc->loop, &r->timer, 0);
		}
}

/* The online nodes that only a name can place (no `address`, the node
 * name not an address, no ring0_addr address): the address the name cache
 * has for their ring0_addr name, else their node name, into rings.  The
 * names that do not resolve go into note. */
static void resolve_nodes(struct src_run *r, const struct pool_source *s,
			  const struct crm_view *v, struct ring_map *rings, int family,
			  struct sbuf *note)
{
	uint64_t now = loop_now(C.fc->loop);
	unsigned i;

	r->uses_dns = 0;
	r->dns_wait = 0;
	for (i = 0; i < v->n_nodes; i++) {
		const struct crm_node *n = &v->nodes[i];
		const char *host;
		struct fc_addr a;
		char why[128];
		enum node_dns_state st;

		if (!n->online || pool_source_addr(s, n->name) ||
		    addr_parse_ip(n->name, &a, NULL, 0) == 0 || ring_map_addr(rings, n->name))
			continue;
		host = ring_map_host(rings, n->name);
		if (!host)
			host = n->name;
		r->uses_dns = 1;
		st = node_dns_get(C.fc->loop, host, family, now, s->resolve_ttl_ms, &a, why,
				  sizeof(why));
		if (st == NODE_DNS_PENDING)
			r->dns_wait = 1;
		if (st == NODE_DNS_STALE || st == NODE_DNS_FAILED)
			sbuf_printf(note, "; %s: '%s' does not resolve (%s)%s", n->name, host, why,
				    st == NODE_DNS_STALE ? ", its last address is kept" : "");
		if ((st == NODE_DNS_OK || st == NODE_DNS_STALE) && ring_map_set(rings, n->name, &a) < 0)
			sbuf_printf(note, "; %s: out of memory", n->name);
	}
}

static void read_done(struct spawn_result *res, void *data)
{
	struct src_run *r = data;
	struct pool *p = C.fc->cfg ? config_find_pool(C.fc->cfg, r->pool) : NULL;
	struct virtual_server *vs = p ? pool_vs(C.fc->cfg, p) : NULL;
	struct member_list want = {0};
	char why[256] = "";
	int ok = 0;

	r->sp = NULL;
	r->reads++;
	loop_timer_start(C.fc->loop, &r->timer, p && p->source ? p->source->interval_ms : 1000);
	if (!p || !p->source || !vs)
		return;
	if (res->timed_out)
		snprintf(why, sizeof(why), "killed after %u ms", p->source->timeout_ms);
	else if (!res->exited)
		snprintf(why, sizeof(why), "killed by signal %d", res->signo);
	else if (res->exit_code)
		snprintf(why, sizeof(why), "exit status %d: %.160s", res->exit_code, res->output);
	else if (!res->all || res->all_truncated)
		snprintf(why, sizeof(why), "output %s", res->all ? "over 4 MiB" : "not kept");
	else if (p->source->kind == SRC_PACEMAKER) {
		struct crm_view v;
		struct ring_map rings;
		struct sbuf dns;
		char *skipped = NULL;
		char err[200] = "";

		if (crm_view_parse(res->all, res->all_len, &v, err, sizeof(err)) < 0) {
			snprintf(why, sizeof(why), "crm_mon's output: %s", err);
		} else {
			read_corosync(p->source, &rings);
			sbuf_init(&dns);
			resolve_nodes(r, p->source, &v, &rings, vs->addr.family, &dns);
			if (members_from_cluster(p->source, &v, &rings, vs->addr.port, &want,
						 &skipped, err, sizeof(err)) < 0)
				snprintf(why, sizeof(why), "%s", err);
			else
				ok = 1;
			if (ok) {
				const char *d = sbuf_str(&dns);

				if (!skipped && d[0])
					d += 2; /* its "; " */
				snprintf(r->note, sizeof(r->note), "%s%.100s%s%.130s",
					 skipped ? "no address for " : "", skipped ? skipped : "",
					 skipped && r->dns_wait ? " (resolving)" : "", d);
			}
			sbuf_free(&dns);
			free(skipped);
			ring_map_free(&rings);
			crm_view_free(&v);
		}
	} else {
		char err[200] = "";
		unsigned bad = 0;

		if (members_from_lines(res->all, res->all_len, vs->addr.port,
				       p->source->default_weight, &want, &bad, err, sizeof(err)) < 0)
			snprintf(why, sizeof(why), "%s", err);
		else
			ok = 1;
		if (ok && bad)
			snprintf(r->note, sizeof(r->note), "%u line%s left out, first: %s", bad,
				 bad == 1 ? "" : "s", err);
		else if (ok)
			r->note[0] = '\0';
	}
	if (!ok) {
		went_stale(r, why);
		return;
	}
	if (r->stale)
		log_info("pool %s: its source can be read again", r->pool);
	r->stale = 0;
	r->last_ok_ms = loop_now(C.fc->loop);
	if (pool_follow(r, p, vs, &want) < 0) {
		member_list_free(&want);
		return; /* refused: the pool and `last` are as before */
	}
	member_list_free(&r->last);
	r->last = want;
	r->have_last = 1;
}

static void run_read(struct loop *l, struct ev_timer *t)
{
	struct src_run *r = t->data;
	struct pool *p = C.fc->cfg ? config_find_pool(C.fc->cfg, r->pool) : NULL;
	const struct pool_source *s = p ? p->source : NULL;
	char err[ERRLEN], *cmd = NULL;

	if (!s || r->sp)
		return;
	if (s->kind == SRC_PACEMAKER) {
		const char *prog = s->crm_mon ? s->crm_mon : "crm_mon";

		cmd = malloc(strlen(prog) + sizeof(CRM_MON_ARGS));
		if (cmd)
			sprintf(cmd, "%s%s", prog, CRM_MON_ARGS);
	} else {
		cmd = strdup(s->script);
	}
	if (!cmd) {
		went_stale(r, "out of memory");
		loop_timer_start(l, &r->timer, s->interval_ms);
		return;
	}
	/* crm_mon runs as Pacemaker's own user: the CIB lets it (and the
	 * haclient group) read, as it would not let script_user, and the
	 * daemon, which keeps no CAP_DAC_OVERRIDE, could not open libqb's
	 * shared memory as root either.  Without that user: the default. */
	r->sp = NULL;
	if (s->kind == SRC_PACEMAKER)
		r->sp = spawn_start(l, cmd, SRC_CRM_USER, s->timeout_ms, read_done, r, err,
				    sizeof(err));
	if (!r->sp && (s->kind != SRC_PACEMAKER || strstr(err, "unknown user")))
		r->sp = spawn_start(l, cmd, NULL, s->timeout_ms, read_done, r, err, sizeof(err));
	free(cmd);
	if (!r->sp) {
		went_stale(r, err);
		loop_timer_start(l, &r->timer, s->interval_ms);
		return;
	}
	if (spawn_keep_output(r->sp, CLUSTER_OUTPUT_MAX) < 0)
		log_err("pool %s: out of memory for its source's output", r->pool);
}

/* ---- runs across models */

static void run_free(struct src_run *r)
{
	if (r->sp)
		spawn_cancel(r->sp);
	loop_timer_stop(C.fc->loop, &r->timer);
	member_list_free(&r->last);
	free(r->pool);
	free(r->sig);
	free(r);
}

void cluster_apply(struct fulcrum *fc, const struct cluster_hooks *hooks)
{
	struct src_run *keep = NULL, *r, *next;
	struct pool *p;

	C.fc = fc;
	C.hooks = hooks;
	node_dns_notify(dns_changed, NULL);
	for (p = fc->cfg ? fc->cfg->pools : NULL; p; p = p->next) {
		char *sig;

		if (!p->source || !p->name)
			continue;
		sig = source_sig(p->source);
		if (!sig) {
			log_err("pool %s: out of memory; its source is not followed", p->name);
			continue;
		}
		r = run_find(p->name, sig);
		if (r) {
			/* unlink from the old list: it stays */
			struct src_run **pp;

			for (pp = &C.runs; *pp != r; pp = &(*pp)->next)
				;
			*pp = r->next;
			free(sig);
		} else {
			r = calloc(1, sizeof(*r));
			if (!r || !(r->pool = strdup(p->name))) {
				free(r);
				free(sig);
				log_err("pool %s: out of memory; its source is not followed", p->name);
				continue;
			}
			r->sig = sig;
			loop_timer_init(&r->timer, run_read, r);
			loop_timer_start(fc->loop, &r->timer, 0); /* read at once */
		}
		r->next = keep;
		keep = r;
	}
	for (r = C.runs; r; r = next) {
		next = r->next;
		run_free(r);
	}
	C.runs = keep;
}

void cluster_stop(struct fulcrum *fc)
{
	struct src_run *r, *next;

	if (!C.fc)
		return;
	for (r = C.runs; r; r = next) {
		next = r->next;
		run_free(r);
	}
	C.runs = NULL;
	node_dns_flush();
}

void cluster_show_pool(const struct pool *p, struct sbuf *out, int json)
{
	const struct src_run *r = p->source && p->name ? run_find(p->name, NULL) : NULL;
	const char *kind;
	double ago;

	if (!p->source) {
		if (json)
			sbuf_puts(out, "null");
		return;
	}
	kind = p->source->kind == SRC_PACEMAKER ? "pacemaker" : "script";
	ago = r && r->last_ok_ms && C.fc ? (double)(loop_now(C.fc->loop) - r->last_ok_ms) / 1000.0
					 : -1.0;
	if (json) {
		sbuf_printf(out, "{\"kind\":\"%s\",\"servers\":%u,\"reads\":%u,\"failures\":%u,"
				 "\"stale\":%s,\"last_read_s\":",
			    kind, r ? r->last.n : 0, r ? r->reads : 0, r ? r->failures : 0,
			    r && r->stale ? "true" : "false");
		if (ago >= 0)
			sbuf_printf(out, "%.3f", ago);
		else
			sbuf_puts(out, "null");
		sbuf_puts(out, ",\"reason\":");
		sbuf_json_str(out, r && r->stale ? r->why : "");
		sbuf_puts(out, ",\"note\":");
		sbuf_json_str(out, r ? r->note : "");
		sbuf_puts(out, "}");
		return;
	}
	sbuf_printf(out, "%s: %u server%s", kind, r ? r->last.n : 0,
		    r && r->last.n == 1 ? "" : "s");
	if (!r || !r->reads)
		sbuf_puts(out, ", not read yet");
	else if (ago >= 0)
		sbuf_printf(out, ", read %.1fs ago", ago);
	if (r && r->stale)
		sbuf_printf(out, "; STALE, the last list is kept: %s", r->why);
	if (r && r->note[0])
		sbuf_printf(out, "; %s", r->note);
}
