/* After the keepalived reader's walk: every script the configuration names
 * (MISC_CHECK, notify_up/down, quorum_up/down, vrrp_script, the VRRP
 * instance and sync group notify scripts) is checked with keepalived's
 * enable_script_security rule (core/script_sec.h), and global_defs'
 * script_user gets keepalived's default.
 *
 * With enable_script_security an unsafe script, or one that cannot be found
 * to be checked, is a file:line error (the whole configuration is refused,
 * at fulcrum -t as at a reload); without it an unsafe script is a warning
 * and runs, as keepalived does. */
#ifndef FC_CONF_SCRIPT_CHECK_H
#define FC_CONF_SCRIPT_CHECK_H

#include "kw/kw-t.h"

/* The user keepalived looks for when script_user is not given. */
#define SCRIPT_DEFAULT_USER "keepalived_script"
/* The fallback under enable_script_security (keepalived falls back to root). */
#define SCRIPT_FALLBACK_USER "nobody"

void conf_scripts_finish(struct kw_ctx *c);

/* Every script of cfg, in config order: what ("MISC_CHECK misc_path",
 * "notify_master"...), the command line, its own user (NULL = script_user)
 * and where it is declared. */
typedef void (*conf_script_fn)(void *ctx, const char *what, const char *cmd, const char *user,
			       const char *file, int line);
void conf_scripts_each(const struct config *cfg, conf_script_fn fn, void *ctx);

/* Called once the daemon runs inside global_defs' chroot_dir: script paths
 * are then checked as they are, no longer under the chroot prefix. */
void conf_scripts_chrooted(void);
/* 1 once conf_scripts_chrooted() was called. */
int conf_chrooted(void);

#endif
