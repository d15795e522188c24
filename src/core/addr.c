#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/err.h"

int addr_parse_ip(const char *s, struct fc_addr *a, char *err, size_t errlen)
{
	uint16_t port = a->port;

	memset(a, 0, sizeof(*a));
	a->port = port;
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return err_set(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
}

int addr_parse_port(const char *s, uint16_t *port, int allow_zero, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return err_set(err, errlen, "'%s' is not a port number", s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535 || (!v && !allow_zero))
		return err_set(err, errlen, "'%s' is not a port number (1-65535)", s);
	*port = (uint16_t)v;
	return 0;
}

int addr_parse_hostport(const char *s, struct fc_addr *a, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	size_t hl;
	uint16_t port;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return err_set(err, errlen, "'%s' is not [IPv6]:PORT", s);
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return err_set(err, errlen, "'%s' is not IP:PORT (write IPv6 as [ADDR]:PORT)",
				       s);
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		return err_set(err, errlen, "'%s' is not IP:PORT", s);
	memcpy(host, h, hl);
	host[hl] = 0;
	if (addr_parse_port(colon + 1, &port, 0, err, errlen) < 0)
		return -1;
	if (addr_parse_ip(host, a, err, errlen) < 0)
		return -1;
	if (*s == '[' && a->family != AF_INET6)
		return err_set(err, errlen, "'%s': brackets are for IPv6 addresses", s);
	a->port = port;
	return 0;
}

const char *addr_format(const struct fc_addr *a, char *buf, size_t len, int with_port)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == AF_INET)
		inet_ntop(AF_INET, &a->u.v4, ip, sizeof(ip));
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.v6, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "-");
	if (!with_port)
		snprintf(buf, len, "%s", ip);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "%s:%u", ip, a->port);
	return buf;
}

int addr_ip_equal(const struct fc_addr *a, const struct fc_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return !memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6));
	return 1;
}

int addr_is_wildcard(const struct fc_addr *a)
{
	if (a->family == AF_INET)
		return a->u.v4.s_addr == htonl(INADDR_ANY);
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
	return 1;
}

int addr_equal(const struct fc_addr *a, const struct fc_addr *b)
{
	return a->port == b->port && addr_ip_equal(a, b);
}

void addr_mask(struct fc_addr *a, unsigned prefix)
{
	uint8_t *p;
	unsigned bits, i;

	if (a->family == AF_INET) {
		p = (uint8_t *)&a->u.v4;
		bits = 32;
	} else if (a->family == AF_INET6) {
		p = a->u.v6.s6_addr;
		bits = 128;
	} else {
		return;
	}
	if (prefix >= bits)
		return;
	for (i = 0; i < bits / 8; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			p[i] = 0;
		else
			p[i] &= (uint8_t)(0xff << (8 - (prefix - 8 * i)));
	}
}

socklen_t addr_to_sockaddr(const struct fc_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(a->port);
		s->sin_addr = a->u.v4;
		return sizeof(*s);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(a->port);
		s->sin6_addr = a->u.v6;
		return sizeof(*s);
	}
	return 0;
}

int addr_from_sockaddr(struct fc_addr *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		a->family = AF_INET;
		a->port = ntohs(s->sin_port);
		a->u.v4 = s->sin_addr;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		/* a v4-mapped peer on a v6 socket is reported as the v4 address */
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			a->family = AF_INET;
			memcpy(&a->u.v4, &s->sin6_addr.s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			a->u.v6 = s->sin6_addr;
		}
		a->port = ntohs(s->sin6_port);
		return 0;
	}
	return -1;
}

/* FNV-1a over the address bytes: stable across runs and directors, which
 * the hashing schedulers (sh, dh, mh) rely on. */
uint32_t addr_hash(const struct fc_addr *a, int with_port)
{
	const uint8_t *p;
	size_t n, i;
	uint32_t h = 2166136261u;

	if (a->family == AF_INET6) {
		p = a->u.v6.s6_addr;
		n = 16;
	} else {
		p = (const uint8_t *)&a->u.v4;
		n = 4;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	if (with_port) {
		h = (h ^ (a->port >> 8)) * 16777619u;
		h = (h ^ (a->port & 0xff)) * 16777619u;
	}
	return h;
}
