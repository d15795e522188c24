/* Loading the skeleton and attaching it: native first, generic as the
 * fallback (xdp_mode auto), and never over somebody else's program. */
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/err.h"
#include "core/log.h"
#include "fulcrum_xdp.skel.h"
#include "xdp/xdp_load.h"
#include "xdp/xdp_neigh.h"

/* libbpf speaks on stderr by default; its warnings go to our log, its
 * debug chatter nowhere. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("xdp: libbpf: %s", msg);
	return 0;
}

int xdp_load(struct xdp_engine *x, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int ncpus;

	if (x->skel)
		return 0;
	libbpf_set_print(libbpf_log);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return err_set(err, errlen, "XDP engine: cannot count the CPUs: %s",
			       strerror(-ncpus));
	x->skel = fulcrum_xdp__open_and_load();
	if (!x->skel)
		return err_set(err, errlen,
			       "XDP engine: cannot load the BPF program (%s); lb_kind DR/TUN need "
			       "root (CAP_BPF, CAP_NET_ADMIN) and a kernel with BPF and XDP",
			       strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(x->skel->progs.fulcrum_xdp), &info, &len) == 0)
		x->prog_id = info.id;
	x->ncpus = ncpus;
	x->fd.vips = bpf_map__fd(x->skel->maps.fx_vips);
	x->fd.ring = bpf_map__fd(x->skel->maps.fx_ring);
	x->fd.reals = bpf_map__fd(x->skel->maps.fx_reals);
	x->fd.conns = bpf_map__fd(x->skel->maps.fx_conns);
	x->fd.persist = bpf_map__fd(x->skel->maps.fx_persist);
	x->fd.vs_stats = bpf_map__fd(x->skel->maps.fx_vs_stats);
	x->fd.rs_stats = bpf_map__fd(x->skel->maps.fx_rs_stats);
	x->fd.global = bpf_map__fd(x->skel->maps.fx_global);
	x->fd.seq = bpf_map__fd(x->skel->maps.fx_seq);
	x->fd.least = bpf_map__fd(x->skel->maps.fx_least);
	x->fd.active = bpf_map__fd(x->skel->maps.fx_active);
	log_info("xdp: program loaded (id %u)", x->prog_id);
	return 0;
}

static void detach_at(struct xdp_engine *x, size_t i)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct xdp_iface *f = &x->ifs[i];
	int rc;

	/* old_prog_fd: only our program is taken off, never a replacement
	 * somebody put there meanwhile */
	o.old_prog_fd = bpf_program__fd(x->skel->progs.fulcrum_xdp);
	rc = bpf_xdp_detach(f->ifindex, f->generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE, &o);
	if (rc < 0 && rc != -ENODEV)
		log_warn("xdp: detaching from %s: %s", f->name, strerror(-rc));
	else
		log_info("xdp: detached from %s", f->name);
	x->ifs[i] = x->ifs[--x->n_ifs];
}

void xdp_unload(struct xdp_engine *x)
{
	if (!x->skel)
		return;
	while (x->n_ifs)
		detach_at(x, x->n_ifs - 1);
	fulcrum_xdp__destroy(x->skel);
	x->skel = NULL;
	x->prog_id = 0;
	memset(&x->fd, 0xff, sizeof(x->fd));
	log_info("xdp: program unloaded");
}

/* Whether a process holds BPF object prog_id open: a program fd, or a
 * link fd (both list "prog_id:" in their fdinfo).  Processes of other PID
 * namespaces are not seen. */
static int prog_held(uint32_t prog_id)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *f;
	char path[600], line[128], link[64];
	int held = 0;

	if (!proc)
		return 1; /* cannot tell: assume somebody does */
	while (!held && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(path)))
			continue;
		while (!held && (f = readdir(fds))) {
			ssize_t n;
			FILE *in;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, "anon_inode:bpf-prog") &&
			    strcmp(link, "anon_inode:bpf_link"))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			if (!(in = fopen(path, "r")))
				continue;
			while (fgets(line, sizeof(line), in)) {
				unsigned id;

				if (sscanf(line, "prog_id: %u", &id) == 1 && id == prog_id)
					held = 1;
			}
			fclose(in);
		}
		closedir(fds);
	}
	closedir(proc);
	return held;
}

/* A fulcrum_xdp program that no process holds: what a daemon killed with
 * SIGKILL (or a crash) leaves attached.  Taking it over lets the next
 * start work; a program some running process holds (another fulcrum)
 * is never touched. */
static int stale_fulcrum(uint32_t id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), ours;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	       !strncmp(info.name, "fulcrum_xdp", sizeof(info.name));
	close(fd);
	return ours && !prog_held(id);
}

static int detach_stale(int ifindex, const char *name, uint32_t id,
			const struct bpf_xdp_query_opts *q)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	int rc;

	o.old_prog_fd = bpf_prog_get_fd_by_id(id);
	if (o.old_prog_fd < 0)
		return -1;
	rc = bpf_xdp_detach(
	    ifindex, q->attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE,
	    &o);
	close(o.old_prog_fd);
	if (rc < 0)
		return -1;
	log_warn("xdp: %s: removed a fulcrum XDP program (id %u) that a previous run left "
		 "attached",
		 name, id);
	return 0;
}

static int attached_at(const struct xdp_engine *x, int ifindex)
{
	size_t i;

	for (i = 0; i < x->n_ifs; i++)
		if (x->ifs[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

int xdp_attach(struct xdp_engine *x, int ifindex, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[IF_NAMESIZE] = "?";
	struct xdp_iface *f;
	int fd, rc, generic = 0;
	__u32 other;

	if (attached_at(x, ifindex) >= 0)
		return 0;
	if (x->n_ifs >= XDP_MAX_IFS)
		return err_set(err, errlen, "XDP engine: more than %d interfaces", XDP_MAX_IFS);
	if (!if_indextoname((unsigned)ifindex, name))
		return err_set(err, errlen, "XDP engine: interface %d does not exist", ifindex);
	rc = bpf_xdp_query(ifindex, 0, &q);
	if (rc < 0)
		return err_set(err, errlen, "XDP engine: %s: cannot query XDP: %s", name,
			       strerror(-rc));
	other = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!q.hw_prog_id && other && other != x->prog_id && stale_fulcrum(other) &&
	    detach_stale(ifindex, name, other, &q) == 0)
		other = 0;
	if (q.hw_prog_id || (other && other != x->prog_id))
		return err_set(err, errlen,
			       "interface %s already has an XDP program (id %u); fulcrum does not "
			       "replace it: remove it (ip link set dev %s xdp off) or name other "
			       "interfaces with xdp_interface",
			       name, q.hw_prog_id ? q.hw_prog_id : other, name);
	fd = bpf_program__fd(x->skel->progs.fulcrum_xdp);
	if (other == x->prog_id && other) {
		/* ours already (a previous generation kept it): remember how */
		generic = q.attach_mode == XDP_ATTACHED_SKB;
		goto record;
	}
	rc = -EOPNOTSUPP;
	if (x->mode != FC_XDP_MODE_GENERIC)
		rc = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
				    NULL);
	if (rc < 0 && x->mode == FC_XDP_MODE_NATIVE)
		return err_set(err, errlen,
			       "XDP engine: native XDP on %s failed (%s); xdp_mode auto or generic "
			       "would fall back to generic mode",
			       name, strerror(-rc));
	if (rc < 0) {
		int why = rc;

		rc = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
				    NULL);
		if (rc < 0)
			return err_set(err, errlen, "XDP engine: cannot attach to %s: %s", name,
				       strerror(-rc));
		generic = 1;
		if (x->mode == FC_XDP_MODE_AUTO)
			log_warn("xdp: %s: native XDP not available (%s): attached in generic "
				 "mode, which is much slower",
				 name, strerror(-why));
	}
	log_info("xdp: attached to %s (%s)", name, generic ? "generic" : "native");
record:
	f = &x->ifs[x->n_ifs++];
	f->ifindex = ifindex;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->generic = generic;
	return 0;
}

void xdp_detach_unused(struct xdp_engine *x)
{
	const struct xdp_vs *xv;
	size_t i, k;

	if (!x->skel)
		return;
	for (i = x->n_ifs; i-- > 0;) {
		int used = 0;

		for (xv = x->services; xv && !used; xv = xv->next)
			for (k = 0; k < xv->n_if; k++)
				if (xv->ifindex[k] == x->ifs[i].ifindex)
					used = 1;
		if (!used)
			detach_at(x, i);
	}
}

int xdp_pick_ifaces(const struct xdp_engine *x, const struct fc_addr *vip, int *ifindex, char *err,
		    size_t errlen)
{
	char a[ADDR_STRLEN], e[ERRLEN];
	size_t i;
	int idx;

	if (x->n_ifnames) {
		for (i = 0; i < x->n_ifnames; i++) {
			ifindex[i] = (int)if_nametoindex(x->ifnames[i]);
			if (!ifindex[i])
				return err_set(err, errlen, "xdp_interface %s: no such interface",
					       x->ifnames[i]);
		}
		return (int)x->n_ifnames;
	}
	idx = xdp_addr_owner(vip, e, sizeof(e));
	if (idx <= 0)
		idx = xdp_route_oif(vip, e, sizeof(e));
	if (idx <= 0)
		return err_set(
		    err, errlen,
		    "no interface holds %s nor routes to it; add the address (or a route) "
		    "or name the interface with xdp_interface in global_defs",
		    addr_format(vip, a, sizeof(a), 0));
	ifindex[0] = idx;
	return 1;
}
