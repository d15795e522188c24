/* VRRP state machine: RFC 5798 6.4 as pure logic (contracts in vrrp_fsm.h,
 * design in doc/internals/vrrp-fsm.md). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vrrp/vrrp_fsm.h"

const char *vrrp_fsm_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_INIT:
		return "INIT";
	case VRRP_BACKUP:
		return "BACKUP";
	case VRRP_MASTER:
		return "MASTER";
	case VRRP_FAULT:
		return "FAULT";
	}
	return "?";
}

static void push(struct vrrp_fsm *f, enum vrrp_action_kind kind, enum vrrp_state st, uint8_t prio,
		 unsigned count)
{
	struct vrrp_action *a;

	/* No call queues more than 5; a full queue would be a bug here, and
	 * dropping is safer than writing past the array. */
	if (f->n_act >= VRRP_FSM_MAX_ACTIONS)
		return;
	a = &f->act[f->n_act++];
	a->kind = kind;
	a->state = st;
	a->priority = prio;
	a->count = count;
}

static void send_advert(struct vrrp_fsm *f, uint8_t prio)
{
	push(f, VRRP_ACT_SEND_ADVERT, f->state, prio, 0);
	f->cnt.tx_adverts++;
	if (prio == VRRP_PRIO_STOP)
		f->cnt.tx_prio_zero++;
}

static void send_garp(struct vrrp_fsm *f, unsigned count)
{
	if (count)
		push(f, VRRP_ACT_SEND_GARP, f->state, 0, count);
}

static void begin(struct vrrp_fsm *f)
{
	f->n_act = 0;
}

/* Record a transition and queue SET_STATE; the reason is formatted into
 * f->reason so `show vrrp` can print it later. */
__attribute__((format(printf, 4, 5))) static void set_state(struct vrrp_fsm *f, enum vrrp_state to,
							    uint64_t now, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
	f->last_from = f->state;
	f->last_at_ms = now;
	f->state = to;
	push(f, VRRP_ACT_SET_STATE, to, 0, 0);
	if (to == VRRP_MASTER)
		f->cnt.to_master++;
	else if (to == VRRP_BACKUP)
		f->cnt.to_backup++;
	else if (to == VRRP_FAULT)
		f->cnt.to_fault++;
}

static uint64_t adv_ms(const struct vrrp_fsm *f)
{
	return (uint64_t)f->adv_cs * 10;
}

uint64_t vrrp_fsm_skew_ms(const struct vrrp_fsm *f)
{
	uint64_t p = 256 - f->prio;

	/* v2 (RFC 3768): (256 - Priority) / 256 seconds, whatever the interval.
	 * v3 (RFC 5798): ((256 - Priority) * Master_Adver_Interval) / 256 cs.
	 * Computed in ms and floored, like keepalived (which works in us and
	 * does not truncate to whole centiseconds). */
	if (f->cfg->version == 3)
		return p * f->master_adv_cs * 10 / 256;
	return p * 1000 / 256;
}

uint64_t vrrp_fsm_down_interval_ms(const struct vrrp_fsm *f)
{
	return 3 * (uint64_t)f->master_adv_cs * 10 + vrrp_fsm_skew_ms(f);
}

static void disarm(struct vrrp_fsm *f)
{
	f->adver_at = f->down_at = f->preempt_at = VRRP_FSM_NEVER;
	f->garp_delay_at = f->garp_refresh_at = VRRP_FSM_NEVER;
	f->lower_seen = 0;
	f->want_master = 0;
}

static void become_master(struct vrrp_fsm *f, uint64_t now, const char *why)
{
	const struct vrrp_instance *c = f->cfg;

	disarm(f);
	set_state(f, VRRP_MASTER, now, "%s", why);
	f->master = f->local;
	f->master_prio = f->prio;
	f->adver_at = now + adv_ms(f);
	if (c->garp_master_delay_ms)
		f->garp_delay_at = now + c->garp_master_delay_ms;
	if (c->garp_master_refresh_ms)
		f->garp_refresh_at = now + c->garp_master_refresh_ms;
	push(f, VRRP_ACT_BECOME_MASTER, VRRP_MASTER, 0, 0);
	send_advert(f, f->prio);
	send_garp(f, c->garp_master_repeat);
	push(f, VRRP_ACT_NOTIFY, VRRP_MASTER, 0, 0);
}

/* To BACKUP with a fresh Master_Down_Timer.  VIPs are removed on every
 * entry (also from INIT/FAULT: keepalived restores the interface at start,
 * so a stale VIP left by a crashed daemon goes away). */
static void become_backup(struct vrrp_fsm *f, uint64_t now, const char *why)
{
	disarm(f);
	set_state(f, VRRP_BACKUP, now, "%s", why);
	f->down_at = now + vrrp_fsm_down_interval_ms(f);
	push(f, VRRP_ACT_BECOME_BACKUP, VRRP_BACKUP, 0, 0);
	push(f, VRRP_ACT_NOTIFY, VRRP_BACKUP, 0, 0);
}

static void become_fault(struct vrrp_fsm *f, uint64_t now, const char *why)
{
	int was_master = f->state == VRRP_MASTER;

	disarm(f);
	if (was_master)
		send_advert(f, VRRP_PRIO_STOP); /* let a backup take over at once */
	set_state(f, VRRP_FAULT, now, "%s", why);
	if (was_master)
		push(f, VRRP_ACT_BECOME_BACKUP, VRRP_FAULT, 0, 0);
	push(f, VRRP_ACT_NOTIFY, VRRP_FAULT, 0, 0);
	memset(&f->master, 0, sizeof(f->master));
	f->master_prio = 0;
}

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_instance *cfg, const struct fc_addr *local)
{
	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	if (local)
		f->local = *local;
	f->state = VRRP_INIT;
	f->last_from = VRRP_INIT;
	f->prio = cfg->priority ? cfg->priority : 1;
	f->adv_cs = cfg->advert_int_cs ? cfg->advert_int_cs : 100;
	if (cfg->version != 3) {
		/* v2 carries whole seconds: our interval is too */
		f->adv_cs = f->adv_cs / 100 * 100;
		if (!f->adv_cs)
			f->adv_cs = 100;
	}
	f->master_adv_cs = f->adv_cs;
	disarm(f);
}

/* The way out of INIT and of FAULT. */
static void enter_service(struct vrrp_fsm *f, uint64_t now, const char *from)
{
	const struct vrrp_instance *c = f->cfg;
	char why[VRRP_FSM_REASON_LEN];

	f->master_adv_cs = f->adv_cs;
	if (c->priority == VRRP_PRIO_OWNER) {
		snprintf(why, sizeof(why), "%s: address owner (priority 255)", from);
		become_master(f, now, why);
	} else if (c->initial == VRRP_MASTER && !c->nopreempt && f->state == VRRP_INIT) {
		/* keepalived: "state MASTER" takes over at once; a higher peer's
		 * next advert sends us back to BACKUP. */
		snprintf(why, sizeof(why), "%s: configured state MASTER", from);
		become_master(f, now, why);
	} else {
		snprintf(why, sizeof(why), "%s", from);
		become_backup(f, now, why);
		if (c->preempt_delay_ms && !c->nopreempt)
			f->preempt_at = now + c->preempt_delay_ms;
	}
}

int vrrp_fsm_start(struct vrrp_fsm *f, uint64_t now)
{
	begin(f);
	if (f->state != VRRP_INIT)
		return 0;
	if (f->faulted)
		become_fault(f, now, "start: fault present");
	else
		enter_service(f, now, "start");
	return (int)f->n_act;
}

/* 1 if a is a larger address than b (network byte order), same family. */
static int addr_greater(const struct fc_addr *a, const struct fc_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return memcmp(&a->u.v4, &b->u.v4, sizeof(a->u.v4)) > 0;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) > 0;
	return 0;
}

/* Backup accepts the sender as master: learn, reset Master_Down_Timer. */
static void accept_master(struct vrrp_fsm *f, const struct vrrp_advert *a, uint64_t now)
{
	f->master = a->src;
	f->master_prio = a->priority;
	if (f->cfg->version == 3 && a->advert_int_cs)
		f->master_adv_cs = a->advert_int_cs;
	f->down_at = now + vrrp_fsm_down_interval_ms(f);
	f->want_master = 0; /* a master we accept: nothing to take over */
}

static void backup_rx(struct vrrp_fsm *f, const struct vrrp_advert *a, uint64_t now)
{
	const struct vrrp_instance *c = f->cfg;

	if (a->priority == VRRP_PRIO_STOP) {
		f->cnt.rx_prio_zero++;
		f->down_at = now + vrrp_fsm_skew_ms(f);
		return;
	}
	if (c->nopreempt || a->priority >= f->prio) {
		if (a->priority >= f->prio) {
			f->lower_seen = 0;
			f->preempt_at = VRRP_FSM_NEVER;
		}
		accept_master(f, a, now);
		return;
	}
	/* Preempt mode and a lower master. */
	if (c->preempt_delay_ms) {
		if (f->preempt_at == VRRP_FSM_NEVER)
			f->preempt_at = now + c->preempt_delay_ms;
		if (now < f->preempt_at) {
			/* Still waiting: keep the lower master, take over at
			 * preempt_at (vrrp_fsm_timer). */
			f->lower_seen = 1;
			accept_master(f, a, now);
			return;
		}
	}
	f->cnt.rx_lower_discarded++; /* RFC: discard; the down timer preempts */
}

static void master_rx(struct vrrp_fsm *f, const struct vrrp_advert *a, uint64_t now)
{
	char ip[ADDR_STRLEN], why[VRRP_FSM_REASON_LEN];

	if (a->priority == VRRP_PRIO_STOP) {
		/* Another master is leaving: tell everyone we are here. */
		f->cnt.rx_prio_zero++;
		send_advert(f, f->prio);
		f->adver_at = now + adv_ms(f);
		return;
	}
	if (a->priority > f->prio || (a->priority == f->prio && addr_greater(&a->src, &f->local))) {
		addr_format(&a->src, ip, sizeof(ip), 0);
		snprintf(why, sizeof(why), "%s priority %u from %s (ours %u)",
			 a->priority > f->prio ? "higher" : "equal, larger address,", a->priority,
			 ip, f->prio);
		if (f->cfg->version == 3 && a->advert_int_cs)
			f->master_adv_cs = a->advert_int_cs;
		else
			f->master_adv_cs = f->adv_cs;
		become_backup(f, now, why);
		f->master = a->src;
		f->master_prio = a->priority;
		return;
	}
	/* A lower master (split brain healing, or a peer that just started
	 * as "state MASTER"): like keepalived, re-assert at once with an advert
	 * and fresh GARPs so the peer steps down and switches relearn us. */
	f->cnt.rx_lower_master++;
	send_advert(f, f->prio);
	send_garp(f, f->cfg->garp_master_repeat);
	f->adver_at = now + adv_ms(f);
}

int vrrp_fsm_advert_rx(struct vrrp_fsm *f, const struct vrrp_advert *a, uint64_t now)
{
	const struct vrrp_instance *c = f->cfg;

	begin(f);
	f->cnt.rx++;
	if (f->state != VRRP_BACKUP && f->state != VRRP_MASTER) {
		f->cnt.rx_ignored++;
		return 0;
	}
	if (a->vrid != c->vrid) {
		f->cnt.rx_wrong_vrid++;
		return 0;
	}
	if (a->version != (c->version == 3 ? 3 : 2)) {
		f->cnt.rx_wrong_version++;
		return 0;
	}
	if (c->family && a->src.family != c->family) {
		f->cnt.rx_wrong_family++;
		return 0;
	}
	if (c->version != 3 && a->advert_int_cs / 100 != f->adv_cs / 100) {
		f->cnt.rx_interval_mismatch++;
		return 0;
	}
	if (f->local.family && a->src.family == f->local.family &&
	    !addr_greater(&a->src, &f->local) && !addr_greater(&f->local, &a->src)) {
		f->cnt.rx_own++;
		return 0;
	}
	if (f->state == VRRP_BACKUP)
		backup_rx(f, a, now);
	else
		master_rx(f, a, now);
	return (int)f->n_act;
}

/* BACKUP, and the RFC says take over: do so, or (sync group member) say
 * so and wait for the group (vrrp_fsm_sync_release). */
static void master_or_hold(struct vrrp_fsm *f, uint64_t now, const char *why)
{
	if (!f->sync) {
		become_master(f, now, why);
		return;
	}
	f->want_master = 1;
	snprintf(f->want_why, sizeof(f->want_why), "%s", why);
	f->down_at = f->preempt_at = VRRP_FSM_NEVER;
	f->lower_seen = 0;
}

int vrrp_fsm_sync_release(struct vrrp_fsm *f, uint64_t now)
{
	char why[VRRP_FSM_REASON_LEN];

	begin(f);
	if (f->state != VRRP_BACKUP || !f->want_master)
		return 0;
	snprintf(why, sizeof(why), "sync group: %.100s", f->want_why);
	become_master(f, now, why);
	return (int)f->n_act;
}

int vrrp_fsm_sync_backup(struct vrrp_fsm *f, const char *why, uint64_t now)
{
	begin(f);
	if (f->state != VRRP_MASTER)
		return 0;
	f->master_adv_cs = f->adv_cs;
	become_backup(f, now, why);
	memset(&f->master, 0, sizeof(f->master));
	f->master_prio = 0;
	return (int)f->n_act;
}

int vrrp_fsm_timer(struct vrrp_fsm *f, uint64_t now)
{
	const struct vrrp_instance *c = f->cfg;
	char ip[ADDR_STRLEN], why[VRRP_FSM_REASON_LEN];

	begin(f);
	if (f->state == VRRP_BACKUP) {
		if (f->lower_seen && now >= f->preempt_at) {
			addr_format(&f->master, ip, sizeof(ip), 0);
			snprintf(why, sizeof(why),
				 "preempt_delay over: master %s priority %u < ours %u", ip,
				 f->master_prio, f->prio);
			master_or_hold(f, now, why);
		} else if (now >= f->down_at) {
			f->cnt.master_down++;
			snprintf(why, sizeof(why), "master down: no advert for %llu ms",
				 (unsigned long long)vrrp_fsm_down_interval_ms(f));
			master_or_hold(f, now, why);
		}
		return (int)f->n_act;
	}
	if (f->state != VRRP_MASTER)
		return 0;
	if (now >= f->adver_at) {
		send_advert(f, f->prio);
		f->adver_at = now + adv_ms(f);
	}
	if (now >= f->garp_delay_at) {
		send_garp(f, c->garp_master_repeat);
		f->garp_delay_at = VRRP_FSM_NEVER;
	}
	if (now >= f->garp_refresh_at) {
		send_garp(f, c->garp_master_refresh_repeat ? c->garp_master_refresh_repeat : 1);
		f->garp_refresh_at = now + c->garp_master_refresh_ms;
	}
	return (int)f->n_act;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *f)
{
	if (f->state == VRRP_BACKUP)
		return f->lower_seen ? min64(f->down_at, f->preempt_at) : f->down_at;
	if (f->state == VRRP_MASTER)
		return min64(f->adver_at, min64(f->garp_delay_at, f->garp_refresh_at));
	return VRRP_FSM_NEVER;
}

int vrrp_fsm_priority(struct vrrp_fsm *f, unsigned p, uint64_t now)
{
	begin(f);
	if (f->cfg->priority == VRRP_PRIO_OWNER)
		return 0;
	if (p < 1)
		p = 1;
	if (p > VRRP_PRIO_OWNER - 1)
		p = VRRP_PRIO_OWNER - 1;
	if (p == f->prio)
		return 0;
	f->prio = (uint8_t)p;
	if (f->state == VRRP_MASTER) {
		/* Tell the backups now rather than within one interval: a
		 * preempting backup starts its down timer sooner. */
		f->master_prio = f->prio;
		send_advert(f, f->prio);
		f->adver_at = now + adv_ms(f);
	} else if (f->state == VRRP_BACKUP && f->master_prio && f->master_prio >= f->prio) {
		f->lower_seen = 0; /* the master is no longer lower */
		f->preempt_at = VRRP_FSM_NEVER;
	}
	return (int)f->n_act;
}

int vrrp_fsm_fault(struct vrrp_fsm *f, int on, const char *reason, uint64_t now)
{
	unsigned rise = f->cfg->rise ? f->cfg->rise : 1;
	unsigned fall = f->cfg->fall ? f->cfg->fall : 1;
	char why[VRRP_FSM_REASON_LEN];

	begin(f);
	if (!reason)
		reason = on ? "fault" : "fault cleared";
	if (on) {
		f->ok_streak = 0;
		if (f->fault_streak < fall)
			f->fault_streak++;
		if (f->faulted || f->fault_streak < fall)
			return 0;
		f->faulted = 1;
		if (f->state == VRRP_BACKUP || f->state == VRRP_MASTER)
			become_fault(f, now, reason);
	} else {
		f->fault_streak = 0;
		if (f->ok_streak < rise)
			f->ok_streak++;
		if (!f->faulted || f->ok_streak < rise)
			return 0;
		f->faulted = 0;
		if (f->state == VRRP_FAULT) {
			snprintf(why, sizeof(why), "recovered: %s", reason);
			enter_service(f, now, why);
		}
	}
	return (int)f->n_act;
}

int vrrp_fsm_stop(struct vrrp_fsm *f, uint64_t now)
{
	int was_master = f->state == VRRP_MASTER;

	begin(f);
	if (f->state == VRRP_INIT)
		return 0;
	disarm(f);
	if (was_master)
		send_advert(f, VRRP_PRIO_STOP);
	set_state(f, VRRP_INIT, now, "stopped");
	if (was_master)
		push(f, VRRP_ACT_BECOME_BACKUP, VRRP_INIT, 0, 0);
	push(f, VRRP_ACT_NOTIFY, VRRP_INIT, 0, 0);
	memset(&f->master, 0, sizeof(f->master));
	f->master_prio = 0;
	return (int)f->n_act;
}
