/* The VRRP state machine of one instance, as pure logic.
 *
 * No I/O, no clock, no timers of its own: every entry point takes the
 * current time `now_ms` (any monotonic millisecond clock) and queues the
 * actions the caller must execute, in order, in fsm->act[0..n_act).  Each
 * entry point clears the queue first and returns n_act.  The caller arms
 * one timer at vrrp_fsm_next_deadline() and calls vrrp_fsm_timer() when it
 * has passed (calling it early is harmless: nothing is due, nothing happens).
 *
 * Semantics: RFC 5798 section 6.4 (and RFC 3768 for v2), plus keepalived's
 * nopreempt, preempt_delay, "state MASTER", FAULT, and fulcrum's rise/fall
 * damping of FAULT.  doc/internals/vrrp-fsm.md has the details and the
 * places where we differ from keepalived. */
#ifndef FC_VRRP_VRRP_FSM_H
#define FC_VRRP_VRRP_FSM_H

#include <stdint.h>

#include "model/vrrp-t.h"

#define VRRP_FSM_NEVER	     UINT64_MAX /* a disarmed deadline */
#define VRRP_FSM_MAX_ACTIONS 8		/* one call queues at most 5 */
#define VRRP_FSM_REASON_LEN  128

enum vrrp_action_kind {
	VRRP_ACT_SET_STATE,	/* .state entered; fsm->reason says why */
	VRRP_ACT_BECOME_MASTER, /* add the VIPs */
	VRRP_ACT_BECOME_BACKUP, /* remove the VIPs */
	VRRP_ACT_SEND_ADVERT,	/* send one advert carrying .priority (0 = "I leave") */
	VRRP_ACT_SEND_GARP,	/* .count gratuitous ARPs / unsolicited NAs per VIP */
	VRRP_ACT_NOTIFY,	/* run notify_<.state> and notify; VRRP_INIT = notify_stop */
};

struct vrrp_action {
	enum vrrp_action_kind kind;
	enum vrrp_state state; /* SET_STATE, NOTIFY */
	uint8_t priority;      /* SEND_ADVERT */
	unsigned count;	       /* SEND_GARP */
};

struct vrrp_fsm_counters {
	uint64_t rx;		   /* adverts handed to vrrp_fsm_advert_rx */
	uint64_t rx_ignored;	   /* arrived in INIT or FAULT */
	uint64_t rx_own;	   /* source is our own address (looped back) */
	uint64_t rx_wrong_vrid;	   /* not ours: the caller demultiplexes badly */
	uint64_t rx_wrong_version; /* v2 advert to a v3 instance or the reverse */
	uint64_t rx_wrong_family;
	uint64_t rx_interval_mismatch; /* v2 only: RFC 3768 says discard */
	uint64_t rx_prio_zero;	       /* a master said it leaves */
	uint64_t rx_lower_discarded;   /* backup, preempting: lower master ignored */
	uint64_t rx_lower_master;      /* master saw a lower master: re-asserted */
	uint64_t tx_adverts;	       /* SEND_ADVERT actions queued */
	uint64_t tx_prio_zero;
	uint64_t master_down; /* Master_Down_Timer expiries */
	uint64_t to_master, to_backup, to_fault;
};

struct vrrp_fsm {
	const struct vrrp_instance *cfg; /* borrowed; must outlive the fsm */
	struct fc_addr local;		 /* our primary address: tie-breaks, master addr */
	enum vrrp_state state;
	uint8_t prio;		  /* effective priority (base + tracking) */
	unsigned adv_cs;	  /* our Advertisement_Interval */
	unsigned master_adv_cs;	  /* Master_Adver_Interval (v3 learns it) */
	struct fc_addr master;	  /* current master's address (ours when MASTER) */
	uint8_t master_prio;	  /* its last advertised priority */
	uint64_t adver_at;	  /* MASTER: next advert */
	uint64_t down_at;	  /* BACKUP: Master_Down_Timer */
	uint64_t preempt_at;	  /* BACKUP: end of preempt_delay */
	int lower_seen;		  /* BACKUP: current master is lower than us */
	uint64_t garp_delay_at;	  /* MASTER: the second GARP burst */
	uint64_t garp_refresh_at; /* MASTER: periodic GARP refresh */
	int faulted;		  /* damped fault view (FAULT once started) */
	int sync;		  /* member of a vrrp_sync_group (set by the caller):
				   * takes MASTER only when the group releases it */
	int want_master;	  /* BACKUP + sync: would be master now, held */
	char want_why[VRRP_FSM_REASON_LEN];
	unsigned fault_streak, ok_streak;
	struct vrrp_fsm_counters cnt;
	enum vrrp_state last_from; /* last transition: from, when, why */
	uint64_t last_at_ms;
	char reason[VRRP_FSM_REASON_LEN];
	struct vrrp_action act[VRRP_FSM_MAX_ACTIONS];
	unsigned n_act;
};

/* Set up in INIT; no actions.  `local` is the primary address adverts are
 * sent from (its family must match cfg->family for tie-breaks to work). */
void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_instance *cfg,
		   const struct fc_addr *local);
/* INIT -> MASTER (owner, or `state MASTER` without nopreempt), FAULT (a
 * damped fault is already on) or BACKUP. */
int vrrp_fsm_start(struct vrrp_fsm *f, uint64_t now_ms);
/* A decoded, validated advert for this instance. */
int vrrp_fsm_advert_rx(struct vrrp_fsm *f, const struct vrrp_advert *a, uint64_t now_ms);
/* Run whatever is due at now_ms. */
int vrrp_fsm_timer(struct vrrp_fsm *f, uint64_t now_ms);
/* Earliest armed deadline, VRRP_FSM_NEVER when none (INIT, FAULT). */
uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *f);
/* New effective priority from tracking, clamped to 1..254; ignored for an
 * address owner (255).  A master advertises the change at once. */
int vrrp_fsm_priority(struct vrrp_fsm *f, unsigned new_prio, uint64_t now_ms);
/* One fault observation (on = cannot serve).  Damped: cfg->fall consecutive
 * "on" enter FAULT, cfg->rise consecutive "off" leave it (0 counts as 1). */
int vrrp_fsm_fault(struct vrrp_fsm *f, int on, const char *reason, uint64_t now_ms);
/* Sync groups (keepalived semantics; the caller decides for the group).
 * A member (f->sync) whose timer says "master" (master down, preempt)
 * does not take over: it sets want_master and waits; release takes it to
 * MASTER (the caller does so when every member is MASTER or wants to be).
 * An advert that keeps it backup clears want_master. */
int vrrp_fsm_sync_release(struct vrrp_fsm *f, uint64_t now_ms);
/* A MASTER member steps down to BACKUP because another member of its group
 * did (a higher master appeared there); why names it. */
int vrrp_fsm_sync_backup(struct vrrp_fsm *f, const char *why, uint64_t now_ms);
/* Shutdown: a master sends priority 0 and drops its VIPs; -> INIT. */
int vrrp_fsm_stop(struct vrrp_fsm *f, uint64_t now_ms);

/* Master_Down_Interval and Skew_Time for the current priority and
 * Master_Adver_Interval, in ms (floored). */
uint64_t vrrp_fsm_skew_ms(const struct vrrp_fsm *f);
uint64_t vrrp_fsm_down_interval_ms(const struct vrrp_fsm *f);

const char *vrrp_fsm_state_name(enum vrrp_state s);

#endif
