/* HAProxy's runtime commands on a server, named BACKEND/SERVER: set server
 * (state, weight, addr), enable|disable server, enable|disable health|agent, add
 * server, del server, and clear counters.
 *
 * BACKEND is a haproxy.cfg backend (or listen) name, a keepalived or
 * ldirectord pool name ("TCP 10.0.0.1:80", quoted on a stats socket), or
 * a service as the other commands write it ("10.0.0.1:80",
 * "udp/10.0.0.1:53": its pool).  SERVER is the server's name in its pool
 * (haproxy.cfg's, else "10.0.0.2:80").  The address and port are split at
 * the last '/', as neither a server name nor an address holds one.
 *
 * Every command checks all its arguments first, changes the model in place
 * and hands each service of the pool to the daemon's apply path
 * (ctl_apply_vs), as set weight, drain and disable do; if apply refuses,
 * the change is undone and applied again, and the command fails: a refused
 * command changes nothing. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/health.h"
#include "core/err.h"
#include "core/log.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "stats/hastat.h"

#define WEIGHT_MAX 65535

/* BACKEND written as a service: its pool. */
static struct pool *pool_of_service(struct fulcrum *fc, const char *s)
{
	struct virtual_server *vs, *found = NULL;
	struct fc_addr addr;
	char why[ERRLEN];
	int proto = 0;

	if (!strncasecmp(s, "tcp/", 4) || !strncasecmp(s, "udp/", 4)) {
		proto = tolower((unsigned char)s[0]) == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		s += 4;
	}
	if (addr_parse_hostport(s, &addr, why, sizeof(why)) < 0)
		return NULL;
	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		if (vs->fwmark || !addr_equal(&vs->addr, &addr) || (proto && vs->protocol != proto))
			continue;
		if (found && found->pool != vs->pool)
			return NULL; /* ambiguous: TCP and UDP with their own pools */
		found = vs;
	}
	return found ? found->pool : NULL;
}

/* "BACKEND/SERVER" -> the pool and, if rs is not NULL, the server. */
static int find_bs(struct fulcrum *fc, const char *arg, struct pool **p, struct real_server **rs,
		   char *err, size_t errlen)
{
	const char *slash = strrchr(arg, '/');
	char be[256];

	if (!slash || slash == arg || !slash[1] || (size_t)(slash - arg) >= sizeof(be))
		return err_set(err, errlen, "'%s' is not BACKEND/SERVER", arg);
	memcpy(be, arg, (size_t)(slash - arg));
	be[slash - arg] = 0;
	*p = hs_find_pool(fc->cfg, be);
	if (!*p)
		*p = pool_of_service(fc, be);
	if (!*p)
		return err_set(err, errlen, "no such backend '%s' (show backend lists them)", be);
	if (!rs)
		return 0;
	*rs = pool_find_server(*p, slash + 1);
	if (!*rs)
		return err_set(err, errlen, "no such server '%s' in backend '%s'", slash + 1, be);
	return 0;
}

/* Every service of p sees p as it is now. */
static int apply_pool(struct fulcrum *fc, struct pool *p, char *err, size_t errlen)
{
	struct virtual_server *vs;

	for (vs = fc->cfg->vs; vs; vs = vs->next)
		if (vs->pool == p && ctl_apply_vs(fc, vs, err, errlen) < 0)
			return -1;
	return 0;
}

/* After an undo: the engines see the model as it was again. */
static int refused(struct fulcrum *fc, struct pool *p, char *err, size_t errlen)
{
	char why[ERRLEN], w[ERRLEN];

	snprintf(w, sizeof(w), "%s", err);
	if (apply_pool(fc, p, why, sizeof(why)) < 0)
		log_err("control: %s: engine did not take back the previous state: %s", p->name,
			why);
	return err_set(err, errlen, "refused, nothing changed: %s", w);
}

static int set_admin(struct fulcrum *fc, struct pool *p, struct real_server *rs,
		     enum rs_admin to, char *err, size_t errlen)
{
	enum rs_admin old = rs->live->admin;
	const char *from = health_state_name(rs);

	if (old == to)
		return 0;
	rs->live->admin = to;
	if (apply_pool(fc, p, err, errlen) < 0) {
		rs->live->admin = old;
		return refused(fc, p, err, errlen);
	}
	health_log_state(p->name, rs, from, health_state_name(rs), "command", NULL, NULL,
			 "control: %s/%s %s", p->name, rs->name,
			 to == RS_ADMIN_ENABLED ? "ready" : to == RS_ADMIN_DRAIN ? "drain" : "maint");
	return 0;
}

/* "N" or "N%" (of the configured weight, as HAProxy's initial weight). */
static int parse_weight(const char *s, const struct real_server *rs, int *w, char *err,
			size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 0;
	if (*s < '0' || *s > '9' || (*end && strcmp(end, "%")))
		return err_set(err, errlen, "weight '%s' is not a number (0-%d, or N%%)", s,
			       WEIGHT_MAX);
	if (*end == '%')
		v = v > 100000 ? WEIGHT_MAX + 1ul : v * (unsigned long)rs->weight / 100;
	if (errno || v > WEIGHT_MAX)
		return err_set(err, errlen, "weight %s is out of range (0-%d)", s, WEIGHT_MAX);
	*w = (int)v;
	return 0;
}

static int set_weight(struct fulcrum *fc, struct pool *p, struct real_server *rs, const char *arg,
		      char *err, size_t errlen)
{
	int w, old = rs->cur_weight;

	if (parse_weight(arg, rs, &w, err, errlen) < 0)
		return -1;
	if (w && w != rs->weight && rs->hp && rs->hp->static_weights)
		return err_set(err, errlen, "%s", HP_STATIC_WEIGHTS); /* as HAProxy */
	if (w == old)
		return 0;
	rs->cur_weight = w;
	if (apply_pool(fc, p, err, errlen) < 0) {
		rs->cur_weight = old;
		return refused(fc, p, err, errlen);
	}
	log_info("control: weight of %s/%s set to %d (was %d)", p->name, rs->name, w, old);
	return 0;
}

static int set_addr(struct fulcrum *fc, struct pool *p, struct real_server *rs, int argc,
		    char **argv, char *err, size_t errlen)
{
	struct fc_addr a, old = rs->addr;
	const struct real_server *o;
	char why[ERRLEN], s[ADDR_STRLEN];
	unsigned long port = rs->addr.port;
	char *end;

	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "port")))
		return err_set(err, errlen, "usage: set server BACKEND/SERVER addr ADDRESS [port PORT]");
	if (argc == 3) {
		errno = 0;
		port = strtoul(argv[2], &end, 10);
		if (*argv[2] < '0' || *argv[2] > '9' || *end || errno || !port || port > 65535)
			return err_set(err, errlen, "port '%s' is not 1-65535", argv[2]);
	}
	if (addr_parse_ip(argv[0], &a, why, sizeof(why)) < 0)
		return err_set(err, errlen, "bad address '%s': %s", argv[0], why);
	a.port = (uint16_t)port;
	for (o = p->rs; o; o = o->next)
		if (o != rs && addr_equal(&o->addr, &a))
			return err_set(err, errlen, "%s is already server %s of %s",
				       addr_format(&a, s, sizeof(s), 1), o->name, p->name);
	if (addr_equal(&a, &old))
		return 0;
	ctl_model_edits++;
	rs->addr = a;
	if (apply_pool(fc, p, err, errlen) < 0) {
		rs->addr = old;
		return refused(fc, p, err, errlen);
	}
	log_info("control: %s/%s now at %s", p->name, rs->name, addr_format(&a, s, sizeof(s), 1));
	return 0;
}

int cmd_set_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	struct real_server *rs;
	struct pool *p;

	if (find_bs(fc, argv[0], &p, &rs, err, errlen) < 0)
		return -1;
	if (!strcmp(argv[1], "state") && argc == 3) {
		if (!strcmp(argv[2], "ready"))
			return set_admin(fc, p, rs, RS_ADMIN_ENABLED, err, errlen);
		if (!strcmp(argv[2], "drain"))
			return set_admin(fc, p, rs, RS_ADMIN_DRAIN, err, errlen);
		if (!strcmp(argv[2], "maint"))
			return set_admin(fc, p, rs, RS_ADMIN_DISABLED, err, errlen);
		return err_set(err, errlen, "state '%s' is not ready, drain or maint", argv[2]);
	}
	if (!strcmp(argv[1], "weight") && argc == 3)
		return set_weight(fc, p, rs, argv[2], err, errlen);
	if (!strcmp(argv[1], "addr"))
		return set_addr(fc, p, rs, argc - 2, argv + 2, err, errlen);
	return err_set(err, errlen,
		       "usage: set server BACKEND/SERVER state ready|drain|maint, weight N[%%] "
		       "or addr ADDRESS [port PORT]");
}

static int admin_bs(struct fulcrum *fc, const char *bs, enum rs_admin to, char *err,
		    size_t errlen)
{
	struct real_server *rs;
	struct pool *p;

	if (find_bs(fc, bs, &p, &rs, err, errlen) < 0)
		return -1;
	return set_admin(fc, p, rs, to, err, errlen);
}

int cmd_enable_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen)
{
	return admin_bs(fc, argv[0], RS_ADMIN_ENABLED, err, errlen);
}

int cmd_disable_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen)
{
	return admin_bs(fc, argv[0], RS_ADMIN_DISABLED, err, errlen);
}

/* enable|disable health|agent: the server's checkers (its agent, or the
 * others) run or stop; its health stays what the last check made it. */
static int set_health(struct fulcrum *fc, char **argv, int enabled, int agent, char *err,
		      size_t errlen)
{
	const char *what = agent ? "agent check" : "health checks";
	struct real_server *rs;
	struct pool *p;
	int r;

	if (find_bs(fc, argv[0], &p, &rs, err, errlen) < 0)
		return -1;
	r = rs->checks ? health_rs_checks(rs, enabled, agent) : -2;
	if (r == -2)
		return err_set(err, errlen, "server %s/%s has no %s", p->name, rs->name,
			       agent ? "agent check" : "health check");
	if (r < 0)
		return err_set(err, errlen, "server %s/%s is not checked yet", p->name, rs->name);
	log_info("control: %s of %s/%s %s", what, p->name, rs->name, enabled ? "enabled" : "disabled");
	return 0;
}

int cmd_enable_health(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen)
{
	return set_health(fc, argv, 1, 0, err, errlen);
}

int cmd_disable_health(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen)
{
	return set_health(fc, argv, 0, 0, err, errlen);
}

int cmd_enable_agent(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		     size_t errlen)
{
	return set_health(fc, argv, 1, 1, err, errlen);
}

int cmd_disable_agent(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen)
{
	return set_health(fc, argv, 0, 1, err, errlen);
}

/* fulcrum's own form is "add server VS RS ...": a first word that reads as
 * a service is that form, anything else with a '/' is HAProxy's. */
static int haproxy_form(struct fulcrum *fc, const char *first)
{
	const char *s = first;
	struct fc_addr a;
	char why[ERRLEN];

	if (!strncasecmp(s, "tcp/", 4) || !strncasecmp(s, "udp/", 4))
		s += 4;
	return strchr(s, '/') || addr_parse_hostport(s, &a, why, sizeof(why)) < 0;
}

/* add server BACKEND/SERVER ADDRESS:PORT [weight N] */
static int add_server(struct fulcrum *fc, int argc, char **argv, char *err, size_t errlen)
{
	const char *slash = strrchr(argv[0], '/');
	struct real_server *rs;
	struct pool *p;
	struct fc_addr a;
	char why[ERRLEN], s[ADDR_STRLEN];
	int w = 1;

	if (find_bs(fc, argv[0], &p, NULL, err, errlen) < 0)
		return -1;
	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "weight")))
		return err_set(err, errlen,
			       "usage: add server BACKEND/SERVER ADDRESS:PORT [weight WEIGHT]");
	if (addr_parse_hostport(argv[1], &a, why, sizeof(why)) < 0)
		return err_set(err, errlen, "bad server address: %s", why);
	if (argc == 4 && parse_weight(argv[3], &(struct real_server){.weight = 1}, &w, err,
				      errlen) < 0)
		return -1;
	if (pool_find_server(p, slash + 1))
		return err_set(err, errlen, "backend '%s' already has a server '%s'", p->name,
			       slash + 1);
	for (rs = p->rs; rs; rs = rs->next)
		if (addr_equal(&rs->addr, &a))
			return err_set(err, errlen, "%s is already server %s of %s",
				       addr_format(&a, s, sizeof(s), 1), rs->name, p->name);
	rs = rs_new();
	if (!rs || !(rs->name = strdup(slash + 1))) {
		rs_free(rs);
		return err_set(err, errlen, "out of memory");
	}
	ctl_model_edits++;
	rs->addr = a;
	rs->cur_weight = rs->weight = w;
	pool_add_rs(p, rs);
	if (apply_pool(fc, p, err, errlen) < 0) {
		struct real_server **pp;

		for (pp = &p->rs; *pp != rs; pp = &(*pp)->next)
			;
		*pp = rs->next;
		p->n_rs--;
		refused(fc, p, err, errlen);
		rs_free(rs);
		return -1;
	}
	log_info("control: server %s/%s added at %s with weight %d", p->name, rs->name,
		 addr_format(&a, s, sizeof(s), 1), w);
	return 0;
}

int cmd_add_server_any(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen)
{
	if (!haproxy_form(fc, argv[0]))
		return cmd_add_server(fc, argc, argv, out, err, errlen);
	return add_server(fc, argc, argv, err, errlen);
}

/* del server BACKEND/SERVER: as HAProxy, only a server in maintenance. */
static int del_server(struct fulcrum *fc, int argc, char **argv, char *err, size_t errlen)
{
	struct real_server *rs, **pp;
	struct pool *p;

	if (argc != 1)
		return err_set(err, errlen, "usage: del server BACKEND/SERVER");
	if (find_bs(fc, argv[0], &p, &rs, err, errlen) < 0)
		return -1;
	if (rs->live->admin != RS_ADMIN_DISABLED)
		return err_set(err, errlen,
			       "only a server in maintenance can be deleted (set server %s state "
			       "maint first)", argv[0]);
	for (pp = &p->rs; *pp != rs; pp = &(*pp)->next)
		;
	ctl_model_edits++;
	*pp = rs->next;
	p->n_rs--;
	if (apply_pool(fc, p, err, errlen) < 0) {
		*pp = rs;
		p->n_rs++;
		return refused(fc, p, err, errlen);
	}
	log_info("control: server %s/%s removed", p->name, rs->name);
	rs_free(rs);
	return 0;
}

int cmd_del_server_any(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen)
{
	if (!haproxy_form(fc, argv[0])) {
		if (argc != 2)
			return err_set(err, errlen,
				       "usage: del server VS RS, or del server BACKEND/SERVER");
		return cmd_del_server(fc, argc, argv, out, err, errlen);
	}
	return del_server(fc, argc, argv, err, errlen);
}

/* clear counters: HAProxy resets its max figures (fulcrum keeps none);
 * `all` would reset the counters, which only grow here (Prometheus's
 * rates and IPVS's estimator rest on it). */
int cmd_clear_counters(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen)
{
	if (argc && !strcmp(argv[0], "all"))
		return err_set(err, errlen,
			       "clear counters all is refused: fulcrum's counters only grow "
			       "(scrapers and the rate estimator rely on it)");
	if (argc)
		return err_set(err, errlen, "unexpected '%s' (usage: clear counters)", argv[0]);
	return 0;
}
