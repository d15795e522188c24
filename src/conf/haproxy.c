/* The haproxy.cfg reader (conf_reader_haproxy): haproxy 2.6's grammar read
 * into the model keepalived.conf builds (model/http_proxy-t.h gives the
 * mapping: a proxy section is a struct http_proxy, its binds services,
 * its servers a pool).
 *
 * Sections: `global`, `defaults [NAME]`, `frontend NAME [ADDR]`, `backend
 * NAME`, `listen NAME [ADDR]` (the address form of haproxy 1.x is a
 * `bind`), `userlist NAME`, `http-errors NAME`; `resolvers`, `peers`,
 * `mailers`, `program`, `ring` and `cache` are accepted with a warning and
 * not read.  A proxy section takes the last defaults section before it, or
 * the one it names (`from NAME`): its settings are copied into the proxy
 * when the section opens, as haproxy does, and the lines of a defaults
 * section that belong to the HTTP modules (errorfile, http-request...) are
 * replayed into the proxy first.
 *
 * Everything is reported as file:line and the read goes on; the model is
 * returned only without errors.  After the file: default_backend names are
 * resolved, the HTTP modules resolve their references, each bind becomes a
 * service whose pool is its default backend's, and the servers' checks are
 * built (they depend on options wherever they stand in the section). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/haproxy.h"
#include "conf/reader.h"
#include "core/err.h"
#include "http/logfmt.h"
#include "http/reply.h"
#include "http/rules.h"
#include "kw/lexer.h"
#include "model/http_proxy.h"
#include "model/model.h"

/* ---- diagnostics ---- */

static void hp_vreport(struct hp_read *r, int sev, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_report(r->d, sev, r->file, r->line, "%s", msg);
}

void hp_error(struct hp_read *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hp_vreport(r, DIAG_ERROR, fmt, ap);
	va_end(ap);
}

void hp_warn(struct hp_read *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hp_vreport(r, DIAG_WARNING, fmt, ap);
	va_end(ap);
}

/* ---- proxies and defaults ---- */

static void hp_deferred_free(struct hp_deferred *d)
{
	struct hp_deferred *n;
	int i;

	for (; d; d = n) {
		n = d->next;
		for (i = 0; i < d->nargs; i++)
			free(d->args[i]);
		free(d->args);
		free(d);
	}
}

static void hp_px_free(struct hp_px *px)
{
	struct hp_bind *b, *bn;

	if (px->is_defaults)
		http_proxy_free(px->hp);
	hp_srv_list_free(px->servers);
	rs_free(px->src_srv.rs);
	for (b = px->binds; b; b = bn) {
		bn = b->next;
		vs_free(b->vs);
		free(b);
	}
	hp_deferred_free(px->deferred);
	free(px);
}

int hp_defer(struct hp_read *r, const struct hp_words *w)
{
	struct hp_deferred *d = calloc(1, sizeof(*d)), **dp;
	int i;

	if (!d || !(d->args = calloc((size_t)w->n, sizeof(char *)))) {
		free(d);
		hp_error(r, "out of memory");
		return -1;
	}
	d->nargs = w->n;
	d->file = r->file;
	d->line = r->line;
	for (i = 0; i < w->n; i++)
		if (!(d->args[i] = strdup(w->args[i]))) {
			hp_deferred_free(d);
			hp_error(r, "out of memory");
			return -1;
		}
	for (dp = &r->cur->deferred; *dp; dp = &(*dp)->next)
		;
	*dp = d;
	return 0;
}

static struct hp_px *hp_find_defaults(struct hp_read *r, const char *name)
{
	struct hp_px *px, *found = NULL;

	for (px = r->pxs; px; px = px->next)
		if (px->is_defaults && !strcmp(px->hp->name, name))
			found = px; /* the last of that name before this line */
	return found;
}

/* Replay the deferred lines of def into px (reported at their own line). */
static void hp_replay(struct hp_read *r, struct hp_px *px, const struct hp_px *def)
{
	const struct hp_deferred *d;

	for (d = def->deferred; d; d = d->next)
		hp_http_line(r, px->hp, d->args, d->nargs, d->file, d->line);
}

static const char *cap_name(unsigned cap)
{
	return cap == (HP_CAP_FE | HP_CAP_BE) ? "listen" : cap == HP_CAP_FE ? "frontend"
						      : cap == HP_CAP_BE    ? "backend"
									    : "defaults";
}

/* `frontend|backend|listen|defaults NAME [ADDR] [from DEFAULTS]` */
static void hp_open_proxy(struct hp_read *r, struct hp_words *w, unsigned cap)
{
	const char *name = w->n > 1 ? w->args[1] : "";
	/* a defaults section starts afresh (haproxy resets the defaults at
	 * each one) unless it names one with `from` */
	struct hp_px *px, *def = cap ? r->last_def : NULL, **pp;
	struct http_proxy *other;
	int i, addr_at = 0;

	r->sec = HP_SEC_PROXY;
	r->cur = NULL;
	for (i = 2; i < w->n; i++) {
		if (!strcmp(w->args[i], "from") && i + 1 < w->n) {
			def = hp_find_defaults(r, w->args[i + 1]);
			if (!def) {
				hp_error(r, "%s '%s': no defaults section named '%s' before it",
					 cap_name(cap), name, w->args[i + 1]);
				return;
			}
			i++;
		} else if (cap & HP_CAP_FE && !addr_at) {
			addr_at = i;
		} else {
			hp_error(r, "%s '%s': unexpected '%s' (expected 'from NAME')", cap_name(cap),
				 name, w->args[i]);
			return;
		}
	}
	if (cap && !*name) {
		hp_error(r, "'%s' needs a name", w->args[0]);
		return;
	}
	/* a frontend and a backend may share a name; two of a side may not */
	other = cap & HP_CAP_FE ? config_find_http_proxy(r->cfg, name, HP_CAP_FE) : NULL;
	if (!other && (cap & HP_CAP_BE))
		other = config_find_http_proxy(r->cfg, name, HP_CAP_BE);
	if (other) {
		hp_error(r, "%s '%s' has the same name as the %s at %s:%d", cap_name(cap), name,
			 cap_name(other->cap), other->file, other->line);
		return;
	}
	px = calloc(1, sizeof(*px));
	if (!px || !(px->hp = http_proxy_new(name, cap))) {
		free(px);
		hp_error(r, "out of memory");
		return;
	}
	px->hp->file = r->file;
	px->hp->line = r->line;
	px->defsrv.weight = -1;
	px->defsrv.tls = r->ssl_server;
	px->is_defaults = !cap;
	if (def && http_proxy_inherit(px->hp, def->hp) < 0) {
		http_proxy_free(px->hp);
		free(px);
		hp_error(r, "out of memory");
		return;
	}
	if (def) {
		px->chk = def->chk;
		px->defsrv = def->defsrv;
		memcpy(px->sched, def->sched, sizeof(px->sched));
		px->default_backend_line = def->default_backend_line;
		px->log_format_line = def->log_format_line;
	}
	for (pp = &r->pxs; *pp; pp = &(*pp)->next)
		;
	*pp = px;
	r->cur = px;
	if (!cap) {
		r->last_def = px;
		if (def) /* defaults from defaults: its deferred lines too */
			for (const struct hp_deferred *d = def->deferred; d; d = d->next) {
				struct hp_words dw = {.n = d->nargs};
				int k;

				for (k = 0; k < d->nargs && k < HP_MAX_ARGS; k++)
					dw.args[k] = d->args[k];
				hp_defer(r, &dw);
			}
		return;
	}
	config_add_http_proxy(r->cfg, px->hp);
	if (cap & HP_CAP_BE) {
		struct pool *p = pool_new(name);

		if (!p) {
			hp_error(r, "out of memory");
			return;
		}
		p->file = r->file;
		p->line = r->line;
		p->http = px->hp;
		/* haproxy's servers start up, and checks take them down */
		p->alpha = 0;
		snprintf(p->sched, sizeof(p->sched), "%s", "wrr");
		px->hp->pool = p;
		config_add_pool(r->cfg, p);
	}
	if (def)
		hp_replay(r, px, def);
	if (addr_at) {
		/* haproxy 1.x's `frontend NAME ADDR`: a bind */
		char bind[] = "bind";
		struct hp_words bw = {.n = 2, .args = {bind, w->args[addr_at]}};

		hp_bind_parse(r, px, &bw);
	}
}

/* ---- userlists ---- */

static struct hp_global *hp_global_of(struct hp_read *r)
{
	if (!r->cfg->hp_global && !(r->cfg->hp_global = calloc(1, sizeof(struct hp_global))))
		hp_error(r, "out of memory");
	return r->cfg->hp_global;
}

/* `userlist NAME`: a new list at the end of hp_global's. */
static void hp_open_userlist(struct hp_read *r, struct hp_words *w)
{
	struct hp_global *g = hp_global_of(r);
	struct hp_userlist *u, **up;

	r->sec = HP_SEC_USERLIST;
	r->ul = NULL;
	if (w->n != 2) {
		hp_error(r, "'userlist' needs a name");
		return;
	}
	if (!g)
		return;
	if (config_find_userlist(r->cfg, w->args[1])) {
		hp_error(r, "userlist '%s' is defined twice", w->args[1]);
		return;
	}
	u = calloc(1, sizeof(*u));
	if (!u || !(u->name = strdup(w->args[1]))) {
		free(u);
		hp_error(r, "out of memory");
		return;
	}
	for (up = &g->userlists; *up; up = &(*up)->next)
		;
	*up = u;
	r->ul = u;
}

static int dup_opt(const char *s, char **out)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? -1 : 0;
}

/* `user NAME [password HASH | insecure-password PASS] [groups G,...]`,
 * `group NAME [users U,...]`: kept in the userlist as written; the names
 * they list are checked once the file is read (hp_check_userlists). */
static void hp_userlist_line(struct hp_read *r, struct hp_words *w)
{
	const char *pw = NULL, *groups = NULL;
	struct hp_userlist *ul = r->ul;
	int i, insecure = 0;

	if (!strcmp(w->args[0], "group")) {
		struct hp_ugroup *g, **gp;

		if (w->n < 2 || (w->n != 2 && (w->n != 4 || strcmp(w->args[2], "users")))) {
			hp_error(r, "usage: group NAME [users USER,...]");
			return;
		}
		if (!ul)
			return;
		g = calloc(1, sizeof(*g));
		if (!g || dup_opt(w->args[1], &g->name) < 0 ||
		    dup_opt(w->n == 4 ? w->args[3] : NULL, &g->users) < 0) {
			if (g)
				free(g->name);
			free(g);
			hp_error(r, "out of memory");
			return;
		}
		g->file = r->file;
		g->line = r->line;
		for (gp = &ul->groups; *gp; gp = &(*gp)->next)
			;
		*gp = g;
		return;
	}
	if (strcmp(w->args[0], "user")) {
		hp_error(r, "'%s' is not a keyword of a userlist (user, group)", w->args[0]);
		return;
	}
	if (w->n < 2) {
		hp_error(r, "usage: user NAME [password HASH | insecure-password PASS] [groups G,...]");
		return;
	}
	for (i = 2; i < w->n; i += 2) {
		const char *o = w->args[i];

		if (i + 1 >= w->n ||
		    (strcmp(o, "password") && strcmp(o, "insecure-password") && strcmp(o, "groups"))) {
			hp_error(r, "user %s: unexpected '%s' (password, insecure-password, groups)",
				 w->args[1], o);
			return;
		}
		if (o[0] == 'g') {
			groups = w->args[i + 1];
		} else {
			pw = w->args[i + 1];
			insecure = o[0] == 'i';
		}
	}
	if (!ul)
		return;
	{
		struct hp_user *u, **up;

		for (up = &ul->users; *up; up = &(*up)->next)
			if (!strcmp((*up)->name, w->args[1])) {
				hp_error(r, "user '%s' is defined twice in userlist '%s'", w->args[1],
					 ul->name);
				return;
			}
		u = calloc(1, sizeof(*u));
		if (!u || dup_opt(w->args[1], &u->name) < 0 || dup_opt(pw, &u->password) < 0 ||
		    dup_opt(groups, &u->groups) < 0) {
			if (u) {
				free(u->name);
				free(u->password);
			}
			free(u);
			hp_error(r, "out of memory");
			return;
		}
		u->insecure = insecure;
		u->file = r->file;
		u->line = r->line;
		*up = u;
	}
}

/* Each name of csv[] must be one of the userlist's `what`s (HAProxy
 * refuses the file otherwise): 0, or -1 once reported. */
static int hp_csv_known(struct hp_read *r, const struct hp_userlist *ul, const char *csv, int users,
			const char *owner)
{
	char name[256];
	const char *p = csv;

	while (p && *p) {
		size_t l = strcspn(p, ",");
		const struct hp_user *u;
		const struct hp_ugroup *g;
		int found = 0;

		snprintf(name, sizeof(name), "%.*s", (int)(l < sizeof(name) ? l : sizeof(name) - 1), p);
		if (users) {
			for (u = ul->users; u && !found; u = u->next)
				found = !strcmp(u->name, name);
		} else {
			for (g = ul->groups; g && !found; g = g->next)
				found = !strcmp(g->name, name);
		}
		if (!found) {
			hp_error(r, "userlist '%s': no such %s '%s' in %s", ul->name, users ? "user" : "group",
				 name, owner);
			return -1;
		}
		p += l + (p[l] == ',');
	}
	return 0;
}

/* After the read: the users of each group and the groups of each user. */
static void hp_check_userlists(struct hp_read *r)
{
	const struct hp_userlist *ul;
	const struct hp_user *u;
	const struct hp_ugroup *g;
	char owner[300];

	for (ul = r->cfg->hp_global ? r->cfg->hp_global->userlists : NULL; ul; ul = ul->next) {
		for (g = ul->groups; g; g = g->next) {
			r->file = g->file;
			r->line = g->line;
			snprintf(owner, sizeof(owner), "group '%s'", g->name);
			hp_csv_known(r, ul, g->users, 1, owner);
		}
		for (u = ul->users; u; u = u->next) {
			r->file = u->file;
			r->line = u->line;
			snprintf(owner, sizeof(owner), "user '%s'", u->name);
			hp_csv_known(r, ul, u->groups, 0, owner);
		}
	}
}

/* ---- sections ---- */

static const struct {
	const char *name;
	const char *what; /* ignored sections: what fulcrum does not do */
} hp_ignored_sections[] = {
    {"resolvers", "fulcrum resolves no server names at run time"},
    {"peers", "stick tables are not shared between directors"},
    {"mailers", "no e-mail alerts are sent"},
    {"program", "fulcrum starts no external programs"},
    {"ring", "log rings are not served; logs go to their targets directly"},
    {"cache", "fulcrum caches no responses"},
};

/* A section keyword at w->args[0]: opens it and returns 1; else 0. */
static int hp_section(struct hp_read *r, struct hp_words *w)
{
	const char *k = w->args[0];
	unsigned i;

	if (!strcmp(k, "global")) {
		r->sec = HP_SEC_GLOBAL;
		hp_global_of(r);
		return 1;
	}
	if (!strcmp(k, "defaults")) {
		hp_open_proxy(r, w, 0);
		return 1;
	}
	if (!strcmp(k, "frontend") || !strcmp(k, "backend") || !strcmp(k, "listen")) {
		hp_open_proxy(r, w,
			      k[0] == 'f'   ? HP_CAP_FE
			      : k[0] == 'b' ? HP_CAP_BE
					    : HP_CAP_FE | HP_CAP_BE);
		return 1;
	}
	if (!strcmp(k, "userlist")) {
		hp_open_userlist(r, w);
		return 1;
	}
	if (!strcmp(k, "http-errors")) {
		r->sec = HP_SEC_HTTP_ERRORS;
		free(r->errsec);
		r->errsec = NULL;
		if (w->n != 2)
			hp_error(r, "'http-errors' needs a name");
		else if (!(r->errsec = strdup(w->args[1])))
			hp_error(r, "out of memory");
		return 1;
	}
	for (i = 0; i < sizeof(hp_ignored_sections) / sizeof(hp_ignored_sections[0]); i++)
		if (!strcmp(k, hp_ignored_sections[i].name)) {
			r->sec = HP_SEC_IGNORED;
			hp_warn(r, "section '%s' is not read: %s", k, hp_ignored_sections[i].what);
			return 1;
		}
	return 0;
}

static void hp_line(struct hp_read *r, const char *text, size_t n)
{
	struct hp_words w;
	char err[ERRLEN];

	if (hp_split(text, n, &w, err, sizeof(err)) < 0) {
		hp_error(r, "%s", err);
		return;
	}
	if (!w.n)
		goto out;
	if (w.args[0][0] == '.' && hp_directive(r, &w))
		goto out;
	if (!hp_cond_active(r))
		goto out;
	if (hp_section(r, &w))
		goto out;
	switch (r->sec) {
	case HP_SEC_NONE:
		hp_error(r, "'%s' outside of any section (global, defaults, frontend, backend, "
			    "listen...)",
			 w.args[0]);
		break;
	case HP_SEC_GLOBAL:
		hp_global_line(r, &w);
		break;
	case HP_SEC_PROXY:
		if (r->cur)
			hp_proxy_line(r, &w);
		break;
	case HP_SEC_USERLIST:
		hp_userlist_line(r, &w);
		break;
	case HP_SEC_HTTP_ERRORS:
		if (strcmp(w.args[0], "errorfile"))
			hp_error(r, "'%s' is not a keyword of http-errors (errorfile)", w.args[0]);
		else if (r->errsec &&
			 http_errors_section_add(r->cfg, r->errsec, w.args, w.n, r->file, r->line,
						 err, sizeof(err)) < 0)
			hp_error(r, "%s", err);
		break;
	case HP_SEC_IGNORED:
		break;
	}
out:
	hp_words_free(&w);
}

/* ---- the end of the read ---- */

/* The port of the first bind of the first proxy sending clients to be
 * (itself for a listen), 0 if none: a server written without a port
 * takes it, as haproxy connects to the port the client came to. */
static uint16_t hp_frontend_port(struct hp_read *r, const struct hp_px *be)
{
	const struct hp_px *px;

	if (be->binds)
		return be->binds->vs->addr.port;
	for (px = r->pxs; px; px = px->next)
		if (!px->is_defaults && px->hp->default_be == be->hp && px->binds)
			return px->binds->vs->addr.port;
	return 0;
}

static void hp_finish_proxy(struct hp_read *r, struct hp_px *px)
{
	struct http_proxy *hp = px->hp;
	struct hp_srv *s;
	char err[ERRLEN];
	const char *file;
	int line;

	r->file = hp->file;
	r->line = hp->line;
	if (hp->default_backend && (hp->cap & HP_CAP_FE)) {
		/* (a backend ignores one it took from defaults, as haproxy) */
		if (px->default_backend_line)
			r->line = px->default_backend_line;
		hp->default_be = config_find_http_proxy(r->cfg, hp->default_backend, HP_CAP_BE);
		if (!hp->default_be)
			hp_error(r, "%s '%s': default_backend '%s' is no backend or listen section",
				 cap_name(hp->cap), hp->name, hp->default_backend);
	} else if (hp->cap & HP_CAP_BE) {
		hp->default_be = hp; /* a listen section sends to itself */
	}
	/* the modules name the offending line's place apart from the message:
	 * hp_error prefixes it once */
	file = r->file;
	line = r->line;
	err[0] = 0;
	if (http_rules_resolve(r->cfg, hp, &r->file, &r->line, err, sizeof(err)) < 0)
		hp_error(r, "%s", err[0] ? err : "the rules do not resolve");
	r->file = file;
	r->line = line;
	err[0] = 0;
	if (http_errors_resolve(r->cfg, hp, &r->file, &r->line, err, sizeof(err)) < 0)
		hp_error(r, "%s", err[0] ? err : "the error files do not resolve");
	r->file = file;
	r->line = line;
	if (hp->log_format && (hp->cap & HP_CAP_FE)) {
		if (px->log_format_line)
			r->line = px->log_format_line;
		if (logfmt_check(hp->log_format, hp->mode == HP_MODE_HTTP, err, sizeof(err)) < 0)
			hp_error(r, "log-format: %s", err);
		r->line = line;
	}
	for (s = px->servers; s; s = s->next)
		if (s->no_port)
			s->rs->addr.port = hp_frontend_port(r, px);
	hp_finish_servers(r, px);
	/* `log global`: the global section's targets join the proxy's (the
	 * HTTP engine sends to hp->logs only) */
	if (hp->log_global && r->cfg->hp_global && r->cfg->hp_global->logs) {
		struct hp_log **tail = &hp->logs;

		while (*tail)
			tail = &(*tail)->next;
		if (hp_log_copy(r->cfg->hp_global->logs, tail) < 0)
			hp_error(r, "out of memory");
	}
}

/* What the userspace proxy's own timeouts take from haproxy's (mode tcp
 * relays with them; mode http has the proxy's for itself): connect, the
 * other servers tried (retries).  The idle timeouts of a relayed
 * connection are read from the proxies themselves (proxy/tcp_idle.c). */
static void hp_service_timeouts(struct virtual_server *vs, const struct http_proxy *fe)
{
	const struct http_proxy *be = fe->default_be ? fe->default_be : fe;

	if (be->t_connect)
		vs->connect_timeout_ms = be->t_connect;
	vs->connect_retries = be->retries;
}

/* A frontend without a default backend: each service keeps an empty pool
 * of its own (the engine answers 503), named "frontend NAME #N" -- a blank
 * no proxy name has, so it never meets a backend's pool, and fd@ binds
 * (no address to name them after) stay apart. */
static int hp_own_pool_name(struct hp_read *r, const struct hp_px *px, struct virtual_server *vs,
			    unsigned n)
{
	char name[300];

	snprintf(name, sizeof(name), "frontend %s #%u", px->hp->name, n);
	free(vs->pool->name);
	vs->pool->name = strdup(name);
	return vs->pool->name ? 0 : -1;
}

/* Each bind a service, pointed at its default backend's pool. */
static void hp_add_services(struct hp_read *r, struct hp_px *px)
{
	unsigned own = 0;
	struct hp_bind *b;
	struct virtual_server *o;
	char a[ADDR_STRLEN];

	while ((b = px->binds)) {
		px->binds = b->next;
		for (o = r->cfg->vs; o; o = o->next)
			if (b->vs->bind_fd < 0 && o->bind_fd < 0 && addr_equal(&o->addr, &b->vs->addr))
				break;
		r->file = b->vs->file;
		r->line = b->vs->line;
		if (o) {
			hp_error(r, "%s is bound twice (first at %s:%d)",
				 addr_format(&b->vs->addr, a, sizeof(a), 1), o->file, o->line);
			vs_free(b->vs);
		} else if (b->vs->tls && px->hp->mode != HP_MODE_HTTP) {
			/* a TLS port served as plain TCP would be worse than none */
			hp_error(r, "bind ... ssl: fulcrum terminates TLS in mode http only (this "
				    "frontend is mode tcp: bind without ssl to pass TLS through)");
			vs_free(b->vs);
		} else {
			hp_service_timeouts(b->vs, px->hp);
			if (px->hp->default_be && px->hp->default_be->pool)
				vs_set_pool(b->vs, px->hp->default_be->pool);
			else if (hp_own_pool_name(r, px, b->vs, ++own) < 0)
				hp_error(r, "out of memory");
			config_add_vs(r->cfg, b->vs);
		}
		free(b);
	}
}

static void hp_finish(struct hp_read *r)
{
	struct hp_px *px;

	if (r->cond.depth) {
		r->line = r->cond.lvl[r->cond.depth - 1].line;
		hp_error(r, "'.if' without its '.endif'");
	}
	hp_check_userlists(r);
	for (px = r->pxs; px; px = px->next)
		if (!px->is_defaults)
			hp_finish_proxy(r, px);
	for (px = r->pxs; px; px = px->next)
		if (!px->is_defaults)
			hp_add_services(r, px);
	if (r->cfg->hp_global) {
		struct hp_global *g = r->cfg->hp_global;

		r->cfg->global.nbthread = g->nbthread;
	}
	http_errors_sections_free(r->cfg);
}

/* ---- the reader ---- */

static struct config *hp_load_string(const char *name, const char *text, size_t len,
				     struct conf_diag *d)
{
	struct conf_diag quiet = {0};
	const char *p, *end;
	struct hp_px *px, *pn;
	struct hp_read r;
	unsigned e0, w0;

	if (!d)
		d = &quiet;
	if (!text) {
		text = "";
		len = 0;
	}
	end = text + len;
	p = text;
	e0 = d->errors;
	w0 = d->warnings;
	memset(&r, 0, sizeof(r));
	r.d = d;
#ifdef FC_FUZZ
	r.fuzz = 1; /* the environment stays as it is (setenv, unsetenv) */
#endif
	r.cfg = config_new();
	if (!r.cfg) {
		conf_report(d, DIAG_ERROR, name, 0, "out of memory");
		return NULL;
	}
	r.file = config_intern_file(r.cfg, name ? name : "<string>");
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		r.line++;
		hp_line(&r, p, (size_t)(eol - p));
		p = eol + 1;
	}
	hp_finish(&r);
	for (px = r.pxs; px; px = pn) {
		pn = px->next;
		hp_px_free(px);
	}
	free(r.errsec);
	r.cfg->n_warnings = d->warnings - w0;
	if (d->errors != e0) {
		config_free(r.cfg);
		return NULL;
	}
	return r.cfg;
}

static struct config *hp_load(const char *path, struct conf_diag *d)
{
	return conf_reader_load_file(path, d, hp_load_string);
}

/* haproxy.cfg: a section keyword (global, defaults, frontend NAME, backend
 * NAME, listen NAME) at the start of a line, with no '{' or '=' on it
 * (keepalived.conf's `global_defs {`, ldirectord's `key=value`). */
static int hp_probe(const char *text, size_t len)
{
	static const char *const sections[] = {"global", "defaults", "frontend", "backend",
					       "listen", NULL};
	const char *p = text, *end = text + len;
	unsigned i;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n, k;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		for (i = 0; sections[i]; i++) {
			k = strlen(sections[i]);
			if (n >= k && !memcmp(p, sections[i], k) &&
			    (n == k || p[k] == ' ' || p[k] == '\t' || p[k] == '\r') &&
			    !memchr(p, '{', n) && !memchr(p, '=', n))
				return 50;
		}
		p = eol + 1;
	}
	return 0;
}

const struct conf_reader conf_reader_haproxy = {
    .name = "haproxy",
    .probe = hp_probe,
    .load = hp_load,
    .load_string = hp_load_string,
};
