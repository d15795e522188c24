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
	free(hp->monitor_uri);
	free(hp->log_format);
	free(hp->default_backend);
	free(hp->name);
	free(hp);
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
	hp_log_free(g->logs);
	free(g->log_tag);
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
