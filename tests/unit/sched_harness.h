/* What the IPVS schedulers' tests share (test_sched.c, test_sched_hash.c):
 * a service of servers 10.0.0.1:80, 10.0.0.2:80, ... with given weights,
 * opened through the registry, and picks from it.
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_SCHED_HARNESS_H
#define FC_TESTS_SCHED_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "model/model-t.h"
#include "sched/sched.h"

#define MAXS 16

/* A service: servers 10.0.0.1:80, 10.0.0.2:80, ... with given weights. */
struct svc {
	struct fc_addr addr[MAXS];
	struct sched_server srv[MAXS];
	size_t n;
	struct sched s;
};

static inline void ip4(struct fc_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	assert_int_equal(inet_pton(AF_INET, ip, &a->u.v4), 1);
}

static inline void ip4n(struct fc_addr *a, uint32_t host_order, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	a->u.v4.s_addr = htonl(host_order);
}

static inline void svc_set(struct svc *v, const int *w, size_t n)
{
	char ip[32];
	size_t i;

	assert_true(n <= MAXS);
	v->n = n;
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%zu", i + 1);
		ip4(&v->addr[i], ip, 80);
		memset(&v->srv[i], 0, sizeof(v->srv[i]));
		v->srv[i].addr = &v->addr[i];
		v->srv[i].weight = w[i];
	}
}

static inline void svc_open(struct svc *v, const char *name, unsigned flags, const int *w, size_t n)
{
	char err[ERRLEN] = "";

	memset(v, 0, sizeof(*v));
	assert_int_equal(sched_create(&v->s, name, flags, err, sizeof(err)), 0);
	svc_set(v, w, n);
	assert_int_equal(v->s.ops->update(&v->s, v->srv, v->n), 0);
}

static inline void svc_update(struct svc *v)
{
	assert_int_equal(v->s.ops->update(&v->s, v->srv, v->n), 0);
}

static inline int svc_pick(struct svc *v, const struct fc_addr *client, const struct fc_addr *dest,
		    uint64_t now)
{
	struct sched_input in = {.client = client, .dest = dest, .now_ms = now};
	int r = v->s.ops->pick(&v->s, v->srv, v->n, &in);

	assert_true(r >= -1 && r < (int)v->n);
	if (r >= 0) {
		assert_true(v->srv[r].weight > 0);
		assert_false(v->srv[r].overloaded);
	}
	return r;
}

static inline int pick0(struct svc *v)
{
	struct fc_addr c, d;

	ip4(&c, "192.0.2.1", 40000);
	ip4(&d, "198.51.100.1", 80);
	return svc_pick(v, &c, &d, 0);
}

/* k picks as letters, A = server 0, '-' = none. */
static inline const char *seq(struct svc *v, int k)
{
	static char buf[128];
	int i, r;

	assert_true(k < (int)sizeof(buf));
	for (i = 0; i < k; i++) {
		r = pick0(v);
		buf[i] = r < 0 ? '-' : (char)('A' + r);
	}
	buf[k] = 0;
	return buf;
}

static inline void svc_close(struct svc *v)
{
	sched_destroy(&v->s);
}

/* Server i's connection counts, as the least-connection schedulers read them. */
static inline void conns(struct svc *v, size_t i, uint32_t active, uint32_t inact)
{
	v->srv[i].activeconns = active;
	v->srv[i].inactconns = inact;
}

#endif
