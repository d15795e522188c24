/* rtnetlink: see netlink.h for the contracts.
 *
 * Messages from the kernel are walked with NLMSG_OK/RTA_OK and every
 * attribute's length is checked before its payload is read, so a short or
 * odd answer is an error, never an out-of-bounds read. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/netlink.h"

struct vnl_req {
	struct nlmsghdr nh;
	union {
		struct ifaddrmsg ifa;
		struct ifinfomsg ifi;
	} u;
	char attrs[256];
};

static int addr_len(const struct fc_addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : -1;
}

int vnl_put_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data,
		 size_t len)
{
	struct rtattr *rta;
	size_t off = NLMSG_ALIGN(nh->nlmsg_len);

	if (off + RTA_SPACE(len) > cap)
		return -1;
	rta = (struct rtattr *)((char *)nh + off);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = off + RTA_SPACE(len);
	return 0;
}

int vnl_open(struct vnl *nl, char *err, size_t errlen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	socklen_t sl = sizeof(sa);
	struct timeval tv = {.tv_sec = 1};
	int one = 1;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return err_set(err, errlen, "netlink socket: %s", strerror(errno));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Extended acks are only a nicer message; older kernels lack them. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &sl) < 0) {
		err_set(err, errlen, "netlink bind: %s", strerror(errno));
		close(nl->fd);
		nl->fd = -1;
		return -1;
	}
	nl->pid = sa.nl_pid;
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void vnl_close(struct vnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int vnl_ifindex(const char *name, char *err, size_t errlen)
{
	unsigned idx;

	if (!name || !*name || strlen(name) >= IF_NAMESIZE)
		return err_set(err, errlen, "bad interface name '%s'", name ? name : "");
	idx = if_nametoindex(name);
	if (!idx)
		return err_set(err, errlen, "no interface '%s'", name);
	return (int)idx;
}

/* The extended-ack message text of an NLMSG_ERROR, if the kernel sent one. */
static const char *ext_ack_msg(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t off = sizeof(*e);
	const struct rtattr *rta;
	int len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (off >= nh->nlmsg_len - NLMSG_HDRLEN)
		return NULL;
	rta = (const struct rtattr *)((const char *)e + off);
	len = (int)(nh->nlmsg_len - NLMSG_HDRLEN - off);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		const char *s = RTA_DATA(rta);
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type == NLMSGERR_ATTR_MSG && n > 0 && s[n - 1] == 0)
			return s;
	}
	return NULL;
}

/* Number and send req (flags added); 0, or -1 with err. */
static int send_req(struct vnl *nl, struct nlmsghdr *req, unsigned flags, char *err,
		    size_t errlen)
{
	struct sockaddr_nl kern = {.nl_family = AF_NETLINK};

	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_flags |= NLM_F_REQUEST | flags;
	if (sendto(nl->fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kern, sizeof(kern)) < 0)
		return err_set(err, errlen, "netlink send: %s", strerror(errno));
	return 0;
}

/* One datagram of answers into buf; its length, or -1 with err. */
static int recv_answers(struct vnl *nl, char *buf, size_t len, char *err, size_t errlen)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	for (;;) {
		ssize_t n = recvmsg(nl->fd, &mh, 0);

		if (n >= 0) {
			/* a cut datagram would cut its last message */
			if (mh.msg_flags & MSG_TRUNC)
				return err_set(err, errlen, "netlink answer too long");
			return (int)n;
		}
		if (errno != EINTR)
			return err_set(err, errlen, "netlink receive: %s", strerror(errno));
	}
}

/* Sends req and reads until the ack for it.  Returns 0, or -1 with *kerr set
 * to the kernel's errno (0 when the failure was ours) and err filled. */
static int transact(struct vnl *nl, struct nlmsghdr *req, int *kerr, char *err, size_t errlen)
{
	char buf[VNL_BUFSZ];

	*kerr = 0;
	if (send_req(nl, req, NLM_F_ACK, err, errlen) < 0)
		return -1;
	for (;;) {
		int len = recv_answers(nl, buf, sizeof(buf), err, errlen);
		struct nlmsghdr *nh;

		if (len < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			const struct nlmsgerr *e;
			const char *m;

			if (nh->nlmsg_seq != req->nlmsg_seq || nh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return err_set(err, errlen, "netlink: short error message");
			e = NLMSG_DATA(nh);
			if (e->error == 0)
				return 0;
			*kerr = -e->error;
			m = ext_ack_msg(nh);
			return err_set(err, errlen, "%s%s%s", strerror(*kerr), m ? ": " : "",
				       m ? m : "");
		}
	}
}

static int addr_req(struct vnl_req *r, int type, int ifindex, const struct fc_addr *addr,
		    unsigned prefix, char *err, size_t errlen)
{
	int alen = addr_len(addr);

	if (alen < 0)
		return err_set(err, errlen, "address family %d is not IPv4 or IPv6", addr->family);
	if (ifindex <= 0)
		return err_set(err, errlen, "bad interface index %d", ifindex);
	if (prefix > (unsigned)alen * 8)
		return err_set(err, errlen, "prefix /%u too long", prefix);
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r->nh.nlmsg_type = type;
	r->u.ifa.ifa_family = addr->family;
	r->u.ifa.ifa_prefixlen = prefix;
	r->u.ifa.ifa_index = ifindex;
	/* fe80::/10 is link scope; everything else a VIP can be is global. */
	r->u.ifa.ifa_scope = (addr->family == AF_INET6 && addr->u.v6.s6_addr[0] == 0xfe &&
			      (addr->u.v6.s6_addr[1] & 0xc0) == 0x80)
				 ? RT_SCOPE_LINK
				 : RT_SCOPE_UNIVERSE;
	if (vnl_put_attr(&r->nh, sizeof(*r), IFA_LOCAL, &addr->u, alen) < 0 ||
	    vnl_put_attr(&r->nh, sizeof(*r), IFA_ADDRESS, &addr->u, alen) < 0)
		return err_set(err, errlen, "netlink request too long");
	return 0;
}

int vnl_addr_add(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		 const char *label, char *err, size_t errlen)
{
	return vnl_addr_add_lft(nl, ifindex, addr, prefix, label, VNL_LFT_FOREVER, err, errlen);
}

int vnl_addr_add_lft(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		     const char *label, uint32_t preferred_lft, char *err, size_t errlen)
{
	struct vnl_req r;
	int kerr;

	if (addr_req(&r, RTM_NEWADDR, ifindex, addr, prefix, err, errlen) < 0)
		return -1;
	r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	if (addr->family == AF_INET && label && *label) {
		if (strlen(label) >= IF_NAMESIZE)
			return err_set(err, errlen, "label '%s' longer than %d characters", label,
				       IF_NAMESIZE - 1);
		if (vnl_put_attr(&r.nh, sizeof(r), IFA_LABEL, label, strlen(label) + 1) < 0)
			return err_set(err, errlen, "netlink request too long");
	}
	if (addr->family == AF_INET6) {
		uint32_t fl = IFA_F_NODAD;

		r.u.ifa.ifa_flags = IFA_F_NODAD;
		if (vnl_put_attr(&r.nh, sizeof(r), IFA_FLAGS, &fl, sizeof(fl)) < 0)
			return err_set(err, errlen, "netlink request too long");
	}
	if (preferred_lft != VNL_LFT_FOREVER) {
		struct ifa_cacheinfo ci = {.ifa_prefered = preferred_lft,
					   .ifa_valid = VNL_LFT_FOREVER};

		/* through r itself: GCC takes &r.nh as a 16-byte object here */
		if (vnl_put_attr((struct nlmsghdr *)(void *)&r, sizeof(r), IFA_CACHEINFO, &ci,
				 sizeof(ci)) < 0)
			return err_set(err, errlen, "netlink request too long");
	}
	if (transact(nl, &r.nh, &kerr, err, errlen) < 0)
		return kerr == EEXIST ? 0 : -1;
	return 0;
}

int vnl_addr_del(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		 char *err, size_t errlen)
{
	struct vnl_req r;
	int kerr;

	if (addr_req(&r, RTM_DELADDR, ifindex, addr, prefix, err, errlen) < 0)
		return -1;
	if (transact(nl, &r.nh, &kerr, err, errlen) < 0)
		return kerr == EADDRNOTAVAIL ? 0 : -1;
	return 0;
}

/* Sends a dump request and hands each answer message to fn until NLMSG_DONE.
 * fn returns 0 to go on; the dump is always read to its end so the socket
 * stays in step for the next request. */
int vnl_dump(struct vnl *nl, struct nlmsghdr *req,
	     void (*fn)(const struct nlmsghdr *nh, void *arg), void *arg, char *err,
	     size_t errlen)
{
	char buf[VNL_BUFSZ];

	if (send_req(nl, req, NLM_F_DUMP, err, errlen) < 0)
		return -1;
	for (;;) {
		int len = recv_answers(nl, buf, sizeof(buf), err, errlen);
		struct nlmsghdr *nh;

		if (len < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return err_set(err, errlen, "netlink: short error");
				return err_set(err, errlen, "netlink dump: %s",
					       strerror(-e->error));
			}
			fn(nh, arg);
		}
	}
}

int vnl_get(struct vnl *nl, struct nlmsghdr *req, int want, void *out, size_t outlen, int *kerr,
	    char *err, size_t errlen)
{
	char buf[VNL_BUFSZ];

	*kerr = 0;
	if (send_req(nl, req, 0, err, errlen) < 0)
		return -1;
	for (;;) {
		int len = recv_answers(nl, buf, sizeof(buf), err, errlen);
		struct nlmsghdr *nh;

		if (len < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return err_set(err, errlen, "netlink: short error");
				*kerr = e->error ? -e->error : EPROTO;
				return err_set(err, errlen, "%s", strerror(*kerr));
			}
			if (nh->nlmsg_type != want)
				continue;
			if (nh->nlmsg_len > outlen)
				return err_set(err, errlen, "netlink answer too long");
			memcpy(out, nh, nh->nlmsg_len);
			return 0;
		}
	}
}

struct present_q {
	int ifindex;
	const struct fc_addr *addr;
	int found;
};

static void present_fn(const struct nlmsghdr *nh, void *arg)
{
	struct present_q *q = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len, alen = addr_len(q->addr);

	if (nh->nlmsg_type != RTM_NEWADDR || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return;
	if (ifa->ifa_family != q->addr->family || (q->ifindex && (int)ifa->ifa_index != q->ifindex))
		return;
	rta = IFA_RTA(ifa);
	len = (int)IFA_PAYLOAD(nh);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		/* IFA_LOCAL is the address itself; IPv6 sends only IFA_ADDRESS. */
		if ((rta->rta_type == IFA_LOCAL || rta->rta_type == IFA_ADDRESS) &&
		    RTA_PAYLOAD(rta) == (unsigned)alen && !memcmp(RTA_DATA(rta), &q->addr->u, alen))
			q->found = 1;
	}
}

int vnl_addr_present(struct vnl *nl, int ifindex, const struct fc_addr *addr, int *present,
		     char *err, size_t errlen)
{
	struct vnl_req r;
	struct present_q q = {.ifindex = ifindex, .addr = addr};

	if (addr_len(addr) < 0)
		return err_set(err, errlen, "address family %d is not IPv4 or IPv6", addr->family);
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.nh.nlmsg_type = RTM_GETADDR;
	r.u.ifa.ifa_family = addr->family;
	if (vnl_dump(nl, &r.nh, present_fn, &q, err, errlen) < 0)
		return -1;
	*present = q.found;
	return 0;
}

/* Reads one link message: index, flags and IFLA_IFNAME (checked for a NUL). */
static int parse_link(const struct nlmsghdr *nh, int *ifindex, unsigned *flags, char *name)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -1;
	*ifindex = ifi->ifi_index;
	*flags = ifi->ifi_flags;
	name[0] = 0;
	rta = IFLA_RTA(ifi);
	len = (int)IFLA_PAYLOAD(nh);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type == IFLA_IFNAME && n > 0 && n <= IF_NAMESIZE &&
		    ((const char *)RTA_DATA(rta))[n - 1] == 0)
			memcpy(name, RTA_DATA(rta), n);
	}
	return 0;
}

int vnl_link_flags(struct vnl *nl, int ifindex, unsigned *flags, char *err, size_t errlen)
{
	struct sockaddr_nl kern = {.nl_family = AF_NETLINK};
	struct vnl_req r;
	char buf[VNL_BUFSZ];

	if (ifindex <= 0)
		return err_set(err, errlen, "bad interface index %d", ifindex);
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.nh.nlmsg_type = RTM_GETLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.nh.nlmsg_seq = ++nl->seq;
	r.u.ifi.ifi_family = AF_UNSPEC;
	r.u.ifi.ifi_index = ifindex;
	if (sendto(nl->fd, &r, r.nh.nlmsg_len, 0, (struct sockaddr *)&kern, sizeof(kern)) < 0)
		return err_set(err, errlen, "netlink send: %s", strerror(errno));
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, errlen, "netlink receive: %s", strerror(errno));
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			char name[IF_NAMESIZE];
			int idx;

			if (nh->nlmsg_seq != r.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return err_set(err, errlen, "netlink: short error");
				return err_set(err, errlen, "interface %d: %s", ifindex,
					       strerror(-e->error));
			}
			if (nh->nlmsg_type == RTM_NEWLINK &&
			    parse_link(nh, &idx, flags, name) == 0 && idx == ifindex)
				return 0;
		}
	}
}

int vnl_sub_open(unsigned groups, char *err, size_t errlen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return err_set(err, errlen, "netlink socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_set(err, errlen, "netlink bind to groups 0x%x: %s", groups, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int vnl_sub_read(int fd, vnl_msg_cb cb, void *arg, char *err, size_t errlen)
{
	char buf[VNL_BUFSZ];
	int lost = 0;

	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		struct nlmsghdr *nh;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return lost;
		if (n < 0 && errno == ENOBUFS) {
			lost = 1; /* the socket is usable again; keep draining */
			continue;
		}
		if (n < 0)
			return err_set(err, errlen, "netlink receive: %s", strerror(errno));
		/* Only the kernel (port 0) speaks on these groups. */
		if (fl < sizeof(from) || from.nl_pid != 0)
			continue;
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
			cb(nh, arg);
	}
}

int vnl_link_sub_open(char *err, size_t errlen)
{
	return vnl_sub_open(RTMGRP_LINK, err, errlen);
}

struct link_sub {
	vnl_link_cb cb;
	void *arg;
};

static void link_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct link_sub *ls = arg;
	char name[IF_NAMESIZE];
	unsigned flags;
	int idx;

	if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
		return;
	if (parse_link(nh, &idx, &flags, name) < 0)
		return;
	ls->cb(idx, name, flags, nh->nlmsg_type == RTM_DELLINK, ls->arg);
}

int vnl_link_sub_read(int fd, vnl_link_cb cb, void *arg, char *err, size_t errlen)
{
	struct link_sub ls = {cb, arg};

	return vnl_sub_read(fd, link_msg, &ls, err, errlen);
}
