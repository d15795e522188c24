/* The node name cache (contract in node_dns.h): one entry a name, its
 * lookup a request to the daemon's resolver (core/resolve.h). */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cluster/node_dns.h"
#include "core/log.h"
#include "core/resolve.h"

struct dns_entry {
	char *name;
	struct fc_addr v4, v6;	 /* the last answer's first of each family (family 0: none) */
	int have;		 /* there was an answer */
	int failed;		 /* the last lookup failed */
	char why[128];		 /* ... why */
	uint64_t asked_ms;	 /* when the last lookup started */
	uint64_t used_ms;	 /* when node_dns_get last asked for it */
	struct resolve_req *req; /* the lookup while it runs */
	struct dns_entry *next;
};

static struct dns_entry *cache;
static void (*on_change)(void *arg);
static void *on_change_arg;

static struct dns_entry *entry_find(const char *name)
{
	struct dns_entry *e;

	for (e = cache; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static void entry_answer(void *ctx, int rc, const struct addrinfo *res);

static void entry_ask(struct loop *l, struct dns_entry *e, uint64_t now_ms)
{
	int rc;

	e->asked_ms = now_ms;
	e->req = resolve_start(l, e->name, entry_answer, e, &rc);
	if (e->req)
		return;
	if (!e->failed)
		log_warn("node name %s: lookup not started: %s%s", e->name, gai_strerror(rc),
			 e->have ? "; its last address is kept" : "");
	e->failed = 1;
	snprintf(e->why, sizeof(e->why), "%s", gai_strerror(rc));
}

static void entry_free(struct dns_entry *e)
{
	resolve_cancel(e->req);
	free(e->name);
	free(e);
}

/* The names nobody asked for in NODE_DNS_FORGET_MS. */
static void forget_unused(uint64_t now_ms)
{
	struct dns_entry **pp = &cache, *e;

	while ((e = *pp)) {
		if (now_ms - e->used_ms > NODE_DNS_FORGET_MS) {
			*pp = e->next;
			entry_free(e);
			continue;
		}
		pp = &e->next;
	}
}

/* Of an answer's first IPv4 and IPv6 address, the one of `family`, else
 * the other (NULL: none). */
static const struct fc_addr *pick(const struct fc_addr *v4, const struct fc_addr *v6, int family)
{
	if (family == AF_INET6 && v6->family)
		return v6;
	if (v4->family)
		return v4;
	return v6->family ? v6 : NULL;
}

enum node_dns_state node_dns_get(struct loop *l, const char *name, int family, uint64_t now_ms,
				 unsigned ttl_ms, struct fc_addr *out, char *why, size_t whylen)
{
	struct dns_entry *e;
	uint64_t again;

	if (why && whylen)
		why[0] = '\0';
	forget_unused(now_ms);
	e = entry_find(name);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->name = strdup(name))) {
			free(e);
			snprintf(why, whylen, "out of memory");
			return NODE_DNS_FAILED;
		}
		e->next = cache;
		cache = e;
		e->used_ms = now_ms;
		entry_ask(l, e, now_ms);
	} else {
		e->used_ms = now_ms;
		again = e->failed && ttl_ms > NODE_DNS_RETRY_MS ? NODE_DNS_RETRY_MS : ttl_ms;
		if (!e->req && now_ms - e->asked_ms >= again)
			entry_ask(l, e, now_ms);
	}
	if (e->have) {
		*out = *pick(&e->v4, &e->v6, family);
		if (!e->failed)
			return NODE_DNS_OK;
		snprintf(why, whylen, "%s", e->why);
		return NODE_DNS_STALE;
	}
	if (e->req && !e->failed)
		return NODE_DNS_PENDING;
	snprintf(why, whylen, "%s", e->why[0] ? e->why : "not resolved yet");
	return e->req ? NODE_DNS_PENDING : NODE_DNS_FAILED;
}

/* The lookup of e ended with rc (res: its answer): 1 if what node_dns_get
 * says changed. */
static int entry_done(struct dns_entry *e, int rc, const struct addrinfo *res)
{
	struct fc_addr v4 = {0}, v6 = {0};
	const struct addrinfo *ai;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	int was_failed = e->failed, changed;

	if (rc == 0) {
		for (ai = res; ai; ai = ai->ai_next) {
			struct fc_addr x;

			if (addr_from_sockaddr(&x, ai->ai_addr) < 0)
				continue;
			x.port = 0;
			if (x.family == AF_INET && !v4.family)
				v4 = x;
			else if (x.family == AF_INET6 && !v6.family)
				v6 = x;
		}
		if (!v4.family && !v6.family)
			rc = EAI_NODATA;
	}
	if (rc) {
		snprintf(e->why, sizeof(e->why), "%s", gai_strerror(rc));
		e->failed = 1;
		if (!was_failed)
			log_warn("node name %s cannot be resolved (%s)%s", e->name, e->why,
				 e->have ? "; its last address is kept until it can" : "");
		return !was_failed;
	}
	changed = !e->have || was_failed || !addr_ip_equal(&v4, &e->v4) ||
		  v4.family != e->v4.family || !addr_ip_equal(&v6, &e->v6) ||
		  v6.family != e->v6.family;
	if (e->have && changed && !was_failed)
		log_info("node name %s now resolves to %s (was %s)", e->name,
			 addr_format(pick(&v4, &v6, AF_INET), a, sizeof(a), 0),
			 addr_format(pick(&e->v4, &e->v6, AF_INET), b, sizeof(b), 0));
	else if (was_failed)
		log_info("node name %s resolves again", e->name);
	e->v4 = v4;
	e->v6 = v6;
	e->have = 1;
	e->failed = 0;
	e->why[0] = '\0';
	return changed;
}

static void entry_answer(void *ctx, int rc, const struct addrinfo *res)
{
	struct dns_entry *e = ctx;

	e->req = NULL;
	if (entry_done(e, rc, res) && on_change)
		on_change(on_change_arg);
}

void node_dns_notify(void (*changed)(void *arg), void *arg)
{
	on_change = changed;
	on_change_arg = arg;
}

void node_dns_flush(void)
{
	struct dns_entry *e, *next;

	for (e = cache; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	cache = NULL;
}
