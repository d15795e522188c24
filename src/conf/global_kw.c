/* global_defs: fulcrum's own settings (control_socket, the XDP engine's
 * interfaces and mode), router_id, the VRRP defaults (vrrp_kw.c) and the
 * process tuning keywords (proc_kw.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/kw.h"
#include "core/err.h"
#include "model/model-t.h"

static int p_control_socket(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct global_defs *g = obj;

	if (st->args[0].text[0] != '/')
		return err_set(err, errlen, "control_socket: '%s' is not an absolute path",
			       st->args[0].text);
	if (strlen(st->args[0].text) >= 108)
		return err_set(err, errlen, "control_socket: path longer than 107 characters");
	return kw_str(st, 0, &g->control_socket, err, errlen);
}

static int p_router_id(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct global_defs *g = obj;

	return kw_str(st, 0, &g->router_id, err, errlen);
}

/* xdp_interface IF [IF ...] (fulcrum extension): the interfaces the XDP
 * engine attaches to for lb_kind DR/TUN; repeated lines add up. */
static int p_xdp_interface(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	struct global_defs *g = obj;
	unsigned i, j;

	for (i = 0; i < st->argc; i++) {
		const char *name = st->args[i].text;
		char **grown;

		if (!name[0] || strlen(name) >= 16 || strchr(name, '/'))
			return err_set(err, errlen, "xdp_interface: '%s' is not an interface name",
				       name);
		for (j = 0; j < g->n_xdp_interfaces; j++)
			if (!strcmp(g->xdp_interfaces[j], name))
				break;
		if (j < g->n_xdp_interfaces)
			continue;
		if (g->n_xdp_interfaces >= FC_XDP_MAX_IFS)
			return err_set(err, errlen, "xdp_interface: more than %d interfaces",
				       FC_XDP_MAX_IFS);
		grown = realloc(g->xdp_interfaces, (g->n_xdp_interfaces + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, errlen, "out of memory");
		g->xdp_interfaces = grown;
		if (!(grown[g->n_xdp_interfaces] = strdup(name)))
			return err_set(err, errlen, "out of memory");
		g->n_xdp_interfaces++;
	}
	return 0;
}

/* xdp_mode auto|native|generic (fulcrum extension) */
static int p_xdp_mode(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	struct global_defs *g = obj;
	const char *m = st->args[0].text;

	if (!strcasecmp(m, "auto"))
		g->xdp_mode = FC_XDP_MODE_AUTO;
	else if (!strcasecmp(m, "native") || !strcasecmp(m, "drv"))
		g->xdp_mode = FC_XDP_MODE_NATIVE;
	else if (!strcasecmp(m, "generic") || !strcasecmp(m, "skb"))
		g->xdp_mode = FC_XDP_MODE_GENERIC;
	else
		return err_set(err, errlen, "xdp_mode: '%s' is not auto, native or generic", m);
	return 0;
}

static const struct kw kw_global[] = {
    {"control_socket", p_control_socket, 1, 1, KW_NOBLOCK},
    {"router_id", p_router_id, 1, 1, KW_NOBLOCK},
    {"xdp_interface", p_xdp_interface, 1, KW_ANY, KW_NOBLOCK},
    {"xdp_mode", p_xdp_mode, 1, 1, KW_NOBLOCK},
    {"vrrp_version", vrrp_kw_global_version, 1, 1, KW_NOBLOCK},
    {"vrrp_garp_interval", vrrp_kw_global_garp, 1, 1, KW_NOBLOCK},
    {"vrrp_gna_interval", vrrp_kw_global_garp, 1, 1, KW_NOBLOCK},
    {NULL},
};

static const struct kw_block blk_global = {"global_defs", kw_global, proc_kw_global, ign_global,
					  NULL};

int conf_global_defs(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	kw_body(c, &blk_global, &c->cfg->global, st->kw);
	return 0;
}
