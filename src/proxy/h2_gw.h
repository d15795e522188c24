/* The HTTP/2 gateway (h2_gw.c, types in h2_gw-t.h): clients of a `bind ...
 * proto h2` listener, their streams served by the HTTP engine. */
#ifndef FC_PROXY_H2_GW_H
#define FC_PROXY_H2_GW_H

#include "core/addr.h"
#include "proxy/h2_gw-t.h"
#include "proxy/proxy-t.h"

/* A client accepted on p's h2 listener: served from now on (fd is taken
 * in every case). */
void h2gw_new(struct pvs *p, int fd, const struct fc_addr *client);

#endif
