/* Least privilege: what the daemon keeps once it has started.
 *
 * After the first configuration is applied (control socket bound, XDP
 * loaded, VRRP sockets open), privs_drop() enters global_defs' chroot_dir,
 * becomes run_as_user/run_as_group, keeps in its permitted, effective and
 * bounding sets only the capabilities the configuration needs
 * (privs_needed), clears the inheritable and ambient sets and sets
 * no_new_privs.  A reload that would need a capability that was dropped is
 * refused whole, naming it (a restart grants it); doc/security.md says
 * which capability each feature needs and why. */
#ifndef FC_DAEMON_PRIVS_H
#define FC_DAEMON_PRIVS_H

#include <stddef.h>
#include <stdint.h>

#include "model/model-t.h"

/* Bit (1 << CAP_X) for each capability cfg needs once it runs (the XDP
 * program loaded, sockets bound). */
uint64_t privs_needed(const struct config *cfg);

/* "CAP_NET_ADMIN, CAP_NET_RAW" (lower-case names as libcap prints them)
 * into buf; "none" for 0. */
const char *privs_names(uint64_t caps, char *buf, size_t len);

/* Once, at start after the first apply: chroot, user, capabilities,
 * no_new_privs.  0, or -1 with err (the daemon must not serve on). */
int privs_drop(const struct config *cfg, char *err, size_t errlen);

/* Before a reload from running to newcfg: -1 with err when newcfg needs a
 * capability the daemon no longer holds (loading the XDP program when
 * running serves no DR/TUN service, a port below 1024, VRRP, a script
 * user...).  A changed run_as_user/run_as_group/chroot_dir is a warning:
 * it takes effect at the next start. */
int privs_reload_check(const struct config *running, const struct config *newcfg, char *err,
		       size_t errlen);

/* After each successful apply (start and reload): scripts run as the
 * configuration's script_user from now on.  0, or -1 with err. */
int privs_scripts(const struct config *cfg, char *err, size_t errlen);

#endif
