/* Internal to vrrp_run.c / vrrp_show.c: the run-time state. */
#ifndef FC_VRRP_VRRP_RUN_INT_H
#define FC_VRRP_VRRP_RUN_INT_H

#include <stdint.h>

#include "core/loop-t.h"
#include "core/loop.h"
#include "core/netlink.h"
#include "model/model-t.h"
#include "vrrp/vrrp_fsm.h"
#include "vrrp/vrrp_pkt.h"

struct vrun;

/* One running vrrp_script (shared by every instance that tracks it). */
struct vscript {
	struct vrun *run;
	const struct vrrp_script *cfg; /* borrowed from fc->cfg */
	struct spawn *sp;	       /* the run in progress, or NULL */
	struct ev_timer t;
	int status; /* -1 unknown yet, 0 failed, 1 ok (after rise/fall) */
	unsigned ok_streak, fail_streak;
	struct vscript *next;
};

struct vinst {
	struct vrun *run;
	const struct vrrp_instance *cfg; /* borrowed from fc->cfg */
	struct vrrp_fsm fsm;
	int fd; /* raw socket, -1 when it could not be opened */
	struct ev_io io;
	struct ev_timer t;
	struct ev_timer garp_t; /* paced GARP/NA (garp_interval / gna_interval) */
	unsigned garp_left;	/* messages still to send */
	unsigned garp_pos;	/* next VIP (index modulo n_vips) */
	int ifindex;
	unsigned if_flags;   /* of cfg->ifname */
	unsigned *tif_flags; /* per track_interface; 0 = down/missing */
	int *tif_index;
	struct fc_addr src;
	struct vrrp_replay replay;
	uint64_t hmac_seq;
	int own_fault;	     /* interface / scripts say FAULT (before sync groups) */
	char why[256];	     /* of own_fault */
	char setup_err[200]; /* socket / address problem: FAULT */
	uint64_t rx, rx_accepted, rx_not_peer, tx, tx_errors;
	uint64_t drop[VRRP_DROP__COUNT];
	int stopped;
	int tx_failing; /* the last send failed (log once per run) */
	int held_logged; /* "held by the sync group" said once per hold */
	struct vinst *next;
};

/* The state a sync group's notify scripts were last run for. */
struct vgroup_note {
	char *name;
	enum vrrp_state last;
	struct vgroup_note *next;
};

struct vrrp_hooks;

struct vrun {
	struct fulcrum *fc;
	const struct vrrp_hooks *hooks; /* apply's, from the last vrrp_run_apply */
	struct vgroup_note *groups;
	struct vnl nl;
	int link_fd;
	struct ev_io link_io;
	struct vinst *inst;
	struct vscript *scripts;
};

struct sbuf;

static inline uint64_t vrun_now_ms(void)
{
	return loop_clock_ms();
}

/* vrrp_run.c: run the actions the state machine queued, re-arm the timer. */
void vrun_execute(struct vinst *vi);

/* vrrp_track.c */
/* This instance's own view: effective priority (unclamped) and FAULT, with
 * the reason in vi->why. */
void vrun_own_view(struct vinst *vi, int *prio, int *fault);
/* Feed every instance its priority and fault observation (sync groups). */
void vrun_track_all(struct vrun *r);
/* Re-read the flags of every tracked interface. */
void vrun_refresh_links(struct vrun *r);
void vrun_link_io(struct loop *l, struct ev_io *io, uint32_t events);
/* Script runners for cfg's vrrp_scripts (status carried over by name). */
void vrun_scripts_apply(struct vrun *r, const struct config *cfg);
void vrun_scripts_free(struct vrun *r, struct vscript *list);

#endif
