/* What the VRRP state machine's tests share (test_vrrp_fsm.c,
 * test_vrrp_wire.c): an instance's configuration, an advert from a peer,
 * a fresh fsm and a look into its action queue.
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_VRRP_FSM_HARNESS_H
#define FC_TESTS_VRRP_FSM_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "vrrp/vrrp_fsm.h"

static inline void ip4(struct fc_addr *a, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a->u.v4), 1);
}

static inline void mkcfg(struct vrrp_instance *c, uint8_t prio, uint8_t version, unsigned adv_cs)
{
	memset(c, 0, sizeof(*c));
	c->name = "VI_1";
	c->initial = VRRP_BACKUP;
	c->vrid = 51;
	c->priority = prio;
	c->version = version;
	c->family = AF_INET;
	c->advert_int_cs = adv_cs;
	c->garp_master_delay_ms = 5000;
	c->garp_master_repeat = 5;
	c->rise = c->fall = 1;
}

static inline void mkadv(struct vrrp_advert *a, const struct vrrp_instance *c, uint8_t prio,
		  const char *src, unsigned adv_cs)
{
	memset(a, 0, sizeof(*a));
	a->version = c->version;
	a->vrid = c->vrid;
	a->priority = prio;
	a->advert_int_cs = (uint16_t)adv_cs;
	a->family = AF_INET;
	ip4(&a->src, src);
}

/* Index of the first action of `kind` in the queue, -1 if none. */
static inline int find_act(const struct vrrp_fsm *f, enum vrrp_action_kind kind)
{
	unsigned i;

	for (i = 0; i < f->n_act; i++)
		if (f->act[i].kind == kind)
			return (int)i;
	return -1;
}

static inline void fsm_new(struct vrrp_fsm *f, struct vrrp_instance *c, const char *local)
{
	struct fc_addr a;

	ip4(&a, local);
	vrrp_fsm_init(f, c, &a);
	assert_int_equal(f->state, VRRP_INIT);
	assert_int_equal(vrrp_fsm_next_deadline(f), VRRP_FSM_NEVER);
}

#endif
