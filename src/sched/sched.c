/* The scheduler registry and the helpers the scheduler files share. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sched/sched-int.h"
#include "sched/sched.h"

/* The order is the one ipvsadm's man page lists them in. */
const struct sched_ops *const sched_all[] = {
    &sched_rr_ops,    &sched_wrr_ops, &sched_lc_ops, &sched_wlc_ops,  &sched_lblc_ops,
    &sched_lblcr_ops, &sched_dh_ops,  &sched_sh_ops, &sched_sed_ops,  &sched_nq_ops,
    &sched_fo_ops,    &sched_ovf_ops, &sched_mh_ops, &sched_twos_ops,
    /* haproxy's balance algorithms that IPVS has no equivalent of */
    &sched_first_ops, &sched_random_ops, &sched_hash_ops, &sched_chash_ops, NULL,
};

/* Fixed seed: two directors with the same configuration make the same
 * random choices in the same order (and tests are reproducible). */
#define SCHED_RNG_SEED 0x9E3779B97F4A7C15ull

const struct sched_ops *sched_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; sched_all[i]; i++)
		if (strcmp(sched_all[i]->name, name) == 0)
			return sched_all[i];
	return NULL;
}

int sched_create(struct sched *s, const char *name, unsigned flags, char *err, size_t errlen)
{
	const struct sched_ops *ops = sched_find(name);

	memset(s, 0, sizeof(*s));
	if (!ops)
		return err_set(err, errlen, "unknown scheduler '%s'", name ? name : "(null)");
	s->ops = ops;
	s->flags = flags;
	s->rng = SCHED_RNG_SEED;
	if (ops->init(s, err, errlen) < 0) {
		s->ops = NULL;
		return -1;
	}
	if (ops->update(s, NULL, 0) < 0) {
		ops->done(s);
		memset(s, 0, sizeof(*s));
		return err_set(err, errlen, "scheduler '%s': cannot set up its tables", name);
	}
	return 0;
}

void sched_destroy(struct sched *s)
{
	if (s->ops)
		s->ops->done(s);
	memset(s, 0, sizeof(*s));
}

/* xorshift64* (Vigna): small, fast, good enough to pick servers. */
uint64_t sched_rand(struct sched *s)
{
	uint64_t x = s->rng ? s->rng : SCHED_RNG_SEED;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint32_t sched_addr_fold(const struct fc_addr *a)
{
	const uint8_t *p;
	uint32_t fold = 0;
	int i;

	if (a->family == AF_INET6) {
		p = a->u.v6.s6_addr;
		for (i = 0; i < 16; i += 4)
			fold ^= (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
				(uint32_t)p[i + 2] << 8 | p[i + 3];
		return fold;
	}
	p = (const uint8_t *)&a->u.v4.s_addr;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int ident_equal(const struct fc_addr *a, const struct fc_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return 0;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
	return a->u.v4.s_addr == b->u.v4.s_addr;
}

void sched_ident_map(const struct sched_ident *old, const struct sched_server *srv, size_t n,
		     int *map)
{
	size_t i, j;

	for (i = 0; i < old->n; i++) {
		map[i] = -1;
		for (j = 0; j < n; j++) {
			if (srv[j].addr && ident_equal(&old->addr[i], srv[j].addr)) {
				map[i] = (int)j;
				break;
			}
		}
	}
}

int sched_ident_set(struct sched_ident *id, const struct sched_server *srv, size_t n)
{
	struct fc_addr *addr = NULL;
	int *lw = NULL, *map = NULL;
	size_t i;

	if (n) {
		addr = calloc(n, sizeof(*addr));
		lw = calloc(n, sizeof(*lw));
		if (!addr || !lw)
			goto fail;
	}
	if (id->n) {
		map = malloc(id->n * sizeof(*map));
		if (!map)
			goto fail;
		sched_ident_map(id, srv, n, map);
		for (i = 0; i < id->n; i++)
			if (map[i] >= 0)
				lw[map[i]] = id->last_weight[i];
		free(map);
	}
	for (i = 0; i < n; i++) {
		if (srv[i].addr)
			addr[i] = *srv[i].addr;
		/* IPVS keeps last_weight at the latest non-zero weight, so a
		 * server set to weight 0 keeps its place in hash tables. */
		if (srv[i].weight > 0)
			lw[i] = srv[i].weight;
	}
	sched_ident_free(id);
	id->addr = addr;
	id->last_weight = lw;
	id->n = n;
	return 0;
fail:
	free(addr);
	free(lw);
	return -1;
}

void sched_ident_free(struct sched_ident *id)
{
	free(id->addr);
	free(id->last_weight);
	id->addr = NULL;
	id->last_weight = NULL;
	id->n = 0;
}

int sched_noop_init(struct sched *s, char *err, size_t errlen)
{
	return 0;
}

int sched_noop_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	return 0;
}

void sched_noop_done(struct sched *s)
{
}
