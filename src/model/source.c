/* A pool's outside source of servers (contract in source.h, the types in
 * source-t.h). */
#include <stdlib.h>
#include <string.h>

#include "model/check_conf.h"
#include "model/source.h"

struct pool_source *pool_source_new(enum pool_source_kind kind)
{
	struct pool_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	s->default_weight = 1;
	s->interval_ms = SRC_DEFAULT_INTERVAL_MS;
	s->timeout_ms = SRC_DEFAULT_TIMEOUT_MS;
	s->resolve_ttl_ms = SRC_DEFAULT_RESOLVE_TTL_MS;
	return s;
}

void pool_source_free(struct pool_source *s)
{
	unsigned i;

	if (!s)
		return;
	free(s->resource);
	free(s->attr_name);
	free(s->attr_regex);
	for (i = 0; i < s->n_weights; i++)
		free(s->weights[i].node);
	free(s->weights);
	for (i = 0; i < s->n_addrs; i++)
		free(s->addrs[i].node);
	free(s->addrs);
	free(s->crm_mon);
	free(s->corosync_conf);
	free(s->script);
	check_conf_free(s->checks);
	free(s->hp);
	free(s);
}

int pool_source_weight(const struct pool_source *s, const char *node)
{
	unsigned i;

	for (i = 0; i < s->n_weights; i++)
		if (!strcmp(s->weights[i].node, node))
			return s->weights[i].weight;
	return s->default_weight;
}

const struct fc_addr *pool_source_addr(const struct pool_source *s, const char *node)
{
	unsigned i;

	for (i = 0; i < s->n_addrs; i++)
		if (!strcmp(s->addrs[i].node, node))
			return &s->addrs[i].addr;
	return NULL;
}
