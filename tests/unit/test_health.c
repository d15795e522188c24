/* The health core with TCP_CHECK against real listening sockets on
 * 127.0.0.1: a hand-built config goes through apply_config (so the proxy
 * engine serves it and health_apply starts the checkers), the loop runs in
 * this thread until a condition holds or a bounded time passes.  A server
 * is flipped down by closing its listener (connection refused) and up by
 * listening again on the same port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/health-t.h"
#include "check/health.h"
#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "daemon/apply.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "proxy/proxy-t.h"

#define NLISTEN 4

struct env {
	struct fulcrum fc;
	int lfd[NLISTEN];	/* listeners, -1 when closed */
	uint16_t port[NLISTEN]; /* their ports (kept while closed) */
	char logpath[96];
	int saved_stderr;
	char dir[64];
	int extra[8]; /* other sockets a test opened, closed by teardown */
	int n_extra;
};

/* fd belongs to the test's env from now on: teardown closes it. */
static int keep_fd(struct env *e, int fd)
{
	assert_true(e->n_extra < (int)(sizeof(e->extra) / sizeof(e->extra[0])));
	e->extra[e->n_extra++] = fd;
	return fd;
}

/* ---- listeners ---- */

static int listen_on(uint16_t *port, int backlog)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons(*port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("bind %u: %s", *port, strerror(errno));
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(listen(fd, backlog), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void open_l(struct env *e, int i)
{
	assert_true(e->lfd[i] < 0);
	e->lfd[i] = listen_on(&e->port[i], 128);
}

static void close_l(struct env *e, int i)
{
	assert_true(e->lfd[i] >= 0);
	close(e->lfd[i]);
	e->lfd[i] = -1;
}

static uint16_t free_port(void)
{
	uint16_t p = 0;
	int fd = listen_on(&p, 1);

	close(fd);
	return p;
}

/* ---- setup ---- */

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	int i;

	signal(SIGPIPE, SIG_IGN);
	e->fc.loop = loop_new();
	for (i = 0; i < NLISTEN; i++) {
		e->lfd[i] = -1;
		open_l(e, i);
	}
	snprintf(e->dir, sizeof(e->dir), "/tmp/fc-health-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	/* the log goes to a file the tests read */
	snprintf(e->logpath, sizeof(e->logpath), "%s/log", e->dir);
	fflush(stderr);
	e->saved_stderr = dup(2);
	i = open(e->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	assert_true(i >= 0);
	dup2(i, 2);
	close(i);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];
	int i;

	apply_shutdown(&e->fc);
	loop_free(e->fc.loop);
	config_free(e->fc.cfg);
	for (i = 0; i < NLISTEN; i++)
		if (e->lfd[i] >= 0)
			close(e->lfd[i]);
	for (i = 0; i < e->n_extra; i++)
		if (e->extra[i] >= 0)
			close(e->extra[i]);
	fflush(stderr);
	dup2(e->saved_stderr, 2);
	close(e->saved_stderr);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", e->dir);
	free(e);
	return 0;
}

static struct config *mkcfg(struct virtual_server **vsp, unsigned delay_loop_ms, uint16_t vport)
{
	struct config *cfg = config_new();
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(cfg);
	assert_non_null(vs);
	assert_int_equal(addr_parse_ip("127.0.0.1", &vs->addr, err, sizeof(err)), 0);
	vs->addr.port = vport ? vport : free_port();
	vs->fwd = FWD_PROXY;
	vs->pool->delay_loop_ms = delay_loop_ms;
	config_add_vs(cfg, vs);
	*vsp = vs;
	return cfg;
}

static struct real_server *mkrs(struct virtual_server *vs, uint16_t port, int weight)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_ip("127.0.0.1", &rs->addr, err, sizeof(err)), 0);
	rs->addr.port = port;
	rs->weight = rs->cur_weight = weight;
	vs_add_rs(vs, rs);
	return rs;
}

/* A TCP_CHECK on rs (to connect_port if not 0), appended to its list. */
static struct check_conf *mktcp(struct real_server *rs, uint16_t connect_port, unsigned retry,
				unsigned dbr_ms, unsigned timeout_ms)
{
	struct check_conf *k = calloc(1, sizeof(*k)), **p;

	assert_non_null(k);
	k->type = CHECK_TCP;
	k->connect.port = connect_port;
	k->retry = retry;
	k->delay_before_retry_ms = dbr_ms;
	k->connect_timeout_ms = timeout_ms;
	for (p = &rs->checks; *p; p = &(*p)->next)
		;
	*p = k;
	return k;
}

static void serve(struct env *e, struct config *cfg)
{
	char err[ERRLEN] = "";

	if (apply_config(&e->fc, cfg, err, sizeof(err)) < 0)
		fail_msg("apply_config: %s", err);
}

static struct health_run *run_of(const struct real_server *rs, unsigned i)
{
	const struct rs_health *rh = rs->health;

	assert_non_null(rh);
	assert_true(i < rh->n_runs);
	return &rh->runs[i];
}

/* ---- driving the loop ---- */

struct drive {
	struct env *e;
	int (*pred)(void *arg);
	void *arg;
	uint64_t deadline;
	int ok;
	struct ev_timer t;
};

static void drive_tick(struct loop *l, struct ev_timer *t)
{
	struct drive *d = t->data;
	int i;

	/* accept and drop what the checks connected, so backlogs never fill */
	for (i = 0; i < NLISTEN; i++) {
		int c;

		while (d->e->lfd[i] >= 0 && (c = accept(d->e->lfd[i], NULL, NULL)) >= 0)
			close(c);
	}
	if (d->pred && d->pred(d->arg)) {
		d->ok = 1;
		loop_stop(l);
		return;
	}
	if (loop_clock_ms() >= d->deadline) {
		loop_stop(l);
		return;
	}
	loop_timer_start(l, t, 2);
}

/* Run until pred(arg) or timeout_ms; returns whether pred held.  pred NULL:
 * just run for timeout_ms. */
static int drive(struct env *e, int (*pred)(void *), void *arg, unsigned timeout_ms)
{
	struct drive d = {.e = e, .pred = pred, .arg = arg};

	d.deadline = loop_clock_ms() + timeout_ms;
	loop_timer_init(&d.t, drive_tick, &d);
	loop_timer_start(e->fc.loop, &d.t, 0);
	loop_run(e->fc.loop);
	loop_timer_stop(e->fc.loop, &d.t);
	return d.ok;
}

static int is_down(void *arg)
{
	return ((struct real_server *)arg)->live->health == RS_HEALTH_DOWN;
}

static int is_up(void *arg)
{
	return ((struct real_server *)arg)->live->health == RS_HEALTH_UP;
}

static int has_ok(void *arg)
{
	return run_of(arg, 0)->run.n_ok > 0;
}

static int has_fail(void *arg)
{
	return run_of(arg, 0)->run.n_fail > 0;
}

static int has_4_fails(void *arg)
{
	return run_of(arg, 0)->run.n_fail >= 4;
}

/* How many lines of the log contain needle. */
static int log_count(struct env *e, const char *needle)
{
	char line[1024];
	FILE *f;
	int n = 0;

	fflush(stderr);
	f = fopen(e->logpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/* ---- tests ---- */

/* keepalived's retry: down after retry + 1 failed attempts, the retries
 * spaced by delay_before_retry (50 ms), not by the interval (600 ms); one
 * success brings it back; the transition is logged once.  The bounds are
 * measured from the first failure and lie half an interval away from what a
 * wrong spacing would give, so a loaded machine (ASan, a parallel build)
 * cannot fail them while the interval-spaced retries still would. */
static void test_tcp_retry_down_up(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 600, 0);
	struct real_server *rs = mkrs(vs, e->port[0], 1);
	struct health_run *hr;
	char needle[128];
	uint64_t t0, dt;

	mktcp(rs, 0, 2, 50, 1000);
	serve(e, cfg);
	assert_true(is_up(rs)); /* no alpha: up from the start */
	assert_true(drive(e, has_ok, rs, 1000));
	hr = run_of(rs, 0);
	assert_string_equal(hr->run.reason, "connected");
	assert_int_equal(hr->fall, 3);

	close_l(e, 0);
	assert_true(drive(e, has_fail, rs, 2000)); /* within an interval */
	t0 = loop_clock_ms();
	assert_true(drive(e, is_down, rs, 3000));
	dt = loop_clock_ms() - t0;
	/* 2 retries 50 ms apart: 100 ms; spaced by the interval: 1,200 ms; at
	 * once: a few ms.  The first failure is seen up to a drive tick late
	 * (and the clock is in ms), so the lower bound leaves that out. */
	assert_true(dt >= 2 * 50 - 30);
	assert_true(dt < 600);
	assert_int_equal(hr->run.fails, 3);
	assert_int_equal(hr->run.n_fail, 3);
	assert_string_equal(rs->live->reason, "TCP_CHECK: connection refused after 3 tries");
	assert_false(rs_available(rs));
	/* still down, still failing: no second log line */
	assert_true(drive(e, has_4_fails, rs, 3000));
	snprintf(needle, sizeof(needle), "real server 127.0.0.1:%u DOWN (", e->port[0]);
	assert_int_equal(log_count(e, needle), 1);

	open_l(e, 0);
	assert_true(drive(e, is_up, rs, 3000)); /* the next check, an interval on */
	assert_string_equal(rs->live->reason, "TCP_CHECK: connected");
	assert_true(rs_available(rs));
	snprintf(needle, sizeof(needle), "real server 127.0.0.1:%u UP (TCP_CHECK: connected)",
		 e->port[0]);
	assert_int_equal(log_count(e, needle), 1);
}

/* rise/fall: down after exactly `fall` failures, up after `rise` successes. */
static void test_rise_fall(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *rs = mkrs(vs, e->port[0], 1);
	struct check_conf *k = mktcp(rs, 0, 5, 20, 1000);
	struct health_run *hr;
	uint64_t t0;

	k->rise = 3;
	k->fall = 2; /* replaces retry 5 */
	serve(e, cfg);
	assert_true(drive(e, has_ok, rs, 1000));
	hr = run_of(rs, 0);
	assert_int_equal(hr->fall, 2);
	assert_int_equal(hr->rise, 3);

	close_l(e, 0);
	assert_true(drive(e, is_down, rs, 1000));
	assert_int_equal(hr->run.fails, 2);

	open_l(e, 0);
	t0 = loop_clock_ms();
	assert_true(drive(e, is_up, rs, 2000));
	assert_int_equal(hr->run.oks, 3);
	/* three successes are at least two intervals apart */
	assert_true(loop_clock_ms() - t0 >= 2 * 50);
}

/* alpha: starts down, up at the first success. */
static void test_alpha(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 100, 0);
	struct real_server *rs = mkrs(vs, e->port[0], 1);
	struct real_server *bare = mkrs(vs, e->port[1], 1);

	vs->pool->alpha = 1;
	mktcp(rs, 0, 1, 50, 1000);
	serve(e, cfg);
	assert_true(is_down(rs));
	assert_string_equal(rs->live->reason, "alpha: waiting for the first check");
	assert_false(rs_available(rs));
	assert_true(is_up(bare)); /* no checker: always up, alpha or not */
	assert_true(drive(e, is_up, rs, 1000));
	assert_int_equal(run_of(rs, 0)->run.n_ok, 1);
}

/* Several checkers on one server: all must pass. */
static void test_checkers_and(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *rs = mkrs(vs, e->port[0], 1);

	mktcp(rs, 0, 0, 20, 1000);
	mktcp(rs, e->port[1], 0, 20, 1000);
	serve(e, cfg);
	assert_true(drive(e, has_ok, rs, 1000));
	close_l(e, 1);
	assert_true(drive(e, is_down, rs, 1000));
	assert_true(run_of(rs, 0)->run.up);
	assert_false(run_of(rs, 1)->run.up);
	open_l(e, 1);
	assert_true(drive(e, is_up, rs, 1000));
	/* the other way round */
	close_l(e, 0);
	assert_true(drive(e, is_down, rs, 1000));
	assert_false(run_of(rs, 0)->run.up);
	assert_true(run_of(rs, 1)->run.up);
}

/* An attempt that does not end by its deadline fails with "timed out".
 * The target listens with a full backlog, so its SYNs go unanswered. */
static void test_timeout(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	uint16_t port = 0;
	int lfd = keep_fd(e, listen_on(&port, 0)), c, i;
	struct real_server *rs = mkrs(vs, port, 1);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(port)};
	struct health_run *hr;
	uint64_t t0;

	/* fill the accept queue */
	for (i = 0; i < 4; i++) {
		c = keep_fd(e, socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
		(void)connect(c, (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(100000);
	mktcp(rs, 0, 0, 20, 150);
	t0 = loop_clock_ms();
	serve(e, cfg);
	assert_true(drive(e, is_down, rs, 3000));
	hr = run_of(rs, 0);
	assert_string_equal(hr->run.reason, "timed out after 150 ms");
	assert_string_equal(rs->live->reason, "TCP_CHECK: timed out after 150 ms");
	assert_true(hr->run.last_latency_ms >= 140);
	assert_true(loop_clock_ms() - t0 >= 150);
	(void)lfd;
}

/* Reload: equal checks keep their state, counters and rs_health; changed
 * checks start over from the server's state; removed servers stop. */
static void test_reload_carry(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs, *vs2;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *a = mkrs(vs, e->port[0], 1), *b = mkrs(vs, e->port[1], 1);
	struct real_server *gone = mkrs(vs, e->port[2], 1);
	struct real_server *a2, *b2;
	const struct rs_health *rha;
	uint64_t n_fail;
	char needle[128];

	mktcp(a, 0, 0, 20, 1000);
	mktcp(b, 0, 0, 20, 1000);
	mktcp(gone, 0, 0, 20, 1000);
	serve(e, cfg);
	close_l(e, 0);
	close_l(e, 1);
	assert_true(drive(e, is_down, a, 1000));
	assert_true(drive(e, is_down, b, 1000));
	rha = a->health;
	n_fail = run_of(a, 0)->run.n_fail;
	assert_true(n_fail >= 1);

	/* same checks for a; b's connect_timeout changes; gone leaves */
	cfg = mkcfg(&vs2, 50, vs->addr.port);
	a2 = mkrs(vs2, e->port[0], 1);
	b2 = mkrs(vs2, e->port[1], 1);
	mktcp(a2, 0, 0, 20, 1000);
	mktcp(b2, 0, 0, 20, 999);
	assert_true(check_conf_equal(a->checks, a2->checks));
	assert_false(check_conf_equal(b->checks, b2->checks));
	serve(e, cfg);
	/* nothing flipped: both still down, a's checker is the same object */
	assert_true(is_down(a2));
	assert_true(is_down(b2));
	assert_ptr_equal(a2->health, rha);
	assert_true(run_of(a2, 0)->run.n_fail >= n_fail);
	assert_ptr_equal(run_of(a2, 0)->run.conf, a2->checks);
	assert_int_equal(run_of(b2, 0)->run.n_fail, 0); /* fresh */
	assert_false(run_of(b2, 0)->run.up);		/* from the server's state */
	drive(e, NULL, NULL, 150);
	assert_true(is_down(a2));
	assert_true(is_down(b2));
	snprintf(needle, sizeof(needle), "real server 127.0.0.1:%u UP", e->port[0]);
	assert_int_equal(log_count(e, needle), 0);
	snprintf(needle, sizeof(needle), "real server 127.0.0.1:%u DOWN", e->port[1]);
	assert_int_equal(log_count(e, needle), 1);
	/* and both come back */
	open_l(e, 0);
	open_l(e, 1);
	assert_true(drive(e, is_up, a2, 1000));
	assert_true(drive(e, is_up, b2, 1000));
}

struct quorum_env {
	struct virtual_server *vs;
	const char *path;
	int lines;
};

static int file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static int has_lines(void *arg)
{
	struct quorum_env *q = arg;

	return file_lines(q->path) >= q->lines;
}

/* Quorum 2 of two servers with weight 1, and a sorry server: one down
 * loses the quorum (quorum_down once, sorry server active, the other held
 * out of the pool); back up regains it (quorum_up once). */
static void test_quorum_sorry(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *a = mkrs(vs, e->port[0], 1), *b = mkrs(vs, e->port[1], 1);
	struct quorum_env q = {.vs = vs};
	char path[128], cmd[300];
	struct sbuf out;

	snprintf(path, sizeof(path), "%s/quorum", e->dir);
	q.path = path;
	vs->pool->quorum = 2;
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'echo down >> %s'", path);
	vs->pool->quorum_down = strdup(cmd);
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'echo up >> %s'", path);
	vs->pool->quorum_up = strdup(cmd);
	vs->pool->sorry = rs_new();
	vs->pool->sorry->addr = a->addr;
	vs->pool->sorry->addr.port = e->port[3];
	mktcp(a, 0, 0, 20, 1000);
	mktcp(b, 0, 0, 20, 1000);
	serve(e, cfg);
	assert_false(health_sorry_active(vs));
	assert_true(drive(e, has_ok, a, 1000));
	assert_int_equal(file_lines(path), 0); /* started with quorum: no script */
	assert_int_equal(rs_effective_weight(vs->pool->sorry), 0);

	close_l(e, 0);
	assert_true(drive(e, is_down, a, 1000));
	assert_true(health_sorry_active(vs));
	assert_true(is_up(b));
	assert_false(rs_available(b)); /* held out while the sorry server serves */
	assert_int_equal(rs_effective_weight(b), 0);
	q.lines = 1;
	assert_true(drive(e, has_lines, &q, 2000));
	drive(e, NULL, NULL, 150);
	assert_int_equal(file_lines(path), 1);

	sbuf_init(&out);
	health_show(&e->fc, &out, 1);
	assert_non_null(strstr(sbuf_str(&out), "\"quorum\":{\"state\":\"down\",\"weight\":1,"));
	assert_non_null(strstr(sbuf_str(&out), "\"active\":true"));
	assert_non_null(strstr(sbuf_str(&out), "\"checker\":\"TCP_CHECK\""));
	sbuf_free(&out);

	open_l(e, 0);
	assert_true(drive(e, is_up, a, 1000));
	assert_false(health_sorry_active(vs));
	assert_true(rs_available(a));
	assert_true(rs_available(b));
	q.lines = 2;
	assert_true(drive(e, has_lines, &q, 2000));
	drive(e, NULL, NULL, 150);
	assert_int_equal(file_lines(path), 2);
	assert_int_equal(log_count(e, "quorum lost (weight 1 < 2-0)"), 1);
	assert_int_equal(log_count(e, "quorum gained (weight 2 >= 2+0)"), 1);
}

/* Servers added and removed in place (add/del server) start and stop
 * their checking through apply_vs. */
static void test_sync_vs(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *a = mkrs(vs, e->port[0], 1), *n;
	char err[ERRLEN];

	mktcp(a, 0, 0, 20, 1000);
	serve(e, cfg);
	n = rs_new();
	n->addr = a->addr;
	n->addr.port = e->port[1];
	vs_add_rs(vs, n);
	assert_int_equal(apply_vs(&e->fc, vs, err, sizeof(err)), 0);
	assert_non_null(n->health);
	assert_true(is_up(n));
	vs_unlink_rs(vs, a);
	assert_int_equal(apply_vs(&e->fc, vs, err, sizeof(err)), 0);
	assert_null(a->health);
	rs_free(a);
	drive(e, NULL, NULL, 100); /* nothing touches the freed server */
}

/* One pool under two services: each server is checked once (one checking
 * object, one log line per transition, named after the pool) and both
 * services' engines see the change. */
static void test_shared_pool(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs, *vs2 = vs_new();
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *a = mkrs(vs, e->port[0], 1);
	const struct pool_health *ph;
	const struct pvs *p1, *p2;
	char needle[128];

	mktcp(a, 0, 0, 20, 1000);
	assert_non_null(vs2);
	vs2->addr = vs->addr;
	vs2->addr.port = free_port();
	vs2->fwd = FWD_PROXY;
	vs_set_pool(vs2, vs->pool);
	config_add_vs(cfg, vs2);
	assert_int_equal(cfg->n_pools, 1);
	serve(e, cfg);
	ph = vs->pool->health;
	assert_non_null(ph);
	assert_int_equal(ph->n_svcs, 2);
	assert_ptr_equal(ph->servers, a->health);
	assert_null(ph->servers->next);
	assert_int_equal(((const struct rs_health *)a->health)->n_runs, 1);
	p1 = vs->engine_priv;
	p2 = vs2->engine_priv;
	assert_int_equal(p1->pp->n, 1);
	assert_int_equal(p2->pp->n, 1);

	close_l(e, 0);
	assert_true(drive(e, is_down, a, 1000));
	snprintf(needle, sizeof(needle), "TCP 127.0.0.1:%u: real server 127.0.0.1:%u DOWN",
		 vs->addr.port, e->port[0]);
	assert_int_equal(log_count(e, needle), 1);
	/* out of both services' tables (no inhibit_on_failure) */
	assert_int_equal(p1->pp->n, 0);
	assert_int_equal(p2->pp->n, 0);
	open_l(e, 0);
	assert_true(drive(e, is_up, a, 1000));
	assert_int_equal(p1->pp->n, 1);
	assert_int_equal(p2->pp->n, 1);
}

static void test_show_text(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct config *cfg = mkcfg(&vs, 50, 0);
	struct real_server *a = mkrs(vs, e->port[0], 1);
	struct sbuf out;

	mktcp(a, 0, 0, 20, 1000);
	mkrs(vs, e->port[1], 1);
	serve(e, cfg);
	assert_true(drive(e, has_ok, a, 1000));
	sbuf_init(&out);
	health_show(&e->fc, &out, 0);
	assert_non_null(strstr(sbuf_str(&out), ": quorum up (weight 2, quorum 1, hysteresis 0)\n"));
	assert_non_null(strstr(sbuf_str(&out), "TCP_CHECK 127.0.0.1:"));
	assert_non_null(strstr(sbuf_str(&out), ": connected (ok "));
	assert_non_null(strstr(sbuf_str(&out), "no health check\n"));
	sbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tcp_retry_down_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rise_fall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alpha, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_checkers_and, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_carry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quorum_sorry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_vs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_pool, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
