/* Stick tables in the HTTP engine: a backend's `stick` rules (read by
 * src/http/stick_rule.c) on each transaction, as HAProxy 2.6 runs them.
 *
 *   request   rules in order; a match/on rule whose condition holds and
 *             whose key is in its table sends the request to the server
 *             stored there if that server may take it (up or draining, or
 *             any state with `option persist`), unless the persistence
 *             cookie chose already; the first store-request/on rule per
 *             table keeps its key for later.
 *   response  store-response rules add their keys (response fetches);
 *             then each kept key is stored with the server that answered,
 *             so a client whose server went down and was redispatched
 *             sticks to the new one.
 *
 * A key is the sample cast to the table's type: ip (IPv4 only), ipv6 (an
 * IPv4 address mapped), integer, string and binary cut at `len`.  The
 * tables are process-wide (stktable.h); a stream holds only its kept
 * keys, freed when its transaction ends. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/acl.h"
#include "http/rules.h"
#include "http/sample.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"
#include "proxy/stktable.h"

#define HST_KEY_MAX 1024 /* the longest `len` the reader takes */

/* A kept key: one to store with the server that answers (s->x->st_store),
 * or a match rule's (s->x->st_match) with the server found for it (rs, the
 * lookup made without the engine lock) or still to look up (rs NULL). */
struct hst_store {
	struct stktable *t;
	const struct real_server *rs;
	size_t klen;
	unsigned char key[];
};

/* The sample's key for table d in k[HST_KEY_MAX]: its length, or 0 if the
 * sample has no such form (an IPv6 address for an ip table). */
static size_t key_of(const struct hp_stick_table *d, struct sample *sm, unsigned char *k)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	size_t n;

	switch (d->type) {
	case HP_ST_IP:
		if (!smp_cast(sm, SMP_T_ADDR) || sm->addr.family != AF_INET)
			return 0;
		memcpy(k, &sm->addr.u.v4, 4);
		return 4;
	case HP_ST_IPV6:
		if (!smp_cast(sm, SMP_T_ADDR))
			return 0;
		if (sm->addr.family == AF_INET) {
			memcpy(k, mapped, 12);
			memcpy(k + 12, &sm->addr.u.v4, 4);
		} else {
			memcpy(k, &sm->addr.u.v6, 16);
		}
		return 16;
	case HP_ST_INT:
		if (!smp_cast(sm, SMP_T_SINT))
			return 0;
		memcpy(k, &sm->sint, sizeof(sm->sint));
		return sizeof(sm->sint);
	case HP_ST_STR:
	case HP_ST_BIN:
		if (!smp_cast(sm, SMP_T_STR))
			return 0;
		n = sm->len < d->len ? sm->len : d->len;
		if (n > HST_KEY_MAX)
			n = HST_KEY_MAX;
		memcpy(k, sm->str, n);
		return n ? n : 0;
	default:
		return 0;
	}
}

/* r's table: the registry is asked once per rule (the rules are a
 * model's: a reload brings new ones, which ask again, so a table remade
 * for a new definition is the one they find), then the pointer is read
 * with one atomic load.  The engine asks when it commits the model
 * (hst_bind_tables, the workers parked), so a request finds it there; a
 * table that could not be made then (out of memory) is asked for again at
 * its use.  Tables are never freed while the process runs, and every
 * worker that races such a use finds the same one. */
static struct stktable *rule_table(const struct stick_rule *r)
{
	struct stick_rule *w = (struct stick_rule *)r; /* the cache alone is written */
	struct stktable *t = atomic_load_explicit(&w->st, memory_order_acquire);

	if (t)
		return t;
	t = stktable_find(r->tpx->name, &r->tpx->stick);
	if (t)
		atomic_store_explicit(&w->st, t, memory_order_release);
	return t;
}

static void bind_rules(const struct http_proxy *px)
{
	const struct stick_rule *r;

	for (r = px && px->rules ? px->rules->stick : NULL; r; r = r->next)
		(void)rule_table(r);
}

void hst_bind_tables(const struct http_proxy *fe)
{
	const struct http_proxy *hp;
	const struct use_be *u;

	bind_rules(fe);
	bind_rules(fe->default_be);
	for (u = fe->rules ? fe->rules->use_be : NULL; u; u = u->next) {
		bind_rules(u->be);
		for (hp = u->all; hp; hp = hp->next) /* a name built per request */
			bind_rules(hp);
	}
}

/* The rule's key on the transaction, and its table: 0 if the rule does
 * not apply (condition, missing sample, no table). */
static size_t rule_key(struct hstream *s, const struct stick_rule *r, unsigned char *k,
		       struct stktable **t)
{
	struct smp_ctx c = {.t = &s->x->txn};
	struct sample sm;
	size_t n;

	if (!cond_eval(r->cond, &s->x->txn) || !smp_eval(&r->expr, &c, &sm))
		return 0;
	n = key_of(&r->tpx->stick, &sm, k);
	if (!n)
		return 0;
	*t = rule_table(r);
	return *t ? n : 0;
}

/* Key k[0..n) of table t, found server rs (or NULL: to look up), at the
 * end of *v (*nv entries): 0, or -1 out of memory. */
static int push(struct hst_store ***v, unsigned *nv, struct stktable *t,
		const struct real_server *rs, const unsigned char *k, size_t n)
{
	struct hst_store *st, **w;

	w = realloc(*v, (*nv + 1) * sizeof(*w));
	if (!w)
		return -1;
	*v = w;
	st = malloc(sizeof(*st) + n);
	if (!st)
		return -1;
	st->t = t;
	st->rs = rs;
	st->klen = n;
	memcpy(st->key, k, n);
	(*v)[(*nv)++] = st;
	return 0;
}

/* Keep key for the response, once per table; -1 out of memory. */
static int keep(struct hstream *s, struct stktable *t, const unsigned char *k, size_t n)
{
	unsigned i;

	for (i = 0; i < s->x->st_nstore; i++)
		if (s->x->st_store[i]->t == t)
			return 0;
	return push(&s->x->st_store, &s->x->st_nstore, t, NULL, k, n);
}

static void drop_all(struct hst_store ***v, unsigned *nv)
{
	unsigned i;

	for (i = 0; i < *nv; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*nv = 0;
}

void hst_clear(struct hstream *s)
{
	drop_all(&s->x->st_store, &s->x->st_nstore);
	drop_all(&s->x->st_match, &s->x->st_nmatch);
}

/* The server named `name` in the backend (the configuration), or NULL. */
static const struct real_server *by_name(const struct hstream *s, const char *name)
{
	const struct real_server *rs;

	for (rs = s->be->pool->rs; rs; rs = rs->next)
		if (rs->name && !strcmp(rs->name, name))
			return rs;
	return NULL;
}

/* 1 if rs may take the request (its state read as atomics, no engine lock). */
static int usable(const struct hstream *s, const struct real_server *rs)
{
	return rs_available(rs) || rs_admin_of(rs) == RS_ADMIN_DRAIN ||
	       (s->be->options & HP_OPT_PERSIST);
}

/* Table t's server for key k[0..n), if it names one of the backend's. */
static const struct real_server *lookup(struct hstream *s, struct stktable *t,
					const unsigned char *k, size_t n)
{
	char name[STK_SRV_NAME];

	return stktable_get(t, k, n, loop_now(hs_loop(s)), name) ? by_name(s, name) : NULL;
}

/* Without the engine lock.  A match rule's lookup is made here while no
 * persistence cookie may send the request elsewhere (hck_may_direct) and
 * no earlier rule found a server; else its key waits for hst_resolve, so
 * that the tables see the same lookups, in the same order, as if all of it
 * ran at once under the lock (a lookup refreshes its entry). */
int hst_request(struct hstream *s)
{
	unsigned char k[HST_KEY_MAX];
	const struct stick_rule *r;
	const struct real_server *rs;
	struct stktable *t;
	int now = !hck_may_direct(s);
	size_t n;

	hst_clear(s);
	if (!s->be->rules)
		return 0;
	for (r = s->be->rules->stick; r; r = r->next) {
		if (r->kind == STICK_STORE_RESP || !(n = rule_key(s, r, k, &t)))
			continue;
		if (r->kind & STICK_MATCH) {
			rs = now ? lookup(s, t, k, n) : NULL;
			if ((!now || rs) && push(&s->x->st_match, &s->x->st_nmatch, t, rs, k, n) < 0)
				return -1;
			now &= !rs;
		}
		if ((r->kind & STICK_STORE_REQ) && keep(s, t, k, n) < 0)
			return -1;
	}
	return 0;
}

void hst_resolve(struct hstream *s)
{
	const struct real_server *rs;
	const struct hst_store *m;
	unsigned i;

	for (i = 0; i < s->x->st_nmatch && !s->ck_direct; i++) {
		m = s->x->st_match[i];
		rs = m->rs ? m->rs : lookup(s, m->t, m->key, m->klen);
		if (rs && usable(s, rs)) {
			rs_live_unref(s->ck_live);
			s->ck_live = rs_live_ref(rs->live);
			s->ck_addr = rs->addr;
			s->ck_direct = 1;
		}
	}
	drop_all(&s->x->st_match, &s->x->st_nmatch);
}

void hst_response(struct hstream *s)
{
	unsigned char k[HST_KEY_MAX];
	const struct stick_rule *r;
	const struct real_server *rs;
	struct stktable *t;
	unsigned i;
	size_t n;

	if (!s->be || !s->be->rules || !s->be->pool || !s->live)
		return;
	for (r = s->be->rules->stick; r; r = r->next)
		if (r->kind == STICK_STORE_RESP && (n = rule_key(s, r, k, &t)))
			(void)keep(s, t, k, n); /* out of memory: not stored, as a full table */
	for (rs = s->be->pool->rs; rs && rs->live != s->live; rs = rs->next)
		;
	for (i = 0; rs && rs->name && i < s->x->st_nstore; i++)
		(void)stktable_put(s->x->st_store[i]->t, s->x->st_store[i]->key, s->x->st_store[i]->klen, rs->name,
				   loop_now(hs_loop(s)));
	hst_clear(s);
}
