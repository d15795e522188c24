/* Socket addresses as the model keeps them: family, address, port.
 *
 * Text forms follow ipvsadm: "10.0.0.1:80" and "[2001:db8::1]:80".
 */
#ifndef FC_CORE_ADDR_H
#define FC_CORE_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct fc_addr {
	sa_family_t family; /* AF_INET or AF_INET6; 0 = unset */
	uint16_t port;      /* host byte order; 0 = unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* Longest text form: "[" v6 "]:" port, NUL. */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 9)

/* "1.2.3.4" or "2001:db8::1" (no port). */
int addr_parse_ip(const char *s, struct fc_addr *a, char *err, size_t errlen);
/* Decimal 0..65535 (0 allowed only when allow_zero). */
int addr_parse_port(const char *s, uint16_t *port, int allow_zero, char *err, size_t errlen);
/* "1.2.3.4:80", "[::1]:80". */
int addr_parse_hostport(const char *s, struct fc_addr *a, char *err, size_t errlen);

/* Writes "1.2.3.4:80" / "[::1]:80" (or without port if with_port is 0). */
const char *addr_format(const struct fc_addr *a, char *buf, size_t len, int with_port);

int addr_equal(const struct fc_addr *a, const struct fc_addr *b);     /* ip and port */
int addr_ip_equal(const struct fc_addr *a, const struct fc_addr *b);  /* ip only */
/* 1 if a is 0.0.0.0 or :: (or unset): a listener on it may be reached at
 * any of the host's addresses. */
int addr_is_wildcard(const struct fc_addr *a);
/* Keep the first `prefix` bits of the address (persistence granularity). */
void addr_mask(struct fc_addr *a, unsigned prefix);

socklen_t addr_to_sockaddr(const struct fc_addr *a, struct sockaddr_storage *ss);
int addr_from_sockaddr(struct fc_addr *a, const struct sockaddr *sa);

/* Stable 32-bit hash of the address (and port when with_port). */
uint32_t addr_hash(const struct fc_addr *a, int with_port);

#endif
