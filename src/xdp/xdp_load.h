/* Loading the BPF program and attaching it to interfaces. */
#ifndef FC_XDP_XDP_LOAD_H
#define FC_XDP_XDP_LOAD_H

#include <stddef.h>

#include "xdp/xdp-t.h"

/* Open and load the skeleton if it is not loaded yet (maps created empty).
 * 0, or -1 with err. */
int xdp_load(struct xdp_engine *x, char *err, size_t errlen);
/* Detach from every interface and destroy the skeleton (maps go with it). */
void xdp_unload(struct xdp_engine *x);

/* Attach to ifindex in x->mode unless already attached there.  An
 * interface that carries another XDP program is refused (never replaced).
 * 0, or -1 with err. */
int xdp_attach(struct xdp_engine *x, int ifindex, char *err, size_t errlen);
/* Detach from every interface no service in x->services needs any more. */
void xdp_detach_unused(struct xdp_engine *x);

/* Fill ifindex[] (at most XDP_MAX_IFS) with the interfaces a service on vip
 * needs: the xdp_interface names if given, else the interface holding the
 * VIP, else the one routing to it (a VRRP backup does not hold the VIP).
 * Returns how many, or -1 with err. */
int xdp_pick_ifaces(const struct xdp_engine *x, const struct fc_addr *vip, int *ifindex, char *err,
		    size_t errlen);

#endif
