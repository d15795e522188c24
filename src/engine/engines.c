/* The list of engines and the choice among them.  engines.h. */
#include <stddef.h>

#include "engine/engines.h"

const struct engine_ops *const engines[] = {
    &proxy_engine_ops,
    &xdp_engine_ops,
    NULL,
};

const struct engine_ops *engine_for(const struct virtual_server *vs)
{
	const struct engine_ops *const *e;

	for (e = engines; *e; e++)
		if ((*e)->serves(vs))
			return *e;
	return NULL;
}
