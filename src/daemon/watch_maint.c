/* The maintenance directory (global_defs maintenance_dir, ldirectord's
 * maintenancedir): while a file there names a real server, the server is
 * in maintenance (health_set_maint: down for the engines, its checks go
 * on); when the file goes, the checks' verdict applies again.
 *
 * The names, in the order ldirectord tries them for a real server IP:PORT
 * (_check_real_for_maintenance), the first one found wins:
 *     IP:PORT   IP   HOST:PORT   HOST
 * IPv6 as ldirectord writes it, "[2001:db8::1]:80" and "[2001:db8::1]",
 * and the bare address too.  Any kind of file counts (ldirectord's -e).
 * HOST is a name that is not an address: ldirectord looks up the server's
 * address backwards at every check (and tries the FQDN and its first
 * label); here the name is resolved forwards instead (watch_resolve.c, off
 * the loop), and it names every server whose address it resolves to.
 * Every server of every service matches; the sorry server never does (as
 * ldirectord's fallback).
 *
 * The directory is watched (inotify); a change of it is seen at once.  A
 * directory that does not exist (yet) holds no file: every server is out
 * of maintenance, and its creation is looked for every WATCH_RETRY_MS.  A
 * directory removed or renamed away likewise. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "check/health.h"
#include "core/addr.h"
#include "core/log.h"
#include "core/loop.h"
#include "daemon/watch-int.h"
#include "model/model.h"

#define WATCH_RETRY_MS 1000

static struct maint {
	char *dir;                /* in force: the running model's maintenance_dir */
	int wd;                   /* its watch, -1 when it could not be watched */
	struct maint_entry *e;    /* its entries that name something */
	unsigned n;
	struct ev_timer retry;    /* the directory is missing: look again */
	struct ev_timer rescan;   /* coalesces a burst of events into one scan */
	int timers_init;
	int missing_logged;
} M = {.wd = -1};

/* ---- entries ---- */

static void entries_free(struct maint_entry *e, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].resolved);
	}
	free(e);
}

static int host_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 253)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* What a directory entry names; -1 for a name that names no server (an
 * editor's swap file, a README...), which is then ignored. */
static int entry_parse(struct maint_entry *e, const char *name)
{
	char err[128], host[256];
	const char *colon = strrchr(name, ':');
	size_t hl;

	memset(e, 0, sizeof(*e));
	if (name[0] == '[') {
		const char *close = strchr(name, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		if (close[1] == ':') {
			if (addr_parse_hostport(name, &e->addr, err, sizeof(err)) < 0)
				return -1;
			e->has_port = 1;
			e->port = e->addr.port;
		} else {
			hl = (size_t)(close - name - 1);
			if (hl >= sizeof(host))
				return -1;
			memcpy(host, name + 1, hl);
			host[hl] = 0;
			if (addr_parse_ip(host, &e->addr, err, sizeof(err)) < 0 ||
			    e->addr.family != AF_INET6)
				return -1;
		}
	} else if (addr_parse_ip(name, &e->addr, err, sizeof(err)) == 0) {
		/* IPv4 or a bare IPv6 address, no port */
	} else if (colon && strchr(name, ':') == colon) {
		hl = (size_t)(colon - name);
		if (hl >= sizeof(host) ||
		    addr_parse_port(colon + 1, &e->port, 1, err, sizeof(err)) < 0)
			return -1;
		memcpy(host, name, hl);
		host[hl] = 0;
		e->has_port = 1;
		if (addr_parse_ip(host, &e->addr, err, sizeof(err)) < 0) {
			if (!host_name_ok(host, hl))
				return -1;
			e->host = 1;
		}
	} else if (host_name_ok(name, strlen(name))) {
		e->host = 1;
	} else {
		return -1;
	}
	e->name = strdup(name);
	return e->name ? 0 : -1;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct maint_entry *)a)->name, ((const struct maint_entry *)b)->name);
}

/* Read dir's entries.  A directory that cannot be read holds none (-1,
 * errno set). */
static int scan(const char *dir, struct maint_entry **out, unsigned *n_out)
{
	struct maint_entry *e = NULL, *grown;
	unsigned n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*out = NULL;
	*n_out = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(e, cap * sizeof(*e));
			if (!grown)
				break;
			e = grown;
		}
		if (entry_parse(&e[n], de->d_name) == 0)
			n++;
	}
	closedir(d);
	/* sorted: the first match is the same whatever order readdir gives */
	if (n)
		qsort(e, n, sizeof(*e), entry_cmp);
	*out = e;
	*n_out = n;
	return 0;
}

static int entry_matches(const struct maint_entry *e, const struct fc_addr *a, int with_port)
{
	unsigned i;

	if (e->has_port != with_port || (with_port && e->port != a->port))
		return 0;
	if (!e->host)
		return addr_ip_equal(&e->addr, a);
	for (i = 0; i < e->n_resolved; i++)
		if (addr_ip_equal(&e->resolved[i], a))
			return 1;
	return 0;
}

/* The entry that puts a server at a into maintenance, in ldirectord's
 * order, or NULL. */
static const struct maint_entry *match(const struct maint_entry *e, unsigned n,
				       const struct fc_addr *a)
{
	static const int order[4][2] = {{0, 1}, {0, 0}, {1, 1}, {1, 0}}; /* {host, port} */
	unsigned k, i;

	for (k = 0; k < 4; k++)
		for (i = 0; i < n; i++)
			if (e[i].host == order[k][0] && entry_matches(&e[i], a, order[k][1]))
				return &e[i];
	return NULL;
}

/* Put rs into maintenance or out of it, as entries e say. */
static int maint_set(struct fulcrum *fc, const char *dir, const struct maint_entry *e,
		     unsigned n, struct virtual_server *vs, struct real_server *rs)
{
	const struct maint_entry *m = match(e, n, &rs->addr);
	char why[PATH_MAX + 64];

	if (!m)
		return health_set_maint(fc, vs, rs, NULL);
	snprintf(why, sizeof(why), "maintenance (file %s/%s)", dir, m->name);
	return health_set_maint(fc, vs, rs, why);
}

/* Every server of the running model as the entries in force say; a
 * service whose servers changed is applied. */
static void sync_all(void)
{
	struct fulcrum *fc = watch_fc();
	struct virtual_server *vs;
	struct real_server *rs;
	char err[512];

	if (!fc || !fc->cfg)
		return;
	for (vs = fc->cfg->vs; vs; vs = vs->next) {
		int changed = 0;

		for (rs = vs->pool->rs; rs; rs = rs->next)
			changed |= maint_set(fc, M.dir, M.e, M.n, vs, rs);
		if (changed && watch_hooks()->vs_changed(fc, vs, err, sizeof(err)) < 0)
			log_err("maintenance not applied: %s", err);
	}
}

static void rescan(void)
{
	entries_free(M.e, M.n);
	M.e = NULL;
	M.n = 0;
	if (M.dir && M.wd >= 0 && scan(M.dir, &M.e, &M.n) < 0)
		log_warn("maintenance_dir %s: %s", M.dir, strerror(errno));
	maint_resolve(M.e, M.n);
	sync_all();
}

/* ---- the directory ---- */

static void dir_watch(void)
{
	if (!M.dir || M.wd >= 0)
		return;
	M.wd = watch_dir_add(M.dir);
	if (M.wd >= 0) {
		if (M.missing_logged)
			log_info("maintenance_dir %s is there now", M.dir);
		M.missing_logged = 0;
		return;
	}
	if (!M.missing_logged)
		log_warn("maintenance_dir %s: %s: no server is in maintenance until it can be "
			 "watched (looked for every %u ms)",
			 M.dir, strerror(errno), WATCH_RETRY_MS);
	M.missing_logged = 1;
	loop_timer_start(watch_fc()->loop, &M.retry, WATCH_RETRY_MS);
}

static void on_retry(struct loop *l, struct ev_timer *t)
{
	(void)l;
	(void)t;
	dir_watch();
	if (M.wd >= 0)
		rescan();
}

static void on_rescan(struct loop *l, struct ev_timer *t)
{
	(void)l;
	(void)t;
	rescan();
}

static void dir_release(void)
{
	watch_dir_release(M.wd);
	M.wd = -1;
}

int maint_event(int wd, uint32_t mask, const char *name)
{
	(void)name;
	if (!M.dir || (wd >= 0 && wd != M.wd))
		return 0;
	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
		/* gone: every server leaves maintenance until it is back */
		log_warn("maintenance_dir %s was removed", M.dir);
		dir_release();
		M.missing_logged = 0;
		dir_watch();
	}
	/* one scan after the events read together */
	if (!loop_timer_armed(&M.rescan))
		loop_timer_start(watch_fc()->loop, &M.rescan, 0);
	return 1;
}

void maint_apply(struct fulcrum *fc)
{
	const char *dir = fc->cfg->global.maintenance_dir;

	if (!M.timers_init) {
		loop_timer_init(&M.retry, on_retry, NULL);
		loop_timer_init(&M.rescan, on_rescan, NULL);
		M.timers_init = 1;
	}
	if (!dir || !M.dir || strcmp(dir, M.dir)) {
		dir_release();
		loop_timer_stop(fc->loop, &M.retry);
		free(M.dir);
		M.dir = dir ? strdup(dir) : NULL;
		M.missing_logged = 0;
		if (dir && !M.dir)
			log_err("maintenance_dir: out of memory, not watched");
	}
	dir_watch();
	/* servers may be new, the directory another one: look at all */
	rescan();
}

void watch_premark(struct fulcrum *fc, struct config *newcfg)
{
	const char *dir = newcfg->global.maintenance_dir;
	struct maint_entry *e = M.e;
	unsigned n = M.n;
	struct virtual_server *vs, *ovs;
	struct real_server *rs;
	int own = 0;

	if (!dir)
		return;
	if (!M.dir || strcmp(M.dir, dir)) {
		if (scan(dir, &e, &n) < 0)
			return; /* no directory, no maintenance */
		maint_resolve_fill(e, n); /* the names known already */
		own = 1;
	}
	for (vs = newcfg->vs; vs; vs = vs->next) {
		for (ovs = fc->cfg ? fc->cfg->vs : NULL; ovs; ovs = ovs->next)
			if (vs_same_key(ovs, vs))
				break;
		for (rs = vs->pool->rs; rs; rs = rs->next)
			/* a server in service keeps its live state (carried over);
			 * watch_apply settles it after the swap */
			if (!(ovs && vs_find_rs(ovs, &rs->addr)) && match(e, n, &rs->addr))
				maint_set(fc, dir, e, n, vs, rs);
	}
	if (own)
		entries_free(e, n);
}

void watch_vs_added(struct fulcrum *fc, struct virtual_server *vs)
{
	struct real_server *rs;

	if (!M.dir)
		return;
	for (rs = vs->pool->rs; rs; rs = rs->next)
		if (!rs->health)
			maint_set(fc, M.dir, M.e, M.n, vs, rs);
}

void maint_resolved(void)
{
	maint_resolve_fill(M.e, M.n);
	sync_all();
}

void maint_stop(void)
{
	struct fulcrum *fc = watch_fc();

	if (M.timers_init && fc) {
		loop_timer_stop(fc->loop, &M.retry);
		loop_timer_stop(fc->loop, &M.rescan);
	}
	maint_resolve_stop();
	dir_release();
	entries_free(M.e, M.n);
	M.e = NULL;
	M.n = 0;
	free(M.dir);
	M.dir = NULL;
}
