/* Types of the keepalived reader's own state (the generic keyword-table
 * machinery under it is kw/kw-t.h). */
#ifndef FC_CONF_KA_T_H
#define FC_CONF_KA_T_H

#include "kw/kw-t.h"

/* Reader state of one virtual_server body. */
struct vs_state {
	struct virtual_server *vs;
	struct pool *pool;      /* vs->pool: its own, for the pool's slots */
	const struct token *kw; /* the virtual_server keyword */
	/* checker defaults given at virtual_server level (CHK_UNSET = not given) */
	unsigned retry, delay_before_retry_ms, connect_timeout_ms, warmup_ms;
	int family; /* ip_family, or 0 */
};

/* Reader state of one real_server (or sorry_server) body. */
struct rs_state {
	struct vs_state *vss;
	struct real_server *rs;
	unsigned retry, delay_before_retry_ms, connect_timeout_ms, warmup_ms, delay_loop_ms;
	char *virtualhost; /* HTTP checks' default Host, owned */
};

#endif
