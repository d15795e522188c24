/* Socket helpers shared by the network checkers. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "core/err.h"
#include "core/loop.h"
#include "model/fulcrum-t.h"
#include "model/model-t.h"

int check_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

const char *check_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "connection refused";
	case EHOSTUNREACH:
		return "no route to host";
	case ENETUNREACH:
		return "network unreachable";
	case ETIMEDOUT:
		return "connection timed out";
	case ECONNRESET:
		return "connection reset";
	default:
		return strerror(e);
	}
}

const char *check_dgram_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "connection refused (ICMP port unreachable)";
	case EHOSTUNREACH:
		return "host unreachable";
	default:
		return check_errno_reason(e);
	}
}

void check_att_release(struct check_run *run)
{
	struct ev_io *io = run->priv; /* the first member, by contract */

	if (!io)
		return;
	run->priv = NULL;
	loop_io_del(run->loop, io);
	close(io->fd);
	io->fd = -1;
	loop_defer(run->loop, free, io);
}

void check_att_finish(struct check_run *run, enum check_kind kind, const char *fmt, ...)
{
	char reason[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	check_att_release(run);
	check_done(run, kind, "%s", reason);
}

/* The source address: bindto's address and/or bind_port, in the target's
 * family.  0 if there is nothing to bind. */
static int source_of(const struct check_run *run, struct fc_addr *src, char *err, size_t errlen)
{
	const struct check_conf *k = run->conf;

	if (!k->bindto.family && !k->bindto.port)
		return 0;
	if (k->bindto.family && k->bindto.family != run->target.family)
		return err_set(err, errlen, "bindto is not of the target's address family");
	memset(src, 0, sizeof(*src));
	*src = k->bindto;
	src->family = run->target.family;
	return 1;
}

/* ---- never the VIP as the source (LVS-DR/TUN, IPv6) ----
 *
 * With LVS-DR/TUN every real server holds the VIP on lo.  A check the
 * kernel sends from the VIP is answered by the real server to itself, and
 * every real server goes DOWN.  For IPv6 this happens when a preferred VIP
 * sits in the /64 of the director's own address (keepalived's default for
 * all but /128 VIPs; doc/vrrp.md).  The rule: when a check has no bindto
 * address and the source the kernel would pick for the target is the
 * address of an LVS-DR/TUN virtual_server of the running config, the check
 * binds to the first other global address of the interface holding that
 * source which is neither deprecated nor tentative nor such a VIP.  No such
 * address: the kernel's choice stands.  IPv4 is left alone: the kernel
 * picks the primary address of the subnet and a VIP is added secondary.
 * The answer is cached per target for VIPSRC_TTL_MS (a route or address
 * change shows within that, a reload at once), so thousands of checks cost a look-up
 * per attempt, and nothing at all without an IPv6 DR/TUN virtual_server. */

#define VIPSRC_SLOTS 64
#define VIPSRC_TTL_MS 2000

struct vipsrc_slot {
	const struct config *cfg; /* the config it was computed for, */
	unsigned reloads;         /* and fulcrum.reloads then */
	struct fc_addr target;    /* ip only */
	struct fc_addr src;       /* family 0: the kernel's choice is fine */
	uint64_t expires_ms;
};

static struct vipsrc_slot vipsrc_cache[VIPSRC_SLOTS];

static int is_dr_vip(const struct config *cfg, const struct fc_addr *a)
{
	const struct virtual_server *vs;

	for (vs = cfg->vs; vs; vs = vs->next)
		if ((vs->fwd == FWD_DR || vs->fwd == FWD_TUN) && addr_ip_equal(&vs->addr, a))
			return 1;
	return 0;
}

/* Whether the running config has an IPv6 DR/TUN virtual_server, kept for
 * the last config seen (its pointer and the reload count name it: a freed
 * config's address may come back): one walk per config, not per attempt. */
static int has_dr_vip6(const struct fulcrum *fc)
{
	static const struct config *seen;
	static unsigned seen_reloads;
	static int has;
	const struct virtual_server *vs;

	if (fc->cfg == seen && fc->reloads == seen_reloads)
		return has;
	seen = fc->cfg;
	seen_reloads = fc->reloads;
	has = 0;
	for (vs = fc->cfg->vs; vs; vs = vs->next)
		if ((vs->fwd == FWD_DR || vs->fwd == FWD_TUN) && vs->addr.family == AF_INET6)
			has = 1;
	return has;
}

/* The source the kernel picks towards target (a connected UDP socket sends
 * nothing), 0; -1 if there is no route. */
static int kernel_source(const struct fc_addr *target, const char *bind_if, struct fc_addr *src)
{
	struct sockaddr_storage ss;
	struct fc_addr t = *target;
	socklen_t sl;
	int fd, r = -1;

	fd = socket(t.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind_if && *bind_if)
		(void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_if,
				 (socklen_t)strnlen(bind_if, IFNAMSIZ));
	if (!t.port)
		t.port = 9;
	sl = addr_to_sockaddr(&t, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
		    addr_from_sockaddr(src, (struct sockaddr *)&ss) == 0)
			r = 0;
	}
	close(fd);
	src->port = 0;
	return r;
}

/* IFA_F_* of /proc/net/if_inet6 (linux/if_addr.h) */
#define IF6_DADFAILED 0x08
#define IF6_DEPRECATED 0x20
#define IF6_TENTATIVE 0x40

/* Another usable source on the interface that holds vip: global scope,
 * not deprecated, tentative or failed, and not a DR/TUN VIP.  1 found. */
static int other_source6(const struct config *cfg, const struct fc_addr *vip, struct fc_addr *out)
{
	char hex[33], name[IFNAMSIZ + 1], line[160];
	unsigned idx, plen, scope, flags, vip_idx = 0, i, pass;
	struct fc_addr a;
	int found = 0;
	FILE *f;

	/* pass 0 finds the VIP's interface, pass 1 an address on it */
	for (pass = 0; pass < 2 && !found; pass++) {
		f = fopen("/proc/net/if_inet6", "re");
		if (!f)
			return 0;
		while (!found && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%32s %x %x %x %x %16s", hex, &idx, &plen, &scope, &flags,
				   name) != 6 || strlen(hex) != 32)
				continue;
			memset(&a, 0, sizeof(a));
			a.family = AF_INET6;
			for (i = 0; i < 16; i++) {
				unsigned b;

				if (sscanf(hex + 2 * i, "%2x", &b) != 1)
					break;
				a.u.v6.s6_addr[i] = (uint8_t)b;
			}
			if (i < 16)
				continue;
			if (pass == 0) {
				if (addr_ip_equal(&a, vip))
					vip_idx = idx;
				continue;
			}
			if (idx == vip_idx && scope == 0 &&
			    !(flags & (IF6_DADFAILED | IF6_DEPRECATED | IF6_TENTATIVE)) &&
			    !is_dr_vip(cfg, &a)) {
				*out = a;
				found = 1;
			}
		}
		fclose(f);
		if (!vip_idx)
			return 0;
	}
	return found;
}

/* The source a check towards target must bind to because the kernel
 * would use a DR/TUN VIP, 1 with *src set; 0 to leave it to the kernel. */
static int avoid_vip_source(const struct check_run *run, struct fc_addr *src)
{
	const struct config *cfg = run->fc ? run->fc->cfg : NULL;
	struct vipsrc_slot *s;
	uint64_t now;

	if (!cfg || run->target.family != AF_INET6 || !has_dr_vip6(run->fc))
		return 0;
	now = loop_now(run->loop);
	s = &vipsrc_cache[addr_hash(&run->target, 0) % VIPSRC_SLOTS];
	if (s->cfg != cfg || s->reloads != run->fc->reloads || s->expires_ms <= now || !addr_ip_equal(&s->target, &run->target)) {
		memset(s, 0, sizeof(*s));
		s->cfg = cfg;
		s->reloads = run->fc->reloads;
		s->target = run->target;
		s->target.port = 0;
		s->expires_ms = now + VIPSRC_TTL_MS;
		if (kernel_source(&run->target, run->conf->bind_if, &s->src) < 0 ||
		    !is_dr_vip(cfg, &s->src) || !other_source6(cfg, &s->src, &s->src))
			s->src.family = 0;
	}
	if (!s->src.family)
		return 0;
	*src = s->src;
	src->port = run->conf->bindto.port;
	return 1;
}

int check_connect(const struct check_run *run, int type, char *err, size_t errlen)
{
	const struct check_conf *k = run->conf;
	struct sockaddr_storage ss;
	struct fc_addr src;
	socklen_t sl;
	int fd, b, one = 1;

	if (!run->target.family || !run->target.port)
		return err_set(err, errlen, "no address or port to check");
	b = source_of(run, &src, err, errlen);
	if (b < 0)
		return -1;
	if (!k->bindto.family && avoid_vip_source(run, &src))
		b = 1;
	fd = socket(run->target.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	if (k->bind_if && *k->bind_if &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, k->bind_if,
		       (socklen_t)strnlen(k->bind_if, IFNAMSIZ)) < 0) {
		err_set(err, errlen, "bind_if %s: %s", k->bind_if, strerror(errno));
		goto fail;
	}
	if (b) {
		/* a fixed source port is reused attempt after attempt */
		if (src.port)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sl = addr_to_sockaddr(&src, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			err_set(err, errlen, "bindto: %s", strerror(errno));
			goto fail;
		}
	}
	sl = addr_to_sockaddr(&run->target, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		err_set(err, errlen, "%s", check_errno_reason(errno));
		close(fd);
		return -2; /* the connection failed: L4CON */
	}
	return fd;
fail:
	close(fd);
	return -1;
}
