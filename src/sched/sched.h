/* The scheduler registry: one explicit list of every scheduler. */
#ifndef FC_SCHED_SCHED_H
#define FC_SCHED_SCHED_H

#include "sched/sched-t.h"

const struct sched_ops *sched_find(const char *name);
/* NULL-terminated list, for help text and "nearest name" suggestions. */
extern const struct sched_ops *const sched_all[];

/* Set up s with the named ops; 0 or -1 with err. */
int sched_create(struct sched *s, const char *name, unsigned flags, char *err, size_t errlen);
void sched_destroy(struct sched *s);

/* xorshift64* step over s->rng (deterministic for tests). */
uint64_t sched_rand(struct sched *s);

#endif
