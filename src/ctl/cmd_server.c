/* Commands that change a real server: set weight, drain, disable, enable,
 * add server, del server.
 *
 * Each one parses and checks every argument before touching the model,
 * changes the virtual server in place, and hands it to apply_vs() through
 * the daemon's ops (ctl_apply_vs) -- the one path to the engines.  If
 * apply_vs() refuses (or no daemon installed its ops), the change is undone
 * and handed to apply_vs() again so the engine and the model agree, and the
 * command fails: a refused command changes nothing (invariant 2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "check/health.h"
#include "core/err.h"
#include "core/log.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"
#include "model/model.h"

#define WEIGHT_MAX 65535

unsigned ctl_model_edits;

const char *ctl_vs_label(const struct virtual_server *vs, char *buf, size_t len)
{
	return vs_label(vs, buf, len);
}

/* "[tcp/|udp/]VIP:PORT" -> the virtual server.  Without a prefix the
 * address must name exactly one service. */
static int find_vs(struct fulcrum *fc, const char *s, struct virtual_server **out, char *err,
		   size_t errlen)
{
	struct virtual_server *vs, *found = NULL;
	char why[ERRLEN], a[ADDR_STRLEN];
	struct fc_addr addr;
	const char *hp = s;
	int proto = 0;

	if (!strncasecmp(s, "tcp/", 4)) {
		proto = IPPROTO_TCP;
		hp = s + 4;
	} else if (!strncasecmp(s, "udp/", 4)) {
		proto = IPPROTO_UDP;
		hp = s + 4;
	}
	if (addr_parse_hostport(hp, &addr, why, sizeof(why)) < 0)
		return err_set(err, errlen, "bad virtual server: %s", why);
	addr_format(&addr, a, sizeof(a), 1);
	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		if (vs->fwmark || !addr_equal(&vs->addr, &addr))
			continue;
		if (proto && vs->protocol != proto)
			continue;
		if (found)
			return err_set(err, errlen,
				       "virtual server %s is ambiguous: both %s and %s services "
				       "have that address (write %s/%s or %s/%s)",
				       a, proto_name(found->protocol), proto_name(vs->protocol),
				       "tcp", a, "udp", a);
		found = vs;
	}
	if (!found)
		return err_set(err, errlen, "no virtual server %s%s%s",
			       proto ? proto_name(proto) : "", proto ? " " : "", a);
	*out = found;
	return 0;
}

static int parse_rs_addr(const char *s, struct fc_addr *a, char *err, size_t errlen)
{
	char why[ERRLEN];

	if (addr_parse_hostport(s, a, why, sizeof(why)) < 0)
		return err_set(err, errlen, "bad real server: %s", why);
	return 0;
}

static int find_rs(const struct virtual_server *vs, const char *s, struct real_server **out,
		   char *err, size_t errlen)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 16];
	struct fc_addr addr;

	if (parse_rs_addr(s, &addr, err, errlen) < 0)
		return -1;
	*out = vs_find_rs(vs, &addr);
	if (*out)
		return 0;
	addr_format(&addr, a, sizeof(a), 1);
	ctl_vs_label(vs, l, sizeof(l));
	if (vs->pool->sorry && addr_equal(&vs->pool->sorry->addr, &addr))
		return err_set(err, errlen,
			       "%s is the sorry server of %s, not one of its real servers", a, l);
	return err_set(err, errlen, "no real server %s in %s", a, l);
}

/* Both lookups of the "VS RS" commands. */
static int find_vs_rs(struct fulcrum *fc, char **argv, struct virtual_server **vs,
		      struct real_server **rs, char *err, size_t errlen)
{
	if (find_vs(fc, argv[0], vs, err, errlen) < 0)
		return -1;
	return find_rs(*vs, argv[1], rs, err, errlen);
}

static int parse_weight(const char *s, int *w, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return err_set(err, errlen, "weight '%s' is not a number (0-%d)", s, WEIGHT_MAX);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return err_set(err, errlen, "weight '%s' is not a number (0-%d)", s, WEIGHT_MAX);
	if (errno || v > WEIGHT_MAX)
		return err_set(err, errlen, "weight %s is out of range (0-%d)", s, WEIGHT_MAX);
	*w = (int)v;
	return 0;
}

/* After an undo: make the engine see the model as it was again.  If even
 * that fails there is nothing better to do than say so in the log. */
static void resync(struct fulcrum *fc, struct virtual_server *vs)
{
	char why[ERRLEN], l[ADDR_STRLEN + 16];

	if (ctl_apply_vs(fc, vs, why, sizeof(why)) < 0)
		log_err("control: %s: engine did not take back the previous state: %s",
			ctl_vs_label(vs, l, sizeof(l)), why);
}

static int refused(struct fulcrum *fc, struct virtual_server *vs, const char *why, char *err,
		   size_t errlen)
{
	char w[ERRLEN];

	/* why may be err itself */
	snprintf(w, sizeof(w), "%s", why);
	resync(fc, vs);
	return err_set(err, errlen, "refused, nothing changed: %s", w);
}

int cmd_set_weight(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 16];
	struct virtual_server *vs;
	struct real_server *rs;
	int w, old;

	if (find_vs_rs(fc, argv, &vs, &rs, err, errlen) < 0 ||
	    parse_weight(argv[2], &w, err, errlen) < 0)
		return -1;
	if (rs->cur_weight == w)
		return 0;
	old = rs->cur_weight;
	rs->cur_weight = w;
	if (ctl_apply_vs(fc, vs, err, errlen) < 0) {
		rs->cur_weight = old;
		return refused(fc, vs, err, err, errlen);
	}
	log_info("control: weight of %s in %s set to %d (was %d)",
		 addr_format(&rs->addr, a, sizeof(a), 1), ctl_vs_label(vs, l, sizeof(l)), w, old);
	return 0;
}

static const char *admin_word(enum rs_admin a)
{
	switch (a) {
	case RS_ADMIN_ENABLED:
		return "enabled";
	case RS_ADMIN_DRAIN:
		return "drained";
	case RS_ADMIN_DISABLED:
		return "disabled";
	}
	return "?";
}

static int set_admin(struct fulcrum *fc, char **argv, enum rs_admin to, char *err, size_t errlen)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 16];
	struct virtual_server *vs;
	struct real_server *rs;
	enum rs_admin old;
	const char *from;

	if (find_vs_rs(fc, argv, &vs, &rs, err, errlen) < 0)
		return -1;
	old = rs->live->admin;
	if (old == to)
		return 0;
	from = health_state_name(rs);
	rs->live->admin = to;
	if (ctl_apply_vs(fc, vs, err, errlen) < 0) {
		rs->live->admin = old;
		return refused(fc, vs, err, err, errlen);
	}
	health_log_state(vs->pool->name, rs, from, health_state_name(rs), "command", NULL, NULL,
			 "control: %s in %s %s (was %s)", addr_format(&rs->addr, a, sizeof(a), 1),
			 ctl_vs_label(vs, l, sizeof(l)), admin_word(to), admin_word(old));
	return 0;
}

int cmd_drain(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err, size_t errlen)
{
	return set_admin(fc, argv, RS_ADMIN_DRAIN, err, errlen);
}

int cmd_disable(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen)
{
	return set_admin(fc, argv, RS_ADMIN_DISABLED, err, errlen);
}

int cmd_enable(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
	       size_t errlen)
{
	return set_admin(fc, argv, RS_ADMIN_ENABLED, err, errlen);
}

int cmd_add_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 16];
	struct virtual_server *vs;
	struct real_server *rs;
	struct fc_addr addr;
	int w = 1;

	if (find_vs(fc, argv[0], &vs, err, errlen) < 0 ||
	    parse_rs_addr(argv[1], &addr, err, errlen) < 0)
		return -1;
	if (argc == 3)
		return err_set(err, errlen,
			       "missing weight after '%s' (usage: add server VS RS "
			       "[weight WEIGHT])",
			       argv[2]);
	if (argc == 4) {
		if (strcmp(argv[2], "weight"))
			return err_set(err, errlen,
				       "unexpected '%s' (usage: add server VS RS [weight WEIGHT])",
				       argv[2]);
		if (parse_weight(argv[3], &w, err, errlen) < 0)
			return -1;
	}
	addr_format(&addr, a, sizeof(a), 1);
	ctl_vs_label(vs, l, sizeof(l));
	if (vs_find_rs(vs, &addr))
		return err_set(err, errlen, "%s is already a real server of %s", a, l);
	if (!vs->fwmark && addr_equal(&addr, &vs->addr))
		return err_set(err, errlen, "%s is the virtual server itself: connections would loop",
			       a);
	rs = rs_new();
	if (!rs)
		return err_set(err, errlen, "out of memory");
	ctl_model_edits++;
	rs->addr = addr;
	rs->cur_weight = rs->weight = w;
	vs_add_rs(vs, rs);
	if (ctl_apply_vs(fc, vs, err, errlen) < 0) {
		/* same order as del server: the engine lets go before the free */
		vs_unlink_rs(vs, rs);
		refused(fc, vs, err, err, errlen);
		rs_free(rs);
		return -1;
	}
	log_info("control: %s added to %s with weight %d", a, l, w);
	return 0;
}

int cmd_del_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 16];
	struct virtual_server *vs;
	struct real_server *rs, **pos;

	if (find_vs_rs(fc, argv, &vs, &rs, err, errlen) < 0)
		return -1;
	/* remember where it was so that an undo puts it back in config order */
	for (pos = &vs->pool->rs; *pos != rs; pos = &(*pos)->next)
		;
	ctl_model_edits++;
	vs_unlink_rs(vs, rs);
	if (ctl_apply_vs(fc, vs, err, errlen) < 0) {
		rs->next = *pos;
		*pos = rs;
		vs->pool->n_rs++;
		return refused(fc, vs, err, err, errlen);
	}
	log_info("control: %s removed from %s", addr_format(&rs->addr, a, sizeof(a), 1),
		 ctl_vs_label(vs, l, sizeof(l)));
	/* the engine no longer lists it; open connections hold their own
	 * references on rs->live */
	rs_free(rs);
	return 0;
}
