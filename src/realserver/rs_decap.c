/* The decapsulator's userspace side: see rs_decap.h. */
#include <errno.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/err.h"
#include "fulcrum_decap.skel.h"
#include "realserver/rs_decap.h"

#define MAX_PROG_MAPS 16

static int print_warn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void rs_decap_quiet(void)
{
	libbpf_set_print(print_warn);
}

static void to_key(const struct fc_addr *a, struct fd_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (a->family == AF_INET) {
		k->family = FD_AF_INET;
		memcpy(&k->addr.v4, &a->u.v4, 4);
	} else {
		k->family = FD_AF_INET6;
		memcpy(k->addr.b, &a->u.v6, 16);
	}
}

/* Is prog_fd fulcrum's decapsulator?  Fills the ids of its maps too. */
static int prog_is_ours(int prog_fd, uint32_t *map_ids, uint32_t *n_maps)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	uint32_t ids[MAX_PROG_MAPS];

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) < 0)
		return 0;
	if (info.type != BPF_PROG_TYPE_XDP || strcmp(info.name, FD_PROG_NAME))
		return 0;
	if (n_maps) {
		*n_maps = info.nr_map_ids < MAX_PROG_MAPS ? info.nr_map_ids : MAX_PROG_MAPS;
		memcpy(map_ids, ids, *n_maps * sizeof(ids[0]));
	}
	return 1;
}

/* The fds of the maps of program prog_id, by name (-1 when missing).  The
 * caller closes every fd >= 0. */
struct prog_maps {
	int vips, locals, stats;
};

static int open_maps(uint32_t prog_id, struct prog_maps *m, char *err, size_t errlen)
{
	uint32_t ids[MAX_PROG_MAPS], n = 0;
	int fd = bpf_prog_get_fd_by_id(prog_id);

	m->vips = m->locals = m->stats = -1;
	if (fd < 0)
		return err_set(err, errlen, "BPF program %u: %s", prog_id, strerror(errno));
	if (!prog_is_ours(fd, ids, &n)) {
		close(fd);
		return err_set(err, errlen, "BPF program %u is not fulcrum's decapsulator",
			       prog_id);
	}
	close(fd);
	for (uint32_t i = 0; i < n; i++) {
		struct bpf_map_info mi;
		uint32_t len = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[i]);
		int *slot = NULL;

		if (mfd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(mfd, &mi, &len) == 0) {
			if (!strcmp(mi.name, FD_MAP_VIPS))
				slot = &m->vips;
			else if (!strcmp(mi.name, FD_MAP_LOCALS))
				slot = &m->locals;
			else if (!strcmp(mi.name, FD_MAP_STATS))
				slot = &m->stats;
		}
		if (slot && *slot < 0)
			*slot = mfd;
		else
			close(mfd);
	}
	if (m->vips < 0 || m->locals < 0 || m->stats < 0) {
		if (m->vips >= 0)
			close(m->vips);
		if (m->locals >= 0)
			close(m->locals);
		if (m->stats >= 0)
			close(m->stats);
		m->vips = m->locals = m->stats = -1;
		return err_set(err, errlen, "BPF program %u: its maps are missing", prog_id);
	}
	return 0;
}

static void close_maps(struct prog_maps *m)
{
	if (m->vips >= 0)
		close(m->vips);
	if (m->locals >= 0)
		close(m->locals);
	if (m->stats >= 0)
		close(m->stats);
	m->vips = m->locals = m->stats = -1;
}

/* Makes map fd hold exactly the keys of addrs[n]. */
static int sync_map(int fd, const char *what, const struct fc_addr *addrs, unsigned n, int max,
		    int *changed, char *err, size_t errlen)
{
	struct fd_addr_key *old, k, next;
	unsigned n_old = 0;
	uint32_t one = 1, v;
	void *prev = NULL;
	int rc = -1;

	if ((int)n > max)
		return err_set(err, errlen, "more than %d %s", max, what);
	old = calloc((size_t)max, sizeof(*old));
	if (!old)
		return err_set(err, errlen, "out of memory");
	while (n_old < (unsigned)max && bpf_map_get_next_key(fd, prev, &next) == 0) {
		old[n_old++] = next;
		k = next;
		prev = &k;
	}
	for (unsigned i = 0; i < n_old; i++) {
		int keep = 0;

		for (unsigned j = 0; j < n && !keep; j++) {
			struct fd_addr_key w;

			to_key(&addrs[j], &w);
			keep = !memcmp(&w, &old[i], sizeof(w));
		}
		if (keep)
			continue;
		if (bpf_map_delete_elem(fd, &old[i]) < 0 && errno != ENOENT) {
			err_set(err, errlen, "cannot update the decap %s: %s", what,
				strerror(errno));
			goto out;
		}
		*changed = 1;
	}
	for (unsigned j = 0; j < n; j++) {
		to_key(&addrs[j], &k);
		if (bpf_map_lookup_elem(fd, &k, &v) == 0)
			continue;
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY) < 0) {
			err_set(err, errlen, "cannot update the decap %s: %s", what,
				strerror(errno));
			goto out;
		}
		*changed = 1;
	}
	rc = 0;
out:
	free(old);
	return rc;
}

static unsigned map_count(int fd)
{
	struct fd_addr_key k, next;
	void *prev = NULL;
	unsigned n = 0;

	while (n < 1000000 && bpf_map_get_next_key(fd, prev, &next) == 0) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static void read_counters(int fd, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;

	if (ncpu <= 0)
		return;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return;
	for (uint32_t c = 0; c < FD_C_MAX; c++) {
		if (bpf_map_lookup_elem(fd, &c, v) < 0)
			continue;
		for (int i = 0; i < ncpu; i++)
			out[c] += v[i];
	}
	free(v);
}

int rs_decap_query(int ifindex, struct rs_decap_info *info, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id;
	int fd;

	memset(info, 0, sizeof(*info));
	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return err_set(err, errlen, "cannot query XDP on interface %d: %s", ifindex,
			       strerror(errno));
	id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id ? q.skb_prog_id : q.prog_id;
	if (!id)
		return 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0 && prog_is_ours(fd, NULL, NULL)) {
		struct prog_maps m;

		info->prog_id = id;
		info->native = q.attach_mode == XDP_ATTACHED_DRV;
		if (open_maps(id, &m, err, errlen) == 0) {
			info->n_vips = map_count(m.vips);
			read_counters(m.stats, info->counters);
			close_maps(&m);
		}
	} else {
		info->other_id = id;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int rs_decap_attach(int ifindex, const struct fc_addr *vips, unsigned n_vips,
		    const struct fc_addr *locals, unsigned n_locals, int *native, uint32_t *prog_id,
		    char *err, size_t errlen)
{
	struct fulcrum_decap *skel;
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int changed = 0, prog_fd, rc = -1;

	skel = fulcrum_decap__open_and_load();
	if (!skel)
		return err_set(err, errlen, "cannot load the decap BPF program: %s",
			       strerror(errno));
	if (sync_map(bpf_map__fd(skel->maps.fd_vips), "VIPs", vips, n_vips, FD_MAX_VIPS, &changed,
		     err, errlen) < 0 ||
	    sync_map(bpf_map__fd(skel->maps.fd_locals), "local addresses", locals, n_locals,
		     FD_MAX_LOCALS, &changed, err, errlen) < 0)
		goto out;
	prog_fd = bpf_program__fd(skel->progs.fulcrum_decap);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) < 0) {
		err_set(err, errlen, "BPF program info: %s", strerror(errno));
		goto out;
	}
	*native = 1;
	if (bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE,
			   NULL) < 0) {
		int e = errno;

		*native = 0;
		if (e == EBUSY || e == EEXIST ||
		    bpf_xdp_attach(ifindex, prog_fd,
				   XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE, NULL) < 0) {
			err_set(err, errlen, "cannot attach the decap XDP program: %s",
				strerror(e == EBUSY || e == EEXIST ? e : errno));
			goto out;
		}
	}
	*prog_id = info.id;
	rc = 0;
out:
	/* the attachment holds the program, and the program its maps */
	fulcrum_decap__destroy(skel);
	return rc;
}

int rs_decap_sync(uint32_t prog_id, const struct fc_addr *vips, unsigned n_vips,
		  const struct fc_addr *locals, unsigned n_locals, int *changed, char *err,
		  size_t errlen)
{
	struct prog_maps m;
	int rc;

	if (open_maps(prog_id, &m, err, errlen) < 0)
		return -1;
	rc = sync_map(m.vips, "VIPs", vips, n_vips, FD_MAX_VIPS, changed, err, errlen);
	if (rc == 0)
		rc = sync_map(m.locals, "local addresses", locals, n_locals, FD_MAX_LOCALS, changed,
			      err, errlen);
	close_maps(&m);
	return rc;
}

int rs_decap_has_vip(uint32_t prog_id, const struct fc_addr *vip, int *has, char *err,
		     size_t errlen)
{
	struct prog_maps m;
	struct fd_addr_key k;
	uint32_t v;

	if (open_maps(prog_id, &m, err, errlen) < 0)
		return -1;
	to_key(vip, &k);
	*has = bpf_map_lookup_elem(m.vips, &k, &v) == 0;
	close_maps(&m);
	return 0;
}

int rs_decap_detach(int ifindex, uint32_t prog_id, int *gone, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct rs_decap_info info;
	int fd, rc;

	*gone = 0;
	if (rs_decap_query(ifindex, &info, err, errlen) < 0)
		return -1;
	if (info.prog_id != prog_id || !prog_id)
		return 0;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return err_set(err, errlen, "BPF program %u: %s", prog_id, strerror(errno));
	/* with old_prog_fd the kernel detaches only if that program is still
	 * the one attached (XDP_FLAGS_REPLACE) */
	o.old_prog_fd = fd;
	rc = bpf_xdp_detach(ifindex, info.native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE, &o);
	close(fd);
	if (rc < 0)
		return err_set(err, errlen, "cannot detach the decap XDP program: %s",
			       strerror(errno));
	*gone = 1;
	return 0;
}
