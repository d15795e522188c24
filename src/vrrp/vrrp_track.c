/* VRRP tracking at run time: interfaces (RTMGRP_LINK subscription), the
 * vrrp_script runs, sync groups.  Everything is folded into one effective
 * priority and one fault observation per instance (vrun_track_all). */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/spawn.h"
#include "model/fulcrum-t.h"
#include "model/model-t.h"
#include "vrrp/vrrp_run-int.h"

/* ---- tracking ----------------------------------------------------------- */

static int link_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

static struct vscript *find_vscript(struct vrun *r, const char *name)
{
	struct vscript *s;

	for (s = r->scripts; s; s = s->next)
		if (!strcmp(s->cfg->name, name))
			return s;
	return NULL;
}

/* keepalived's weight rule: a positive weight is added while the tracked
 * thing is up, a negative one while it is down; weight 0 = FAULT when down. */
void vrun_own_view(struct vinst *vi, int *prio, int *fault)
{
	const struct vrrp_instance *c = vi->cfg;
	/* keepalived: in a sync group tracking weights are 0 (failure = FAULT)
	 * unless the group says sync_group_tracking_weight */
	int weights = !c->sync_group || c->sync_tracking_weight;
	unsigned i;

	*prio = c->priority;
	*fault = 0;
	vi->why[0] = 0;
	if (vi->setup_err[0]) {
		*fault = 1;
		snprintf(vi->why, sizeof(vi->why), "%s", vi->setup_err);
		return;
	}
	if (!c->dont_track_primary && !link_up(vi->if_flags)) {
		*fault = 1;
		snprintf(vi->why, sizeof(vi->why), "interface %s is down", c->ifname);
	}
	for (i = 0; i < c->n_track_ifs; i++) {
		int up = link_up(vi->tif_flags[i]), w = weights ? c->track_ifs[i].weight : 0;

		if (!w && !up) {
			*fault = 1;
			snprintf(vi->why, sizeof(vi->why), "track_interface %s is down",
				 c->track_ifs[i].name);
		} else if ((w > 0 && up) || (w < 0 && !up))
			*prio += w;
	}
	for (i = 0; i < c->n_track_scripts; i++) {
		struct vscript *s = find_vscript(vi->run, c->track_scripts[i].name);
		int w;

		if (!s || s->status < 0)
			continue;
		w = c->track_scripts[i].weight != VRRP_WEIGHT_UNSET ? c->track_scripts[i].weight
								    : s->cfg->weight;
		if (!weights)
			w = 0;
		if (!w && !s->status) {
			*fault = 1;
			snprintf(vi->why, sizeof(vi->why), "track_script %s failed", s->cfg->name);
		} else if ((w > 0 && s->status) || (w < 0 && !s->status))
			*prio += w;
	}
}

/* Folds every tracked input into each instance's priority and fault
 * observation; sync groups: a member in FAULT puts the group in FAULT. */
void vrun_track_all(struct vrun *r)
{
	struct vinst *vi, *o;
	static int depth;

	if (depth)
		return; /* vrun_execute() of a member calls back here */
	depth++;
	for (vi = r->inst; vi; vi = vi->next) {
		int prio;

		vrun_own_view(vi, &prio, &vi->own_fault);
		if (prio < 1)
			prio = 1;
		if (prio > 254)
			prio = 254;
		if (vi->cfg->priority != VRRP_PRIO_OWNER && prio != vi->fsm.prio && !vi->stopped) {
			vrrp_fsm_priority(&vi->fsm, (unsigned)prio, vrun_now_ms());
			vrun_execute(vi);
		}
	}
	for (vi = r->inst; vi; vi = vi->next) {
		int fault = vi->own_fault;
		char why[300];

		snprintf(why, sizeof(why), "%s", vi->why);
		for (o = r->inst; o && !fault && vi->cfg->sync_group; o = o->next)
			if (o != vi && o->own_fault && o->cfg->sync_group &&
			    !strcmp(o->cfg->sync_group, vi->cfg->sync_group)) {
				fault = 1;
				snprintf(why, sizeof(why), "sync group %s: %s is in fault",
					 vi->cfg->sync_group, o->cfg->name);
			}
		/* nothing to observe: settled and agreeing (a damped count in
		 * progress is fed by every call) */
		if (vi->stopped || (fault == vi->fsm.faulted &&
				    (fault ? !vi->fsm.ok_streak : !vi->fsm.fault_streak)))
			continue;
		vrrp_fsm_fault(&vi->fsm, fault, why[0] ? why : NULL, vrun_now_ms());
		vrun_execute(vi);
	}
	depth--;
}

static void on_link(int ifindex, const char *name, unsigned flags, int deleted, void *arg)
{
	struct vrun *r = arg;
	struct vinst *vi;
	unsigned i;

	if (deleted)
		flags = 0;
	for (vi = r->inst; vi; vi = vi->next) {
		if (!strcmp(vi->cfg->ifname, name) || ifindex == vi->ifindex)
			vi->if_flags = flags;
		for (i = 0; i < vi->cfg->n_track_ifs; i++)
			if (!strcmp(vi->cfg->track_ifs[i].name, name))
				vi->tif_flags[i] = flags;
	}
}

void vrun_refresh_links(struct vrun *r)
{
	struct vinst *vi;
	char err[ERRLEN];
	unsigned i;

	for (vi = r->inst; vi; vi = vi->next) {
		int ifx = vnl_ifindex(vi->cfg->ifname, err, sizeof(err));

		vi->if_flags = 0;
		if (ifx > 0)
			vnl_link_flags(&r->nl, ifx, &vi->if_flags, err, sizeof(err));
		for (i = 0; i < vi->cfg->n_track_ifs; i++) {
			vi->tif_flags[i] = 0;
			ifx = vnl_ifindex(vi->cfg->track_ifs[i].name, err, sizeof(err));
			if (ifx > 0)
				vnl_link_flags(&r->nl, ifx, &vi->tif_flags[i], err, sizeof(err));
		}
	}
}

void vrun_link_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct vrun *r = io->data;
	char err[ERRLEN];
	int rc;

	(void)l;
	(void)events;
	rc = vnl_link_sub_read(r->link_fd, on_link, r, err, sizeof(err));
	if (rc == 1)
		vrun_refresh_links(r);
	else if (rc < 0)
		log_warn("vrrp: link events: %s", err);
	vrun_track_all(r);
}

/* ---- vrrp_script runs --------------------------------------------------- */

static void script_timer(struct loop *l, struct ev_timer *t);

static void script_done(struct spawn_result *res, void *data)
{
	struct vscript *s = data;
	int ok = !res->timed_out && res->exited && res->exit_code == 0;
	unsigned rise = s->cfg->rise ? s->cfg->rise : 1, fall = s->cfg->fall ? s->cfg->fall : 1;
	int before = s->status;

	s->sp = NULL;
	if (ok) {
		s->fail_streak = 0;
		if (++s->ok_streak >= rise)
			s->status = 1;
	} else {
		s->ok_streak = 0;
		if (++s->fail_streak >= fall)
			s->status = 0;
	}
	if (s->status != before)
		log_info("vrrp_script %s: %s", s->cfg->name, s->status ? "succeeded" : "failed");
	/* every run is an observation for the instances' own rise/fall */
	vrun_track_all(s->run);
}

static void script_timer(struct loop *l, struct ev_timer *t)
{
	struct vscript *s = t->data;
	char err[ERRLEN];
	unsigned iv = s->cfg->interval_ms ? s->cfg->interval_ms : 1000;

	if (!s->sp) {
		s->sp = spawn_start(l, s->cfg->script, s->cfg->user,
				    s->cfg->timeout_ms ? s->cfg->timeout_ms : iv, script_done, s,
				    err, sizeof(err));
		if (!s->sp) {
			struct spawn_result res = {.exited = 1, .exit_code = 127};

			log_err("vrrp_script %s: %s", s->cfg->name, err);
			script_done(&res, s);
		}
	}
	loop_timer_start(l, t, iv);
}

void vrun_scripts_free(struct vrun *r, struct vscript *list)
{
	struct vscript *s, *n;

	for (s = list; s; s = n) {
		n = s->next;
		loop_timer_stop(r->fc->loop, &s->t);
		if (s->sp)
			spawn_cancel(s->sp);
		free(s);
	}
}

/* New script runners for cfg; status carried by name from the old ones
 * when the command line is the same. */
void vrun_scripts_apply(struct vrun *r, const struct config *cfg)
{
	struct vscript *old = r->scripts, **tail = &r->scripts, *o;
	const struct vrrp_script *sc;

	r->scripts = NULL;
	for (sc = cfg->vrrp.scripts; sc; sc = sc->next) {
		struct vscript *s = calloc(1, sizeof(*s));

		if (!s) {
			log_err("vrrp_script %s: out of memory", sc->name);
			continue;
		}
		s->run = r;
		s->cfg = sc;
		s->status = -1;
		for (o = old; o; o = o->next)
			if (!strcmp(o->cfg->name, sc->name) &&
			    !strcmp(o->cfg->script, sc->script)) {
				s->status = o->status;
				s->ok_streak = o->ok_streak;
				s->fail_streak = o->fail_streak;
			}
		loop_timer_init(&s->t, script_timer, s);
		loop_timer_start(r->fc->loop, &s->t, 0);
		*tail = s;
		tail = &s->next;
	}
	vrun_scripts_free(r, old);
}
