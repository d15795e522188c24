/* The script check after the walk (see script_check.h for the contract). */
#include <pwd.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "conf/script_check.h"
#include "core/err.h"
#include "core/script_sec.h"
#include "kw/lexer.h"
#include "model/check-t.h"
#include "model/model-t.h"
#include "model/source-t.h"

static int chrooted; /* conf_scripts_chrooted() */

void conf_scripts_chrooted(void)
{
	chrooted = 1;
}

int conf_chrooted(void)
{
	return chrooted;
}

struct sc_walk {
	struct kw_ctx *c;
	const struct global_defs *g;
	unsigned n; /* scripts seen */
	int pass;   /* 0: count only, 1: check */
};

/* The ids a script runs as: its own user, else script_user, else the
 * daemon's (run_as_user/run_as_group, else root). */
static int run_ids(const struct global_defs *g, const char *user, uid_t *uid, gid_t *gid)
{
	const char *who = user && *user ? user : g->script_user ? g->script_user : g->run_as_user;
	struct passwd *pw;

	*uid = 0;
	*gid = 0;
	if (!who)
		return 0;
	pw = getpwnam(who);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (!(user && *user) && !g->script_user && g->run_as_group) {
		struct group *gr = getgrnam(g->run_as_group);

		if (gr)
			*gid = gr->gr_gid;
	}
	return 0;
}

static void one(void *ctx, const char *what, const char *cmd, const char *user, const char *file,
		int line)
{
	struct sc_walk *w = ctx;
	const char *root = chrooted ? NULL : w->g->chroot_dir;
	char why[512];
	uid_t uid;
	gid_t gid;
	enum script_sec r;

	w->n++;
	if (!w->pass)
		return;
	if (!file)
		file = w->c->cfg->n_files ? w->c->cfg->files[0] : "?";
	if (run_ids(w->g, user, &uid, &gid) < 0)
		return; /* an unknown user is reported where it is given */
	r = script_sec_check(cmd, uid, gid, root, why, sizeof(why));
	if (r == SCRIPT_SAFE || r == SCRIPT_BAD) /* a bad line is reported at run time, as before */
		return;
	if (r == SCRIPT_UNSAFE && w->g->script_security)
		conf_report(w->c->d, DIAG_ERROR, file, line,
			    "%s '%s' refused by enable_script_security: %s", what, cmd, why);
	else if (r == SCRIPT_UNSAFE)
		conf_report(w->c->d, DIAG_WARNING, file, line,
			    "%s '%s' is unsafe: %s (enable_script_security would refuse it)", what,
			    cmd, why);
	else if (w->g->script_security)
		conf_report(w->c->d, DIAG_ERROR, file, line,
			    "%s '%s' cannot be checked for enable_script_security: %s", what, cmd,
			    why);
}

struct each {
	conf_script_fn fn;
	void *ctx;
};

static void each_one(struct each *e, const char *what, const char *cmd, const char *user,
		     const char *file, int line)
{
	if (cmd && *cmd)
		e->fn(e->ctx, what, cmd, user, file, line);
}

/* MISC_CHECK's script and the like; file: where the checks' owner is */
static void checks_scripts(struct each *e, const struct check_conf *k, const char *file)
{
	for (; k; k = k->next) {
		const struct check_ops *ops = check_ops_for(k->type);
		const char *user = NULL, *what = NULL, *cmd;

		cmd = ops && ops->script ? ops->script(k, &user, &what) : NULL;
		if (cmd)
			each_one(e, what, cmd, user, k->file ? k->file : file, k->line);
	}
}

static void rs_scripts(struct each *e, const struct real_server *rs)
{
	each_one(e, "notify_up", rs->notify_up, NULL, rs->file, rs->line);
	each_one(e, "notify_down", rs->notify_down, NULL, rs->file, rs->line);
	if (!rs->from_source) /* the source's checks: once, below */
		checks_scripts(e, rs->checks, rs->file);
}

/* A pool's source: real_server_script's command runs as script_user like
 * any script; pacemaker_real_servers' crm_mon as Pacemaker's user (src/
 * cluster/cluster.c), checked when the file names its own (the default is
 * Pacemaker's packaged program, found in PATH); and the checks of the
 * servers it yields, once. */
static void source_scripts(struct each *e, const struct pool_source *s)
{
	if (s->kind == SRC_SCRIPT)
		each_one(e, "real_server_script", s->script, NULL, s->file, s->line);
	else if (s->crm_mon)
		each_one(e, "pacemaker_real_servers crm_mon", s->crm_mon, SRC_CRM_USER,
			 s->file, s->line);
	checks_scripts(e, s->checks, s->file);
}

void conf_scripts_each(const struct config *cfg, conf_script_fn fn, void *ctx)
{
	struct each e = {fn, ctx};
	const struct vrrp_instance *vi;
	const struct vrrp_sync_group *sg;
	const struct vrrp_script *s;
	const struct virtual_server *vs;
	const struct real_server *rs;

	for (vs = cfg->vs; vs; vs = vs->next) {
		each_one(&e, "quorum_up", vs->pool->quorum_up, NULL, vs->file, vs->line);
		each_one(&e, "quorum_down", vs->pool->quorum_down, NULL, vs->file, vs->line);
		for (rs = vs->pool->rs; rs; rs = rs->next)
			rs_scripts(&e, rs);
		if (vs->pool->sorry)
			rs_scripts(&e, vs->pool->sorry);
		if (vs->pool->source)
			source_scripts(&e, vs->pool->source);
	}
	each_one(&e, "autoreload_callback", cfg->global.reload_callback, NULL,
		 cfg->global.reload_callback_file, cfg->global.reload_callback_line);
	for (s = cfg->vrrp.scripts; s; s = s->next)
		each_one(&e, "vrrp_script script", s->script, s->user, s->file, s->line);
	for (vi = cfg->vrrp.instances; vi; vi = vi->next) {
		each_one(&e, "notify_master", vi->notify_master, NULL, vi->file, vi->line);
		each_one(&e, "notify_backup", vi->notify_backup, NULL, vi->file, vi->line);
		each_one(&e, "notify_fault", vi->notify_fault, NULL, vi->file, vi->line);
		each_one(&e, "notify_stop", vi->notify_stop, NULL, vi->file, vi->line);
		each_one(&e, "notify", vi->notify, NULL, vi->file, vi->line);
	}
	for (sg = cfg->vrrp.groups; sg; sg = sg->next) {
		each_one(&e, "notify_master", sg->notify_master, NULL, sg->file, sg->line);
		each_one(&e, "notify_backup", sg->notify_backup, NULL, sg->file, sg->line);
		each_one(&e, "notify_fault", sg->notify_fault, NULL, sg->file, sg->line);
		each_one(&e, "notify", sg->notify, NULL, sg->file, sg->line);
	}
}

/* keepalived's default script user: keepalived_script when it exists.
 * Under enable_script_security fulcrum then falls back to nobody (keepalived
 * to root); without it scripts run as the daemon, as they always did. */
static void default_user(struct sc_walk *w, struct global_defs *g)
{
	const char *file = w->c->cfg->n_files ? w->c->cfg->files[0] : "?", *name = NULL;

	if (g->script_user)
		return;
	if (getpwnam(SCRIPT_DEFAULT_USER)) {
		name = SCRIPT_DEFAULT_USER;
	} else if (g->script_security && !g->run_as_user) {
		if (!getpwnam(SCRIPT_FALLBACK_USER)) {
			if (w->n)
				conf_report(w->c->d, DIAG_ERROR, file, 0,
					    "enable_script_security: no script_user, and neither "
					    "'%s' nor '%s' exists",
					    SCRIPT_DEFAULT_USER, SCRIPT_FALLBACK_USER);
			return;
		}
		name = SCRIPT_FALLBACK_USER;
		if (w->n)
			conf_report(w->c->d, DIAG_WARNING, file, 0,
				    "enable_script_security: no script_user and no user '%s': "
				    "scripts run as '%s'",
				    SCRIPT_DEFAULT_USER, SCRIPT_FALLBACK_USER);
	}
	if (name && !(g->script_user = strdup(name)))
		conf_report(w->c->d, DIAG_ERROR, file, 0, "script_user: out of memory");
}

void conf_scripts_finish(struct kw_ctx *c)
{
	struct sc_walk w = {.c = c, .g = &c->cfg->global};

	conf_scripts_each(c->cfg, one, &w); /* count: defaults warn only if there are scripts */
	default_user(&w, &c->cfg->global);
	w.pass = 1;
	conf_scripts_each(c->cfg, one, &w);
}
