/* Announcing a VIP after takeover: gratuitous ARP (IPv4) and unsolicited
 * Neighbor Advertisement (IPv6), so that hosts and switches on the link move
 * the VIP to our MAC at once instead of waiting for their caches to expire.
 *
 * Frames are what keepalived sends: a broadcast ARP request with sender and
 * target IP both the VIP (target MAC ff:ff:ff:ff:ff:ff); optionally also an
 * ARP reply whose target MAC is our own (RFC 2002 4.6); and an NA to ff02::1
 * from the VIP, hop limit 255, Override set, Router set when the interface
 * forwards IPv6, with a Target Link-Layer Address option.
 *
 * Each send opens and closes its own socket: takeover sends a handful per
 * VIP, not a stream.  Needs CAP_NET_RAW.  The IPv6 VIP must already be on the
 * interface (the NA is sent from it; vnl_addr_add adds it without DAD). */
#ifndef FC_VRRP_VRRP_GARP_H
#define FC_VRRP_VRRP_GARP_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define GARP_REQUEST 1 /* keepalived's default */
#define GARP_REPLY   2

#define GARP_FRAME_LEN 42 /* Ethernet header + ARP for IPv4 over Ethernet */
#define NA_ICMP_LEN    32 /* NA header + target + one TLLA option */

/* Pure builders (no I/O), for the senders and for tests.  op is 1 (request)
 * or 2 (reply).  buf must hold GARP_FRAME_LEN / NA_ICMP_LEN bytes.  The NA
 * checksum is left 0: the kernel fills it on a raw ICMPv6 socket. */
void garp_build_arp(uint8_t *buf, const uint8_t mac[6], const struct in_addr *vip, int op);
void garp_build_na(uint8_t *buf, const uint8_t mac[6], const struct in6_addr *vip, int router);

/* Sends the gratuitous ARP(s) for an IPv4 vip on ifindex; kinds is a mask of
 * GARP_REQUEST / GARP_REPLY (0 = request). */
int garp_send_arp(int ifindex, const struct in_addr *vip, int kinds, char *err, size_t errlen);
/* Sends one unsolicited NA for an IPv6 vip on ifindex. */
int garp_send_na(int ifindex, const struct in6_addr *vip, char *err, size_t errlen);
/* Either of the above, by the address's family (IPv4: request only). */
int garp_announce(int ifindex, const struct fc_addr *vip, char *err, size_t errlen);

#endif
