/* `fulcrum realserver start`: put the VIPs on lo, quiet ARP for them, and
 * with --decap attach the TUN decapsulator.  All or nothing: every change
 * goes into an undo log first, and any failure (the state file included)
 * undoes the log backwards before returning.  Idempotent: what is already
 * in place is left alone and not recorded as a change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/netlink.h"
#include "realserver/rs-int.h"
#include "realserver/rs_decap.h"
#include "realserver/rs_state.h"
#include "realserver/rs_sys.h"

#define MAX_LOCALS 1024

enum undo_kind { UNDO_ADDR, UNDO_SYSCTL, UNDO_ATTACH, UNDO_SYNC };

struct undo {
	enum undo_kind kind;
	struct fc_addr vip;    /* UNDO_ADDR */
	char dev[IF_NAMESIZE]; /* UNDO_SYSCTL */
	char key[RS_VAL_LEN];  /* UNDO_SYSCTL */
	char prev[RS_VAL_LEN]; /* UNDO_SYSCTL */
	int ifindex;	       /* UNDO_ATTACH */
	uint32_t prog_id;      /* UNDO_ATTACH, UNDO_SYNC */
};

struct start_run {
	const struct rs_opts *o;
	struct rs_state *st;
	struct vnl nl;
	int lo;
	struct undo *undo;
	unsigned n_undo;
	unsigned changes;		      /* changes made on the host */
	int state_dirty;		      /* st differs from the file */
	struct fc_addr old_vips[RS_MAX_VIPS]; /* the state's VIPs before this run */
	unsigned n_old_vips;
	struct fc_addr locals[MAX_LOCALS];
	unsigned n_locals;
	char devs[RS_MAX_DEVS][IF_NAMESIZE]; /* --decap: where */
	unsigned n_devs;
	int default_dev; /* devs[0] is the default route's */
	int decap;	 /* --decap, or the state has decapsulators: they follow the VIPs */
};

static int push(struct start_run *r, const struct undo *u, char *err, size_t errlen)
{
	/* one entry per VIP, per sysctl (<= 4 + 2 per device), per device */
	if (r->n_undo >= RS_MAX_ITEMS * 2)
		return err_set(err, errlen, "too many changes");
	r->undo[r->n_undo++] = *u;
	return 0;
}

static void rollback(struct start_run *r)
{
	char err[ERRLEN], s[ADDR_STRLEN];

	while (r->n_undo > 0) {
		struct undo *u = &r->undo[--r->n_undo];
		int gone, changed = 0;

		switch (u->kind) {
		case UNDO_ADDR:
			if (vnl_addr_del(&r->nl, r->lo, &u->vip, rs_vip_prefix(&u->vip), err,
					 sizeof(err)) < 0)
				rs_error("undo: cannot remove VIP %s from lo: %s",
					 rs_vip_str(&u->vip, s), err);
			else
				rs_say("undone: VIP %s removed from lo", rs_vip_str(&u->vip, s));
			break;
		case UNDO_SYSCTL:
			if (rs_sysctl_set(u->dev, u->key, u->prev, err, sizeof(err)) < 0)
				rs_error("undo: %s", err);
			else
				rs_say("undone: net.ipv4.conf.%s.%s back to %s", u->dev, u->key,
				       u->prev);
			break;
		case UNDO_ATTACH:
			if (rs_decap_detach(u->ifindex, u->prog_id, &gone, err, sizeof(err)) < 0)
				rs_error("undo: %s", err);
			else
				rs_say("undone: decap detached from %s", u->dev);
			break;
		case UNDO_SYNC:
			if (rs_decap_sync(u->prog_id, r->old_vips, r->n_old_vips, r->locals,
					  r->n_locals, &changed, err, sizeof(err)) < 0)
				rs_error("undo: %s", err);
			else
				rs_say("undone: decap VIP list of %s as it was", u->dev);
			break;
		}
	}
}

static int start_vip(struct start_run *r, const struct fc_addr *vip, char *err, size_t errlen)
{
	char s[ADDR_STRLEN], e[ERRLEN / 2];
	int on_lo, anywhere, idx = rs_state_find_vip(r->st, vip);

	rs_vip_str(vip, s);
	if (vnl_addr_present(&r->nl, r->lo, vip, &on_lo, err, errlen) < 0)
		return -1;
	if (on_lo) {
		if (idx < 0) {
			struct rs_item it = {.kind = RS_ITEM_VIP, .vip = *vip, .added = 0};

			if (rs_state_add(r->st, &it, err, errlen) < 0)
				return -1;
			r->state_dirty = 1;
			rs_say("VIP %s is already on lo: kept (stop will leave it there)", s);
		}
		return 0;
	}
	if (vnl_addr_present(&r->nl, 0, vip, &anywhere, err, errlen) < 0)
		return -1;
	if (anywhere)
		rs_say("warning: VIP %s is also on another interface than lo: this host may "
		       "answer ARP/NDP for it, which a real server must not",
		       s);
	if (vnl_addr_add(&r->nl, r->lo, vip, rs_vip_prefix(vip), NULL, e, sizeof(e)) < 0)
		return err_set(err, errlen, "cannot add VIP %s to lo: %s", s, e);
	{
		struct undo u = {.kind = UNDO_ADDR, .vip = *vip};

		if (push(r, &u, err, errlen) < 0)
			return -1;
	}
	if (idx < 0) {
		struct rs_item it = {.kind = RS_ITEM_VIP, .vip = *vip, .added = 1};

		if (rs_state_add(r->st, &it, err, errlen) < 0)
			return -1;
	} else {
		r->st->item[idx].added = 1; /* recorded as present, but gone since */
	}
	r->state_dirty = 1;
	r->changes++;
	rs_say("VIP %s/%u added on lo", s, rs_vip_prefix(vip));
	return 0;
}

/* Sets net.ipv4.conf.<dev>.<key> if its value does not satisfy the policy;
 * the first value seen is the one recorded for stop. */
static int ensure_sysctl(struct start_run *r, const char *dev, const char *key, char *err,
			 size_t errlen)
{
	char cur[RS_VAL_LEN];
	const char *want = rs_sysctl_target(key);
	struct undo u = {.kind = UNDO_SYSCTL};

	if (rs_sysctl_get(dev, key, cur, sizeof(cur), err, errlen) < 0)
		return -1;
	if (rs_sysctl_satisfied(key, cur))
		return 0;
	if (rs_sysctl_set(dev, key, want, err, errlen) < 0)
		return -1;
	snprintf(u.dev, sizeof(u.dev), "%s", dev);
	snprintf(u.key, sizeof(u.key), "%s", key);
	snprintf(u.prev, sizeof(u.prev), "%s", cur);
	if (push(r, &u, err, errlen) < 0)
		return -1;
	if (rs_state_find_sysctl(r->st, dev, key) < 0) {
		struct rs_item it = {.kind = RS_ITEM_SYSCTL};

		snprintf(it.dev, sizeof(it.dev), "%s", dev);
		snprintf(it.key, sizeof(it.key), "%s", key);
		snprintf(it.prev, sizeof(it.prev), "%s", cur);
		if (rs_state_add(r->st, &it, err, errlen) < 0)
			return -1;
	}
	r->state_dirty = 1;
	r->changes++;
	rs_say("net.ipv4.conf.%s.%s: %s -> %s", dev, key, cur, want);
	return 0;
}

static int start_decap(struct start_run *r, const char *dev, int is_default, char *err,
		       size_t errlen)
{
	struct fc_addr vips[RS_MAX_VIPS];
	struct rs_decap_info info;
	unsigned n_v4, n = rs_state_vips(r->st, vips, RS_MAX_VIPS, &n_v4);
	int ifindex = vnl_ifindex(dev, err, errlen);
	int idx = rs_state_find_decap(r->st, dev);
	const char *why = is_default ? ", the default route's interface" : "";

	if (ifindex < 0)
		return -1;
	if (n_v4 && (ensure_sysctl(r, "all", "rp_filter", err, errlen) < 0 ||
		     ensure_sysctl(r, dev, "rp_filter", err, errlen) < 0))
		return -1;
	if (rs_decap_query(ifindex, &info, err, errlen) < 0)
		return -1;
	if (info.other_id)
		return err_set(err, errlen,
			       "%s has another XDP program attached (id %u): fulcrum will not "
			       "replace it",
			       dev, info.other_id);
	if (info.prog_id) {
		int changed = 0;
		struct undo u = {.kind = UNDO_SYNC, .prog_id = info.prog_id};

		if (rs_decap_sync(info.prog_id, vips, n, r->locals, r->n_locals, &changed, err,
				  errlen) < 0)
			return -1;
		snprintf(u.dev, sizeof(u.dev), "%s", dev);
		if (changed) {
			if (push(r, &u, err, errlen) < 0)
				return -1;
			r->changes++;
			rs_say("decap on %s: VIP and local address lists updated", dev);
		}
		if (idx < 0) {
			struct rs_item it = {.kind = RS_ITEM_DECAP, .native = info.native};

			snprintf(it.dev, sizeof(it.dev), "%s", dev);
			if (rs_state_add(r->st, &it, err, errlen) < 0)
				return -1;
			r->state_dirty = 1;
			rs_say("decap was already attached to %s: taken over", dev);
		}
		return 0;
	} else {
		struct undo u = {.kind = UNDO_ATTACH, .ifindex = ifindex};
		int native = 0;

		if (rs_decap_attach(ifindex, vips, n, r->locals, r->n_locals, &native, &u.prog_id,
				    err, errlen) < 0)
			return -1;
		snprintf(u.dev, sizeof(u.dev), "%s", dev);
		if (push(r, &u, err, errlen) < 0)
			return -1;
		if (idx < 0) {
			struct rs_item it = {.kind = RS_ITEM_DECAP, .native = native};

			snprintf(it.dev, sizeof(it.dev), "%s", dev);
			if (rs_state_add(r->st, &it, err, errlen) < 0)
				return -1;
		} else {
			r->st->item[idx].native = native;
		}
		r->state_dirty = 1;
		r->changes++;
		if (native)
			rs_say("decap attached to %s (native XDP%s)", dev, why);
		else
			rs_say("decap attached to %s (generic XDP: the driver has no native XDP, "
			       "so it runs later and slower%s)",
			       dev, why);
	}
	return 0;
}

/* --decap: which interfaces, and can the decapsulator go there?  Checked
 * before anything changes, so the usual mistakes change nothing at all. */
static int decap_precheck(struct start_run *r, char *err, size_t errlen)
{
	const struct rs_opts *o = r->o;

	if (o->n_dev) {
		memcpy(r->devs, o->dev, sizeof(r->devs));
		r->n_devs = o->n_dev;
	} else if (rs_state_count(r->st, RS_ITEM_DECAP)) {
		/* where an earlier start put it: the VIP list follows there */
		for (unsigned i = 0; i < r->st->n && r->n_devs < RS_MAX_DEVS; i++)
			if (r->st->item[i].kind == RS_ITEM_DECAP)
				snprintf(r->devs[r->n_devs++], IF_NAMESIZE, "%s",
					 r->st->item[i].dev);
	} else {
		if (rs_default_dev(r->devs[0], err, errlen) < 0)
			return -1;
		r->n_devs = 1;
		r->default_dev = 1;
	}
	for (unsigned i = 0; i < r->n_devs; i++) {
		struct rs_decap_info info;
		int ifindex;

		if (!strcmp(r->devs[i], "lo"))
			return err_set(err, errlen,
				       "--dev lo: tunnelled packets do not arrive on lo");
		ifindex = vnl_ifindex(r->devs[i], err, errlen);
		if (ifindex < 0 || rs_decap_query(ifindex, &info, err, errlen) < 0)
			return -1;
		if (info.other_id)
			return err_set(err, errlen,
				       "%s has another XDP program attached (id %u): fulcrum "
				       "will not replace it",
				       r->devs[i], info.other_id);
	}
	return 0;
}

static int run(struct start_run *r, char *err, size_t errlen)
{
	const struct rs_opts *o = r->o;
	static const char *const devs[] = {"all", "lo"};
	static const char *const keys[] = {"arp_ignore", "arp_announce"};
	struct fc_addr vips[RS_MAX_VIPS];
	unsigned n_v4;

	r->lo = vnl_ifindex("lo", err, errlen);
	/* decapsulators attached by an earlier start take the new VIPs too */
	r->decap = o->decap || rs_state_count(r->st, RS_ITEM_DECAP) > 0;
	if (r->lo < 0 || (r->decap && decap_precheck(r, err, errlen) < 0))
		return -1;
	for (unsigned i = 0; i < o->n_vip; i++)
		if (start_vip(r, &o->vip[i], err, errlen) < 0)
			return -1;
	if (rs_state_count(r->st, RS_ITEM_VIP) > RS_MAX_VIPS)
		return err_set(err, errlen, "more than %d VIPs", RS_MAX_VIPS);
	rs_state_vips(r->st, vips, RS_MAX_VIPS, &n_v4);
	/* IPv6 needs no sysctl: Linux answers a neighbour solicitation only
	 * for addresses of the interface it came in on (doc/realserver.md) */
	if (n_v4)
		for (unsigned d = 0; d < 2; d++)
			for (unsigned k = 0; k < 2; k++)
				if (ensure_sysctl(r, devs[d], keys[k], err, errlen) < 0)
					return -1;
	if (!r->decap)
		return 0;
	/* after the VIPs went on lo: they are this host's addresses too */
	if (rs_local_addrs(r->locals, MAX_LOCALS, &r->n_locals, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < r->n_devs; i++)
		if (start_decap(r, r->devs[i], r->default_dev, err, errlen) < 0)
			return -1;
	return 0;
}

int rs_cmd_start(const struct rs_opts *o)
{
	struct start_run *r = calloc(1, sizeof(*r));
	struct rs_state *st = calloc(1, sizeof(*st));
	struct undo *undo = calloc(RS_MAX_ITEMS * 2, sizeof(*undo));
	char err[ERRLEN];
	int exists, rc = 1;
	unsigned n_v4;

	if (!r || !st || !undo) {
		rs_error("out of memory");
		goto out;
	}
	r->o = o;
	r->st = st;
	r->undo = undo;
	r->nl.fd = -1;
	if (rs_state_load(o->state_path, st, &exists, err, sizeof(err)) < 0) {
		rs_error("%s; nothing was changed", err);
		goto out;
	}
	r->n_old_vips = rs_state_vips(st, r->old_vips, RS_MAX_VIPS, &n_v4);
	if (vnl_open(&r->nl, err, sizeof(err)) < 0) {
		rs_error("%s; nothing was changed", err);
		goto out;
	}
	if (run(r, err, sizeof(err)) < 0 ||
	    (r->state_dirty && rs_state_save(o->state_path, st, err, sizeof(err)) < 0)) {
		rs_error("%s", err);
		rollback(r);
		rs_error("start failed: nothing was changed");
		goto out;
	}
	if (r->changes == 0)
		rs_say("everything was already in place: nothing changed");
	else
		rs_say("started: %u change%s, recorded in %s", r->changes,
		       r->changes == 1 ? "" : "s", o->state_path);
	rc = 0;
out:
	if (r)
		vnl_close(&r->nl);
	free(undo);
	free(st);
	free(r);
	return rc;
}
