/* The engines fulcrum has, one explicit list. */
#ifndef FC_ENGINE_ENGINES_H
#define FC_ENGINE_ENGINES_H

#include "engine/engine-t.h"

extern const struct engine_ops proxy_engine_ops;  /* src/proxy/engine.c */
extern const struct engine_ops xdp_pending_ops;   /* src/engine/xdp_pending.c */
extern const struct engine_ops xdp_engine_ops;    /* src/xdp/engine.c: DR and TUN */

#endif
