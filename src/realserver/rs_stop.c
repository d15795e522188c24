/* `fulcrum realserver stop`: put back what start recorded, and only that.
 *
 * The VIPs asked for (all by default) leave lo if start added them; the
 * decap maps then lose them.  When no VIP is left the decapsulators come off
 * and the sysctls go back to their recorded values.  An item that cannot be
 * put back stays in the state file (so a later stop can retry) and makes
 * the exit status 1; everything else still goes on. */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/netlink.h"
#include "realserver/rs-int.h"
#include "realserver/rs_decap.h"
#include "realserver/rs_state.h"
#include "realserver/rs_sys.h"

#define MAX_LOCALS 1024

/* 1 when vip was named on the command line (or none was). */
static int wanted(const struct rs_opts *o, const struct fc_addr *vip)
{
	if (o->n_vip == 0)
		return 1;
	for (unsigned i = 0; i < o->n_vip; i++)
		if (addr_ip_equal(&o->vip[i], vip))
			return 1;
	return 0;
}

static int stop_vips(const struct rs_opts *o, struct rs_state *st, struct vnl *nl, int lo,
		     unsigned *done)
{
	char err[ERRLEN], s[ADDR_STRLEN];
	int failed = 0;
	unsigned i = 0;

	while (i < st->n) {
		struct rs_item *it = &st->item[i];

		if (it->kind != RS_ITEM_VIP || !wanted(o, &it->vip)) {
			i++;
			continue;
		}
		rs_vip_str(&it->vip, s);
		if (it->added) {
			if (lo < 0 || vnl_addr_del(nl, lo, &it->vip, rs_vip_prefix(&it->vip), err,
						   sizeof(err)) < 0) {
				rs_error("cannot remove VIP %s from lo: %s", s,
					 lo < 0 ? "no lo" : err);
				failed = 1;
				i++;
				continue;
			}
			rs_say("VIP %s removed from lo", s);
			(*done)++;
		} else {
			rs_say("VIP %s was on lo before start: left there", s);
		}
		rs_state_del(st, i);
	}
	return failed ? -1 : 0;
}

/* Some VIPs stay: the decap maps follow the smaller list. */
static int resync_decaps(struct rs_state *st, unsigned *done)
{
	struct fc_addr vips[RS_MAX_VIPS], *locals;
	unsigned n_v4, n = rs_state_vips(st, vips, RS_MAX_VIPS, &n_v4), n_locals = 0;
	char err[ERRLEN];
	int failed = 0;

	if (rs_state_count(st, RS_ITEM_DECAP) == 0)
		return 0;
	locals = calloc(MAX_LOCALS, sizeof(*locals));
	if (!locals || rs_local_addrs(locals, MAX_LOCALS, &n_locals, err, sizeof(err)) < 0) {
		rs_error("%s", locals ? err : "out of memory");
		free(locals);
		return -1;
	}
	for (unsigned i = 0; i < st->n; i++) {
		struct rs_item *it = &st->item[i];
		struct rs_decap_info info;
		int ifindex, changed = 0;

		if (it->kind != RS_ITEM_DECAP)
			continue;
		ifindex = (int)if_nametoindex(it->dev);
		if (!ifindex)
			continue;
		if (rs_decap_query(ifindex, &info, err, sizeof(err)) < 0 ||
		    (info.prog_id && rs_decap_sync(info.prog_id, vips, n, locals, n_locals,
						   &changed, err, sizeof(err)) < 0)) {
			rs_error("decap on %s: %s", it->dev, err);
			failed = 1;
			continue;
		}
		if (changed) {
			rs_say("decap on %s: VIP list updated", it->dev);
			(*done)++;
		}
	}
	free(locals);
	return failed ? -1 : 0;
}

/* No VIP stays: detach every decapsulator start attached. */
static int stop_decaps(struct rs_state *st, unsigned *done)
{
	char err[ERRLEN];
	int failed = 0;
	unsigned i = 0;

	while (i < st->n) {
		struct rs_item *it = &st->item[i];
		struct rs_decap_info info;
		int ifindex, gone = 0;

		if (it->kind != RS_ITEM_DECAP) {
			i++;
			continue;
		}
		ifindex = (int)if_nametoindex(it->dev);
		if (!ifindex) {
			rs_say("decap: interface %s is gone: nothing to detach", it->dev);
			rs_state_del(st, i);
			continue;
		}
		if (rs_decap_query(ifindex, &info, err, sizeof(err)) < 0 ||
		    (info.prog_id &&
		     rs_decap_detach(ifindex, info.prog_id, &gone, err, sizeof(err)) < 0)) {
			rs_error("decap on %s: %s", it->dev, err);
			failed = 1;
			i++;
			continue;
		}
		if (gone) {
			rs_say("decap detached from %s", it->dev);
			(*done)++;
		} else if (info.other_id) {
			rs_say("decap: %s now has another XDP program (id %u): left alone", it->dev,
			       info.other_id);
		} else {
			rs_say("decap: not attached to %s any more: nothing to detach", it->dev);
		}
		rs_state_del(st, i);
	}
	return failed ? -1 : 0;
}

static int stop_sysctls(struct rs_state *st, unsigned *done)
{
	char err[ERRLEN], cur[RS_VAL_LEN];
	int failed = 0;
	unsigned i = 0;

	while (i < st->n) {
		struct rs_item *it = &st->item[i];

		if (it->kind != RS_ITEM_SYSCTL) {
			i++;
			continue;
		}
		if (strcmp(it->dev, "all") && !if_nametoindex(it->dev)) {
			rs_say("net.ipv4.conf.%s.%s: interface gone: nothing to restore", it->dev,
			       it->key);
			rs_state_del(st, i);
			continue;
		}
		if (rs_sysctl_get(it->dev, it->key, cur, sizeof(cur), err, sizeof(err)) < 0 ||
		    rs_sysctl_set(it->dev, it->key, it->prev, err, sizeof(err)) < 0) {
			rs_error("%s", err);
			failed = 1;
			i++;
			continue;
		}
		rs_say("net.ipv4.conf.%s.%s: %s -> %s (restored)", it->dev, it->key, cur, it->prev);
		(*done)++;
		rs_state_del(st, i);
	}
	return failed ? -1 : 0;
}

int rs_cmd_stop(const struct rs_opts *o)
{
	struct rs_state *st = calloc(1, sizeof(*st));
	struct vnl nl = {.fd = -1};
	char err[ERRLEN], s[ADDR_STRLEN];
	unsigned done = 0;
	int exists, lo, failed = 0;

	if (!st) {
		rs_error("out of memory");
		return 1;
	}
	if (rs_state_load(o->state_path, st, &exists, err, sizeof(err)) < 0) {
		rs_error("%s; nothing was changed", err);
		free(st);
		return 1;
	}
	if (!exists) {
		rs_say("nothing to stop: no state file %s", o->state_path);
		free(st);
		return 0;
	}
	for (unsigned k = 0; k < o->n_vip; k++)
		if (rs_state_find_vip(st, &o->vip[k]) < 0)
			rs_say("VIP %s was not set up by start: nothing to do for it",
			       rs_vip_str(&o->vip[k], s));
	if (vnl_open(&nl, err, sizeof(err)) < 0) {
		rs_error("%s; nothing was changed", err);
		free(st);
		return 1;
	}
	lo = vnl_ifindex("lo", err, sizeof(err));
	failed |= stop_vips(o, st, &nl, lo, &done) < 0;
	vnl_close(&nl);
	if (rs_state_count(st, RS_ITEM_VIP) == 0) {
		failed |= stop_decaps(st, &done) < 0;
		failed |= stop_sysctls(st, &done) < 0;
	} else {
		failed |= resync_decaps(st, &done) < 0;
	}
	if (rs_state_save(o->state_path, st, err, sizeof(err)) < 0) {
		rs_error("%s", err);
		failed = 1;
	}
	if (failed)
		rs_error("stop did not put everything back; what is left is in %s", o->state_path);
	else if (st->n == 0)
		rs_say("stopped: %u change%s undone, %s removed", done, done == 1 ? "" : "s",
		       o->state_path);
	else
		rs_say("stopped the VIPs named: %u change%s undone; the rest stays in %s", done,
		       done == 1 ? "" : "s", o->state_path);
	free(st);
	return failed ? 1 : 0;
}
