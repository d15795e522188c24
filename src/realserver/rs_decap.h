/* The userspace side of fulcrum's TUN decapsulator (bpf/fulcrum_decap.bpf.c):
 * load, fill, find again, detach.
 *
 * Each interface gets its own copy of the program and maps.  Attachments go
 * through netlink and so outlive this process; a later run finds the program
 * on the interface by its name (FD_PROG_NAME) and its maps by theirs through
 * the program's map ids, so nothing needs pinning.  A program of someone else
 * on the interface is never replaced nor detached. */
#ifndef FC_REALSERVER_RS_DECAP_H
#define FC_REALSERVER_RS_DECAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "fulcrum_decap.h"

struct rs_decap_info {
	uint32_t prog_id;	     /* fulcrum's decapsulator attached, 0 = none */
	uint32_t other_id;	     /* another XDP program attached, 0 = none */
	int native;		     /* the attached program runs in native (driver) mode */
	unsigned n_vips;	     /* entries in its fd_vips (ours only) */
	uint64_t counters[FD_C_MAX]; /* summed over CPUs (ours only) */
};

/* Quiets libbpf's debug and info messages (warnings still go to stderr). */
void rs_decap_quiet(void);

/* What XDP program ifindex has; counters read only when ours is there. */
int rs_decap_query(int ifindex, struct rs_decap_info *info, char *err, size_t errlen);

/* Loads a new copy, fills fd_vips and fd_locals, attaches it to ifindex in
 * native mode, else generic (*native says which); *prog_id is its id.
 * Fails if any XDP program is attached there already. */
int rs_decap_attach(int ifindex, const struct fc_addr *vips, unsigned n_vips,
		    const struct fc_addr *locals, unsigned n_locals, int *native, uint32_t *prog_id,
		    char *err, size_t errlen);

/* Makes the maps of the attached program prog_id hold exactly these VIPs and
 * local addresses; *changed = 1 when an entry was added or removed. */
int rs_decap_sync(uint32_t prog_id, const struct fc_addr *vips, unsigned n_vips,
		  const struct fc_addr *locals, unsigned n_locals, int *changed, char *err,
		  size_t errlen);

/* *has = 1 when vip is in the fd_vips map of program prog_id. */
int rs_decap_has_vip(uint32_t prog_id, const struct fc_addr *vip, int *has, char *err,
		     size_t errlen);

/* Detaches program prog_id from ifindex if it is still the one attached
 * there (else nothing, and *gone = 0). */
int rs_decap_detach(int ifindex, uint32_t prog_id, int *gone, char *err, size_t errlen);

#endif
