/* global_defs: fulcrum's own settings (control_socket, the XDP engine's
 * interfaces and mode, the user/group/chroot to run in), router_id, script
 * security (script_user, enable_script_security), the watched files
 * (autoreload, autoreload_callback, maintenance_dir), the stats page
 * (stats_listen..., stats_kw.c), the VRRP defaults
 * (vrrp_kw.c) and the process tuning keywords (proc_kw.c). */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/ka.h"
#include "conf/script_check.h"
#include "core/err.h"
#include "model/model.h"

static int p_control_socket(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct global_defs *g = obj;

	if (st->args[0].text[0] != '/')
		return err_set(err, errlen, "control_socket: '%s' is not an absolute path",
			       st->args[0].text);
	if (strlen(st->args[0].text) >= 108)
		return err_set(err, errlen, "control_socket: path longer than 107 characters");
	return kw_str(st, 0, &g->control_socket, err, errlen);
}

/* xdp_interface IF [IF ...] (fulcrum extension): the interfaces the XDP
 * engine attaches to for lb_kind DR/TUN; repeated lines add up. */
static int p_xdp_interface(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	struct global_defs *g = obj;
	unsigned i, j;

	for (i = 0; i < st->argc; i++) {
		const char *name = st->args[i].text;
		char **grown;

		if (!name[0] || strlen(name) >= 16 || strchr(name, '/'))
			return err_set(err, errlen, "xdp_interface: '%s' is not an interface name",
				       name);
		for (j = 0; j < g->n_xdp_interfaces; j++)
			if (!strcmp(g->xdp_interfaces[j], name))
				break;
		if (j < g->n_xdp_interfaces)
			continue;
		if (g->n_xdp_interfaces >= FC_XDP_MAX_IFS)
			return err_set(err, errlen, "xdp_interface: more than %d interfaces",
				       FC_XDP_MAX_IFS);
		grown = realloc(g->xdp_interfaces, (g->n_xdp_interfaces + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, errlen, "out of memory");
		g->xdp_interfaces = grown;
		if (!(grown[g->n_xdp_interfaces] = strdup(name)))
			return err_set(err, errlen, "out of memory");
		g->n_xdp_interfaces++;
	}
	return 0;
}

/* xdp_mode auto|native|generic (fulcrum extension); drv and skb are the
 * names ip-link(8) gives the last two */
static const struct kw_enum xdp_modes[] = {
    {"auto", FC_XDP_MODE_AUTO},
    {"native", FC_XDP_MODE_NATIVE},
    {"drv", FC_XDP_MODE_NATIVE, 1},
    {"generic", FC_XDP_MODE_GENERIC},
    {"skb", FC_XDP_MODE_GENERIC, 1},
    {NULL},
};

/* proxy_relay auto|copy|splice|sockmap (fulcrum extension) */
static const struct kw_enum proxy_relays[] = {
    {"auto", FC_RELAY_AUTO},
    {"copy", FC_RELAY_COPY},
    {"splice", FC_RELAY_SPLICE},
    {"sockmap", FC_RELAY_SOCKMAP},
    {NULL},
};

/* ---- scripts and privileges (doc/security.md) ---- */

/* A user or group must exist when the configuration is read: an unknown
 * one is a file:line error at fulcrum -t, not a failure at the first run. */
static int user_exists(const char *kw, const char *name, char *err, size_t errlen)
{
	if (!getpwnam(name))
		return err_set(err, errlen, "%s: unknown user '%s'", kw, name);
	return 0;
}

/* script_user USER [GROUP]: keepalived's default user for scripts. */
static int p_script_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct global_defs *g = obj;

	if (user_exists("script_user", st->args[0].text, err, errlen) < 0)
		return -1;
	if (st->argc > 1)
		kw_warn(c, st->kw,
			"script_user: the group is ignored by fulcrum (the user's own group "
			"applies)");
	return kw_str(st, 0, &g->script_user, err, errlen);
}

static int p_enable_script_security(struct kw_ctx *c, void *obj, const struct kw_stmt *st,
				    char *err, size_t errlen)
{
	((struct global_defs *)obj)->script_security = 1;
	return 0;
}

/* run_as_user USER (fulcrum extension, HAProxy's `user`) */
static int p_run_as_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	if (user_exists("run_as_user", st->args[0].text, err, errlen) < 0)
		return -1;
	return kw_str(st, 0, &((struct global_defs *)obj)->run_as_user, err, errlen);
}

/* run_as_group GROUP (fulcrum extension, HAProxy's `group`) */
static int p_run_as_group(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	if (!getgrnam(st->args[0].text))
		return err_set(err, errlen, "run_as_group: unknown group '%s'", st->args[0].text);
	return kw_str(st, 0, &((struct global_defs *)obj)->run_as_group, err, errlen);
}

/* chroot_dir DIR (fulcrum extension, HAProxy's `chroot`) */
static int p_chroot_dir(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	const char *d = st->args[0].text;
	struct stat sb;

	if (d[0] != '/')
		return err_set(err, errlen, "chroot_dir: '%s' is not an absolute path", d);
	/* inside it already (a reload): it is "/" now */
	if (!conf_chrooted() && (stat(d, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		return err_set(err, errlen, "chroot_dir: '%s' is not a directory", d);
	return kw_str(st, 0, &((struct global_defs *)obj)->chroot_dir, err, errlen);
}

/* ---- watched files (fulcrum extensions: ldirectord's autoreload,
 * maintenancedir and callback; src/daemon/watch.h) ---- */

/* maintenance_dir DIR: absolute (the daemon runs in /).  A directory that
 * is not there yet is no error: no server is in maintenance until it is. */
static int p_maintenance_dir(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	const char *d = st->args[0].text;
	struct stat sb;

	if (d[0] != '/')
		return err_set(err, errlen, "maintenance_dir: '%s' is not an absolute path", d);
	if (stat(d, &sb) < 0)
		kw_warn(c, st->kw,
			"maintenance_dir: '%s' does not exist: no server is in maintenance until "
			"it is created",
			d);
	else if (!S_ISDIR(sb.st_mode))
		return err_set(err, errlen, "maintenance_dir: '%s' is not a directory", d);
	return kw_str(st, 0, &((struct global_defs *)obj)->maintenance_dir, err, errlen);
}

/* autoreload_callback CMD: checked as every script (script_check.c), so
 * where it was given is kept for its file:line. */
static int p_autoreload_callback(struct kw_ctx *c, void *obj, const struct kw_stmt *st,
				 char *err, size_t errlen)
{
	struct global_defs *g = obj;

	g->reload_callback_file = config_intern_file(c->cfg, st->kw->file);
	g->reload_callback_line = st->kw->line;
	return kw_script(c, st, &g->reload_callback, err, errlen);
}

static const struct kw kw_global[] = {
    {"control_socket", p_control_socket, 1, 1, KW_NOBLOCK},
    {"router_id", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct global_defs, router_id, KW_T_STR, 0, 0)},
    /* router_id's name before keepalived 1.1.8 */
    {"lvs_id", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct global_defs, router_id, KW_T_STR, 0, 0)},
    {"xdp_interface", p_xdp_interface, 1, KW_ANY, KW_NOBLOCK},
    {"xdp_mode", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct global_defs, xdp_mode, KW_T_ENUM, 0, 0, xdp_modes)},
    {"proxy_relay", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct global_defs, proxy_relay, KW_T_ENUM, 0, 0, proxy_relays)},
    /* haproxy's nbthread: userspace engine threads (doc/internals/threads.md) */
    {"nbthread", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT(struct global_defs, nbthread, KW_T_UINT, 1, FC_NBTHREAD_MAX)},
    {"vrrp_version", vrrp_kw_global_version, 1, 1, KW_NOBLOCK},
    {"vrrp_garp_interval", vrrp_kw_global_garp, 1, 1, KW_NOBLOCK},
    {"vrrp_gna_interval", vrrp_kw_global_garp, 1, 1, KW_NOBLOCK},
    {"script_user", p_script_user, 1, 2, KW_NOBLOCK},
    {"enable_script_security", p_enable_script_security, 0, 0, KW_NOBLOCK},
    {"run_as_user", p_run_as_user, 1, 1, KW_NOBLOCK},
    {"run_as_group", p_run_as_group, 1, 1, KW_NOBLOCK},
    {"chroot_dir", p_chroot_dir, 1, 1, KW_NOBLOCK},
    {"autoreload", NULL, 0, 1, KW_NOBLOCK,
     KW_SLOT(struct global_defs, autoreload, KW_T_BOOL, 0, 0)},
    {"maintenance_dir", p_maintenance_dir, 1, 1, KW_NOBLOCK},
    {"autoreload_callback", p_autoreload_callback, 1, 3, KW_NOBLOCK},
    /* the stats page and /metrics (stats_kw.c) */
    CONF_STATS_KWS,
    {NULL},
};

static const struct kw_block blk_global = {"global_defs", kw_global, proc_kw_global, ign_global,
					  NULL};

int conf_global_defs(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	kw_body(c, &blk_global, &c->cfg->global, st->kw);
	return 0;
}

/* For the generated keyword reference (kw_doc.c). */
const struct kw_block *const kw_doc_global[] = {&blk_global, NULL};
