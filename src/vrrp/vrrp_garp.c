/* Gratuitous ARP and unsolicited NA: see vrrp_garp.h for what is sent. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "vrrp/vrrp_garp.h"

void garp_build_arp(uint8_t *b, const uint8_t mac[6], const struct in_addr *vip, int op)
{
	memset(b, 0xff, 6); /* Ethernet destination: broadcast */
	memcpy(b + 6, mac, 6);
	b[12] = ETHERTYPE_ARP >> 8;
	b[13] = ETHERTYPE_ARP & 0xff;
	b[14] = 0; /* hardware type 1: Ethernet */
	b[15] = ARPHRD_ETHER;
	b[16] = ETHERTYPE_IP >> 8;
	b[17] = ETHERTYPE_IP & 0xff;
	b[18] = 6; /* hardware address length */
	b[19] = 4; /* protocol address length */
	b[20] = 0;
	b[21] = (uint8_t)op;
	memcpy(b + 22, mac, 6); /* sender: us, the VIP */
	memcpy(b + 28, vip, 4);
	/* Target MAC: unused in a request (keepalived puts broadcast there); in a
	 * reply it is the address being announced, RFC 2002 4.6. */
	if (op == ARPOP_REPLY)
		memcpy(b + 32, mac, 6);
	else
		memset(b + 32, 0xff, 6);
	memcpy(b + 38, vip, 4);
}

void garp_build_na(uint8_t *b, const uint8_t mac[6], const struct in6_addr *vip, int router)
{
	memset(b, 0, NA_ICMP_LEN);
	b[0] = ND_NEIGHBOR_ADVERT;
	/* b[1] code 0, b[2..3] checksum (kernel) */
	b[4] = 0x20 | (router ? 0x80 : 0); /* Override; never Solicited */
	memcpy(b + 8, vip, 16);
	b[24] = ND_OPT_TARGET_LINKADDR;
	b[25] = 1; /* length in units of 8 octets */
	memcpy(b + 26, mac, 6);
}

/* The interface's name and Ethernet address; GARP/NA only make sense on
 * Ethernet-like links. */
static int if_mac(int ifindex, char *name, uint8_t mac[6], char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, rc;

	if (ifindex <= 0 || !if_indextoname(ifindex, name))
		return err_set(err, errlen, "no interface with index %d", ifindex);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc < 0)
		return err_set(err, errlen, "%s: hardware address: %s", name, strerror(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return err_set(err, errlen, "%s: not an Ethernet interface (type %d)", name,
			       ifr.ifr_hwaddr.sa_family);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int garp_send_arp(int ifindex, const struct in_addr *vip, int kinds, char *err, size_t errlen)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET};
	char name[IF_NAMESIZE];
	uint8_t mac[6], frame[GARP_FRAME_LEN];
	int fd, rc = 0;

	if (if_mac(ifindex, name, mac, err, errlen) < 0)
		return -1;
	if (!kinds)
		kinds = GARP_REQUEST;
	/* Protocol 0: a send-only socket that receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "packet socket: %s", strerror(errno));
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	for (int op = ARPOP_REQUEST; op <= ARPOP_REPLY && rc == 0; op++) {
		if (!(kinds & (op == ARPOP_REQUEST ? GARP_REQUEST : GARP_REPLY)))
			continue;
		garp_build_arp(frame, mac, vip, op);
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)) !=
		    (ssize_t)sizeof(frame))
			rc = err_set(err, errlen, "%s: gratuitous ARP: %s", name, strerror(errno));
	}
	close(fd);
	return rc;
}

/* RFC 4861 says the Router flag tells whether the sender is a router: follow
 * the interface's forwarding sysctl, as keepalived does.  Unreadable = no. */
static int if_forwards_v6(const char *name)
{
	char path[96], c = '0';
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

int garp_send_na(int ifindex, const struct in6_addr *vip, char *err, size_t errlen)
{
	struct sockaddr_in6 src = {.sin6_family = AF_INET6}, dst = {.sin6_family = AF_INET6};
	char name[IF_NAMESIZE];
	uint8_t mac[6], msg[NA_ICMP_LEN];
	int fd, hops = 255, zero = 0, rc = -1;

	if (if_mac(ifindex, name, mac, err, errlen) < 0)
		return -1;
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return err_set(err, errlen, "ICMPv6 socket: %s", strerror(errno));
	/* Hop limit 255 proves to receivers that the NA was not routed (RFC 4861
	 * 7.1.2); they drop it otherwise. */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, strlen(name) + 1) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0) {
		err_set(err, errlen, "%s: ICMPv6 socket options: %s", name, strerror(errno));
		goto out;
	}
	/* Sent from the VIP itself, as keepalived does: it is on the interface,
	 * and it makes the NA usable even before a link-local address exists. */
	src.sin6_addr = *vip;
	src.sin6_scope_id = ifindex;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, vip, a, sizeof(a));
		err_set(err, errlen, "%s: bind to %s: %s", name, a, strerror(errno));
		goto out;
	}
	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	dst.sin6_scope_id = ifindex;
	garp_build_na(msg, mac, vip, if_forwards_v6(name));
	if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&dst, sizeof(dst)) !=
	    (ssize_t)sizeof(msg)) {
		err_set(err, errlen, "%s: unsolicited NA: %s", name, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int garp_announce(int ifindex, const struct fc_addr *vip, char *err, size_t errlen)
{
	if (vip->family == AF_INET)
		return garp_send_arp(ifindex, &vip->u.v4, GARP_REQUEST, err, errlen);
	if (vip->family == AF_INET6)
		return garp_send_na(ifindex, &vip->u.v6, err, errlen);
	return err_set(err, errlen, "address family %d is not IPv4 or IPv6", vip->family);
}
