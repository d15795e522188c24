/* Scheduler types.  A scheduler is a const struct sched_ops in its own file
 * (src/sched/sched_<name>.c), a pure function of the server array plus the
 * private state it keeps between picks (rr position, Maglev table...). */
#ifndef FC_SCHED_SCHED_T_H
#define FC_SCHED_SCHED_T_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* What a scheduler sees of one real server.  The array holds every server
 * that is in the service's table, as IPVS's destination list does: a server
 * that is down without inhibit_on_failure is left out; a drained, disabled,
 * or inhibited one is there with weight 0 (IPVS "quiescent"). */
struct sched_server {
	const struct fc_addr *addr;
	int weight;              /* 0 = takes no new connections */
	uint32_t activeconns;
	uint32_t inactconns;
	unsigned overloaded : 1; /* IPVS IP_VS_DEST_F_OVERLOAD (uthreshold reached) */
};

/* What is known about the connection being placed. */
struct sched_input {
	const struct fc_addr *client; /* source address and port */
	const struct fc_addr *dest;   /* destination (the VIP); dh, lblc, lblcr hash on it */
	uint64_t now_ms;              /* for lblc/lblcr expiry */
	/* haproxy's hashing balance (hash, chash): the request's key (the
	 * URI, a parameter, a header...), or NULL to hash the client's
	 * address; the HTTP engine fills it per hp_balance. */
	const void *key;
	size_t keylen;
	unsigned draws;               /* random: servers drawn (balance random(N)); 0 = 2 */
};

struct sched;

struct sched_ops {
	const char *name; /* as written after lb_algo: "rr", "wlc", "mh"... */
	/* Allocate s->priv if needed.  0 or -1 with err. */
	int (*init)(struct sched *s, char *err, size_t errlen);
	/* The server array changed (set, order, weights): rebuild tables.
	 * Called once after init and after every change, before pick. */
	int (*update)(struct sched *s, const struct sched_server *srv, size_t n);
	/* Index of the chosen server, or -1 if none can take the connection. */
	int (*pick)(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in);
	/* Free s->priv. */
	void (*done)(struct sched *s);
	/* 1: pick may run on several threads at once with no lock around it
	 * (doc/internals/threads.md, "Scheduling across workers"): it reads
	 * srv[] and the tables update built, and writes nothing but atomics
	 * (rr and wrr's shared position).  update still runs alone: the
	 * proxy calls it only while no thread picks (workers parked).  0:
	 * the caller serialises picks (lblc, lblcr: their tables; twos,
	 * random: the generator). */
	unsigned shared;
};

struct sched {
	const struct sched_ops *ops;
	void *priv;       /* owned by the scheduler */
	unsigned flags;   /* SCHED_F_* from model-t.h */
	uint64_t rng;     /* xorshift state for twos; seeded by sched_create */
};

#endif
