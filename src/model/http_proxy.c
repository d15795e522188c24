/* haproxy.cfg's proxies in the model: allocation and freeing. */
#include <stdlib.h>
#include <string.h>

#include "model/http_proxy.h"

struct http_proxy *http_proxy_new(const char *name, unsigned cap)
{
	struct http_proxy *hp = calloc(1, sizeof(*hp));

	if (!hp)
		return NULL;
	hp->name = strdup(name ? name : "");
	if (!hp->name) {
		free(hp);
		return NULL;
	}
	hp->cap = cap;
	hp->mode = HP_MODE_TCP;
	hp->conn_mode = HP_CONN_KAL;
	hp->retries = 3;
	hp->redispatch_after = -1;
	strcpy(hp->fwdfor.header, "X-Forwarded-For");
	strcpy(hp->origto.header, "X-Original-To");
	strcpy(hp->stats.uri, "/haproxy?stats");
	hp->balance.random_draws = 2;
	return hp;
}

void hp_log_free(struct hp_log *l)
{
	struct hp_log *next;

	for (; l; l = next) {
		next = l->next;
		free(l);
	}
}

static void strv_free(char **v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int hp_log_copy(const struct hp_log *l, struct hp_log **out)
{
	struct hp_log **tail = out;

	*out = NULL;
	for (; l; l = l->next) {
		*tail = malloc(sizeof(**tail));
		if (!*tail) {
			hp_log_free(*out);
			*out = NULL;
			return -1;
		}
		**tail = *l;
		(*tail)->next = NULL;
		tail = &(*tail)->next;
	}
	return 0;
}

static void caps_free(struct hp_capture *c, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

static int strv_copy(char **v, unsigned n, char ***out)
{
	unsigned i;

	*out = NULL;
	if (!n)
		return 0;
	*out = calloc(n, sizeof(char *));
	if (!*out)
		return -1;
	for (i = 0; i < n; i++)
		if (!((*out)[i] = strdup(v[i]))) {
			strv_free(*out, i);
			*out = NULL;
			return -1;
		}
	return 0;
}

static int str_copy(const char *s, char **out)
{
	*out = s ? strdup(s) : NULL;
	return s && !*out ? -1 : 0;
}

int http_proxy_inherit(struct http_proxy *hp, const struct http_proxy *def)
{
	struct http_proxy keep = *hp;
	int rc = 0;

	hp_log_free(hp->logs);
	strv_free(hp->stats.auth, hp->stats.n_auth);
	strv_free(hp->stats.scope, hp->stats.n_scope);
	free(hp->stats.admin_cond);
	free(hp->monitor_uri);
	free(hp->log_format);
	free(hp->default_backend);
	*hp = *def;
	hp->name = keep.name;
	hp->cap = keep.cap;
	hp->file = keep.file;
	hp->line = keep.line;
	hp->rules = keep.rules;
	hp->rules_free = keep.rules_free;
	hp->errors = keep.errors;
	hp->errors_free = keep.errors_free;
	hp->pool = keep.pool;
	/* captures are a frontend's own (never in defaults) */
	hp->cap_req = keep.cap_req;
	hp->cap_resp = keep.cap_resp;
	hp->n_cap_req = keep.n_cap_req;
	hp->n_cap_resp = keep.n_cap_resp;
	hp->default_be = NULL;
	hp->next = keep.next;
	rc |= hp_log_copy(def->logs, &hp->logs);
	rc |= strv_copy(def->stats.auth, def->stats.n_auth, &hp->stats.auth);
	rc |= strv_copy(def->stats.scope, def->stats.n_scope, &hp->stats.scope);
	rc |= str_copy(def->monitor_uri, &hp->monitor_uri);
	rc |= str_copy(def->log_format, &hp->log_format);
	rc |= str_copy(def->default_backend, &hp->default_backend);
	rc |= str_copy(def->stats.admin_cond, &hp->stats.admin_cond);
	if (!hp->stats.auth)
		hp->stats.n_auth = 0;
	if (!hp->stats.scope)
		hp->stats.n_scope = 0;
	return rc ? -1 : 0;
}

void http_proxy_free(struct http_proxy *hp)
{
	if (!hp)
		return;
	if (hp->rules && hp->rules_free)
		hp->rules_free(hp->rules);
	if (hp->errors && hp->errors_free)
		hp->errors_free(hp->errors);
	hp_log_free(hp->logs);
	strv_free(hp->stats.auth, hp->stats.n_auth);
	strv_free(hp->stats.scope, hp->stats.n_scope);
	free(hp->stats.admin_cond);
	free(hp->monitor_uri);
	free(hp->log_format);
	free(hp->default_backend);
	caps_free(hp->cap_req, hp->n_cap_req);
	caps_free(hp->cap_resp, hp->n_cap_resp);
	free(hp->name);
	free(hp);
}

void hp_userlist_free(struct hp_userlist *u)
{
	struct hp_userlist *un;
	struct hp_user *us, *usn;
	struct hp_ugroup *g, *gn;

	for (; u; u = un) {
		un = u->next;
		for (us = u->users; us; us = usn) {
			usn = us->next;
			free(us->name);
			free(us->password);
			free(us->groups);
			free(us);
		}
		for (g = u->groups; g; g = gn) {
			gn = g->next;
			free(g->name);
			free(g->users);
			free(g);
		}
		free(u->name);
		free(u);
	}
}

struct hp_userlist *config_find_userlist(const struct config *cfg, const char *name)
{
	struct hp_userlist *u;

	for (u = cfg->hp_global ? cfg->hp_global->userlists : NULL; u; u = u->next)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

void hp_global_free(struct hp_global *g)
{
	if (!g)
		return;
	free(g->pidfile);
	free(g->chroot);
	free(g->user);
	free(g->group);
	strv_free(g->stats_sockets, g->n_stats_sockets);
	free(g->stats_opts);
	hp_log_free(g->logs);
	free(g->log_tag);
	hp_userlist_free(g->userlists);
	free(g);
}

struct http_proxy *config_find_http_proxy(const struct config *cfg, const char *name, unsigned cap)
{
	struct http_proxy *hp;

	for (hp = cfg->http_proxies; hp; hp = hp->next)
		if ((hp->cap & cap) && !strcmp(hp->name, name))
			return hp;
	return NULL;
}

void config_add_http_proxy(struct config *cfg, struct http_proxy *hp)
{
	struct http_proxy **pp = &cfg->http_proxies;

	while (*pp)
		pp = &(*pp)->next;
	hp->next = NULL;
	*pp = hp;
	cfg->n_http_proxies++;
}
