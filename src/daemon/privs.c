/* Least privilege (see privs.h for the contract, doc/security.md for the
 * reasons behind each capability). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "conf/script_check.h"
#include "core/err.h"
#include "core/log.h"
#include "core/spawn.h"
#include "daemon/privs.h"

#define BIT(c) (UINT64_C(1) << (c))

/* What the running daemon holds once privs_drop() ran. */
static struct {
	int dropped;
	uint64_t held;
	char *user, *group, *chroot_dir; /* as at start (NULL = none) */
} st;

static int needs_bind_service(const struct virtual_server *vs)
{
	return (vs->fwd == FWD_NAT || vs->fwd == FWD_PROXY) && vs->addr.port &&
	       vs->addr.port < 1024;
}

static uint64_t checks_caps(const struct check_conf *k)
{
	uint64_t caps = 0;

	for (; k; k = k->next) {
		/* ICMP echo on a raw socket; SO_BINDTODEVICE (bind_if) */
		if (k->type == CHECK_PING || (k->bind_if && *k->bind_if))
			caps |= BIT(CAP_NET_RAW);
	}
	return caps;
}

static uint64_t check_caps(const struct real_server *rs)
{
	uint64_t caps = 0;

	for (; rs; rs = rs->next)
		caps |= checks_caps(rs->checks);
	return caps;
}

static uint64_t tune_caps(const struct proc_tuning *p)
{
	uint64_t caps = 0;

	if (p->rt_priority || (p->nice_set && p->nice < 0))
		caps |= BIT(CAP_SYS_NICE);
	if (p->rt_priority || p->rlimit_rttime_us)
		caps |= BIT(CAP_SYS_RESOURCE); /* RLIMIT_RTTIME raised again at a reload */
	if (p->no_swap)
		caps |= BIT(CAP_IPC_LOCK);
	return caps;
}

/* A name of digits only that names no entry is the id itself (haproxy.cfg's
 * `uid N` / `gid N`, which need no passwd or group entry). */
static int numeric_id(const char *s, unsigned *id)
{
	char *end;
	unsigned long v;

	if (!*s || s[strspn(s, "0123456789")])
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > 0x7fffffffUL)
		return 0;
	*id = (unsigned)v;
	return 1;
}

static struct passwd *user_entry(const char *user)
{
	struct passwd *pw = getpwnam(user);
	unsigned id;

	if (!pw && numeric_id(user, &id))
		pw = getpwuid((uid_t)id);
	return pw;
}

struct script_users {
	const struct global_defs *g;
	uid_t daemon;
	int other; /* a script runs as another user than the daemon */
};

static void script_user_cb(void *ctx, const char *what, const char *cmd, const char *user,
			   const char *file, int line)
{
	struct script_users *su = ctx;
	const char *who = user && *user ? user : su->g->script_user;
	struct passwd *pw;

	if (!who)
		return; /* as the daemon */
	pw = user_entry(who);
	if (!pw || pw->pw_uid != su->daemon)
		su->other = 1;
}

static int has_xdp(const struct config *cfg)
{
	const struct virtual_server *vs;

	for (vs = cfg ? cfg->vs : NULL; vs; vs = vs->next)
		if (vs->fwd == FWD_DR || vs->fwd == FWD_TUN)
			return 1;
	return 0;
}

/* xdp_load: the XDP program is to be loaded (it is loaded with the first
 * DR/TUN service and unloaded with the last one). */
static uint64_t needed(const struct config *cfg, int xdp_load)
{
	const struct global_defs *g = &cfg->global;
	const struct virtual_server *vs;
	struct script_users su = {.g = g};
	uint64_t caps = 0;

	for (vs = cfg->vs; vs; vs = vs->next) {
		if (needs_bind_service(vs))
			caps |= BIT(CAP_NET_BIND_SERVICE);
		/* XDP engine: attaching to interfaces, neighbour lookups and
		 * lo's forwarding sysctl (CAP_NET_ADMIN); loading the program
		 * and its maps (CAP_BPF) through this kernel's verifier
		 * (CAP_PERFMON: refused with EACCES without it), only while
		 * the program is to be loaded: map updates go through fds */
		if (vs->fwd == FWD_DR || vs->fwd == FWD_TUN)
			caps |= BIT(CAP_NET_ADMIN) |
				(xdp_load ? BIT(CAP_BPF) | BIT(CAP_PERFMON) : 0);
		caps |= check_caps(vs->pool->rs);
		if (vs->pool->sorry)
			caps |= check_caps(vs->pool->sorry);
		/* the checks of the servers a source will yield */
		if (vs->pool->source)
			caps |= checks_caps(vs->pool->source->checks);
		/* pacemaker_real_servers: crm_mon runs as Pacemaker's own user
		 * (src/cluster/cluster.c), killed at its timeout */
		if (vs->pool->source && vs->pool->source->kind == SRC_PACEMAKER)
			caps |= BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_KILL);
	}
	/* proxy_relay sockmap: the sk_skb program is loaded with the first
	 * connection it relays (CAP_BPF, CAP_PERFMON as above, CAP_NET_ADMIN
	 * for its program type) */
	if (g->proxy_relay == FC_RELAY_SOCKMAP)
		caps |= BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_NET_ADMIN);
	/* VRRP: raw IPPROTO_VRRP and packet sockets bound to the interface
	 * (CAP_NET_RAW), virtual addresses over netlink (CAP_NET_ADMIN) */
	if (cfg->vrrp.instances)
		caps |= BIT(CAP_NET_RAW) | BIT(CAP_NET_ADMIN);
	caps |= tune_caps(&g->vrrp_proc) | tune_caps(&g->checker_proc);
	if (g->run_as_user) {
		struct passwd *pw = user_entry(g->run_as_user);
		unsigned id;

		su.daemon = pw ? pw->pw_uid
			       : numeric_id(g->run_as_user, &id) ? (uid_t)id : (uid_t)-1;
	}
	conf_scripts_each(cfg, script_user_cb, &su);
	/* scripts of another user: change to it, and kill its process group
	 * at the timeout */
	if (su.other)
		caps |= BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_KILL);
	return caps;
}

uint64_t privs_needed(const struct config *cfg)
{
	return needed(cfg, 0);
}

const char *privs_names(uint64_t caps, char *buf, size_t len)
{
	size_t used = 0;
	unsigned c;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (c = 0; c < 64; c++) {
		char *name;

		if (!(caps & BIT(c)))
			continue;
		name = cap_to_name((cap_value_t)c);
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? ", " : "", name ? name : "?");
		cap_free(name);
		if (used >= len)
			break;
	}
	if (!caps)
		snprintf(buf, len, "none");
	return buf;
}

/* The permitted set now, as a mask. */
static uint64_t held_now(void)
{
	cap_t caps = cap_get_proc();
	uint64_t mask = 0;
	cap_value_t c;

	if (!caps)
		return 0;
	for (c = 0; c < 64 && c <= CAP_LAST_CAP; c++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			mask |= BIT(c);
	}
	cap_free(caps);
	return mask;
}

/* The bounding set first (it needs CAP_SETPCAP, which goes next): a
 * program fulcrum runs can never regain what is not there. */
static int drop_bounding(uint64_t keep, char *err, size_t errlen)
{
	cap_value_t c;

	for (c = 0; c <= CAP_LAST_CAP && c < 64; c++) {
		if (keep & BIT(c))
			continue;
		if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0 && errno != EINVAL) {
			char name[64];

			return err_set(err, errlen, "cannot drop %s from the bounding set: %s",
				       privs_names(BIT(c), name, sizeof(name)), strerror(errno));
		}
	}
	return 0;
}

static int set_caps(uint64_t keep, char *err, size_t errlen)
{
	cap_value_t list[64];
	cap_t caps = cap_init(); /* all clear, inheritable included */
	int n = 0, rc = 0;
	cap_value_t c;

	if (!caps)
		return err_set(err, errlen, "cap_init: %s", strerror(errno));
	for (c = 0; c < 64; c++)
		if (keep & BIT(c))
			list[n++] = c;
	if ((n && (cap_set_flag(caps, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
		   cap_set_flag(caps, CAP_EFFECTIVE, n, list, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0)
		rc = err_set(err, errlen, "cannot set the capabilities: %s", strerror(errno));
	cap_free(caps);
	if (!rc && cap_reset_ambient() < 0 && errno != EINVAL)
		rc = err_set(err, errlen, "cannot clear the ambient capabilities: %s",
			     strerror(errno));
	return rc;
}

/* The ids of user/group (and the user's groups), looked up while /etc is
 * still reachable: before a chroot (haproxy's `chroot` with `user`, whose
 * directory holds no passwd file) as after none. */
struct user_ids {
	uid_t uid;
	gid_t gid, groups[64];
	int ng;
};

static int lookup_user(const char *user, const char *group, struct user_ids *u, char *err,
		       size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	unsigned id;

	if (pw) {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
	} else if (numeric_id(user, &id)) {
		u->uid = (uid_t)id;
		pw = getpwuid(u->uid);
		if (!pw && !group)
			return err_set(err, errlen, "uid %u has no passwd entry: give its group (gid)",
				       id);
		u->gid = pw ? pw->pw_gid : 0;
	} else
		return err_set(err, errlen, "run_as_user: unknown user '%s'", user);
	if (group) {
		struct group *gr = getgrnam(group);

		if (gr)
			u->gid = gr->gr_gid;
		else if (numeric_id(group, &id))
			u->gid = (gid_t)id;
		else
			return err_set(err, errlen, "run_as_group: unknown group '%s'", group);
	}
	u->ng = 64;
	if (!pw || getgrouplist(pw->pw_name, u->gid, u->groups, &u->ng) < 0)
		u->ng = 1, u->groups[0] = u->gid; /* no entry, or a user in more than 64 groups:
						   * only its own group */
	return 0;
}

/* Become the user looked up, keeping the permitted capabilities
 * (PR_SET_KEEPCAPS): the caller sets the final sets right after. */
static int change_user(const char *user, const struct user_ids *u, char *err, size_t errlen)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups((size_t)u->ng, u->groups) < 0 ||
	    setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0)
		return err_set(err, errlen, "cannot become user %s (uid %u, gid %u): %s", user,
			       (unsigned)u->uid, (unsigned)u->gid, strerror(errno));
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

int privs_drop(const struct config *cfg, char *err, size_t errlen)
{
	const struct global_defs *g = &cfg->global;
	uint64_t keep = privs_needed(cfg), have = held_now();
	struct user_ids ids;
	char names[512];

	/* what we were not given (a container's bounding set, capsh) cannot
	 * be kept: the feature that needs it fails as it would have anyway */
	if (keep & ~have)
		log_warn("privileges: %s not held at start, so not kept",
			 privs_names(keep & ~have, names, sizeof(names)));
	keep &= have;

	/* CAP_SETUID/SETGID/SETPCAP/SYS_CHROOT are used below, then dropped.
	 * Without CAP_SETPCAP (a systemd unit's CapabilityBoundingSet that
	 * leaves it out) the bounding set stays as the service manager made
	 * it: no_new_privs still keeps programs we run from using it. */
	if (g->run_as_user && lookup_user(g->run_as_user, g->run_as_group, &ids, err, errlen) < 0)
		return -1;
	if (!(have & BIT(CAP_SETPCAP)))
		log_info("privileges: no cap_setpcap: the bounding set is left as given");
	else if (drop_bounding(keep, err, errlen) < 0)
		return -1;
	if (g->chroot_dir) {
		if (spawn_keep_devnull(err, errlen) < 0)
			return -1;
		if (chroot(g->chroot_dir) < 0 || chdir("/") < 0)
			return err_set(err, errlen, "chroot_dir %s: %s", g->chroot_dir,
				       strerror(errno));
		conf_scripts_chrooted();
	}
	if (g->run_as_user && change_user(g->run_as_user, &ids, err, errlen) < 0)
		return -1;
	if (set_caps(keep, err, errlen) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
	st.dropped = 1;
	st.held = keep;
	st.user = dup_opt(g->run_as_user);
	st.group = dup_opt(g->run_as_group);
	st.chroot_dir = dup_opt(g->chroot_dir);
	log_info("privileges: uid %u, gid %u%s%s, capabilities kept: %s", (unsigned)getuid(),
		 (unsigned)getgid(), g->chroot_dir ? ", chroot " : "",
		 g->chroot_dir ? g->chroot_dir : "", privs_names(keep, names, sizeof(names)));
	return 0;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int privs_reload_check(const struct config *running, const struct config *newcfg, char *err,
		       size_t errlen)
{
	const struct global_defs *g = &newcfg->global;
	uint64_t missing;
	char names[512];

	if (!st.dropped)
		return 0;
	missing = needed(newcfg, !has_xdp(running)) & ~st.held;
	if (missing)
		return err_set(err, errlen,
			       "the new configuration needs %s, dropped at start (doc/security.md); "
			       "restart fulcrum to grant it",
			       privs_names(missing, names, sizeof(names)));
	if (!same(g->run_as_user, st.user) || !same(g->run_as_group, st.group) ||
	    !same(g->chroot_dir, st.chroot_dir))
		log_warn("run_as_user, run_as_group or chroot_dir changed: takes effect at the "
			 "next start");
	return 0;
}

int privs_scripts(const struct config *cfg, char *err, size_t errlen)
{
	return spawn_set_default_user(cfg->global.script_user, err, errlen);
}
