/* The engines fulcrum has, one explicit list. */
#ifndef FC_ENGINE_ENGINES_H
#define FC_ENGINE_ENGINES_H

#include "engine/engine-t.h"

extern const struct engine_ops proxy_engine_ops;  /* src/proxy/engine.c */
extern const struct engine_ops xdp_engine_ops;    /* src/xdp/engine.c: DR and TUN */

struct fulcrum;
struct global_defs;
/* The XDP engine's global_defs settings (xdp_interface, xdp_mode) for the
 * model about to be applied: apply calls it before the prepare phase. */
void xdp_engine_settings(struct fulcrum *fc, const struct global_defs *g);

#endif
