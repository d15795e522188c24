/* fulcrum realserver: what its files share (not for the rest of the tree). */
#ifndef FC_REALSERVER_RS_INT_H
#define FC_REALSERVER_RS_INT_H

#include <stddef.h>

#include "realserver/rs-t.h"

/* The subcommands; each returns the exit status (0 ok, 1 failed / not in
 * place). */
int rs_cmd_start(const struct rs_opts *o);
int rs_cmd_stop(const struct rs_opts *o);
int rs_cmd_status(const struct rs_opts *o);

/* "fulcrum realserver: " + message + newline on stdout (errors: stderr). */
void rs_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rs_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A VIP as text (no prefix) into buf (ADDR_STRLEN bytes). */
const char *rs_vip_str(const struct fc_addr *a, char *buf);
/* 32 or 128: a VIP is a host address on lo. */
unsigned rs_vip_prefix(const struct fc_addr *a);
/* 0, or -1 with a sentence: what cannot be a VIP (unspecified, loopback,
 * multicast, broadcast, link-local). */
int rs_vip_check(const struct fc_addr *a, char *err, size_t errlen);

/* Sysctl policy: does value satisfy key, and what start writes when not. */
int rs_sysctl_satisfied(const char *key, const char *value);
const char *rs_sysctl_target(const char *key);
const char *rs_sysctl_wanted(const char *key); /* for messages: "1, 2 or 8" */

/* The VIPs of st (up to max), the IPv4 ones counted in *n_v4. */
unsigned rs_state_vips(const struct rs_state *st, struct fc_addr *out, unsigned max,
		       unsigned *n_v4);

#endif
