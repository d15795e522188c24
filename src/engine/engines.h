/* The engines fulcrum has, one explicit list (engines.c). */
#ifndef FC_ENGINE_ENGINES_H
#define FC_ENGINE_ENGINES_H

#include "engine/engine-t.h"

extern const struct engine_ops proxy_engine_ops;  /* src/proxy/engine.c: NAT and PROXY */
extern const struct engine_ops xdp_engine_ops;    /* src/xdp/engine.c: DR and TUN */

/* Every engine, in the order they are asked; NULL-terminated. */
extern const struct engine_ops *const engines[];

/* The engine that serves vs: the first of the list whose serves() says
 * yes; NULL when none does (apply_validate refuses such a model). */
const struct engine_ops *engine_for(const struct virtual_server *vs);

#endif
