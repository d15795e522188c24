/* DNS_CHECK's own configuration (check_conf.spec), check_dns.c. */
#ifndef FC_CHECK_CHECK_DNS_T_H
#define FC_CHECK_CHECK_DNS_T_H

struct check_dns_conf {
	char *dns_type; /* "A", "AAAA"... upper case; NULL = "SOA" */
	char *dns_name; /* NULL = "." */
};

#endif
