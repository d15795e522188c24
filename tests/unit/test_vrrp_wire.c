/* Unit tests for the VRRP state machine (src/vrrp/vrrp_fsm.c) as a group:
 * several fsms on a fake wire with a fake clock (election, failover timing
 * from the RFC 5798 6.1 intervals, a split brain that heals, tracking with
 * preempt, three routers).  test_vrrp_fsm.c: one fsm at a time. */
#include "vrrp_fsm_harness.h"

/* ---- a fake wire ------------------------------------------------------- */

#define NODES 4
#define QLEN  256

struct node {
	struct vrrp_instance cfg;
	struct vrrp_fsm f;
	const char *ip;
	int alive;
	int vips;	/* VIPs installed */
	unsigned garps; /* total GARPs sent */
	int side;	/* partition side */
};

struct msg {
	unsigned from;
	uint8_t prio;
};

struct wire {
	struct node n[NODES];
	unsigned nn;
	uint64_t now;
	int partitioned; /* deliver only between nodes of the same side */
	struct msg q[QLEN];
	unsigned qh, qt;
	unsigned sent;
};

static void exec(struct wire *w, unsigned i)
{
	struct node *n = &w->n[i];
	unsigned k;

	for (k = 0; k < n->f.n_act; k++) {
		const struct vrrp_action *a = &n->f.act[k];

		switch (a->kind) {
		case VRRP_ACT_SEND_ADVERT:
			assert_true(w->qt - w->qh < QLEN);
			w->q[w->qt % QLEN].from = i;
			w->q[w->qt % QLEN].prio = a->priority;
			w->qt++;
			w->sent++;
			break;
		case VRRP_ACT_BECOME_MASTER:
			n->vips = 1;
			break;
		case VRRP_ACT_BECOME_BACKUP:
			n->vips = 0;
			break;
		case VRRP_ACT_SEND_GARP:
			n->garps += a->count;
			break;
		default:
			break;
		}
	}
	/* VIPs are present exactly when MASTER */
	assert_int_equal(n->vips, n->f.state == VRRP_MASTER);
}

static void deliver(struct wire *w)
{
	while (w->qh != w->qt) {
		struct msg m = w->q[w->qh % QLEN];
		struct vrrp_advert a;
		unsigned j;

		w->qh++;
		if (!w->n[m.from].alive)
			continue;
		mkadv(&a, &w->n[m.from].cfg, m.prio, w->n[m.from].ip, w->n[m.from].f.adv_cs);
		for (j = 0; j < w->nn; j++) {
			if (j == m.from || !w->n[j].alive)
				continue;
			if (w->partitioned && w->n[j].side != w->n[m.from].side)
				continue;
			vrrp_fsm_advert_rx(&w->n[j].f, &a, w->now);
			exec(w, j);
		}
	}
}

static void node_add(struct wire *w, uint8_t prio, uint8_t version, unsigned adv_cs, const char *ip)
{
	struct node *n = &w->n[w->nn];
	struct fc_addr a;

	mkcfg(&n->cfg, prio, version, adv_cs);
	n->ip = ip;
	ip4(&a, ip);
	vrrp_fsm_init(&n->f, &n->cfg, &a);
	w->nn++;
}

static void node_start(struct wire *w, unsigned i)
{
	w->n[i].alive = 1;
	vrrp_fsm_start(&w->n[i].f, w->now);
	exec(w, i);
	deliver(w);
}

/* SIGKILL: no priority-0 advert, VIPs gone with the process. */
static void node_kill(struct wire *w, unsigned i)
{
	struct fc_addr a;

	w->n[i].alive = 0;
	w->n[i].vips = 0;
	ip4(&a, w->n[i].ip);
	vrrp_fsm_init(&w->n[i].f, &w->n[i].cfg, &a);
}

static unsigned masters(const struct wire *w, int side)
{
	unsigned i, n = 0;

	for (i = 0; i < w->nn; i++)
		if (w->n[i].alive && w->n[i].f.state == VRRP_MASTER &&
		    (side < 0 || w->n[i].side == side))
			n++;
	return n;
}

static int master_idx(const struct wire *w)
{
	unsigned i;

	for (i = 0; i < w->nn; i++)
		if (w->n[i].alive && w->n[i].f.state == VRRP_MASTER)
			return (int)i;
	return -1;
}

/* Advance the fake clock 1 ms at a time up to `until`; with `check`, assert
 * exactly one master at every ms. */
static void run(struct wire *w, uint64_t until, int check)
{
	unsigned i;

	for (; w->now <= until; w->now++) {
		for (i = 0; i < w->nn; i++) {
			if (!w->n[i].alive)
				continue;
			if (vrrp_fsm_next_deadline(&w->n[i].f) <= w->now) {
				vrrp_fsm_timer(&w->n[i].f, w->now);
				exec(w, i);
			}
		}
		deliver(w);
		if (check)
			assert_int_equal(masters(w, -1), 1);
	}
	w->now = until + 1;
}

static void test_wire_election(void **st)
{
	struct wire w;

	memset(&w, 0, sizeof(w));
	node_add(&w, 100, 2, 100, "10.0.0.1");
	node_add(&w, 200, 2, 100, "10.0.0.2");
	node_start(&w, 0);
	node_start(&w, 1);
	run(&w, 3217, 0);
	assert_int_equal(masters(&w, -1), 0);
	run(&w, 3218, 0); /* the higher priority's down interval is shorter */
	assert_int_equal(master_idx(&w), 1);
	run(&w, 60000, 1);
	assert_int_equal(w.n[0].f.master_prio, 200);

	/* tie broken by address: both start as state MASTER, equal priority */
	memset(&w, 0, sizeof(w));
	node_add(&w, 100, 3, 100, "10.0.0.20");
	node_add(&w, 100, 3, 100, "10.0.0.3");
	w.n[0].cfg.initial = w.n[1].cfg.initial = VRRP_MASTER;
	node_start(&w, 0);
	node_start(&w, 1);
	run(&w, 5, 0);
	assert_int_equal(master_idx(&w), 0); /* 10.0.0.20 > 10.0.0.3 */
	run(&w, 30000, 1);
}

static void test_wire_failover_timing(void **st)
{
	static const struct {
		uint8_t version;
		unsigned adv_cs;
		uint8_t backup_prio;
		uint64_t down;
	} cases[] = {
	    {2, 100, 100, 3609}, {2, 100, 200, 3218}, {3, 100, 100, 3609},
	    {3, 10, 100, 360},	 {3, 10, 254, 300},   {3, 50, 200, 1609},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire w;
		uint64_t kill_at, last_advert;

		memset(&w, 0, sizeof(w));
		node_add(&w, 255, cases[i].version, cases[i].adv_cs, "10.0.0.1");
		node_add(&w, cases[i].backup_prio, cases[i].version, cases[i].adv_cs, "10.0.0.2");
		node_start(&w, 0);
		node_start(&w, 1);
		run(&w, 20000, 1);
		assert_int_equal(master_idx(&w), 0);
		/* the master's last advert before the kill */
		last_advert = w.n[0].f.adver_at - cases[i].adv_cs * 10;
		kill_at = w.now;
		node_kill(&w, 0);
		run(&w, last_advert + cases[i].down - 1, 0);
		assert_int_equal(masters(&w, -1), 0);
		run(&w, last_advert + cases[i].down, 0);
		assert_int_equal(master_idx(&w), 1);
		assert_true(w.now - 1 - kill_at <= cases[i].down);
		assert_int_equal(w.n[1].f.cnt.master_down, 1);
		/* the owner comes back and takes over at once */
		node_start(&w, 0);
		assert_int_equal(master_idx(&w), 0);
		assert_int_equal(w.n[1].f.state, VRRP_BACKUP);
		run(&w, w.now + 20000, 1);
	}
}

static void test_wire_split_brain_heal(void **st)
{
	struct wire w;
	unsigned g0;
	int m;

	memset(&w, 0, sizeof(w));
	node_add(&w, 150, 3, 100, "10.0.0.1");
	node_add(&w, 100, 3, 100, "10.0.0.2");
	w.n[1].side = 1;
	node_start(&w, 0);
	node_start(&w, 1);
	run(&w, 5000, 0);
	run(&w, 10000, 1);
	assert_int_equal(master_idx(&w), 0);
	w.partitioned = 1;
	run(&w, 20000, 0);
	assert_int_equal(masters(&w, 0), 1);
	assert_int_equal(masters(&w, 1), 1);
	assert_int_equal(masters(&w, -1), 2);
	g0 = w.n[0].garps;
	w.partitioned = 0;
	/* within one advert interval (plus 1 ms) exactly one master, the
	 * higher one, and it sent fresh GARPs when it saw the lower master */
	run(&w, 21001, 0);
	m = master_idx(&w);
	assert_int_equal(m, 0);
	assert_int_equal(masters(&w, -1), 1);
	assert_true(w.n[0].garps > g0);
	assert_true(w.n[0].f.cnt.rx_lower_master >= 1);
	run(&w, 60000, 1);

	/* equal priorities: the larger address stays */
	memset(&w, 0, sizeof(w));
	node_add(&w, 100, 2, 100, "192.168.1.2");
	node_add(&w, 100, 2, 100, "192.168.1.10");
	w.n[1].side = 1;
	w.partitioned = 1;
	node_start(&w, 0);
	node_start(&w, 1);
	run(&w, 10000, 0);
	assert_int_equal(masters(&w, -1), 2);
	w.partitioned = 0;
	run(&w, 11001, 0);
	assert_int_equal(master_idx(&w), 1);
	run(&w, 40000, 1);
}

static void test_wire_tracking_preempt(void **st)
{
	struct wire w;
	uint64_t t0;

	memset(&w, 0, sizeof(w));
	node_add(&w, 200, 2, 100, "10.0.0.1");
	node_add(&w, 150, 2, 100, "10.0.0.2");
	node_start(&w, 0);
	node_start(&w, 1);
	run(&w, 5000, 0);
	run(&w, 10000, 1);
	assert_int_equal(master_idx(&w), 0);
	/* a track_script failure with weight -60: 200 -> 140 < 150 */
	t0 = w.now;
	vrrp_fsm_priority(&w.n[0].f, 140, w.now);
	exec(&w, 0);
	deliver(&w);
	/* the backup discards the lower adverts; its down timer (reset by the
	 * last advert at priority 200, within 1 s before) preempts */
	run(&w, t0 + 3414 + 1000, 0);
	assert_int_equal(master_idx(&w), 1);
	assert_int_equal(w.n[0].f.state, VRRP_BACKUP);
	assert_true(w.n[1].f.last_at_ms > t0 && w.n[1].f.last_at_ms <= t0 + 3414);
	run(&w, w.now + 30000, 1);
	/* recovery: 200 again, and it preempts back */
	vrrp_fsm_priority(&w.n[0].f, 200, w.now);
	exec(&w, 0);
	run(&w, w.now + 3218 + 1000, 0);
	assert_int_equal(master_idx(&w), 0);
	run(&w, w.now + 30000, 1);
}

static void test_wire_three_routers(void **st)
{
	struct wire w;
	uint64_t t;

	memset(&w, 0, sizeof(w));
	node_add(&w, 100, 3, 100, "10.0.0.1");
	node_add(&w, 150, 3, 100, "10.0.0.2");
	node_add(&w, 200, 3, 100, "10.0.0.3");
	/* staggered starts, lowest first: it wins, then gets preempted */
	node_start(&w, 0);
	run(&w, 4000, 0);
	assert_int_equal(master_idx(&w), 0);
	node_start(&w, 1);
	run(&w, 4500, 1);
	node_start(&w, 2);
	run(&w, 15000, 0);
	assert_int_equal(master_idx(&w), 2);
	run(&w, 60000, 1);
	assert_int_equal(w.n[0].f.master_prio, 200);
	assert_int_equal(w.n[1].f.master_prio, 200);

	/* kill the master: 150 takes over (its skew is shorter than 100's) */
	node_kill(&w, 2);
	t = w.now;
	run(&w, t + 3414, 0);
	assert_int_equal(master_idx(&w), 1);
	run(&w, t + 30000, 1);
	assert_int_equal(w.n[0].f.master_prio, 150);
	/* graceful stop of 150: 100 takes over after its Skew_Time (609 ms) */
	t = w.now;
	vrrp_fsm_stop(&w.n[1].f, t);
	exec(&w, 1);
	deliver(&w);
	w.n[1].alive = 0;
	run(&w, t + 608, 0);
	assert_int_equal(masters(&w, -1), 0);
	run(&w, t + 609, 0);
	assert_int_equal(master_idx(&w), 0);
	run(&w, t + 30000, 1);
	/* both come back: 200 ends as master, one master at every ms after */
	node_start(&w, 1);
	node_start(&w, 2);
	run(&w, w.now + 5000, 0);
	assert_int_equal(master_idx(&w), 2);
	run(&w, w.now + 60000, 1);
	/* all three stay consistent about who is master */
	assert_true(addr_ip_equal(&w.n[0].f.master, &w.n[2].f.local));
	assert_true(addr_ip_equal(&w.n[1].f.master, &w.n[2].f.local));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wire_election),
	    cmocka_unit_test(test_wire_failover_timing),
	    cmocka_unit_test(test_wire_split_brain_heal),
	    cmocka_unit_test(test_wire_tracking_preempt),
	    cmocka_unit_test(test_wire_three_routers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
