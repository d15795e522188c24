/* UDP_CHECK's own configuration (check_conf.spec), check_udp.c. */
#ifndef FC_CHECK_CHECK_UDP_T_H
#define FC_CHECK_CHECK_UDP_T_H

struct check_udp_conf {
	char *payload;     /* hex octets, spaces allowed; NULL = an empty datagram */
	int require_reply; /* up only on a reply (else: up unless ICMP says no) */
};

#endif
