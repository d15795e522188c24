/* The VRRP glue: runs each vrrp_instance of the model on the loop.
 *
 * Per instance: one raw socket (ev_io), one timer armed at the state
 * machine's next deadline.  Packets go through the strict decoder (drops
 * counted per reason) into vrrp_fsm_advert_rx; the actions the state
 * machine queues are executed here in order (adverts, VIPs, GARP, notify).
 * Tracking is in vrrp_track.c.  doc/vrrp.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/spawn.h"
#include "model/model-t.h"
#include "model/vrrp_model.h"
#include "vrrp/vrrp_garp.h"
#include "vrrp/vrrp_run-int.h"
#include "vrrp/vrrp_run.h"

#define NOTIFY_TIMEOUT_MS 60000

static void inst_io(struct loop *l, struct ev_io *io, uint32_t events);
static void inst_timer(struct loop *l, struct ev_timer *t);

/* ---- source address and socket ---------------------------------------- */

/* The interface's first address of the family (IPv6: link-local, as RFC
 * 5798 wants adverts sent from it). */
static int iface_addr(const char *ifname, int family, struct fc_addr *out, char *err, size_t errlen)
{
	struct ifaddrs *ifa, *p;
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		return err_set(err, errlen, "getifaddrs: %s", strerror(errno));
	for (p = ifa; p && !found; p = p->ifa_next) {
		if (!p->ifa_addr || p->ifa_addr->sa_family != family || strcmp(p->ifa_name, ifname))
			continue;
		if (family == AF_INET6 &&
		    !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr))
			continue;
		addr_from_sockaddr(out, p->ifa_addr);
		out->port = 0;
		found = 1;
	}
	freeifaddrs(ifa);
	if (!found)
		return err_set(err, errlen, "interface %s has no %s address", ifname,
			       family == AF_INET ? "IPv4" : "IPv6 link-local");
	return 0;
}

static void group_addr(int family, struct fc_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, VRRP_MCAST_V4, &a->u.v4);
	else
		inet_pton(AF_INET6, VRRP_MCAST_V6, &a->u.v6);
}

static int open_socket(struct vinst *vi, char *err, size_t errlen)
{
	const struct vrrp_instance *c = vi->cfg;
	int fam = c->family, one = 1, zero = 0, ttl = VRRP_TTL, fd;

	fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
	if (fd < 0)
		return err_set(err, errlen, "raw socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->ifname, (socklen_t)strlen(c->ifname)) <
	    0)
		goto fail;
	if (fam == AF_INET) {
		struct ip_mreqn mr = {.imr_ifindex = vi->ifindex};

		mr.imr_address = vi->src.u.v4;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0)
			goto fail;
		if (!c->n_unicast_peers) {
			inet_pton(AF_INET, VRRP_MCAST_V4, &mr.imr_multiaddr);
			if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
				goto fail;
		}
	} else {
		struct ipv6_mreq mr = {.ipv6mr_interface = (unsigned)vi->ifindex};
		unsigned ifx = (unsigned)vi->ifindex;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifx, sizeof(ifx)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
		if (!c->n_unicast_peers) {
			inet_pton(AF_INET6, VRRP_MCAST_V6, &mr.ipv6mr_multiaddr);
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
				goto fail;
		}
	}
	vi->fd = fd;
	return 0;
fail:
	err_set(err, errlen, "socket option on %s: %s", c->ifname, strerror(errno));
	close(fd);
	return -1;
}

/* ---- sending ------------------------------------------------------------ */

static unsigned advertised(const struct vrrp_instance *c, struct fc_addr *out)
{
	unsigned i, n = 0;

	for (i = 0; i < c->n_vips; i++)
		if (!c->vips[i].excluded && c->vips[i].addr.family == c->family)
			out[n++] = c->vips[i].addr;
	return n;
}

static int send_to(struct vinst *vi, const struct fc_addr *dst, uint8_t prio,
		   const struct fc_addr *addrs, unsigned n)
{
	const struct vrrp_instance *c = vi->cfg;
	uint8_t buf[VRRP_PKT_MAX];
	char err[ERRLEN], cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct vrrp_tx tx = {
	    .version = c->version,
	    .vrid = c->vrid,
	    .priority = prio,
	    .advert_int_cs = (uint16_t)vi->fsm.adv_cs,
	    .auth_type = c->auth_type,
	    .auth_pass = c->auth_pass,
	    .src = vi->src,
	    .dst = *dst,
	    .addrs = addrs,
	    .n_addrs = n,
	};
	struct sockaddr_storage ss;
	struct iovec iov;
	struct msghdr mh = {0};
	struct cmsghdr *cm;
	size_t len;

	if (c->auth_type == VRRP_AUTH_HMAC)
		tx.seq = vi->hmac_seq = vrrp_hmac_next_seq(vi->hmac_seq);
	if (vrrp_pkt_encode(&tx, buf, sizeof(buf), &len, err, sizeof(err)) < 0) {
		log_err("vrrp_instance %s: cannot encode an advert: %s", c->name, err);
		return -1;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	mh.msg_name = &ss;
	mh.msg_namelen = addr_to_sockaddr(dst, &ss);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf;
	/* the source address through PKTINFO: bind() on a raw socket would
	 * also filter what it receives by destination (the group) */
	if (c->family == AF_INET) {
		struct in_pktinfo pi = {.ipi_ifindex = vi->ifindex, .ipi_spec_dst = vi->src.u.v4};

		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = {.ipi6_addr = vi->src.u.v6,
					 .ipi6_ifindex = (unsigned)vi->ifindex};

		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	if (sendmsg(vi->fd, &mh, 0) < 0) {
		/* logged once per run of failures (an IPv6 link-local source is
		 * unusable while it is tentative, right after link up) */
		if (!vi->tx_failing)
			log_warn("vrrp_instance %s: sending an advert: %s", c->name,
				 strerror(errno));
		vi->tx_failing = 1;
		vi->tx_errors++;
		return -1;
	}
	if (vi->tx_failing)
		log_info("vrrp_instance %s: adverts are sent again", c->name);
	vi->tx_failing = 0;
	vi->tx++;
	return 0;
}

static void send_advert(struct vinst *vi, uint8_t prio)
{
	const struct vrrp_instance *c = vi->cfg;
	struct fc_addr addrs[VRRP_MAX_VIPS], dst;
	unsigned n = advertised(c, addrs), i;

	if (vi->fd < 0 || !n)
		return;
	if (!c->n_unicast_peers) {
		group_addr(c->family, &dst);
		send_to(vi, &dst, prio, addrs, n);
		return;
	}
	for (i = 0; i < c->n_unicast_peers; i++)
		send_to(vi, &c->unicast_peers[i], prio, addrs, n);
}

/* ---- actions ------------------------------------------------------------ */

static int vip_ifindex(struct vinst *vi, const struct vrrp_vip *v)
{
	char err[ERRLEN];

	if (!v->dev[0])
		return vi->ifindex;
	return vnl_ifindex(v->dev, err, sizeof(err));
}

static void vips_set(struct vinst *vi, int add)
{
	const struct vrrp_instance *c = vi->cfg;
	char err[ERRLEN], a[ADDR_STRLEN];
	unsigned i;

	for (i = 0; i < c->n_vips; i++) {
		const struct vrrp_vip *v = &c->vips[i];
		int ifx = vip_ifindex(vi, v), rc;

		if (ifx <= 0)
			continue;
		rc = add ? vnl_addr_add_lft(&vi->run->nl, ifx, &v->addr, v->prefix, v->label,
					    v->preferred_lft, err, sizeof(err))
			 : vnl_addr_del(&vi->run->nl, ifx, &v->addr, v->prefix, err, sizeof(err));
		if (rc < 0)
			log_err("vrrp_instance %s: %s %s/%u: %s", c->name,
				add ? "adding" : "removing", addr_format(&v->addr, a, sizeof(a), 0),
				v->prefix, err);
	}
}

static void garp_one(struct vinst *vi, unsigned i, int report)
{
	const struct vrrp_instance *c = vi->cfg;
	char err[ERRLEN];
	int ifx = vip_ifindex(vi, &c->vips[i]);

	if (ifx > 0 && garp_announce(ifx, &c->vips[i].addr, err, sizeof(err)) < 0 && report)
		log_warn("vrrp_instance %s: %s", c->name, err);
}

static unsigned garp_gap_ms(const struct vinst *vi)
{
	return vi->cfg->family == AF_INET6 ? vi->cfg->gna_interval_ms : vi->cfg->garp_interval_ms;
}

/* garp_interval / gna_interval: one message per interval, the VIPs in turn
 * (keepalived's meaning: the gap between two messages on the interface, for
 * switches that rate-limit them). */
static void garp_tick(struct loop *l, struct ev_timer *t)
{
	struct vinst *vi = t->data;

	if (!vi->garp_left || vi->stopped || !vi->cfg->n_vips)
		return;
	garp_one(vi, vi->garp_pos++ % vi->cfg->n_vips, 0);
	if (--vi->garp_left)
		loop_timer_start(l, t, garp_gap_ms(vi));
}

/* count rounds of one GARP (IPv4) or unsolicited NA (IPv6) per VIP */
static void send_garps(struct vinst *vi, unsigned count)
{
	const struct vrrp_instance *c = vi->cfg;
	unsigned i, k;

	if (!c->n_vips)
		return;
	if (!garp_gap_ms(vi)) {
		for (k = 0; k < count; k++)
			for (i = 0; i < c->n_vips; i++)
				garp_one(vi, i, k == 0);
		return;
	}
	if (vi->garp_left) { /* a burst is under way: make it longer */
		vi->garp_left += count * c->n_vips;
		return;
	}
	vi->garp_pos = 0;
	vi->garp_left = count * c->n_vips;
	garp_one(vi, vi->garp_pos++, 1);
	if (--vi->garp_left)
		loop_timer_start(vi->run->fc->loop, &vi->garp_t, garp_gap_ms(vi));
}

static void notify_done(struct spawn_result *res, void *data)
{
	(void)res;
	(void)data;
}

static void run_notify(struct vinst *vi, const char *cmd, const char *args)
{
	char err[ERRLEN], *line;
	size_t n;

	if (!cmd || !*cmd)
		return;
	n = strlen(cmd) + (args ? strlen(args) : 0) + 2;
	line = malloc(n);
	if (!line)
		return;
	snprintf(line, n, "%s%s%s", cmd, args ? " " : "", args ? args : "");
	if (!spawn_start(vi->run->fc->loop, line, NULL, NOTIFY_TIMEOUT_MS, notify_done, NULL, err,
			 sizeof(err)))
		log_err("vrrp_instance %s: notify %s: %s", vi->cfg->name, cmd, err);
	free(line);
}

static void do_notify(struct vinst *vi, enum vrrp_state s)
{
	const struct vrrp_instance *c = vi->cfg;
	const char *name = s == VRRP_INIT ? "STOP" : vrrp_fsm_state_name(s);
	const char *one = s == VRRP_MASTER   ? c->notify_master
			  : s == VRRP_BACKUP ? c->notify_backup
			  : s == VRRP_FAULT  ? c->notify_fault
					     : c->notify_stop;
	char args[160];

	run_notify(vi, one, NULL);
	snprintf(args, sizeof(args), "INSTANCE \"%s\" %s %u", c->name, name, vi->fsm.prio);
	run_notify(vi, c->notify, args);
}

/* The other members of vi's sync group that run here, in *out (at most
 * max); returns how many, -1 when vi is in no group. */
static int group_members(struct vinst *vi, struct vinst **out, int max,
			 const struct vrrp_sync_group **gp)
{
	const struct config *cfg = vi->run->fc->cfg;
	const struct vrrp_sync_group *g;
	struct vinst *o;
	unsigned i;
	int n = 0;

	if (!vi->cfg->sync_group || !cfg ||
	    !(g = vrrp_find_sync_group(&cfg->vrrp, vi->cfg->sync_group)))
		return -1;
	for (i = 0; i < g->n_members; i++)
		for (o = vi->run->inst; o; o = o->next)
			if (o != vi && !o->stopped && !strcmp(o->cfg->name, g->members[i]) &&
			    n < max)
				out[n++] = o;
	*gp = g;
	return n;
}

/* A sync group's own notify scripts run once each time the whole group has
 * settled in one state (every member MASTER, BACKUP or FAULT), with
 * keepalived's arguments: notify GROUP "name" STATE. */
static void group_notify(struct vinst *vi)
{
	const struct vrrp_sync_group *g;
	enum vrrp_state s = vi->fsm.state;
	struct vgroup_note *n;
	struct vinst *m[64];
	char args[160];
	int i, k;

	if (s != VRRP_MASTER && s != VRRP_BACKUP && s != VRRP_FAULT)
		return;
	k = group_members(vi, m, 64, &g);
	if (k < 0 || (unsigned)k + 1 != g->n_members)
		return; /* not every member runs */
	for (i = 0; i < k; i++)
		if (m[i]->fsm.state != s)
			return; /* not settled yet */
	for (n = vi->run->groups; n; n = n->next)
		if (!strcmp(n->name, g->name))
			break;
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n || !(n->name = strdup(g->name))) {
			free(n);
			return;
		}
		n->last = VRRP_INIT;
		n->next = vi->run->groups;
		vi->run->groups = n;
	}
	if (n->last == s)
		return;
	n->last = s;
	log_info("vrrp_sync_group %s: %s", g->name, vrrp_fsm_state_name(s));
	run_notify(vi, s == VRRP_MASTER ? g->notify_master
		       : s == VRRP_BACKUP ? g->notify_backup
					  : g->notify_fault,
		   NULL);
	snprintf(args, sizeof(args), "GROUP \"%s\" %s", g->name, vrrp_fsm_state_name(s));
	run_notify(vi, g->notify, args);
}

/* keepalived's sync group rules, beyond FAULT (vrun_track_all):
 * - a member that leaves MASTER for BACKUP (a higher master appeared)
 *   takes every other MASTER member to BACKUP with it;
 * - a member whose timer says "take over" waits (want_master) until every
 *   member is MASTER or wants to be, then they all go together.
 * So the group moves as one and cannot flap: a member held back by a
 * better master elsewhere keeps the others from preempting. */
static void sync_group_step(struct vinst *vi, int left_master)
{
	static int depth;
	const struct vrrp_sync_group *g;
	struct vinst *m[64];
	char why[VRRP_FSM_REASON_LEN];
	int n, i, all = 1, want = vi->fsm.want_master;

	if (depth)
		return; /* the members' own vrun_execute() calls */
	n = group_members(vi, m, 64, &g);
	if (n < 0)
		return;
	depth++;
	if (left_master) {
		snprintf(why, sizeof(why), "sync group %.40s: %.40s went BACKUP", g->name,
			 vi->cfg->name);
		for (i = 0; i < n; i++)
			if (m[i]->fsm.state == VRRP_MASTER &&
			    vrrp_fsm_sync_backup(&m[i]->fsm, why, vrun_now_ms()) > 0)
				vrun_execute(m[i]);
	}
	if (vi->fsm.state != VRRP_MASTER && !vi->fsm.want_master)
		all = 0;
	for (i = 0; i < n; i++) {
		if (m[i]->fsm.want_master)
			want = 1;
		else if (m[i]->fsm.state != VRRP_MASTER)
			all = 0;
	}
	if (all && want) {
		if (vrrp_fsm_sync_release(&vi->fsm, vrun_now_ms()) > 0)
			vrun_execute(vi);
		for (i = 0; i < n; i++)
			if (vrrp_fsm_sync_release(&m[i]->fsm, vrun_now_ms()) > 0)
				vrun_execute(m[i]);
	} else if (vi->fsm.want_master && !vi->held_logged) {
		vi->held_logged = 1;
		log_info("vrrp_instance %s: would be master (%s); held until every member of sync "
			 "group %s can be",
			 vi->cfg->name, vi->fsm.want_why, g->name);
	}
	if (!vi->fsm.want_master)
		vi->held_logged = 0;
	depth--;
}

/* ha_suspend: checks of a virtual server on one of our VIPs run only while
 * the instance is master. */
static void ha_suspend(struct vinst *vi)
{
	struct config *cfg = vi->run->fc->cfg;
	struct virtual_server *vs;
	unsigned i;

	for (vs = cfg ? cfg->vs : NULL; vs; vs = vs->next) {
		if (!vs->ha_suspend || vs->fwmark)
			continue;
		for (i = 0; i < vi->cfg->n_vips; i++)
			if (addr_ip_equal(&vs->addr, &vi->cfg->vips[i].addr)) {
				if (vi->run->hooks && vi->run->hooks->vs_suspend)
					vi->run->hooks->vs_suspend(vi->run->fc, vs,
								   vi->fsm.state != VRRP_MASTER);
				break;
			}
	}
}

static void rearm(struct vinst *vi)
{
	uint64_t d = vrrp_fsm_next_deadline(&vi->fsm), now = vrun_now_ms();

	loop_timer_stop(vi->run->fc->loop, &vi->t);
	if (d != VRRP_FSM_NEVER && !vi->stopped)
		loop_timer_start(vi->run->fc->loop, &vi->t, d > now ? d - now : 0);
}

/* One `event=vrrp-state` line per transition (doc/metrics.md, "Logs"). */
static void vrun_log_state(const struct vinst *vi, int to)
{
	const struct vrrp_fsm *f = &vi->fsm;
	const char *from = vrrp_fsm_state_name(f->last_from), *st = vrrp_fsm_state_name(to);
	char prio[8], vrid[8];
	const struct log_kv kv[] = {
	    {"instance", vi->cfg->name}, {"vrid", vrid}, {"from", from},
	    {"to", st},			 {"prio", prio}, {"reason", f->reason},
	};

	snprintf(prio, sizeof(prio), "%u", f->prio);
	snprintf(vrid, sizeof(vrid), "%u", vi->cfg->vrid);
	log_event(to == VRRP_FAULT ? LOG_WARNING : LOG_INFO, "vrrp-state", kv,
		  sizeof(kv) / sizeof(kv[0]), "vrrp_instance %s: %s -> %s (%s)", vi->cfg->name, from,
		  st, f->reason);
}

void vrun_execute(struct vinst *vi)
{
	struct vrrp_fsm *f = &vi->fsm;
	unsigned i;
	int changed = 0, left_master = 0;

	for (i = 0; i < f->n_act; i++) {
		const struct vrrp_action *a = &f->act[i];

		switch (a->kind) {
		case VRRP_ACT_SET_STATE:
			if (f->last_from == VRRP_MASTER && a->state == VRRP_BACKUP)
				left_master = 1;
			vrun_log_state(vi, a->state);
			changed = 1;
			break;
		case VRRP_ACT_BECOME_MASTER:
			vips_set(vi, 1);
			break;
		case VRRP_ACT_BECOME_BACKUP:
			vips_set(vi, 0);
			/* a paced burst must not announce VIPs we gave up */
			loop_timer_stop(vi->run->fc->loop, &vi->garp_t);
			vi->garp_left = 0;
			break;
		case VRRP_ACT_SEND_ADVERT:
			send_advert(vi, a->priority);
			break;
		case VRRP_ACT_SEND_GARP:
			send_garps(vi, a->count);
			break;
		case VRRP_ACT_NOTIFY:
			do_notify(vi, a->state);
			break;
		}
	}
	f->n_act = 0;
	rearm(vi);
	if (changed) {
		ha_suspend(vi);
		if (vi->cfg->sync_group) {
			vrun_track_all(vi->run);
			group_notify(vi);
		}
	}
	if (vi->cfg->sync_group && !vi->stopped)
		sync_group_step(vi, left_master);
}

/* ---- receiving ---------------------------------------------------------- */

static void rx_one(struct vinst *vi, const uint8_t *buf, size_t len, struct msghdr *mh)
{
	const struct vrrp_instance *c = vi->cfg;
	struct vrrp_rx_expect exp = {.version = c->version,
				     .vrid = c->vrid,
				     .auth_type = c->auth_type,
				     .auth_pass = c->auth_pass,
				     .replay = &vi->replay};
	struct vrrp_advert adv;
	enum vrrp_drop why = VRRP_DROP_NONE;
	int rc;

	vi->rx++;
	if (c->family == AF_INET) {
		rc = vrrp_pkt_decode_ip4(buf, len, &exp, &adv, &why);
	} else {
		struct fc_addr src, dst = {0};
		struct cmsghdr *cm;
		int hops = -1;

		addr_from_sockaddr(&src, mh->msg_name);
		src.port = 0;
		for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
			if (cm->cmsg_level != IPPROTO_IPV6)
				continue;
			if (cm->cmsg_type == IPV6_HOPLIMIT && cm->cmsg_len >= CMSG_LEN(sizeof(int)))
				memcpy(&hops, CMSG_DATA(cm), sizeof(int));
			else if (cm->cmsg_type == IPV6_PKTINFO &&
				 cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				dst.family = AF_INET6;
				dst.u.v6 = pi.ipi6_addr;
			}
		}
		if (!dst.family)
			group_addr(AF_INET6, &dst);
		rc = vrrp_pkt_decode(buf, len, &src, &dst, hops, &exp, &adv, &why);
	}
	if (rc < 0) {
		if (why < VRRP_DROP__COUNT)
			vi->drop[why]++;
		return;
	}
	if (c->n_unicast_peers) {
		/* keepalived: in unicast mode only the listed peers count */
		unsigned i;

		for (i = 0; i < c->n_unicast_peers; i++)
			if (addr_ip_equal(&c->unicast_peers[i], &adv.src))
				break;
		if (i == c->n_unicast_peers) {
			vi->rx_not_peer++;
			return;
		}
	}
	vi->rx_accepted++;
	vrrp_fsm_advert_rx(&vi->fsm, &adv, vrun_now_ms());
	vrun_execute(vi);
}

static void inst_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct vinst *vi = io->data;
	uint8_t buf[VRRP_PKT_MAX + 64];
	char cbuf[256];
	struct sockaddr_storage ss;
	int budget = 64;

	(void)l;
	(void)events;
	while (budget-- > 0 && vi->fd >= 0) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_name = &ss,
				    .msg_namelen = sizeof(ss),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(vi->fd, &mh, 0);

		if (n < 0)
			break;
		if (mh.msg_flags & MSG_TRUNC) {
			vi->rx++;
			vi->drop[VRRP_DROP_LENGTH]++;
			continue;
		}
		rx_one(vi, buf, (size_t)n, &mh);
	}
}

static void inst_timer(struct loop *l, struct ev_timer *t)
{
	struct vinst *vi = t->data;

	(void)l;
	vrrp_fsm_timer(&vi->fsm, vrun_now_ms());
	vrun_execute(vi);
}

/* ---- instance life ------------------------------------------------------ */

static void inst_free(void *arg)
{
	struct vinst *vi = arg;

	free(vi->tif_flags);
	free(vi->tif_index);
	free(vi);
}

static void inst_stop(struct vinst *vi)
{
	struct loop *l = vi->run->fc->loop;

	vrrp_fsm_stop(&vi->fsm, vrun_now_ms());
	vrun_execute(vi);
	vi->stopped = 1;
	loop_timer_stop(l, &vi->t);
	loop_timer_stop(l, &vi->garp_t);
	vi->garp_left = 0;
	if (vi->fd >= 0) {
		loop_io_del(l, &vi->io);
		close(vi->fd);
		vi->fd = -1;
	}
}

static struct vinst *inst_new(struct vrun *r, const struct vrrp_instance *c)
{
	struct vinst *vi = calloc(1, sizeof(*vi));
	char err[ERRLEN];

	if (!vi)
		return NULL;
	vi->tif_flags = calloc(c->n_track_ifs + 1, sizeof(*vi->tif_flags));
	vi->tif_index = calloc(c->n_track_ifs + 1, sizeof(*vi->tif_index));
	if (!vi->tif_flags || !vi->tif_index) {
		inst_free(vi);
		return NULL;
	}
	vi->run = r;
	vi->cfg = c;
	vi->fd = -1;
	loop_timer_init(&vi->t, inst_timer, vi);
	loop_timer_init(&vi->garp_t, garp_tick, vi);
	vi->ifindex = vnl_ifindex(c->ifname, err, sizeof(err));
	if (vi->ifindex <= 0)
		snprintf(vi->setup_err, sizeof(vi->setup_err), "%.190s", err);
	else if (c->src_ip.family == c->family)
		vi->src = c->src_ip;
	else if (iface_addr(c->ifname, c->family, &vi->src, err, sizeof(err)) < 0)
		snprintf(vi->setup_err, sizeof(vi->setup_err), "%.190s", err);
	if (!vi->setup_err[0] && open_socket(vi, err, sizeof(err)) < 0)
		snprintf(vi->setup_err, sizeof(vi->setup_err), "%.190s", err);
	if (vi->setup_err[0])
		log_err("vrrp_instance %s: %s: held in FAULT", c->name, vi->setup_err);
	if (vi->fd >= 0 && loop_io_add(r->fc->loop, &vi->io, vi->fd, EPOLLIN, inst_io, vi) < 0) {
		close(vi->fd);
		vi->fd = -1;
	}
	if (!vi->src.family)
		vi->src.family = (sa_family_t)c->family;
	vrrp_fsm_init(&vi->fsm, c, &vi->src);
	vi->fsm.sync = c->sync_group != NULL;
	return vi;
}

static int vips_same(const struct vrrp_instance *a, const struct vrrp_instance *b)
{
	unsigned i;

	if (a->n_vips != b->n_vips)
		return 0;
	for (i = 0; i < a->n_vips; i++)
		if (!addr_ip_equal(&a->vips[i].addr, &b->vips[i].addr) ||
		    a->vips[i].prefix != b->vips[i].prefix ||
		    a->vips[i].excluded != b->vips[i].excluded ||
		    a->vips[i].preferred_lft != b->vips[i].preferred_lft ||
		    strcmp(a->vips[i].dev, b->vips[i].dev) ||
		    strcmp(a->vips[i].label, b->vips[i].label))
			return 0;
	return 1;
}

static int peers_same(const struct vrrp_instance *a, const struct vrrp_instance *b)
{
	unsigned i;

	if (a->n_unicast_peers != b->n_unicast_peers)
		return 0;
	for (i = 0; i < a->n_unicast_peers; i++)
		if (!addr_ip_equal(&a->unicast_peers[i], &b->unicast_peers[i]))
			return 0;
	return 1;
}

/* Can a running instance move to the new config without a restart? */
static int inst_same(const struct vrrp_instance *a, const struct vrrp_instance *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->ifname, b->ifname) && a->vrid == b->vrid &&
	       a->family == b->family && a->version == b->version &&
	       a->advert_int_cs == b->advert_int_cs && a->n_track_ifs == b->n_track_ifs &&
	       a->src_ip.family == b->src_ip.family &&
	       (!a->src_ip.family || addr_ip_equal(&a->src_ip, &b->src_ip)) && vips_same(a, b) &&
	       peers_same(a, b);
}

void vrrp_run_apply(struct fulcrum *fc, const struct vrrp_hooks *hooks, struct config *newcfg,
		    const struct config *oldcfg)
{
	struct vrun *r = fc->vrrp;
	struct vinst *old, *vi, *n, **tail, *started = NULL;
	const struct vrrp_instance *c;
	char err[ERRLEN];

	(void)oldcfg;
	if (!r) {
		if (!newcfg->vrrp.instances)
			return;
		r = calloc(1, sizeof(*r));
		if (!r) {
			log_err("vrrp: out of memory: VRRP does not run");
			return;
		}
		r->fc = fc;
		r->link_fd = -1;
		if (vnl_open(&r->nl, err, sizeof(err)) < 0) {
			log_err("vrrp: %s: VRRP does not run", err);
			free(r);
			return;
		}
		r->link_fd = vnl_link_sub_open(err, sizeof(err));
		if (r->link_fd < 0)
			log_err("vrrp: %s: interface tracking is off", err);
		else if (loop_io_add(fc->loop, &r->link_io, r->link_fd, EPOLLIN, vrun_link_io, r) <
			 0) {
			close(r->link_fd);
			r->link_fd = -1;
		}
		fc->vrrp = r;
	}
	r->hooks = hooks;
	old = r->inst;
	r->inst = NULL;
	tail = &r->inst;
	/* keep, or create, in the new config's order */
	for (c = newcfg->vrrp.instances; c; c = c->next) {
		struct vinst **pp;

		vi = NULL;
		for (pp = &old; *pp; pp = &(*pp)->next)
			if (inst_same((*pp)->cfg, c)) {
				vi = *pp;
				*pp = vi->next;
				break;
			}
		if (vi) {
			vi->cfg = c;
			vi->fsm.cfg = c;
			vi->fsm.sync = c->sync_group != NULL;
		} else {
			vi = inst_new(r, c);
			if (!vi) {
				log_err("vrrp_instance %s: out of memory", c->name);
				continue;
			}
			vi->stopped = 1; /* started below, once tracking is known */
		}
		vi->next = NULL;
		*tail = vi;
		tail = &vi->next;
	}
	/* the ones that left stop properly (their old config still exists) */
	for (vi = old; vi; vi = n) {
		n = vi->next;
		inst_stop(vi);
		loop_defer(fc->loop, inst_free, vi);
	}
	vrun_scripts_apply(r, newcfg);
	vrun_refresh_links(r);
	for (vi = r->inst; vi; vi = vi->next) {
		int prio;

		if (!vi->stopped)
			continue;
		vrun_own_view(vi, &prio, &vi->own_fault);
		if (vi->own_fault)
			vrrp_fsm_fault(&vi->fsm, 1, vi->why, vrun_now_ms());
		vi->stopped = 0;
		vrrp_fsm_start(&vi->fsm, vrun_now_ms());
		vrun_execute(vi);
		started = vi;
	}
	(void)started;
	vrun_track_all(r);
	for (vi = r->inst; vi; vi = vi->next)
		ha_suspend(vi);
}

void vrrp_run_shutdown(struct fulcrum *fc)
{
	struct vrun *r = fc->vrrp;
	struct vinst *vi, *n;

	if (!r)
		return;
	for (vi = r->inst; vi; vi = vi->next)
		inst_stop(vi);
	vrun_scripts_free(r, r->scripts);
	r->scripts = NULL;
	for (vi = r->inst; vi; vi = n) {
		n = vi->next;
		inst_free(vi);
	}
	r->inst = NULL;
	if (r->link_fd >= 0) {
		loop_io_del(fc->loop, &r->link_io);
		close(r->link_fd);
	}
	vnl_close(&r->nl);
	while (r->groups) {
		struct vgroup_note *g = r->groups;

		r->groups = g->next;
		free(g->name);
		free(g);
	}
	free(r);
	fc->vrrp = NULL;
}
