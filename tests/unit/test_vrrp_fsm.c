/* Unit tests for the VRRP state machine (src/vrrp/vrrp_fsm.c), one fsm at
 * a time: timing, start, election, preempt, stop and priority 0, fault,
 * the GARP schedule, tracking and a sync group member's hold and release.
 * test_vrrp_wire.c: several fsms on a fake wire.
 *
 * Expected times are computed by hand from RFC 5798 6.1/6.4 (and RFC 3768
 * for v2): Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time,
 * Skew_Time = (256 - Priority) * Master_Adver_Interval / 256, floored to the
 * ms. */
#include "vrrp_fsm_harness.h"

/* ---- timing ---------------------------------------------------------- */

struct timing_case {
	uint8_t version, prio;
	unsigned adv_cs;
	uint64_t skew, down;
};

static const struct timing_case timing[] = {
    {2, 100, 100, 609, 3609},	 {2, 200, 100, 218, 3218}, {2, 254, 300, 7, 9007},
    {2, 1, 100, 996, 3996},	 {3, 100, 100, 609, 3609}, {3, 100, 10, 60, 360},
    {3, 1, 4095, 40790, 163640}, {3, 254, 100, 7, 3007},   {3, 200, 50, 109, 1609},
};

static void test_down_interval_exact(void **st)
{
	size_t i;

	for (i = 0; i < sizeof(timing) / sizeof(timing[0]); i++) {
		const struct timing_case *t = &timing[i];
		struct vrrp_instance c;
		struct vrrp_fsm f;
		struct vrrp_advert a;
		uint64_t t0 = 1000 + i;

		mkcfg(&c, t->prio, t->version, t->adv_cs);
		fsm_new(&f, &c, "10.0.0.1");
		assert_int_equal(vrrp_fsm_skew_ms(&f), t->skew);
		assert_int_equal(vrrp_fsm_down_interval_ms(&f), t->down);
		vrrp_fsm_start(&f, t0);
		assert_int_equal(f.state, VRRP_BACKUP);
		assert_int_equal(vrrp_fsm_next_deadline(&f), t0 + t->down);
		/* one ms early: nothing */
		assert_int_equal(vrrp_fsm_timer(&f, t0 + t->down - 1), 0);
		assert_int_equal(f.state, VRRP_BACKUP);
		/* an advert from a higher master restarts the timer */
		mkadv(&a, &c, 255, "10.0.0.9", c.version == 3 ? t->adv_cs : t->adv_cs / 100 * 100);
		vrrp_fsm_advert_rx(&f, &a, t0 + 500);
		assert_int_equal(vrrp_fsm_next_deadline(&f), t0 + 500 + t->down);
		assert_int_equal(vrrp_fsm_timer(&f, t0 + 500 + t->down - 1), 0);
		assert_true(vrrp_fsm_timer(&f, t0 + 500 + t->down) > 0);
		assert_int_equal(f.state, VRRP_MASTER);
		assert_int_equal(f.cnt.master_down, 1);
		assert_true(find_act(&f, VRRP_ACT_BECOME_MASTER) >= 0);
	}
}

/* v3: a backup learns Master_Adver_Interval from the master's adverts. */
static void test_v3_learns_interval(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;

	mkcfg(&c, 100, 3, 100);
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 3609);
	mkadv(&a, &c, 200, "10.0.0.2", 50);
	vrrp_fsm_advert_rx(&f, &a, 100);
	assert_int_equal(f.master_adv_cs, 50);
	/* 3 * 500 + (156 * 50 * 10) / 256 = 1500 + 304 */
	assert_int_equal(vrrp_fsm_next_deadline(&f), 100 + 1804);
	/* Our own interval (the one we would advertise with) is unchanged. */
	assert_int_equal(f.adv_cs, 100);
	/* v2 never learns: a differing interval is discarded (RFC 3768). */
	mkcfg(&c, 100, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 200, "10.0.0.2", 200);
	assert_int_equal(vrrp_fsm_advert_rx(&f, &a, 100), 0);
	assert_int_equal(f.cnt.rx_interval_mismatch, 1);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 3609);
}

/* ---- start ----------------------------------------------------------- */

static void test_start_states(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;

	/* owner: master at once, advert + GARP + VIPs + notify */
	mkcfg(&c, 255, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	assert_int_equal(vrrp_fsm_start(&f, 10), 5);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_int_equal(f.act[0].kind, VRRP_ACT_SET_STATE);
	assert_int_equal(f.act[0].state, VRRP_MASTER);
	assert_int_equal(f.act[1].kind, VRRP_ACT_BECOME_MASTER);
	assert_int_equal(f.act[2].kind, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(f.act[2].priority, 255);
	assert_int_equal(f.act[3].kind, VRRP_ACT_SEND_GARP);
	assert_int_equal(f.act[3].count, 5);
	assert_int_equal(f.act[4].kind, VRRP_ACT_NOTIFY);
	assert_int_equal(f.act[4].state, VRRP_MASTER);
	assert_non_null(strstr(f.reason, "owner"));
	assert_int_equal(vrrp_fsm_next_deadline(&f), 10 + 1000);
	assert_int_equal(vrrp_fsm_start(&f, 11), 0); /* already started */

	/* plain backup: VIPs removed, notify backup */
	mkcfg(&c, 100, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	assert_int_equal(vrrp_fsm_start(&f, 0), 3);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_true(find_act(&f, VRRP_ACT_BECOME_BACKUP) >= 0);
	assert_int_equal(find_act(&f, VRRP_ACT_SEND_ADVERT), -1);

	/* state MASTER (keepalived): master at once */
	mkcfg(&c, 100, 2, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_non_null(strstr(f.reason, "state MASTER"));

	/* state MASTER + nopreempt: keepalived ignores MASTER */
	c.nopreempt = 1;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(f.state, VRRP_BACKUP);
}

/* ---- election -------------------------------------------------------- */

static void test_master_steps_down(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;

	mkcfg(&c, 100, 2, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&f, &c, "10.0.0.5");
	vrrp_fsm_start(&f, 0);

	/* lower priority: stays, re-asserts with advert + fresh GARP */
	mkadv(&a, &c, 99, "10.0.0.200", 100);
	vrrp_fsm_advert_rx(&f, &a, 10);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_int_equal(f.act[find_act(&f, VRRP_ACT_SEND_ADVERT)].priority, 100);
	assert_int_equal(f.act[find_act(&f, VRRP_ACT_SEND_GARP)].count, 5);
	assert_int_equal(f.cnt.rx_lower_master, 1);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 1010);

	/* equal priority, smaller address: stays */
	mkadv(&a, &c, 100, "10.0.0.4", 100);
	vrrp_fsm_advert_rx(&f, &a, 20);
	assert_int_equal(f.state, VRRP_MASTER);

	/* our own advert looped back: ignored */
	mkadv(&a, &c, 100, "10.0.0.5", 100);
	assert_int_equal(vrrp_fsm_advert_rx(&f, &a, 25), 0);
	assert_int_equal(f.cnt.rx_own, 1);

	/* equal priority, larger address (compared as numbers, not text) */
	mkadv(&a, &c, 100, "10.0.0.40", 100);
	vrrp_fsm_advert_rx(&f, &a, 30);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_int_equal(f.act[0].kind, VRRP_ACT_SET_STATE);
	assert_true(find_act(&f, VRRP_ACT_BECOME_BACKUP) >= 0);
	assert_int_equal(f.act[find_act(&f, VRRP_ACT_NOTIFY)].state, VRRP_BACKUP);
	assert_int_equal(find_act(&f, VRRP_ACT_SEND_ADVERT), -1);
	assert_non_null(strstr(f.reason, "10.0.0.40"));
	assert_int_equal(f.last_from, VRRP_MASTER);
	assert_int_equal(f.last_at_ms, 30);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 30 + 3609);
	assert_int_equal(f.master_prio, 100);

	/* higher priority */
	fsm_new(&f, &c, "10.0.0.5");
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 101, "10.0.0.1", 100);
	vrrp_fsm_advert_rx(&f, &a, 30);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_non_null(strstr(f.reason, "higher"));
}

/* IPv6: the tie-break compares the 128-bit addresses. */
static void test_v6_tie_break(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;
	struct fc_addr local;

	mkcfg(&c, 100, 3, 100);
	c.family = AF_INET6;
	c.initial = VRRP_MASTER;
	memset(&local, 0, sizeof(local));
	local.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "fe80::2:1", &local.u.v6), 1);
	vrrp_fsm_init(&f, &c, &local);
	vrrp_fsm_start(&f, 0);
	memset(&a, 0, sizeof(a));
	a.version = 3;
	a.vrid = c.vrid;
	a.priority = 100;
	a.advert_int_cs = 100;
	a.family = AF_INET6;
	a.src.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "fe80::1:ffff", &a.src.u.v6), 1);
	vrrp_fsm_advert_rx(&f, &a, 10);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_int_equal(inet_pton(AF_INET6, "fe80::10:0", &a.src.u.v6), 1);
	vrrp_fsm_advert_rx(&f, &a, 20);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_non_null(strstr(f.reason, "fe80::10:0"));
}

static void test_rx_validation(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;

	mkcfg(&c, 100, 3, 100);
	fsm_new(&f, &c, "10.0.0.1");
	mkadv(&a, &c, 200, "10.0.0.2", 100);
	assert_int_equal(vrrp_fsm_advert_rx(&f, &a, 0), 0); /* INIT */
	assert_int_equal(f.cnt.rx_ignored, 1);
	vrrp_fsm_start(&f, 0);
	a.vrid = 52;
	vrrp_fsm_advert_rx(&f, &a, 1);
	a.vrid = 51;
	a.version = 2;
	vrrp_fsm_advert_rx(&f, &a, 2);
	a.version = 3;
	memset(&a.src, 0, sizeof(a.src));
	a.src.family = AF_INET6;
	vrrp_fsm_advert_rx(&f, &a, 3);
	assert_int_equal(f.cnt.rx_wrong_vrid, 1);
	assert_int_equal(f.cnt.rx_wrong_version, 1);
	assert_int_equal(f.cnt.rx_wrong_family, 1);
	assert_int_equal(f.cnt.rx, 4);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 3609); /* none was accepted */
}

/* ---- preempt --------------------------------------------------------- */

static void test_preempt_modes(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;
	uint64_t t;

	/* preempt (default): lower adverts are discarded, down timer fires */
	mkcfg(&c, 150, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 100, "10.0.0.2", 100);
	for (t = 500; t < 3000; t += 1000)
		vrrp_fsm_advert_rx(&f, &a, t);
	assert_int_equal(f.cnt.rx_lower_discarded, 3);
	/* 3 * 1000 + 106 * 1000 / 256 = 3414 from start, adverts ignored */
	assert_int_equal(vrrp_fsm_next_deadline(&f), 3414);
	vrrp_fsm_timer(&f, 3414);
	assert_int_equal(f.state, VRRP_MASTER);

	/* nopreempt: a lower master is accepted forever */
	c.nopreempt = 1;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	for (t = 500; t < 60000; t += 1000) {
		vrrp_fsm_advert_rx(&f, &a, t);
		vrrp_fsm_timer(&f, t + 999);
		assert_int_equal(f.state, VRRP_BACKUP);
	}
	assert_int_equal(f.master_prio, 100);
	assert_int_equal(f.cnt.rx_lower_discarded, 0);

	/* preempt_delay: keep the lower master until the delay is over,
	 * counted from start, then take over at that exact ms */
	c.nopreempt = 0;
	c.preempt_delay_ms = 5000;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 100);
	for (t = 600; t < 5100; t += 1000) {
		vrrp_fsm_advert_rx(&f, &a, t);
		assert_int_equal(f.state, VRRP_BACKUP);
	}
	assert_int_equal(vrrp_fsm_next_deadline(&f), 5100);
	assert_int_equal(vrrp_fsm_timer(&f, 5099), 0);
	vrrp_fsm_timer(&f, 5100);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_non_null(strstr(f.reason, "preempt_delay"));

	/* preempt_delay counted from the first sight of a lower master when a
	 * higher one was there before */
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 200, "10.0.0.3", 100);
	for (t = 500; t < 10000; t += 1000)
		vrrp_fsm_advert_rx(&f, &a, t);
	mkadv(&a, &c, 100, "10.0.0.3", 100); /* it lowered its priority */
	for (t = 10500; t < 15500; t += 1000) {
		vrrp_fsm_advert_rx(&f, &a, t);
		assert_int_equal(f.state, VRRP_BACKUP);
	}
	assert_int_equal(vrrp_fsm_next_deadline(&f), 15500);
	vrrp_fsm_timer(&f, 15500);
	assert_int_equal(f.state, VRRP_MASTER);

	/* ...and a higher advert during the delay cancels it */
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 100, "10.0.0.3", 100);
	vrrp_fsm_advert_rx(&f, &a, 500);
	mkadv(&a, &c, 200, "10.0.0.3", 100);
	vrrp_fsm_advert_rx(&f, &a, 1500);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 1500 + 3414);
	vrrp_fsm_timer(&f, 4913); /* 5000 would have been the preempt */
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_int_equal(f.lower_seen, 0);
}

/* ---- stop, priority 0 ------------------------------------------------ */

static void test_stop_and_prio_zero(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm m, b;
	struct vrrp_advert a;

	mkcfg(&c, 200, 3, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&m, &c, "10.0.0.1");
	vrrp_fsm_start(&m, 0);
	assert_int_equal(vrrp_fsm_stop(&m, 700), 4);
	assert_int_equal(m.act[0].kind, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(m.act[0].priority, 0);
	assert_int_equal(m.act[1].kind, VRRP_ACT_SET_STATE);
	assert_int_equal(m.act[1].state, VRRP_INIT);
	assert_int_equal(m.act[2].kind, VRRP_ACT_BECOME_BACKUP);
	assert_int_equal(m.act[3].kind, VRRP_ACT_NOTIFY);
	assert_int_equal(m.act[3].state, VRRP_INIT);
	assert_int_equal(m.cnt.tx_prio_zero, 1);
	assert_int_equal(vrrp_fsm_next_deadline(&m), VRRP_FSM_NEVER);
	assert_int_equal(vrrp_fsm_stop(&m, 701), 0);
	/* restartable */
	vrrp_fsm_start(&m, 800);
	assert_int_equal(m.state, VRRP_MASTER);

	/* backup: priority 0 -> down after Skew_Time only */
	mkcfg(&c, 100, 3, 100);
	fsm_new(&b, &c, "10.0.0.2");
	vrrp_fsm_start(&b, 0);
	mkadv(&a, &c, 200, "10.0.0.1", 100);
	vrrp_fsm_advert_rx(&b, &a, 1000);
	mkadv(&a, &c, 0, "10.0.0.1", 100);
	vrrp_fsm_advert_rx(&b, &a, 1500);
	assert_int_equal(b.cnt.rx_prio_zero, 1);
	assert_int_equal(vrrp_fsm_next_deadline(&b), 1500 + 609);
	vrrp_fsm_timer(&b, 2109);
	assert_int_equal(b.state, VRRP_MASTER);

	/* backup stop: no advert, notify stop */
	fsm_new(&b, &c, "10.0.0.2");
	vrrp_fsm_start(&b, 0);
	assert_int_equal(vrrp_fsm_stop(&b, 10), 2);
	assert_int_equal(find_act(&b, VRRP_ACT_SEND_ADVERT), -1);
	assert_int_equal(b.state, VRRP_INIT);

	/* a master receiving priority 0 from another answers at once */
	mkcfg(&c, 100, 3, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&m, &c, "10.0.0.3");
	vrrp_fsm_start(&m, 0);
	vrrp_fsm_advert_rx(&m, &a, 400);
	assert_int_equal(m.state, VRRP_MASTER);
	assert_int_equal(m.act[find_act(&m, VRRP_ACT_SEND_ADVERT)].priority, 100);
	assert_int_equal(vrrp_fsm_next_deadline(&m), 1400);
}

/* ---- fault ----------------------------------------------------------- */

static void test_fault_and_recovery(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;

	mkcfg(&c, 100, 2, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "track_interface eth1 down", 100), 4);
	assert_int_equal(f.act[0].kind, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(f.act[0].priority, 0);
	assert_int_equal(f.act[1].kind, VRRP_ACT_SET_STATE);
	assert_int_equal(f.act[1].state, VRRP_FAULT);
	assert_int_equal(f.act[2].kind, VRRP_ACT_BECOME_BACKUP);
	assert_int_equal(f.act[3].kind, VRRP_ACT_NOTIFY);
	assert_int_equal(f.act[3].state, VRRP_FAULT);
	assert_string_equal(f.reason, "track_interface eth1 down");
	assert_int_equal(vrrp_fsm_next_deadline(&f), VRRP_FSM_NEVER);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "again", 150), 0);
	/* in FAULT adverts and timers do nothing */
	mkadv(&a, &c, 50, "10.0.0.2", 100);
	assert_int_equal(vrrp_fsm_advert_rx(&f, &a, 200), 0);
	assert_int_equal(vrrp_fsm_timer(&f, 100000), 0);
	assert_int_equal(f.state, VRRP_FAULT);
	/* recovery goes to BACKUP (state MASTER only counts at start) */
	assert_int_equal(vrrp_fsm_fault(&f, 0, "eth1 up", 300), 3);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_non_null(strstr(f.reason, "recovered"));
	assert_int_equal(vrrp_fsm_next_deadline(&f), 300 + 3609);
	assert_int_equal(f.cnt.to_fault, 1);

	/* a fault reported before start: start enters FAULT directly */
	fsm_new(&f, &c, "10.0.0.1");
	assert_int_equal(vrrp_fsm_fault(&f, 1, "early", 0), 0);
	vrrp_fsm_start(&f, 5);
	assert_int_equal(f.state, VRRP_FAULT);
	assert_int_equal(find_act(&f, VRRP_ACT_SEND_ADVERT), -1);

	/* owner recovers straight to MASTER */
	mkcfg(&c, 255, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	vrrp_fsm_fault(&f, 1, "down", 10);
	vrrp_fsm_fault(&f, 0, "up", 20);
	assert_int_equal(f.state, VRRP_MASTER);
}

static void test_fault_damping(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;

	mkcfg(&c, 100, 2, 100);
	c.fall = 3;
	c.rise = 2;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	/* two faults, then an ok: the streak restarts */
	assert_int_equal(vrrp_fsm_fault(&f, 1, "x", 1), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "x", 2), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 0, "y", 3), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "x", 4), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "x", 5), 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_true(vrrp_fsm_fault(&f, 1, "x", 6) > 0);
	assert_int_equal(f.state, VRRP_FAULT);
	/* rise 2: one ok is not enough, a fault in between restarts */
	assert_int_equal(vrrp_fsm_fault(&f, 0, "y", 7), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 1, "x", 8), 0);
	assert_int_equal(vrrp_fsm_fault(&f, 0, "y", 9), 0);
	assert_int_equal(f.state, VRRP_FAULT);
	assert_true(vrrp_fsm_fault(&f, 0, "y", 10) > 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_int_equal(f.last_at_ms, 10);
}

/* ---- GARP schedule ----------------------------------------------------- */

static unsigned garps(const struct vrrp_fsm *f)
{
	unsigned i, n = 0;

	for (i = 0; i < f->n_act; i++)
		if (f->act[i].kind == VRRP_ACT_SEND_GARP)
			n += f->act[i].count;
	return n;
}

static void test_garp_schedule(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	uint64_t t, d;
	unsigned total = 0, adverts = 0, i;

	mkcfg(&c, 255, 3, 100);
	c.garp_master_delay_ms = 5000;
	c.garp_master_repeat = 3;
	c.garp_master_refresh_ms = 20000;
	c.garp_master_refresh_repeat = 2;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(garps(&f), 3);
	/* drive the fsm exactly at its deadlines for 50 s */
	for (t = 0;;) {
		d = vrrp_fsm_next_deadline(&f);
		if (d > 50000)
			break;
		assert_true(d > t);
		t = d;
		vrrp_fsm_timer(&f, t);
		if (garps(&f))
			assert_true(t == 5000 || t == 20000 || t == 40000);
		if (t == 5000)
			assert_int_equal(garps(&f), 3);
		if (t == 20000 || t == 40000)
			assert_int_equal(garps(&f), 2);
		total += garps(&f);
		for (i = 0; i < f.n_act; i++)
			adverts += f.act[i].kind == VRRP_ACT_SEND_ADVERT;
	}
	assert_int_equal(total, 3 + 2 + 2);
	assert_int_equal(adverts, 50); /* one per second, 1000..50000 */
}

/* ---- tracking ---------------------------------------------------------- */

static void test_priority_changes(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;

	mkcfg(&c, 100, 2, 100);
	c.initial = VRRP_MASTER;
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(vrrp_fsm_priority(&f, 80, 300), 1);
	assert_int_equal(f.act[0].kind, VRRP_ACT_SEND_ADVERT);
	assert_int_equal(f.act[0].priority, 80);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 1300);
	assert_int_equal(vrrp_fsm_priority(&f, 80, 400), 0);
	vrrp_fsm_priority(&f, 0, 500);
	assert_int_equal(f.prio, 1);
	vrrp_fsm_priority(&f, 1000, 600);
	assert_int_equal(f.prio, 254);
	/* the owner's priority is not tracked */
	mkcfg(&c, 255, 2, 100);
	fsm_new(&f, &c, "10.0.0.1");
	vrrp_fsm_start(&f, 0);
	assert_int_equal(vrrp_fsm_priority(&f, 50, 10), 0);
	assert_int_equal(f.prio, 255);
}

/* ---- sync groups -------------------------------------------------------- */

/* A sync member does not take over on its own: it says it wants to and
 * waits for the group; an advert that keeps it backup withdraws the wish;
 * release makes it master; a master member follows another member down. */
static void test_sync_hold_release_follow(void **st)
{
	struct vrrp_instance c;
	struct vrrp_fsm f;
	struct vrrp_advert a;

	mkcfg(&c, 100, 3, 100);
	fsm_new(&f, &c, "10.0.0.5");
	f.sync = 1;
	vrrp_fsm_start(&f, 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	/* master down: held, no action, no deadline */
	vrrp_fsm_timer(&f, 3609);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_int_equal(f.n_act, 0);
	assert_true(f.want_master);
	assert_non_null(strstr(f.want_why, "master down"));
	assert_int_equal(vrrp_fsm_next_deadline(&f), VRRP_FSM_NEVER);
	/* a master shows up: the wish goes, the down timer is back */
	mkadv(&a, &c, 150, "10.0.0.9", 100);
	vrrp_fsm_advert_rx(&f, &a, 4000);
	assert_false(f.want_master);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 4000 + 3609);
	/* release without a wish does nothing */
	assert_int_equal(vrrp_fsm_sync_release(&f, 4001), 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	/* it goes silent again: held, then released -> master */
	vrrp_fsm_timer(&f, 4000 + 3609);
	assert_true(f.want_master);
	assert_true(vrrp_fsm_sync_release(&f, 8000) > 0);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_false(f.want_master);
	assert_non_null(strstr(f.reason, "sync group"));
	assert_true(find_act(&f, VRRP_ACT_BECOME_MASTER) >= 0);
	assert_true(find_act(&f, VRRP_ACT_SEND_GARP) >= 0);
	/* another member stepped down: this one follows */
	assert_true(vrrp_fsm_sync_backup(&f, "sync group G: VI_2 went BACKUP", 9000) > 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_true(find_act(&f, VRRP_ACT_BECOME_BACKUP) >= 0);
	assert_int_equal(f.act[find_act(&f, VRRP_ACT_NOTIFY)].state, VRRP_BACKUP);
	assert_int_equal(find_act(&f, VRRP_ACT_SEND_ADVERT), -1);
	assert_int_equal(vrrp_fsm_next_deadline(&f), 9000 + 3609);
	/* only a master follows */
	assert_int_equal(vrrp_fsm_sync_backup(&f, "again", 9001), 0);

	/* preempting a lower master is held the same way */
	fsm_new(&f, &c, "10.0.0.5");
	f.sync = 1;
	vrrp_fsm_start(&f, 0);
	mkadv(&a, &c, 50, "10.0.0.9", 100);
	vrrp_fsm_advert_rx(&f, &a, 100);
	assert_int_equal(f.cnt.rx_lower_discarded, 1);
	vrrp_fsm_timer(&f, 3609);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_true(f.want_master);
	vrrp_fsm_advert_rx(&f, &a, 3700); /* still lower: the wish stays */
	assert_true(f.want_master);

	/* not a sync member: the RFC as before */
	fsm_new(&f, &c, "10.0.0.5");
	vrrp_fsm_start(&f, 0);
	vrrp_fsm_timer(&f, 3609);
	assert_int_equal(f.state, VRRP_MASTER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_down_interval_exact),
	    cmocka_unit_test(test_v3_learns_interval),
	    cmocka_unit_test(test_start_states),
	    cmocka_unit_test(test_master_steps_down),
	    cmocka_unit_test(test_v6_tie_break),
	    cmocka_unit_test(test_rx_validation),
	    cmocka_unit_test(test_preempt_modes),
	    cmocka_unit_test(test_stop_and_prio_zero),
	    cmocka_unit_test(test_fault_and_recovery),
	    cmocka_unit_test(test_fault_damping),
	    cmocka_unit_test(test_garp_schedule),
	    cmocka_unit_test(test_priority_changes),
	    cmocka_unit_test(test_sync_hold_release_follow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
