/* `fulcrum realserver status`: is everything asked for in place?  Checks
 * the host itself (addresses on lo, sysctl values, XDP attachments and the
 * decap maps), not the state file's word for it.  Exit 0 when all is in
 * place, 1 otherwise, so a monitor script can use it as it is. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/netlink.h"
#include "core/sbuf.h"
#include "realserver/rs-int.h"
#include "realserver/rs_decap.h"
#include "realserver/rs_state.h"
#include "realserver/rs_sys.h"

struct st_dev {
	char name[IF_NAMESIZE];
	int ifindex;		   /* 0 = no such interface */
	struct rs_decap_info info; /* what is attached */
};

struct st_run {
	const struct rs_opts *o;
	struct rs_state st;
	int have_state;
	struct fc_addr vip[RS_MAX_VIPS];
	unsigned n_vip, n_v4;
	struct st_dev dev[RS_MAX_DEVS];
	unsigned n_dev;
	int ok;
	struct sbuf text, json;
	int json_first; /* no element written yet in the current JSON array */
};

static void add_dev(struct st_run *r, const char *name)
{
	for (unsigned i = 0; i < r->n_dev; i++)
		if (!strcmp(r->dev[i].name, name))
			return;
	if (r->n_dev < RS_MAX_DEVS)
		snprintf(r->dev[r->n_dev++].name, IF_NAMESIZE, "%s", name);
}

static void json_sep(struct st_run *r)
{
	if (!r->json_first)
		sbuf_puts(&r->json, ",");
	r->json_first = 0;
}

static void check_vip(struct st_run *r, struct vnl *nl, int lo, const struct fc_addr *vip)
{
	char s[ADDR_STRLEN], err[ERRLEN];
	int on_lo = 0, idx = rs_state_find_vip(&r->st, vip), first = 1;
	struct sbuf where;

	rs_vip_str(vip, s);
	sbuf_init(&where);
	if (lo < 0 || vnl_addr_present(nl, lo, vip, &on_lo, err, sizeof(err)) < 0)
		on_lo = 0;
	r->ok &= on_lo;
	json_sep(r);
	sbuf_puts(&r->json, "{\"vip\":");
	sbuf_json_str(&r->json, s);
	sbuf_printf(&r->json, ",\"on_lo\":%s,\"recorded\":%s,\"added_by_start\":%s,\"decap\":[",
		    on_lo ? "true" : "false", idx >= 0 ? "true" : "false",
		    idx >= 0 && r->st.item[idx].added ? "true" : "false");
	for (unsigned d = 0; d < r->n_dev; d++) {
		int has = 0;

		if (r->dev[d].info.prog_id &&
		    rs_decap_has_vip(r->dev[d].info.prog_id, vip, &has, err, sizeof(err)) < 0)
			has = 0;
		if (!has) {
			r->ok = 0;
			continue;
		}
		sbuf_printf(&r->json, "%s", first ? "" : ",");
		sbuf_json_str(&r->json, r->dev[d].name);
		sbuf_printf(&where, "%s%s", first ? "" : ", ", r->dev[d].name);
		first = 0;
	}
	sbuf_puts(&r->json, "]}");
	sbuf_printf(&r->text, "VIP %s: %s", s,
		    on_lo ? (idx >= 0 && r->st.item[idx].added ? "on lo (added by start)" : "on lo")
			  : "NOT on lo");
	if (r->n_dev)
		sbuf_printf(&r->text, "; decap %s%s", first ? "NOT loaded with it" : "on ",
			    sbuf_str(&where));
	sbuf_puts(&r->text, "\n");
	sbuf_free(&where);
}

static void check_sysctl(struct st_run *r, const char *dev, const char *key)
{
	char v[RS_VAL_LEN], err[ERRLEN];
	int got = rs_sysctl_get(dev, key, v, sizeof(v), err, sizeof(err)) == 0;
	int good = got && rs_sysctl_satisfied(key, v);

	r->ok &= good;
	json_sep(r);
	sbuf_printf(&r->json, "{\"name\":\"net.ipv4.conf.%s.%s\",\"value\":", dev, key);
	sbuf_json_str(&r->json, got ? v : "");
	sbuf_printf(&r->json, ",\"wanted\":\"%s\",\"ok\":%s}", rs_sysctl_wanted(key),
		    good ? "true" : "false");
	if (good)
		sbuf_printf(&r->text, "net.ipv4.conf.%s.%s = %s (ok)\n", dev, key, v);
	else if (got)
		sbuf_printf(&r->text, "net.ipv4.conf.%s.%s = %s (NOT ok: wanted %s)\n", dev, key, v,
			    rs_sysctl_wanted(key));
	else
		sbuf_printf(&r->text, "net.ipv4.conf.%s.%s: %s\n", dev, key, err);
}

static void report_dev(struct st_run *r, const struct st_dev *d)
{
	const struct rs_decap_info *i = &d->info;
	const uint64_t *c = i->counters;

	json_sep(r);
	sbuf_puts(&r->json, "{\"dev\":");
	sbuf_json_str(&r->json, d->name);
	sbuf_printf(&r->json,
		    ",\"exists\":%s,\"attached\":%s,\"mode\":\"%s\",\"prog_id\":%u,"
		    "\"other_prog_id\":%u,\"vips\":%u,\"decap4\":%llu,\"decap6\":%llu,"
		    "\"pass_not_vip\":%llu,\"pass_not_local\":%llu,\"pass_frag\":%llu,"
		    "\"pass_bad\":%llu}",
		    d->ifindex ? "true" : "false", i->prog_id ? "true" : "false",
		    !i->prog_id ? ""
		    : i->native ? "native"
				: "generic",
		    i->prog_id, i->other_id, i->n_vips, (unsigned long long)c[FD_C_DECAP4],
		    (unsigned long long)c[FD_C_DECAP6], (unsigned long long)c[FD_C_PASS_NOT_VIP],
		    (unsigned long long)c[FD_C_PASS_NOT_LOCAL],
		    (unsigned long long)c[FD_C_PASS_FRAG], (unsigned long long)c[FD_C_PASS_BAD]);
	if (!d->ifindex)
		sbuf_printf(&r->text, "decap %s: NO such interface\n", d->name);
	else if (!i->prog_id && i->other_id)
		sbuf_printf(&r->text, "decap %s: NOT attached (another XDP program, id %u, is)\n",
			    d->name, i->other_id);
	else if (!i->prog_id)
		sbuf_printf(&r->text, "decap %s: NOT attached\n", d->name);
	else
		sbuf_printf(
		    &r->text,
		    "decap %s: attached (%s XDP, program %u, %u VIP%s); decapsulated "
		    "%llu IPv4 + %llu IPv6 packets; passed %llu not for a VIP, %llu not "
		    "for this host, %llu fragments, %llu malformed\n",
		    d->name, i->native ? "native" : "generic", i->prog_id, i->n_vips,
		    i->n_vips == 1 ? "" : "s", (unsigned long long)c[FD_C_DECAP4],
		    (unsigned long long)c[FD_C_DECAP6], (unsigned long long)c[FD_C_PASS_NOT_VIP],
		    (unsigned long long)c[FD_C_PASS_NOT_LOCAL],
		    (unsigned long long)c[FD_C_PASS_FRAG], (unsigned long long)c[FD_C_PASS_BAD]);
}

static int gather(struct st_run *r, char *err, size_t errlen)
{
	const struct rs_opts *o = r->o;

	if (rs_state_load(o->state_path, &r->st, &r->have_state, err, errlen) < 0)
		return -1;
	if (o->n_vip) {
		memcpy(r->vip, o->vip, o->n_vip * sizeof(o->vip[0]));
		r->n_vip = o->n_vip;
		for (unsigned i = 0; i < o->n_vip; i++)
			r->n_v4 += o->vip[i].family == AF_INET;
	} else {
		r->n_vip = rs_state_vips(&r->st, r->vip, RS_MAX_VIPS, &r->n_v4);
	}
	for (unsigned i = 0; i < r->st.n; i++)
		if (r->st.item[i].kind == RS_ITEM_DECAP)
			add_dev(r, r->st.item[i].dev);
	for (unsigned i = 0; i < o->n_dev; i++)
		add_dev(r, o->dev[i]);
	if (o->decap && r->n_dev == 0) {
		char dev[IF_NAMESIZE];

		if (rs_default_dev(dev, err, errlen) < 0)
			return -1;
		add_dev(r, dev);
	}
	for (unsigned d = 0; d < r->n_dev; d++) {
		struct st_dev *sd = &r->dev[d];

		sd->ifindex = (int)if_nametoindex(sd->name);
		if (sd->ifindex && rs_decap_query(sd->ifindex, &sd->info, err, errlen) < 0)
			return -1;
		if (!sd->info.prog_id)
			r->ok = 0;
	}
	return 0;
}

int rs_cmd_status(const struct rs_opts *o)
{
	struct st_run *r = calloc(1, sizeof(*r));
	struct vnl nl = {.fd = -1};
	char err[ERRLEN];
	int lo, rc = 1;

	if (!r) {
		rs_error("out of memory");
		return 1;
	}
	r->o = o;
	r->ok = 1;
	sbuf_init(&r->text);
	sbuf_init(&r->json);
	if (gather(r, err, sizeof(err)) < 0 || vnl_open(&nl, err, sizeof(err)) < 0) {
		rs_error("%s", err);
		goto out;
	}
	lo = vnl_ifindex("lo", err, sizeof(err));
	if (r->n_vip == 0) {
		r->ok = 0;
		sbuf_printf(&r->text,
			    "no VIP: start was not run (no state file %s) and no --vip "
			    "given\n",
			    o->state_path);
	}
	sbuf_puts(&r->json, "{\"state_file\":");
	sbuf_json_str(&r->json, o->state_path);
	sbuf_printf(&r->json, ",\"state_file_exists\":%s,\"vips\":[",
		    r->have_state ? "true" : "false");
	r->json_first = 1;
	for (unsigned i = 0; i < r->n_vip; i++)
		check_vip(r, &nl, lo, &r->vip[i]);
	sbuf_puts(&r->json, "],\"sysctls\":[");
	r->json_first = 1;
	if (r->n_v4) {
		static const char *const devs[] = {"all", "lo"};

		for (unsigned d = 0; d < 2; d++) {
			check_sysctl(r, devs[d], "arp_ignore");
			check_sysctl(r, devs[d], "arp_announce");
		}
		if (r->n_dev)
			check_sysctl(r, "all", "rp_filter");
		for (unsigned d = 0; d < r->n_dev; d++)
			if (r->dev[d].ifindex)
				check_sysctl(r, r->dev[d].name, "rp_filter");
	}
	sbuf_puts(&r->json, "],\"decap\":[");
	r->json_first = 1;
	for (unsigned d = 0; d < r->n_dev; d++)
		report_dev(r, &r->dev[d]);
	sbuf_printf(&r->json, "],\"ok\":%s}\n", r->ok ? "true" : "false");
	sbuf_printf(&r->text, "status: %s\n",
		    r->ok ? "everything in place" : "NOT everything in place");
	if (r->text.oom || r->json.oom) {
		rs_error("out of memory");
		goto out;
	}
	fputs(sbuf_str(o->json ? &r->json : &r->text), stdout);
	rc = r->ok ? 0 : 1;
out:
	vnl_close(&nl);
	sbuf_free(&r->text);
	sbuf_free(&r->json);
	free(r);
	return rc;
}
