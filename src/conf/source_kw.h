/* virtual_server's pacemaker_real_servers { } and real_server_script
 * (source_kw.c): a pool's servers from outside the file. */
#ifndef FC_CONF_SOURCE_KW_H
#define FC_CONF_SOURCE_KW_H

#include "kw/kw-t.h"

/* The blocks' keywords, for the generated reference: pacemaker_real_servers
 * { } and real_server_script's optional block (its servers' checkers). */
extern const struct kw_block conf_blk_pcmk, conf_blk_script;

/* Parsers of the two keywords in keepalived.c's virtual_server table (obj:
 * its struct vs_state). */
int conf_pacemaker_real_servers(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
				size_t errlen);
int conf_real_server_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen);

#endif
