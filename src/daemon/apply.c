/* The one path that changes what is served.
 *
 * A reload, a control command and a health transition all end here: either
 * a whole new model (apply_config) or one virtual server changed in place
 * (apply_vs).  Engines are called from nowhere else.  Health checking and
 * VRRP sit below: they report their changes through the hooks installed
 * here and never include daemon/ (doc/internals/model.md, "Layering"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/health.h"
#include "cluster/cluster.h"
#include "conf/conf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/resolve.h"
#include "core/sdnotify.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "daemon/privs.h"
#include "daemon/proc_tune.h"
#include "daemon/watch.h"
#include "engine/engines.h"
#include "model/model.h"
#include "vrrp/vrrp_run.h"

/* A health change is a change of the service like any other: the same
 * path as a control command. */
static const struct health_hooks health_hooks = {
    .vs_changed = apply_vs,
};

/* ha_suspend: VRRP's mastership starts and stops the checks of a service
 * on one of its addresses. */
static const struct vrrp_hooks vrrp_hooks = {
    .vs_suspend = health_suspend_vs,
};

/* autoreload: a changed file takes SIGHUP's path; maintenance: a server
 * taken out or back is a change of its service like a health change. */
static const struct watch_hooks watch_hooks = {
    .reload = daemon_reload_notify,
    .vs_changed = apply_vs,
};

/* A pool that follows the cluster or a script: its new servers are a
 * change of its service like a control command's add/del server. */
static const struct cluster_hooks cluster_hooks = {
    .vs_changed = apply_vs,
};

/* The control commands reach the apply path through these (fc->ops):
 * set weight and the like go the way a health change goes. */
const struct fulcrum_ops apply_ops = {
    .reload = daemon_reload,
    .apply_vs = apply_vs,
    .sync = apply_sync,
};

unsigned apply_validate(const struct config *cfg, void (*report)(void *ctx, const char *msg),
			void *ctx)
{
	const struct engine_ops *const *all;
	const struct virtual_server *vs;
	unsigned problems = 0;

	for (vs = cfg->vs; vs; vs = vs->next) {
		const struct engine_ops *e = engine_for(vs);
		char err[ERRLEN], label[ADDR_STRLEN + 16], msg[ERRLEN + 256];

		if (!e)
			snprintf(err, sizeof(err), "no engine serves lb_kind %s",
				 fwd_keyword(vs->fwd));
		else if (e->check(vs, err, sizeof(err)) == 0)
			continue;
		problems++;
		snprintf(msg, sizeof(msg), "%s:%d: virtual_server %s: %s", vs->file ? vs->file : "?",
			 vs->line, vs_label(vs, label, sizeof(label)), err);
		if (report)
			report(ctx, msg);
	}
	for (all = engines; *all; all++) {
		const struct virtual_server *at = NULL;
		char err[ERRLEN], label[ADDR_STRLEN + 16], msg[ERRLEN + 256];

		if (!(*all)->check_all || (*all)->check_all(cfg, &at, err, sizeof(err)) == 0)
			continue;
		problems++;
		snprintf(msg, sizeof(msg), "%s:%d: virtual_server %s: %s",
			 at && at->file ? at->file : "?", at ? at->line : 0,
			 at ? vs_label(at, label, sizeof(label)) : "?", err);
		if (report)
			report(ctx, msg);
	}
	return problems;
}

struct first_problem {
	char *buf;
	size_t len;
	unsigned n;
};

static void keep_first(void *ctx, const char *msg)
{
	struct first_problem *fp = ctx;

	if (fp->n++ == 0)
		snprintf(fp->buf, fp->len, "%s", msg);
	log_err("%s", msg);
}

static struct virtual_server *find_same(const struct config *cfg, const struct virtual_server *vs)
{
	struct virtual_server *o;

	if (!cfg)
		return NULL;
	for (o = cfg->vs; o; o = o->next)
		if (vs_same_key(o, vs) && engine_for(o) == engine_for(vs))
			return o;
	return NULL;
}

/* A weight set at run time outlives a reload unless the file's weight for
 * that server changed: the operator's last word wins until the file says
 * something new.  Admin state (drain/disable) lives in rs_live and so is
 * carried by config_carry_live(). */
static void carry_weights(struct config *newcfg, const struct config *old)
{
	struct virtual_server *nvs, *ovs;
	struct real_server *nrs, *ors;

	for (nvs = newcfg->vs; nvs; nvs = nvs->next) {
		ovs = find_same(old, nvs);
		/* the same server: a pool of the same name, a server of the same
		 * name in it (config_carry_live's rule) */
		if (!ovs || !nvs->pool->name || !ovs->pool->name ||
		    strcmp(nvs->pool->name, ovs->pool->name))
			continue;
		for (nrs = nvs->pool->rs; nrs; nrs = nrs->next) {
			ors = pool_find_server(ovs->pool, nrs->name);
			if (ors && ors->weight == nrs->weight)
				nrs->cur_weight = ors->cur_weight;
		}
	}
}

int apply_config(struct fulcrum *fc, struct config *newcfg, char *err, size_t errlen)
{
	struct first_problem fp = {err, errlen, 0};
	struct virtual_server *vs, *old, *failed = NULL;
	const struct engine_ops *const *all;
	struct config *oldcfg = fc->cfg;

	if (apply_validate(newcfg, keep_first, &fp))
		return -1;

	/* new servers named in the maintenance directory never enter a table */
	watch_premark(fc, newcfg);
	/* the servers a pool's source gave last stay through a reload */
	cluster_premerge(fc, newcfg);
	config_carry_live(newcfg, oldcfg);
	carry_weights(newcfg, oldcfg);

	/* phase 1: build everything beside the running model */
	for (all = engines; *all; all++)
		if ((*all)->settings)
			(*all)->settings(fc, &newcfg->global);
	for (vs = newcfg->vs; vs; vs = vs->next) {
		const struct engine_ops *e = engine_for(vs);

		if (e->prepare(fc, vs, find_same(oldcfg, vs), err, errlen) < 0) {
			failed = vs;
			break;
		}
	}
	if (failed) {
		for (vs = newcfg->vs; vs != failed; vs = vs->next)
			engine_for(vs)->abort(fc, vs, find_same(oldcfg, vs));
		return -1;
	}

	/* phase 2: cannot fail */
	for (vs = newcfg->vs; vs; vs = vs->next)
		engine_for(vs)->commit(fc, vs, find_same(oldcfg, vs));
	if (oldcfg) {
		for (old = oldcfg->vs; old; old = old->next)
			if (!find_same(newcfg, old))
				engine_for(old)->remove(fc, old);
	}
	fc->cfg = newcfg;
	/* scheduling class, nice value, locked memory (vrrp_rt_priority...) */
	proc_tune_apply(&newcfg->global);
	/* checkers move over to the new model (or start) while the old one
	 * still exists */
	health_apply(fc, &health_hooks, newcfg, oldcfg);
	/* VRRP instances move over (or stop, or start) while the old model,
	 * which the stopping ones still point into, exists */
	vrrp_run_apply(fc, &vrrp_hooks, newcfg, oldcfg);
	config_free(oldcfg);
	/* the files and the maintenance directory the new model names */
	watch_apply(fc, &watch_hooks);
	/* the pools that follow the cluster or a script */
	cluster_apply(fc, &cluster_hooks);
	return 0;
}

static int update_engine(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	const struct engine_ops *e = engine_for(vs);

	if (!e) /* apply_validate let no such model in */
		return err_set(err, errlen, "no engine serves lb_kind %s", fwd_keyword(vs->fwd));
	return e->update ? e->update(fc, vs, err, errlen) : 0;
}

int apply_vs(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	struct virtual_server *o;
	char oerr[ERRLEN];
	int r;

	if (!engine_for(vs))
		return update_engine(fc, vs, err, errlen);
	/* servers added in place may be in maintenance before they are checked */
	watch_vs_added(fc, vs);
	/* servers added or removed in place start or stop their checks; the
	 * engines then see the quorum's held flags */
	health_sync_vs(fc, vs);
	r = update_engine(fc, vs, err, errlen);
	/* a pool shared by other services: theirs too (their own tables) */
	for (o = fc->cfg ? fc->cfg->vs : NULL; o; o = o->next)
		if (o != vs && o->pool == vs->pool &&
		    update_engine(fc, o, oerr, sizeof(oerr)) < 0 && r == 0)
			r = err_set(err, errlen, "%s", oerr);
	return r;
}

void apply_sync(struct fulcrum *fc, int conns)
{
	const struct engine_ops *const *all;

	for (all = engines; *all; all++)
		if ((*all)->sync)
			(*all)->sync(fc, conns);
}

void apply_shutdown(struct fulcrum *fc)
{
	const struct engine_ops *const *all;

	watch_stop(fc); /* first: no reload or maintenance change while stopping */
	cluster_stop(fc);
	/* both cancelled their lookups: what glibc's threads still run gets a
	 * bounded wait (core/resolve.h) */
	resolve_stop();
	for (all = engines; *all; all++)
		if ((*all)->shutdown)
			(*all)->shutdown(fc);
	/* priority-0 adverts, VIPs removed, notify_stop (reaped below) */
	vrrp_run_shutdown(fc);
	/* last: it runs the loop briefly to reap the scripts it killed */
	health_stop(fc);
}

static void log_diag(void *ctx, int severity, const char *msg)
{
	(void)ctx;
	if (severity == DIAG_ERROR)
		log_err("%s", msg);
	else
		log_warn("%s", msg);
}

static int reload_once(struct fulcrum *fc, char *err, size_t errlen)
{
	struct conf_diag d = {.fn = log_diag};
	struct config *newcfg;

	log_info("reloading %s", fc->conf_path);
	newcfg = conf_load_file(fc->conf_path, &d);
	if (!newcfg)
		return err_set(err, errlen,
			       "%s has %u error%s (logged); the running configuration is kept",
			       fc->conf_path, d.errors, d.errors == 1 ? "" : "s");
	if (privs_reload_check(fc->cfg, newcfg, err, errlen) < 0 ||
	    (newcfg->global.control_socket && !fc->control_from_cli &&
	     strcmp(newcfg->global.control_socket, fc->control_path) &&
	     ctl_socket_dir_check(newcfg->global.control_socket, err, errlen) < 0) ||
	    apply_config(fc, newcfg, err, errlen) < 0) {
		char why[ERRLEN];

		snprintf(why, sizeof(why), "%s", err);
		config_free(newcfg);
		return err_set(err, errlen, "reload refused, the running configuration is kept: %s",
			       why);
	}
	if (privs_scripts(newcfg, err, errlen) < 0)
		log_err("%s; scripts keep running as before", err);
	if (newcfg->global.control_socket && !fc->control_from_cli &&
	    strcmp(newcfg->global.control_socket, fc->control_path))
		log_warn("control_socket changed to %s: takes effect at the next start",
			 newcfg->global.control_socket);
	fc->reloads++;
	return 0;
}

/* A reload, and its result as one `event=reload` line (doc/metrics.md,
 * "Logs"): result=ok with the services now served, or result=failed with
 * the error (the running configuration stays). */
int daemon_reload(struct fulcrum *fc, char *err, size_t errlen)
{
	char n[16];
	int rc = reload_once(fc, err, errlen);
	const struct log_kv kv[] = {
	    {"result", rc < 0 ? "failed" : "ok"},
	    {"file", fc->conf_path},
	    {"services", rc < 0 ? NULL : n},
	    {"error", rc < 0 ? err : NULL},
	};

	snprintf(n, sizeof(n), "%u", fc->cfg->n_vs);
	if (rc < 0)
		log_event(LOG_ERR, "reload", kv, sizeof(kv) / sizeof(kv[0]), "%s", err);
	else
		log_event(LOG_INFO, "reload", kv, sizeof(kv) / sizeof(kv[0]),
			  "reloaded %s: %u virtual server%s", fc->conf_path, fc->cfg->n_vs,
			  fc->cfg->n_vs == 1 ? "" : "s");
	return rc;
}

int daemon_reload_notify(struct fulcrum *fc)
{
	char err[ERRLEN];

	sdn_reloading(); /* systemd waits for READY=1 before it calls the reload done */
	if (daemon_reload(fc, err, sizeof(err)) < 0) { /* (logged) */
		sdn_notify("READY=1\nSTATUS=reload refused, still serving the previous configuration");
		return -1;
	}
	sdn_notify("READY=1\nSTATUS=serving %u virtual servers (reloaded)", fc->cfg->n_vs);
	return 0;
}
