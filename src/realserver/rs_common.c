/* fulcrum realserver: helpers its subcommands share (see rs-int.h). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "realserver/rs-int.h"

void rs_say(const char *fmt, ...)
{
	va_list ap;

	fputs("fulcrum realserver: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void rs_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fulcrum realserver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *rs_vip_str(const struct fc_addr *a, char *buf)
{
	return addr_format(a, buf, ADDR_STRLEN, 0);
}

unsigned rs_vip_prefix(const struct fc_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

int rs_vip_check(const struct fc_addr *a, char *err, size_t errlen)
{
	char s[ADDR_STRLEN];

	rs_vip_str(a, s);
	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->u.v4.s_addr);

		if (h == 0 || h == 0xffffffffu)
			return err_set(err, errlen, "%s cannot be a VIP", s);
		if ((h >> 24) == 127)
			return err_set(err, errlen, "%s is a loopback address, not a VIP", s);
		if ((h >> 28) == 0xe)
			return err_set(err, errlen, "%s is a multicast address, not a VIP", s);
		if ((h >> 16) == 0xa9fe)
			return err_set(err, errlen, "%s is a link-local address, not a VIP", s);
		return 0;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a->u.v6) || IN6_IS_ADDR_LOOPBACK(&a->u.v6))
		return err_set(err, errlen, "%s cannot be a VIP", s);
	if (IN6_IS_ADDR_MULTICAST(&a->u.v6))
		return err_set(err, errlen, "%s is a multicast address, not a VIP", s);
	if (IN6_IS_ADDR_LINKLOCAL(&a->u.v6))
		return err_set(err, errlen, "%s is a link-local address, not a VIP", s);
	if (IN6_IS_ADDR_V4MAPPED(&a->u.v6))
		return err_set(err, errlen, "%s is IPv4-mapped: give the IPv4 address", s);
	return 0;
}

/* arp_ignore 1 (answer only for addresses on the receiving interface), 2
 * (... and in the sender's subnet) and 8 (never) all keep the host quiet
 * about a VIP on lo; arp_announce 2 is the only value that never uses the
 * VIP as the source of the host's own ARP requests.  rp_filter 0 (off) or 2
 * (loose) let in the client's packets that arrive decapsulated. */
int rs_sysctl_satisfied(const char *key, const char *value)
{
	if (!strcmp(key, "arp_ignore"))
		return !strcmp(value, "1") || !strcmp(value, "2") || !strcmp(value, "8");
	if (!strcmp(key, "arp_announce"))
		return !strcmp(value, "2");
	if (!strcmp(key, "rp_filter"))
		return !strcmp(value, "0") || !strcmp(value, "2");
	return 0;
}

const char *rs_sysctl_target(const char *key)
{
	if (!strcmp(key, "arp_ignore"))
		return "1";
	return "2"; /* arp_announce, rp_filter (loose) */
}

const char *rs_sysctl_wanted(const char *key)
{
	if (!strcmp(key, "arp_ignore"))
		return "1, 2 or 8";
	if (!strcmp(key, "rp_filter"))
		return "0 or 2";
	return "2";
}

unsigned rs_state_vips(const struct rs_state *st, struct fc_addr *out, unsigned max, unsigned *n_v4)
{
	unsigned n = 0;

	*n_v4 = 0;
	for (unsigned i = 0; i < st->n && n < max; i++) {
		if (st->item[i].kind != RS_ITEM_VIP)
			continue;
		out[n++] = st->item[i].vip;
		*n_v4 += st->item[i].vip.family == AF_INET;
	}
	return n;
}
