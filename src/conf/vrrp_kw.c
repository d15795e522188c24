/* The keepalived.conf reader for VRRP: vrrp_instance, vrrp_script and
 * vrrp_sync_group into cfg->vrrp (keepalived.conf(5) grammar).
 *
 * Reading happens in two steps.  The blocks are walked as they come (each
 * keyword checked at its own line); vrrp_kw_finish() then resolves what
 * depends on the whole file: the protocol version (global_defs vrrp_version
 * may come after the instances), advert_int limits of that version,
 * duplicate (interface, VRID, family), track_script and sync group names
 * (vrrp_kw_finish.c).  The daemon does not run VRRP yet: each instance
 * gives one warning saying so; the model is there for the state machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/ka.h"
#include "core/err.h"
#include "core/netlink.h"
#include "kw/lexer.h"
#include "model/model.h"
#include "model/vrrp_model.h"

#define VRRP_V2_MAX_ADVERT_CS 25500 /* one octet of seconds */
#define VRRP_MAX_TRACK_WEIGHT 254   /* keepalived's -254..254 */
#define VRRP_PASS_LEN	      8	    /* PASS / AH: octets on the wire */

/* Reader state of one vrrp_instance body. */
struct vi_state {
	struct vrrp_instance *vi;
	const struct token *kw;
	int vrid_set;
	int auth_type_set;
	const struct token *auth_pass; /* the auth_pass keyword, for messages */
};

/* A signed integer in [min, max] from s; the keyword names it in errors. */
static int parse_int(const char *kw, const char *s, int min, int max, int *out, char *err,
		     size_t errlen)
{
	long v;
	char *end;

	errno = 0;
	if (!((*s >= '0' && *s <= '9') || ((*s == '-' || *s == '+') && s[1] >= '0' && s[1] <= '9')))
		goto bad;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	return err_set(err, errlen, "%s: '%s' is not a number in %d..%d", kw, s, min, max);
}

/* "weight W [reverse]" at args[i..]: 0 or -1. */
static int track_weight(const struct kw_stmt *st, unsigned i, const char *what, int *w, char *err,
			size_t errlen)
{
	if (i >= st->argc)
		return 0;
	if (strcmp(st->args[i].text, "weight") || i + 1 >= st->argc)
		return err_set(err, errlen, "%s %s: expected 'weight W' after the name", what,
			       st->kw->text);
	if (parse_int("weight", st->args[i + 1].text, -VRRP_MAX_TRACK_WEIGHT, VRRP_MAX_TRACK_WEIGHT,
		      w, err, errlen) < 0)
		return -1;
	if (i + 2 < st->argc && !strcmp(st->args[i + 2].text, "reverse"))
		return err_set(err, errlen, "%s %s: 'reverse' is not supported by fulcrum", what,
			       st->kw->text);
	if (i + 2 < st->argc)
		return err_set(err, errlen, "%s %s: unexpected '%s'", what, st->kw->text,
			       st->args[i + 2].text);
	return 0;
}

/* ---- global_defs vrrp_version ---- */

int vrrp_kw_global_version(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	unsigned v;

	(void)obj;
	if (kw_uint(st, 0, 2, 3, &v, err, errlen) < 0)
		return -1;
	c->cfg->vrrp.default_version = (uint8_t)v;
	return 0;
}

/* ---- global_defs vrrp_garp_interval / vrrp_gna_interval ---- */

int vrrp_kw_global_garp(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	struct vrrp_config *vc = &c->cfg->vrrp;

	(void)obj;
	return kw_secs_ms(st, 0, 1000000,
			  strstr(st->kw->text, "gna") ? &vc->default_gna_interval_ms
						      : &vc->default_garp_interval_ms,
			  err, errlen);
}

/* ---- vrrp_instance: simple keywords ---- */

#define VI(obj) (((struct vi_state *)(obj))->vi)

static const struct kw_enum state_names[] = {
    {"MASTER", VRRP_MASTER},
    {"BACKUP", VRRP_BACKUP},
    {NULL},
};

static int p_vrid(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	unsigned v;

	if (kw_uint(st, 0, 1, 255, &v, err, errlen) < 0)
		return -1;
	VI(obj)->vrid = (uint8_t)v;
	((struct vi_state *)obj)->vrid_set = 1;
	return 0;
}

static int p_priority(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	unsigned v;

	/* keepalived logs "Priority not valid" for 0 and keeps its default */
	if (!strcmp(st->args[0].text, "0")) {
		kw_warn(c, st->kw,
			"priority 0 is ignored, as keepalived does (0 is what a master sends "
			"when it leaves): the default 100 applies");
		VI(obj)->priority = 100; /* keepalived's default, and vrrp_instance_new()'s */
		return 0;
	}
	if (kw_uint(st, 0, 1, 255, &v, err, errlen) < 0)
		return -1;
	if (v == VRRP_PRIO_OWNER)
		kw_warn(c, st->kw,
			"priority 255 is for the address owner (the VIPs are this host's own "
			"addresses); use 1..254 otherwise");
	VI(obj)->priority = (uint8_t)v;
	return 0;
}

static int p_advert_int(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	unsigned ms;

	if (kw_secs_ms(st, 0, VRRP_V2_MAX_ADVERT_CS * 10, &ms, err, errlen) < 0)
		return -1;
	if (ms < 10) {
		/* keepalived logs "Advert interval not valid" and keeps its default */
		kw_warn(c, st->kw,
			"advert_int %s is ignored, as keepalived does (less than 0.01 s): the "
			"default 1 s applies",
			st->args[0].text);
		VI(obj)->advert_int_cs = 100;
		return 0;
	}
	VI(obj)->advert_int_cs = (ms + 5) / 10;
	return 0;
}

static int p_use_vmac(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	kw_warn(c, st->kw,
		"use_vmac is ignored by fulcrum: the VIPs are added to the interface itself "
		"and gratuitous ARP moves them");
	return 0;
}

/* ---- authentication { } ---- */

static int p_auth_type(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct vi_state *s = obj;
	const char *t = st->args[0].text;

	if (!strcasecmp(t, "PASS"))
		s->vi->auth_type = VRRP_AUTH_PASS;
	else if (!strcasecmp(t, "AH"))
		s->vi->auth_type = VRRP_AUTH_AH;
	else if (!strcasecmp(t, "HMAC"))
		s->vi->auth_type = VRRP_AUTH_HMAC;
	else
		return err_set(err, errlen, "auth_type: '%s' is not PASS, AH or HMAC", t);
	s->auth_type_set = 1;
	return 0;
}

static int p_auth_pass(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct vi_state *s = obj;
	size_t n = strlen(st->args[0].text);

	if (!n || n >= sizeof(s->vi->auth_pass))
		return err_set(err, errlen, "auth_pass: 1..%zu characters expected, not %zu",
			       sizeof(s->vi->auth_pass) - 1, n);
	memcpy(s->vi->auth_pass, st->args[0].text, n + 1);
	s->auth_pass = st->kw;
	return 0;
}

static const struct kw kw_auth[] = {
    {"auth_type", p_auth_type, 1, 1, KW_NOBLOCK},
    {"auth_pass", p_auth_pass, 1, 1, KW_NOBLOCK},
    {NULL},
};

static const struct kw_block blk_auth = {"authentication", kw_auth, NULL, NULL, NULL};

static int p_authentication(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct vi_state *s = obj;
	unsigned e0 = kw_errors(c);

	kw_body(c, &blk_auth, s, st->kw);
	if (kw_errors(c) != e0)
		return 0;
	if (!s->auth_type_set)
		return err_set(err, errlen, "authentication: auth_type is missing");
	if (!s->auth_pass)
		return err_set(err, errlen, "authentication: auth_pass is missing");
	if (s->vi->auth_type != VRRP_AUTH_HMAC && strlen(s->vi->auth_pass) > VRRP_PASS_LEN) {
		/* keepalived sends the first 8 octets: peers configured with the
		 * long form still agree */
		kw_warn(c, s->auth_pass, "auth_pass: only the first %d characters are used",
			VRRP_PASS_LEN);
		memset(s->vi->auth_pass + VRRP_PASS_LEN, 0,
		       sizeof(s->vi->auth_pass) - VRRP_PASS_LEN);
	}
	if (s->vi->auth_type != VRRP_AUTH_HMAC)
		kw_warn(c, st->kw,
			"authentication %s is weak (a password in clear or unkeyed AH); "
			"auth_type HMAC protects fulcrum peers",
			s->vi->auth_type == VRRP_AUTH_PASS ? "PASS" : "AH");
	return 0;
}

/* ---- virtual_ipaddress { } and virtual_ipaddress_excluded { } ---- */

/* Options of an address line whose value fulcrum does not use. */
static const char *const vip_opt_arg[] = {"brd",	       "broadcast", "scope", "peer",
					  "track_group", "metric",    NULL};
static const char *const vip_opt_flag[] = {"no_track",	    "home",	"nodad", "-nodad",
					   "noprefixroute", "autojoin", NULL};

/* "preferred_lft forever|SECONDS" (keepalived's values) into *lft. */
static int vip_lft(const char *vip, const char *val, uint32_t *lft, char *err, size_t errlen)
{
	unsigned long n;
	char *end;

	if (!strcmp(val, "forever")) {
		*lft = VNL_LFT_FOREVER;
		return 0;
	}
	errno = 0;
	n = strtoul(val, &end, 10);
	if (val[0] < '0' || val[0] > '9' || *end || errno || n >= VNL_LFT_FOREVER)
		return err_set(err, errlen,
			       "virtual_ipaddress %s: preferred_lft '%s' is not 'forever' or "
			       "0..%u seconds",
			       vip, val, VNL_LFT_FOREVER - 1);
	*lft = (uint32_t)n;
	return 0;
}

/* ADDR[/LEN] [dev IF] [label L] [preferred_lft T] [other options...] into v.
 * preferred_lft defaults as in keepalived: an IPv6 /128 VIP is added
 * deprecated (0), so the host's own address stays the source of what it
 * sends (health checks above all); any other VIP is preferred for ever.
 * keepalived leaves IPv4 VIPs preferred whatever preferred_lft says. */
static int vip_parse(struct kw_ctx *c, const struct kw_stmt *st, struct vrrp_vip *v, char *err,
		     size_t errlen)
{
	const char *s = st->kw->text, *slash = strchr(s, '/');
	char ip[INET6_ADDRSTRLEN + 1], e[ERRLEN];
	unsigned i, maxp, p;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	memset(v, 0, sizeof(*v));
	if (n >= sizeof(ip))
		return err_set(err, errlen, "virtual_ipaddress: '%s' is not an IP address", s);
	memcpy(ip, s, n);
	ip[n] = 0;
	if (addr_parse_ip(ip, &v->addr, e, sizeof(e)) < 0)
		return err_set(err, errlen, "virtual_ipaddress: %s", e);
	maxp = v->addr.family == AF_INET6 ? 128 : 32;
	v->prefix = (uint8_t)maxp;
	if (slash) {
		char *end;

		errno = 0;
		p = (unsigned)strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || errno || p > maxp)
			return err_set(err, errlen,
				       "virtual_ipaddress: '%s': the prefix length is not 0..%u", s,
				       maxp);
		v->prefix = (uint8_t)p;
	}
	v->preferred_lft = v->addr.family == AF_INET6 && v->prefix == 128 ? 0 : VNL_LFT_FOREVER;
	for (i = 0; i < st->argc; i++) {
		const char *o = st->args[i].text;

		if (!strcmp(o, "preferred_lft")) {
			if (i + 1 >= st->argc)
				return err_set(err, errlen,
					       "virtual_ipaddress %s: '%s' needs a value", s, o);
			if (vip_lft(s, st->args[++i].text, &v->preferred_lft, err, errlen) < 0)
				return -1;
			if (v->addr.family == AF_INET) { /* as keepalived: IPv6 only */
				kw_warn(c, st->kw,
					"virtual_ipaddress %s: 'preferred_lft %s' is ignored for "
					"IPv4",
					s, st->args[i].text);
				v->preferred_lft = VNL_LFT_FOREVER;
			}
		} else if (!strcmp(o, "dev") || !strcmp(o, "label")) {
			if (i + 1 >= st->argc)
				return err_set(err, errlen,
					       "virtual_ipaddress %s: '%s' needs a value", s, o);
			i++;
			if (!strcmp(o, "dev")) {
				if (kw_ifname("dev", st->args[i].text, v->dev, sizeof(v->dev), err,
					      errlen) < 0)
					return -1;
			} else if (kw_ifname("label", st->args[i].text, v->label, sizeof(v->label),
					     err, errlen) < 0) {
				return -1;
			}
		} else if (kw_in_list(vip_opt_arg, o)) {
			if (i + 1 >= st->argc)
				return err_set(err, errlen,
					       "virtual_ipaddress %s: '%s' needs a value", s, o);
			kw_warn(c, st->kw, "virtual_ipaddress %s: '%s %s' is ignored by fulcrum", s,
				o, st->args[i + 1].text);
			i++;
		} else if (kw_in_list(vip_opt_flag, o)) {
			kw_warn(c, st->kw, "virtual_ipaddress %s: '%s' is ignored by fulcrum", s,
				o);
		} else {
			return err_set(err, errlen,
				       "virtual_ipaddress %s: unknown option '%s' (expected dev, "
				       "label, preferred_lft, brd, scope, peer, no_track, home, "
				       "nodad, noprefixroute, autojoin, track_group, metric)",
				       s, o);
		}
	}
	return 0;
}

static int vip_line(struct kw_ctx *c, struct vi_state *s, const struct kw_stmt *st, int excluded,
		    char *err, size_t errlen)
{
	struct vrrp_instance *vi = s->vi;
	struct vrrp_vip v;
	char a[ADDR_STRLEN];
	unsigned i;

	if (st->has_block)
		return err_set(err, errlen, "virtual_ipaddress entries take no { block }");
	if (vip_parse(c, st, &v, err, errlen) < 0)
		return -1;
	v.excluded = excluded;
	addr_format(&v.addr, a, sizeof(a), 0);
	/* adverts carry one family; excluded addresses are not advertised */
	if (!excluded && vi->family && v.addr.family != vi->family)
		return err_set(err, errlen,
			       "virtual_ipaddress %s: an instance advertises one address family "
			       "(this one is %s): use another vrrp_instance or "
			       "virtual_ipaddress_excluded",
			       a, vi->family == AF_INET ? "IPv4" : "IPv6");
	for (i = 0; i < vi->n_vips; i++) {
		if (addr_ip_equal(&vi->vips[i].addr, &v.addr)) {
			kw_warn(c, st->kw,
				"virtual_ipaddress %s is listed twice in vrrp_instance %s", a,
				vi->name);
			break;
		}
	}
	if (!excluded && !vi->family)
		vi->family = v.addr.family;
	if (vrrp_instance_add_vip(vi, &v) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

static int vip_in(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return vip_line(c, obj, st, 0, err, errlen);
}

static int vip_ex(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return vip_line(c, obj, st, 1, err, errlen);
}

static const struct kw_block blk_vip = {"virtual_ipaddress", NULL, NULL, NULL, vip_in};
static const struct kw_block blk_vip_ex = {"virtual_ipaddress_excluded", NULL, NULL, NULL, vip_ex};

static int p_vips(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	kw_body(c, &blk_vip, obj, st->kw);
	return 0;
}

static int p_vips_ex(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	kw_body(c, &blk_vip_ex, obj, st->kw);
	return 0;
}

/* ---- track_interface { }, track_script { }, unicast_peer { } ---- */

static int track_if_line(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct vrrp_instance *vi = VI(obj);
	struct vrrp_track_if t;

	memset(&t, 0, sizeof(t));
	if (st->has_block)
		return err_set(err, errlen, "track_interface entries take no { block }");
	if (kw_ifname("track_interface", st->kw->text, t.name, sizeof(t.name), err, errlen) < 0)
		return -1;
	if (track_weight(st, 0, "track_interface", &t.weight, err, errlen) < 0)
		return -1;
	t.file = config_intern_file(c->cfg, st->kw->file);
	t.line = st->kw->line;
	if (vrrp_instance_add_track_if(vi, &t) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

static int track_script_line(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	int w = VRRP_WEIGHT_UNSET;

	if (st->has_block)
		return err_set(err, errlen, "track_script entries take no { block }");
	if (track_weight(st, 0, "track_script", &w, err, errlen) < 0)
		return -1;
	if (vrrp_instance_add_track_script(VI(obj), st->kw->text, w,
					   config_intern_file(c->cfg, st->kw->file),
					   st->kw->line) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

static int peer_line(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct fc_addr a;
	char e[ERRLEN];
	unsigned i;

	if (st->has_block)
		return err_set(err, errlen, "unicast_peer entries take no { block }");
	if (addr_parse_ip(st->kw->text, &a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "unicast_peer: %s", e);
	for (i = 0; i < st->argc; i++) {
		const char *o = st->args[i].text;

		if ((!strcmp(o, "min_ttl") || !strcmp(o, "max_ttl")) && i + 1 < st->argc) {
			kw_warn(c, st->kw, "unicast_peer %s: '%s' is ignored by fulcrum",
				st->kw->text, o);
			i++;
		} else {
			return err_set(err, errlen,
				       "unicast_peer %s: unexpected '%s' (min_ttl N, max_ttl N)",
				       st->kw->text, o);
		}
	}
	if (vrrp_instance_add_peer(VI(obj), &a) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

static const struct kw_block blk_track_if = {"track_interface", NULL, NULL, NULL, track_if_line};
static const struct kw_block blk_track_script = {"track_script", NULL, NULL, NULL,
						 track_script_line};
static const struct kw_block blk_peer = {"unicast_peer", NULL, NULL, NULL, peer_line};

static int p_track_if(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	kw_body(c, &blk_track_if, obj, st->kw);
	return 0;
}

static int p_track_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	kw_body(c, &blk_track_script, obj, st->kw);
	return 0;
}

static int p_unicast_peer(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	kw_body(c, &blk_peer, obj, st->kw);
	return 0;
}

/* ---- vrrp_instance ---- */

/* Slots of a vrrp_instance body (the object is its struct vi_state). */
#define VI_SLOT(f, t, lo, hi) KW_SLOT_IN(struct vi_state, vi, struct vrrp_instance, f, t, lo, hi)

static const struct kw kw_vi[] = {
    {"state", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(offsetof(struct vi_state, vi), struct vrrp_instance, initial, KW_T_ENUM, 0, 0,
	       state_names)},
    {"interface", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(ifname, KW_T_IFNAME, 0, 0)},
    {"virtual_router_id", p_vrid, 1, 1, KW_NOBLOCK},
    {"priority", p_priority, 1, 1, KW_NOBLOCK},
    {"advert_int", p_advert_int, 1, 1, KW_NOBLOCK},
    {"version", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(version, KW_T_UINT, 2, 3)},
    {"vrrp_version", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(version, KW_T_UINT, 2, 3)},
    {"nopreempt", NULL, 0, 0, KW_NOBLOCK, VI_SLOT(nopreempt, KW_T_FLAG, 0, 0)},
    {"preempt_delay", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(preempt_delay_ms, KW_T_SECS_MS, 0, 1000000)},
    {"virtual_ipaddress", p_vips, 0, 0, KW_NEEDBLOCK},
    {"virtual_ipaddress_excluded", p_vips_ex, 0, 0, KW_NEEDBLOCK},
    {"track_interface", p_track_if, 0, 0, KW_NEEDBLOCK},
    {"track_script", p_track_script, 0, 0, KW_NEEDBLOCK},
    {"notify_master", NULL, 1, 3, KW_NOBLOCK, VI_SLOT(notify_master, KW_T_SCRIPT, 0, 0)},
    {"notify_backup", NULL, 1, 3, KW_NOBLOCK, VI_SLOT(notify_backup, KW_T_SCRIPT, 0, 0)},
    {"notify_fault", NULL, 1, 3, KW_NOBLOCK, VI_SLOT(notify_fault, KW_T_SCRIPT, 0, 0)},
    {"notify_stop", NULL, 1, 3, KW_NOBLOCK, VI_SLOT(notify_stop, KW_T_SCRIPT, 0, 0)},
    {"notify", NULL, 1, 3, KW_NOBLOCK, VI_SLOT(notify, KW_T_SCRIPT, 0, 0)},
    {"garp_master_delay", NULL, 1, 1, KW_NOBLOCK,
     VI_SLOT(garp_master_delay_ms, KW_T_SECS_MS, 0, 3600000)},
    {"garp_master_repeat", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(garp_master_repeat, KW_T_UINT, 1, 255)},
    {"garp_master_refresh", NULL, 1, 1, KW_NOBLOCK,
     VI_SLOT(garp_master_refresh_ms, KW_T_SECS_MS, 0, 86400000)},
    {"garp_master_refresh_repeat", NULL, 1, 1, KW_NOBLOCK,
     VI_SLOT(garp_master_refresh_repeat, KW_T_UINT, 1, 255)},
    {"garp_interval", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(garp_interval_ms, KW_T_SECS_MS, 0, 1000000)},
    {"gna_interval", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(gna_interval_ms, KW_T_SECS_MS, 0, 1000000)},
    {"authentication", p_authentication, 0, 0, KW_NEEDBLOCK},
    {"unicast_peer", p_unicast_peer, 0, 0, KW_NEEDBLOCK},
    {"unicast_src_ip", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(src_ip, KW_T_IP, 0, 0)},
    {"mcast_src_ip", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(src_ip, KW_T_IP, 0, 0)},
    {"use_vmac", p_use_vmac, 0, 1, KW_NOBLOCK},
    {"dont_track_primary", NULL, 0, 0, KW_NOBLOCK, VI_SLOT(dont_track_primary, KW_T_FLAG, 0, 0)},
    /* fulcrum extension: damping of the instance's own transitions */
    {"rise", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(rise, KW_T_UINT, 1, 1000)},
    {"fall", NULL, 1, 1, KW_NOBLOCK, VI_SLOT(fall, KW_T_UINT, 1, 1000)},
    {NULL},
};

/* keepalived instance keywords fulcrum knowingly ignores (warning). */
static const char *const ign_vi[] = {"smtp_alert",
				     "virtual_routes",
				     "virtual_rules",
				     "track_process",
				     "track_file",
				     "track_bfd",
				     "vmac_xmit_base",
				     "debug",
				     "garp_lower_prio_delay",
				     "garp_lower_prio_repeat",
				     "garp_extra_if",
				     "lower_prio_no_advert",
				     "higher_prio_send_advert",
				     "strict_mode",
				     "accept",
				     "no_accept",
				     "skip_check_adv_addr",
				     "check_unicast_src",
				     "unicast_fault_no_peer",
				     "kernel_rx_buf_size",
				     "notify_deleted",
				     "notify_master_rx_lower_pri",
				     "mcast_dst_ip",
				     "unicast_ttl",
				     "down_timer_adverts",
				     "notify_priority_changes",
				     "old_unicast_checksum",
				     "promote_secondaries",
				     "track_src_ip",
				     "use_ipvlan",
				     "use_vmac_addr",
				     NULL};

static const struct kw_block blk_vi = {"vrrp_instance", kw_vi, NULL, ign_vi, NULL};

/* What a finished body must hold; errors at the vrrp_instance line. */
static void vi_check(struct kw_ctx *c, struct vi_state *s)
{
	struct vrrp_instance *vi = s->vi;
	const struct token *t = s->kw;
	char a[ADDR_STRLEN];
	unsigned i;

	if (!s->vrid_set)
		kw_error(c, t, "vrrp_instance %s: virtual_router_id is missing", vi->name);
	if (!vi->ifname[0])
		kw_error(c, t, "vrrp_instance %s: interface is missing", vi->name);
	if (!vi->family)
		vi->family = vi->src_ip.family	   ? vi->src_ip.family
			     : vi->n_unicast_peers ? vi->unicast_peers[0].family
						   : AF_INET;
	if (vi->src_ip.family && vi->src_ip.family != vi->family)
		kw_error(c, t, "vrrp_instance %s: source address %s is not of the VIPs' family",
			 vi->name, addr_format(&vi->src_ip, a, sizeof(a), 0));
	for (i = 0; i < vi->n_unicast_peers; i++) {
		if (vi->unicast_peers[i].family != vi->family) {
			kw_error(c, t,
				 "vrrp_instance %s: unicast_peer %s is not of the VIPs' family",
				 vi->name, addr_format(&vi->unicast_peers[i], a, sizeof(a), 0));
			break;
		}
	}
}

static int p_vrrp_instance(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	struct vrrp_instance *old = vrrp_find_instance(&c->cfg->vrrp, st->args[0].text);
	struct vi_state s;
	unsigned e0 = kw_errors(c);

	memset(&s, 0, sizeof(s));
	s.kw = st->kw;
	s.vi = vrrp_instance_new(st->args[0].text);
	if (!s.vi)
		return err_set(err, errlen, "out of memory");
	s.vi->file = config_intern_file(c->cfg, st->kw->file);
	s.vi->line = st->kw->line;
	kw_body(c, &blk_vi, &s, st->kw);
	if (kw_errors(c) == e0)
		vi_check(c, &s);
	if (old) {
		kw_error(c, st->kw, "vrrp_instance %s is defined twice (first at %s:%d)",
			 s.vi->name, old->file, old->line);
		vrrp_instance_free(s.vi);
		return 0;
	}
	vrrp_add_instance(&c->cfg->vrrp, s.vi);
	return 0;
}

/* ---- vrrp_script ---- */

#define VS(obj) ((struct vrrp_script *)(obj))

/* interval / timeout: keepalived says "must be greater than 0, setting to
 * 1" for a 0, and runs the script every second; so does fulcrum. */
static int script_secs(struct kw_ctx *c, const struct kw_stmt *st, unsigned *ms, char *err,
		       size_t errlen)
{
	if (kw_secs_ms(st, 0, 86400000, ms, err, errlen) < 0)
		return -1;
	if (!*ms) {
		kw_warn(c, st->kw, "%s %s is read as 1 s, as keepalived does", st->kw->text,
			st->args[0].text);
		*ms = 1000;
	}
	return 0;
}

static int p_interval(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	return script_secs(c, st, &VS(obj)->interval_ms, err, errlen);
}

static int p_timeout(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	return script_secs(c, st, &VS(obj)->timeout_ms, err, errlen);
}

static int p_script_weight(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	if (parse_int("weight", st->args[0].text, -VRRP_MAX_TRACK_WEIGHT, VRRP_MAX_TRACK_WEIGHT,
		      &VS(obj)->weight, err, errlen) < 0)
		return -1;
	if (st->argc > 1 && !strcmp(st->args[1].text, "reverse"))
		return err_set(err, errlen, "weight: 'reverse' is not supported by fulcrum");
	if (st->argc > 1)
		return err_set(err, errlen, "weight: unexpected '%s'", st->args[1].text);
	return 0;
}

static int p_script_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	if (st->argc > 1)
		kw_warn(c, st->kw, "user: the group is ignored by fulcrum");
	return kw_str(st, 0, &VS(obj)->user, err, errlen);
}

static const struct kw kw_vscript[] = {
    {"script", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct vrrp_script, script, KW_T_STR, 0, 0)},
    {"interval", p_interval, 1, 1, KW_NOBLOCK},
    {"timeout", p_timeout, 1, 1, KW_NOBLOCK},
    {"weight", p_script_weight, 1, 2, KW_NOBLOCK},
    {"rise", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct vrrp_script, rise, KW_T_UINT, 1, 1000)},
    {"fall", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct vrrp_script, fall, KW_T_UINT, 1, 1000)},
    {"user", p_script_user, 1, 2, KW_NOBLOCK},
    {NULL},
};

static const char *const ign_script[] = {"init_fail", NULL};

static const struct kw_block blk_script = {"vrrp_script", kw_vscript, NULL, ign_script, NULL};

static int p_vrrp_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct vrrp_script *old = vrrp_find_script(&c->cfg->vrrp, st->args[0].text), *vs;
	unsigned e0 = kw_errors(c);

	vs = vrrp_script_new(st->args[0].text);
	if (!vs)
		return err_set(err, errlen, "out of memory");
	vs->file = config_intern_file(c->cfg, st->kw->file);
	vs->line = st->kw->line;
	kw_body(c, &blk_script, vs, st->kw);
	if (old) {
		kw_error(c, st->kw, "vrrp_script %s is defined twice (first at %s:%d)", vs->name,
			 old->file, old->line);
		vrrp_script_free(vs);
		return 0;
	}
	/* keepalived drops such a script (and the track_script entries naming
	 * it) with a warning: a line under @NAME may be all it had */
	if (!vs->script && kw_errors(c) == e0)
		kw_warn(c, st->kw,
			"vrrp_script %s: no script line: the script and the track_script "
			"entries naming it are ignored",
			vs->name);
	if (!vs->timeout_ms)
		vs->timeout_ms = vs->interval_ms;
	vrrp_add_script(&c->cfg->vrrp, vs);
	return 0;
}

/* ---- vrrp_sync_group ---- */

static int group_line(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	if (st->has_block || st->argc)
		return err_set(err, errlen, "group: one vrrp_instance name per line expected");
	if (vrrp_sync_group_add(obj, st->kw->text, st->kw->line) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

static const struct kw_block blk_group = {"group", NULL, NULL, NULL, group_line};

static int p_group(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	kw_body(c, &blk_group, obj, st->kw);
	return 0;
}

/* sync_group_tracking_weight (and its old name global_tracking): members
 * keep their tracking weights (keepalived warns this "probably won't work":
 * members may then want different things) */
#define SG_SLOT(f, t) KW_SLOT(struct vrrp_sync_group, f, t, 0, 0)

static const struct kw kw_sg[] = {
    {"group", p_group, 0, 0, KW_NEEDBLOCK},
    {"sync_group_tracking_weight", NULL, 0, 0, KW_NOBLOCK, SG_SLOT(tracking_weight, KW_T_FLAG)},
    {"global_tracking", NULL, 0, 0, KW_NOBLOCK, SG_SLOT(tracking_weight, KW_T_FLAG)},
    {"notify_master", NULL, 1, 3, KW_NOBLOCK, SG_SLOT(notify_master, KW_T_SCRIPT)},
    {"notify_backup", NULL, 1, 3, KW_NOBLOCK, SG_SLOT(notify_backup, KW_T_SCRIPT)},
    {"notify_fault", NULL, 1, 3, KW_NOBLOCK, SG_SLOT(notify_fault, KW_T_SCRIPT)},
    {"notify", NULL, 1, 3, KW_NOBLOCK, SG_SLOT(notify, KW_T_SCRIPT)},
    {NULL},
};

static const char *const ign_sg[] = {
    "smtp_alert",
    "track_interface",
    "track_script",
    "track_file",
    "track_process",
    "track_bfd",
    "notify_stop",
    "notify_priority_changes",
    NULL,
};

static int sg_other(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		    size_t errlen);

static const struct kw_block blk_sg = {"vrrp_sync_group", kw_sg, NULL, ign_sg, sg_other};

/* Ignored keywords (warning), and keepalived's old form: instance names
 * straight in the body, without group { }. */
static int sg_other(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	const char *w = st->kw->text, *near;

	if (kw_in_list(ign_sg, w)) {
		kw_warn(c, st->kw, "keyword '%s' is ignored by fulcrum", w);
		return 0;
	}
	if (kw_retired_warn(c, &blk_sg, st->kw))
		return 0;
	if (!st->argc && !st->has_block) {
		kw_warn(c, st->kw,
			"vrrp_sync_group: instance %s listed outside group { }: read as a member "
			"(old syntax)",
			w);
		return group_line(c, obj, st, err, errlen);
	}
	near = kw_nearest(&blk_sg, w);
	if (near)
		return err_set(err, errlen,
			       "unknown keyword '%s' in vrrp_sync_group (did you mean '%s'?)", w,
			       near);
	return err_set(err, errlen, "unknown keyword '%s' in vrrp_sync_group", w);
}

static int p_vrrp_sync_group(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	struct vrrp_sync_group *old = vrrp_find_sync_group(&c->cfg->vrrp, st->args[0].text), *g;

	g = vrrp_sync_group_new(st->args[0].text);
	if (!g)
		return err_set(err, errlen, "out of memory");
	g->file = config_intern_file(c->cfg, st->kw->file);
	g->line = st->kw->line;
	kw_body(c, &blk_sg, g, st->kw);
	if (old) {
		kw_error(c, st->kw, "vrrp_sync_group %s is defined twice (first at %s:%d)", g->name,
			 old->file, old->line);
		vrrp_sync_group_free(g);
		return 0;
	}
	vrrp_add_sync_group(&c->cfg->vrrp, g);
	return 0;
}

const struct kw kw_vrrp_top[] = {
    {"vrrp_instance", p_vrrp_instance, 1, 1, KW_NEEDBLOCK},
    {"vrrp_script", p_vrrp_script, 1, 1, KW_NEEDBLOCK},
    {"vrrp_sync_group", p_vrrp_sync_group, 1, 1, KW_NEEDBLOCK},
    {NULL},
};

/* For the generated keyword reference (kw_doc.c). */
const struct kw_block *const kw_doc_vrrp[] = {
    &blk_vi, &blk_auth, &blk_vip, &blk_vip_ex, &blk_track_if, &blk_track_script,
    &blk_peer, &blk_script, &blk_group, &blk_sg, NULL,
};
