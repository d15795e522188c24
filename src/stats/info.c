/* `show info`, `show servers state` and `show backend`: HAProxy's answers,
 * from the running model. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/loop.h"
#include "core/version.h"
#include "model/ctr.h"
#include "model/model.h"
#include "stats/hastat.h"
#include "stats/stats.h"

/* Seconds since the daemon started (0 without a loop: a test's model). */
static unsigned long long uptime_s(const struct fulcrum *fc)
{
	uint64_t now;

	if (!fc->loop || !fc->started_ms)
		return 0;
	now = loop_now(fc->loop);
	return now > fc->started_ms ? (now - fc->started_ms) / 1000 : 0;
}

static unsigned threads(const struct fulcrum *fc)
{
	const struct config *cfg = fc->cfg;
	long n;

	if (cfg && cfg->global.nbthread)
		return cfg->global.nbthread;
	if (cfg && cfg->hp_global && cfg->hp_global->nbthread)
		return cfg->hp_global->nbthread;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

void stats_info(const struct fulcrum *fc, struct sbuf *out)
{
	unsigned long long up = uptime_s(fc), cum = 0, cur = 0;
	const struct virtual_server *vs;
	char host[256] = "";

	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		cum += ctr_total(&vs->live->ctr).conns;
		cur += vs->live->activeconns;
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = 0;
	sbuf_printf(out,
		    "Name: fulcrum\n"
		    "Version: " FC_VERSION "\n"
		    "Nbthread: %u\n"
		    "Nbproc: 1\n"
		    "Process_num: 1\n"
		    "Pid: %ld\n"
		    "Uptime: %llud %lluh%02llum%02llus\n"
		    "Uptime_sec: %llu\n"
		    "Start_time_sec: %lld\n"
		    "Maxconn: %u\n"
		    "CurrConns: %llu\n"
		    "CumConns: %llu\n"
		    "Listeners: %u\n"
		    "Reloads: %u\n"
		    "node: %s\n"
		    "Stopping: 0\n",
		    threads(fc), (long)getpid(), up / 86400, up / 3600 % 24, up / 60 % 60, up % 60, up,
		    (long long)time(NULL) - (long long)up,
		    fc->cfg && fc->cfg->hp_global ? fc->cfg->hp_global->maxconn : 0, cur, cum,
		    fc->cfg ? fc->cfg->n_vs : 0, fc->reloads, host);
}

/* A name as one word of a space-separated line: a keepalived pool's name
 * ("TCP 10.0.0.1:80") between double quotes. */
static void word(struct sbuf *out, const char *s)
{
	if (strchr(s, ' '))
		sbuf_printf(out, "\"%s\"", s);
	else
		sbuf_puts(out, s);
}

/* HAProxy's srv_admin_state bits: 0x01 forced maintenance, 0x08 forced drain. */
static unsigned admin_bits(const struct real_server *rs)
{
	unsigned b = 0;

	if (rs->live->admin == RS_ADMIN_DISABLED || rs->live->maint)
		b |= 0x01;
	if (rs->live->admin == RS_ADMIN_DRAIN)
		b |= 0x08;
	return b;
}

static int state_row(const struct hs_row *r, void *arg)
{
	struct sbuf *out = arg;
	const struct real_server *rs = r->rs;
	char a[ADDR_STRLEN];
	uint64_t since;

	if (r->type != HS_SERVER)
		return 0;
	since = rs->live->since_ms;
	sbuf_printf(out, "%u ", r->iid);
	word(out, r->pxname);
	sbuf_printf(out, " %u ", r->sid);
	word(out, rs->name);
	/* op_state: 0 stopped, 2 running; check_result: 0 none, 2 failed,
	 * 3 passed; check_state 6: configured and enabled */
	sbuf_printf(out, " %s %d %u %d %d %llu 0 %d 0 %d 0 0 0 - %u - 0 0 - - 0\n",
		    addr_format(&rs->addr, a, sizeof(a), 0),
		    rs->live->health == RS_HEALTH_UP ? 2 : 0, admin_bits(rs), rs->cur_weight,
		    rs->weight,
		    (unsigned long long)(r->now_ms > since ? (r->now_ms - since) / 1000 : 0),
		    !rs->checks ? 0 : rs->live->health == RS_HEALTH_UP ? 3 : 2, rs->checks ? 6 : 0,
		    rs->addr.port);
	return 0;
}

void stats_servers_state(const struct fulcrum *fc, const char *backend, struct sbuf *out)
{
	sbuf_puts(out, "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
		       "srv_uweight srv_iweight srv_time_since_last_change srv_check_status "
		       "srv_check_result srv_check_health srv_check_state srv_agent_state "
		       "bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
		       "srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n");
	hs_walk(fc->cfg, backend, loop_clock_ms(), state_row, out);
}

static int backend_row(const struct hs_row *r, void *arg)
{
	if (r->type == HS_BACKEND)
		sbuf_printf(arg, "%s\n", r->pxname);
	return 0;
}

void stats_backends(const struct fulcrum *fc, struct sbuf *out)
{
	sbuf_puts(out, "# name\n");
	hs_walk(fc->cfg, NULL, 0, backend_row, out);
}
