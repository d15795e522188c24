/* A pool's outside source of servers: constructor, destructor, and the
 * per-node lookups the membership computation (src/cluster/) needs. */
#ifndef FC_MODEL_SOURCE_H
#define FC_MODEL_SOURCE_H

#include "model/source-t.h"

/* The defaults: default_weight 1, interval 1 s, timeout 10 s. */
struct pool_source *pool_source_new(enum pool_source_kind kind);
void pool_source_free(struct pool_source *s);

/* "weight NODE W", else default_weight. */
int pool_source_weight(const struct pool_source *s, const char *node);
/* "address NODE ADDR", or NULL. */
const struct fc_addr *pool_source_addr(const struct pool_source *s, const char *node);

#endif
