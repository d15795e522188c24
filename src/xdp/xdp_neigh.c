/* Next-hop resolution over rtnetlink: see xdp_neigh.h for the contracts.
 *
 * Single-answer requests (RTM_GETROUTE, RTM_GETNEIGH, RTM_GETLINK without
 * NLM_F_DUMP) get one message back, or an NLMSG_ERROR; address lookups are
 * dumps.  Answers are walked with NLMSG_OK/RTA_OK and every attribute's
 * length is checked before its payload is read. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/netlink.h"
#include "xdp/xdp_neigh.h"

/* Neighbour states whose lladdr may be used (the kernel's NUD_VALID less
 * NOARP, which has no meaningful lladdr). */
#define XN_NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

struct xn_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ndmsg nd;
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	} u;
	char attrs[64];
};

/* What a route lookup found. */
struct xn_route {
	int type;	   /* RTN_* */
	int oif;	   /* 0 = none given */
	struct fc_addr gw; /* family 0 = on-link */
	struct fc_addr prefsrc;
};

static int alen_of(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}


/* An address attribute of the given family into a (port 0); 0 or -1. */
static int get_addr(const struct rtattr *rta, int family, struct fc_addr *a)
{
	int alen = alen_of(family);

	if (alen < 0 || RTA_PAYLOAD(rta) != (unsigned)alen)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = (sa_family_t)family;
	memcpy(&a->u, RTA_DATA(rta), (size_t)alen);
	return 0;
}

static int route_get(struct vnl *nl, const struct fc_addr *addr, struct xn_route *rt,
		     int allow_local, char *err, size_t errlen)
{
	char ans[4096], ip[ADDR_STRLEN], why[ERRLEN];
	int alen = alen_of(addr->family), kerr, len;
	const struct nlmsghdr *nh = (const struct nlmsghdr *)ans;
	const struct rtmsg *rtm;
	const struct rtattr *rta;
	struct xn_req r;

	memset(rt, 0, sizeof(*rt));
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.nh.nlmsg_type = RTM_GETROUTE;
	r.u.rt.rtm_family = addr->family;
	r.u.rt.rtm_dst_len = (unsigned char)(alen * 8);
	if (vnl_put_attr(&r.nh, sizeof(r), RTA_DST, &addr->u, (size_t)alen) < 0)
		return err_set(err, errlen, "netlink request too long");
	addr_format(addr, ip, sizeof(ip), 0);
	if (vnl_get(nl, &r.nh, RTM_NEWROUTE, ans, sizeof(ans), &kerr, why, sizeof(why)) < 0)
		return err_set(err, errlen, "no route to %s: %s", ip, why);
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return err_set(err, errlen, "route to %s: short answer", ip);
	rtm = NLMSG_DATA(nh);
	rt->type = rtm->rtm_type;
	len = (int)RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case RTA_OIF:
			if (RTA_PAYLOAD(rta) == sizeof(int))
				memcpy(&rt->oif, RTA_DATA(rta), sizeof(int));
			break;
		case RTA_GATEWAY:
			get_addr(rta, rtm->rtm_family, &rt->gw);
			break;
		case RTA_VIA: {
			/* a gateway of the other family (IPv4 via IPv6) */
			const struct rtvia *v = RTA_DATA(rta);
			size_t vl = RTA_PAYLOAD(rta);
			int gl;

			if (vl < sizeof(*v))
				break;
			gl = alen_of(v->rtvia_family);
			if (gl > 0 && vl == sizeof(*v) + (size_t)gl) {
				memset(&rt->gw, 0, sizeof(rt->gw));
				rt->gw.family = v->rtvia_family;
				memcpy(&rt->gw.u, v->rtvia_addr, (size_t)gl);
			}
			break;
		}
		case RTA_PREFSRC:
			get_addr(rta, rtm->rtm_family, &rt->prefsrc);
			break;
		}
	}
	if (rt->type == RTN_LOCAL && !allow_local)
		return err_set(err, errlen, "%s is an address of this host", ip);
	if (rt->type != RTN_UNICAST && rt->type != RTN_LOCAL)
		return err_set(err, errlen, "no route to %s (route type %d)", ip, rt->type);
	if (rt->oif <= 0)
		return err_set(err, errlen, "route to %s has no output interface", ip);
	return 0;
}

/* RTM_GETNEIGH for dst on ifindex: *state (0 when there is no entry) and
 * mac (when a 6-byte lladdr came with it). */
static int neigh_get(struct vnl *nl, int ifindex, const struct fc_addr *dst, int *state,
		     uint8_t *mac, int *has_mac, char *err, size_t errlen)
{
	char ans[1024];
	const struct nlmsghdr *nh = (const struct nlmsghdr *)ans;
	const struct ndmsg *nd;
	const struct rtattr *rta;
	struct xn_req r;
	int kerr, len;

	*state = 0;
	*has_mac = 0;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.nh.nlmsg_type = RTM_GETNEIGH;
	r.u.nd.ndm_family = dst->family;
	r.u.nd.ndm_ifindex = ifindex;
	if (vnl_put_attr(&r.nh, sizeof(r), NDA_DST, &dst->u, (size_t)alen_of(dst->family)) < 0)
		return err_set(err, errlen, "netlink request too long");
	if (vnl_get(nl, &r.nh, RTM_NEWNEIGH, ans, sizeof(ans), &kerr, err, errlen) < 0)
		return kerr == ENOENT ? 0 : -1;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return err_set(err, errlen, "neighbour: short answer");
	nd = NLMSG_DATA(nh);
	*state = nd->ndm_state;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(mac, RTA_DATA(rta), 6);
			*has_mac = 1;
		}
	}
	return 0;
}

/* IFLA_ADDRESS of ifindex into mac when it is 6 bytes long; else zero. */
static int link_mac(struct vnl *nl, int ifindex, uint8_t *mac, char *err, size_t errlen)
{
	char ans[VNL_BUFSZ];
	const struct nlmsghdr *nh = (const struct nlmsghdr *)ans;
	const struct ifinfomsg *ifi;
	const struct rtattr *rta;
	struct xn_req r;
	int kerr, len;

	memset(mac, 0, 6);
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.nh.nlmsg_type = RTM_GETLINK;
	r.u.ifi.ifi_family = AF_UNSPEC;
	r.u.ifi.ifi_index = ifindex;
	if (vnl_get(nl, &r.nh, RTM_NEWLINK, ans, sizeof(ans), &kerr, err, errlen) < 0)
		return -1;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return err_set(err, errlen, "link: short answer");
	ifi = NLMSG_DATA(nh);
	len = (int)IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) == 6)
			memcpy(mac, RTA_DATA(rta), 6);
	return 0;
}

/* Address dump walker: the interface holding q->want (owner), or the first
 * address of q->family on q->ifindex, global scope first (source). */
struct addr_q {
	int family;
	const struct fc_addr *want; /* owner query; NULL = source query */
	int ifindex;		    /* source query: the interface */
	int owner;		    /* owner query: result */
	struct fc_addr first;	    /* source query: result (family 0 = none) */
	int first_global;
};

static void addr_fn(const struct nlmsghdr *nh, void *arg)
{
	struct addr_q *q = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta;
	struct fc_addr a, local = {0}, address = {0};
	int len;

	if (nh->nlmsg_type != RTM_NEWADDR || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != q->family)
		return;
	len = (int)IFA_PAYLOAD(nh);
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL && get_addr(rta, q->family, &a) == 0)
			local = a;
		else if (rta->rta_type == IFA_ADDRESS && get_addr(rta, q->family, &a) == 0)
			address = a;
	}
	/* IFA_LOCAL is the address itself (IFA_ADDRESS is the peer on a
	 * point-to-point link); IPv6 sends only IFA_ADDRESS. */
	a = local.family ? local : address;
	if (!a.family)
		return;
	if (q->want) {
		if (!q->owner && addr_ip_equal(&a, q->want))
			q->owner = (int)ifa->ifa_index;
		return;
	}
	if ((int)ifa->ifa_index != q->ifindex || q->first_global)
		return;
	if (ifa->ifa_scope == RT_SCOPE_UNIVERSE) {
		q->first = a;
		q->first_global = 1;
	} else if (!q->first.family) {
		q->first = a;
	}
}

static int addr_dump(struct vnl *nl, struct addr_q *q, char *err, size_t errlen)
{
	struct xn_req r;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.nh.nlmsg_type = RTM_GETADDR;
	r.u.ifa.ifa_family = (unsigned char)q->family;
	return vnl_dump(nl, &r.nh, addr_fn, q, err, errlen);
}

/* One empty datagram to addr:9 (discard): the kernel queues it on the
 * neighbour entry and starts ARP / neighbour solicitation.  Best effort:
 * failures change nothing for the caller, who retries anyway. */
static void trigger_resolution(const struct fc_addr *addr)
{
	struct fc_addr to = *addr;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	to.port = 9;
	sl = addr_to_sockaddr(&to, &ss);
	fd = socket(addr->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	close(fd);
}

static int check_family(const struct fc_addr *addr, char *err, size_t errlen)
{
	if (!addr || alen_of(addr->family) < 0)
		return err_set(err, errlen, "address family %d is not IPv4 or IPv6",
			       addr ? addr->family : 0);
	return 0;
}

int xdp_nexthop_lookup(const struct fc_addr *addr, struct xdp_nexthop *nh, char *err, size_t errlen)
{
	struct vnl nl = {.fd = -1};
	struct xn_route rt;
	struct addr_q q;
	const struct fc_addr *hop;
	int state, has_mac, r = -1;
	uint8_t mac[6];

	memset(nh, 0, sizeof(*nh));
	if (check_family(addr, err, errlen) < 0 || vnl_open(&nl, err, errlen) < 0)
		return -1;
	if (route_get(&nl, addr, &rt, 0, err, errlen) < 0)
		goto out;
	nh->ifindex = rt.oif;
	nh->onlink = rt.gw.family == 0;
	if (link_mac(&nl, rt.oif, nh->src_mac, err, errlen) < 0)
		goto out;
	if (rt.prefsrc.family) {
		nh->src = rt.prefsrc;
	} else {
		memset(&q, 0, sizeof(q));
		q.family = addr->family;
		q.ifindex = rt.oif;
		if (addr_dump(&nl, &q, err, errlen) < 0)
			goto out;
		nh->src = q.first;
	}
	hop = nh->onlink ? addr : &rt.gw;
	nh->hop = *hop;
	nh->hop.port = 0;
	if (neigh_get(&nl, rt.oif, hop, &state, mac, &has_mac, err, errlen) < 0)
		goto out;
	if ((state & XN_NUD_USABLE) && has_mac) {
		memcpy(nh->mac, mac, 6);
		nh->resolved = 1;
	}
	if (!nh->resolved || (state & NUD_STALE))
		trigger_resolution(addr);
	r = 0;
out:
	vnl_close(&nl);
	return r;
}

int xdp_neigh_sub_open(char *err, size_t errlen)
{
	return vnl_sub_open(RTMGRP_NEIGH, err, errlen);
}

struct neigh_sub {
	xdp_neigh_cb cb;
	void *arg;
};

/* One neighbour message: cb when it names a usable lladdr. */
static void neigh_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct neigh_sub *ns = arg;
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *rta;
	struct fc_addr dst = {0};
	int len, has_mac = 0;

	if (nh->nlmsg_type != RTM_NEWNEIGH || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    !(nd->ndm_state & XN_NUD_USABLE))
		return;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST)
			get_addr(rta, nd->ndm_family, &dst);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			has_mac = 1;
	}
	if (dst.family && has_mac)
		ns->cb(&dst, nd->ndm_ifindex, ns->arg);
}

int xdp_neigh_sub_read(int fd, xdp_neigh_cb cb, void *arg, char *err, size_t errlen)
{
	struct neigh_sub ns = {cb, arg};

	return vnl_sub_read(fd, neigh_msg, &ns, err, errlen);
}

int xdp_addr_owner(const struct fc_addr *addr, char *err, size_t errlen)
{
	struct vnl nl = {.fd = -1};
	struct addr_q q;
	int r;

	if (check_family(addr, err, errlen) < 0 || vnl_open(&nl, err, errlen) < 0)
		return -1;
	memset(&q, 0, sizeof(q));
	q.family = addr->family;
	q.want = addr;
	r = addr_dump(&nl, &q, err, errlen);
	vnl_close(&nl);
	return r < 0 ? -1 : q.owner;
}

/* The route to addr, local ones included, on a socket of its own. */
static int route_of(const struct fc_addr *addr, struct xn_route *rt, char *err, size_t errlen)
{
	struct vnl nl = {.fd = -1};
	int r;

	if (check_family(addr, err, errlen) < 0 || vnl_open(&nl, err, errlen) < 0)
		return -1;
	r = route_get(&nl, addr, rt, 1, err, errlen);
	vnl_close(&nl);
	return r;
}

int xdp_route_oif(const struct fc_addr *addr, char *err, size_t errlen)
{
	struct xn_route rt;

	return route_of(addr, &rt, err, errlen) < 0 ? -1 : rt.oif;
}

int xdp_addr_local(const struct fc_addr *addr, char *err, size_t errlen)
{
	struct xn_route rt;

	return route_of(addr, &rt, err, errlen) < 0 ? -1 : rt.type == RTN_LOCAL;
}
