/* Ids and map writes of the XDP engine (contract: xdp_maps.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/ctr.h"
#include "model/model.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_ring.h"

#define MAPFD(x, m) ((x)->fd.m)

/* ---- helpers ---- */

void xdp_addr_to_fx(const struct fc_addr *a, union fx_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET)
		memcpy(out->b, &a->u.v4, 4);
	else if (a->family == AF_INET6)
		memcpy(out->b, &a->u.v6, 16);
}

static uint8_t fx_family(sa_family_t f)
{
	return f == AF_INET6 ? FX_AF_INET6 : FX_AF_INET;
}

void xdp_stats_zero(struct xdp_engine *x, int fd, uint32_t idx)
{
	struct fx_stats *v = calloc((size_t)x->ncpus, sizeof(*v));

	if (!v)
		return;
	if (bpf_map_update_elem(fd, &idx, v, BPF_ANY) < 0)
		log_warn("xdp: cannot reset counters slot %u: %s", idx, strerror(errno));
	free(v);
}

int xdp_stats_sum(struct xdp_engine *x, int fd, uint32_t idx, struct fx_stats *sum)
{
	struct fx_stats *v = calloc((size_t)x->ncpus, sizeof(*v));
	int i;

	memset(sum, 0, sizeof(*sum));
	if (!v)
		return -1;
	if (bpf_map_lookup_elem(fd, &idx, v) < 0) {
		free(v);
		return -1;
	}
	for (i = 0; i < x->ncpus; i++) {
		sum->pkts += v[i].pkts;
		sum->bytes += v[i].bytes;
		sum->conns += v[i].conns;
	}
	free(v);
	return 0;
}

void xdp_stats_rebase(struct xdp_engine *x, int fd, uint32_t idx, const struct fc_stats *now,
		      struct fc_stats *base)
{
	struct fx_stats m;

	*base = *now;
	if (xdp_stats_sum(x, fd, idx, &m) < 0)
		return;
	/* unsigned wrap-around is intended: base + map == now */
	base->conns -= m.conns;
	base->inpkts -= m.pkts;
	base->inbytes -= m.bytes;
}

#define WALK_BATCH 1024

static int walk_slow(int fd, size_t keysz, size_t valsz, size_t max,
		     int (*fn)(const void *key, const void *val, void *ctx), void *ctx)
{
	unsigned char key[64], next[64], val[64];
	void *prev = NULL;
	size_t seen = 0;

	if (keysz > sizeof(key) || valsz > sizeof(val))
		return -1;
	while (seen < max && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, keysz);
		prev = key;
		seen++;
		if (bpf_map_lookup_elem(fd, key, val) < 0)
			continue; /* deleted meanwhile (LRU) */
		if (fn(key, val, ctx))
			break;
	}
	return 0;
}

int xdp_map_walk(int fd, size_t keysz, size_t valsz, size_t max,
		 int (*fn)(const void *key, const void *val, void *ctx), void *ctx)
{
	unsigned char *keys = malloc(WALK_BATCH * keysz), *vals = malloc(WALK_BATCH * valsz);
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint64_t token = 0;
	size_t seen = 0, i;
	int first = 1, rc = 0, done = 0, stop = 0;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	while (!done && !stop && seen < max) {
		__u32 count = WALK_BATCH;

		/* the batch token is opaque; a hash map's is a bucket index */
		rc =
		    bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count, &o);
		if (rc < 0 && errno != ENOENT) {
			if (first) {
				free(keys);
				free(vals);
				return walk_slow(fd, keysz, valsz, max, fn, ctx);
			}
			break;
		}
		done = rc < 0; /* ENOENT: this was the last batch */
		first = 0;
		for (i = 0; i < count && seen < max && !stop; i++, seen++)
			stop = fn(keys + i * keysz, vals + i * valsz, ctx);
	}
	free(keys);
	free(vals);
	return 0;
}

int xdp_least_kind(const char *sched)
{
	static const char *const names[] = {
	    [FX_LEAST_LC] = "lc", [FX_LEAST_WLC] = "wlc", [FX_LEAST_SED] = "sed",
	    [FX_LEAST_NQ] = "nq"};
	size_t i;

	for (i = 0; sched && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(sched, names[i]))
			return (int)i;
	return -1;
}

void xdp_active_set(struct xdp_engine *x, uint32_t rs_id, int64_t n)
{
	if (bpf_map_update_elem(MAPFD(x, active), &rs_id, &n, BPF_ANY) < 0)
		log_warn("xdp: cannot set the active count of slot %u: %s", rs_id,
			 strerror(errno));
}

/* ---- ids ---- */

int xdp_vs_id_alloc(struct xdp_engine *x, uint32_t *id)
{
	uint32_t i;

	uint64_t zero = 0;

	for (i = 0; i < FX_MAX_VS; i++)
		if (!x->vs_used[i]) {
			x->vs_used[i] = 1;
			xdp_stats_zero(x, MAPFD(x, vs_stats), i);
			if (bpf_map_update_elem(MAPFD(x, seq), &i, &zero, BPF_ANY) < 0)
				log_warn("xdp: cannot reset sequence position %u: %s", i,
					 strerror(errno));
			*id = i;
			return 0;
		}
	return -1;
}

void xdp_vs_id_free(struct xdp_engine *x, uint32_t id)
{
	if (id < FX_MAX_VS)
		x->vs_used[id] = 0;
}

int xdp_rs_id_alloc(struct xdp_engine *x, uint32_t vs_id, uint32_t *id)
{
	uint32_t k, i;

	for (k = 0; k < FX_MAX_RS; k++) {
		i = (x->rs_next + k) % FX_MAX_RS;
		if (x->rs_used[i])
			continue;
		x->rs_used[i] = 1;
		x->rs_vs[i] = vs_id;
		x->rs_next = (i + 1) % FX_MAX_RS;
		xdp_stats_zero(x, MAPFD(x, rs_stats), i);
		xdp_active_set(x, i, 0);
		*id = i;
		return 0;
	}
	return -1;
}

void xdp_rs_id_free(struct xdp_engine *x, uint32_t id)
{
	if (id < FX_MAX_RS) {
		x->rs_used[id] = 0;
		x->rs_vs[id] = FX_RS_NONE;
	}
}

/* ---- servers ---- */

static int is_dr(const struct xdp_vs *xv)
{
	return xv->vs && xv->vs->fwd == FWD_DR;
}

int xdp_srv_resolve(struct xdp_vs *xv, struct xdp_srv *s, int quiet, char *err, size_t errlen)
{
	struct xdp_nexthop nh;
	char a[ADDR_STRLEN], e[ERRLEN];

	memset(&nh, 0, sizeof(nh));
	addr_format(&s->addr, a, sizeof(a), 0);
	if (xdp_nexthop_lookup(&s->addr, &nh, e, sizeof(e)) < 0) {
		/* this host (ldirectord's fallback=127.0.0.1:80 gate): no next
		 * hop to find, the program passes its flows to our own stack */
		if (xdp_addr_local(&s->addr, e, sizeof(e)) == 1) {
			if (!s->local)
				log_info("xdp: %s: %s %s is this host: its flows are passed "
					 "unchanged to this host's stack (IPVS forwarding Local)",
					 xv->name, s->sorry ? "sorry server" : "real server", a);
			s->local = 1;
			s->nh_ok = 0;
			return 0;
		}
		s->local = 0;
		if (!quiet || s->nh_ok)
			log_warn("xdp: %s: real server %s: %s; it takes no new flows until it "
				 "can be reached",
				 xv->name, a, e);
		s->nh_ok = 0;
		return 0;
	}
	if (is_dr(xv) && !nh.onlink)
		return err_set(
		    err, errlen,
		    "real server %s is reached through a gateway: lb_kind DR needs it on "
		    "a network the director is directly connected to (use lb_kind TUN "
		    "or NAT)",
		    a);
	/* A MAC once known stays in use while the neighbour entry is being
	 * refreshed or was garbage-collected (XDP traffic bypasses the
	 * kernel's neighbour code, so entries age out under load): dropping
	 * it would drop the server's established flows (DROP_NO_MAC).  The
	 * lookup has nudged the kernel to resolve it again. */
	if (!nh.resolved && s->nh_ok && s->nh.resolved && s->nh.ifindex == nh.ifindex) {
		memcpy(nh.mac, s->nh.mac, sizeof(nh.mac));
		nh.resolved = 1;
	}
	s->nh = nh;
	s->nh_ok = 1;
	s->local = 0;
	return 0;
}

/* Looked up for the first time (not in the maps yet) and the next hop's
 * MAC still unknown: a server the settle wait is for. */
static int srv_settling(const struct xdp_srv *s)
{
	return !s->written && s->nh_ok && !s->nh.resolved;
}

void xdp_srv_settle(struct xdp_vs *xv)
{
	struct xdp_engine *x = xv->x;
	uint64_t round = x->loop ? loop_now(x->loop) : 0, start = loop_clock_ms(), spent;
	struct timespec poll = {0, XDP_NEIGH_POLL_MS * 1000000L};
	char err[ERRLEN];
	size_t i, left;

	if (!x->loop || round != x->wait_round) {
		x->wait_round = round;
		x->wait_left_ms = XDP_NEIGH_WAIT_MS;
	}
	for (;;) {
		for (i = 0, left = 0; i < xv->n; i++) {
			struct xdp_srv *s = &xv->srv[i];

			if (!srv_settling(s))
				continue;
			/* the first lookup (add_srv) started ARP / ND; this
			 * one reads the answer */
			if (xdp_srv_resolve(xv, s, 1, err, sizeof(err)) < 0)
				log_warn("xdp: %s: %s", xv->name, err);
			left += srv_settling(s);
		}
		spent = loop_clock_ms() - start;
		if (!left || spent >= x->wait_left_ms)
			break;
		nanosleep(&poll, NULL);
	}
	spent = loop_clock_ms() - start;
	x->wait_left_ms = spent >= x->wait_left_ms ? 0 : x->wait_left_ms - (unsigned)spent;
	if (left)
		log_warn("xdp: %s: %zu real server(s) without a known MAC after the wait; they "
			 "take new flows once their neighbour entry resolves",
			 xv->name, left);
}

static const struct xdp_srv *find_prev(const struct xdp_srv *prev, size_t nprev,
				       const struct fc_addr *a, int sorry)
{
	size_t i;

	for (i = 0; i < nprev; i++)
		if (prev[i].sorry == sorry && addr_equal(&prev[i].addr, a))
			return &prev[i];
	return NULL;
}

static int add_srv(struct xdp_vs *xv, struct xdp_srv *t, const struct real_server *rs, int sorry,
		   const struct xdp_srv *prev, size_t nprev, char *err, size_t errlen)
{
	const struct xdp_srv *p = find_prev(prev, nprev, &rs->addr, sorry);

	if (p) {
		*t = *p;
		t->live = rs_live_ref(rs->live);
		if (p->live != rs->live) { /* a new live object: go on from its figures */
			struct fc_stats cur;

			ctr_main_get(&rs->live->ctr, &cur);
			xdp_stats_rebase(xv->x, xv->x->fd.rs_stats, t->rs_id, &cur, &t->base);
		}
		return 0;
	}
	memset(t, 0, sizeof(*t));
	t->addr = rs->addr;
	t->sorry = sorry;
	t->admin = rs->live->admin;
	if (xdp_rs_id_alloc(xv->x, xv->vs_id, &t->rs_id) < 0)
		return err_set(err, errlen, "the XDP engine serves at most %d real servers in all",
			       FX_MAX_RS);
	t->live = rs_live_ref(rs->live);
	ctr_main_get(&rs->live->ctr, &t->base);
	if (xdp_srv_resolve(xv, t, 0, err, errlen) < 0) {
		xdp_rs_id_free(xv->x, t->rs_id);
		rs_live_unref(t->live);
		return -1;
	}
	return 0;
}

int xdp_srv_build(struct xdp_vs *xv, const struct xdp_srv *prev, size_t nprev, struct xdp_srv **out,
		  size_t *nout, char *err, size_t errlen)
{
	const struct virtual_server *vs = xv->vs;
	const struct real_server *rs;
	struct xdp_srv *t;
	size_t n = vs->pool->sorry ? 1 : 0, k = 0;

	for (rs = vs->pool->rs; rs; rs = rs->next)
		n++;
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t)
		return err_set(err, errlen, "out of memory");
	for (rs = vs->pool->rs; rs; rs = rs->next, k++)
		if (add_srv(xv, &t[k], rs, 0, prev, nprev, err, errlen) < 0)
			goto fail;
	if (vs->pool->sorry &&
	    add_srv(xv, &t[k++], vs->pool->sorry, 1, prev, nprev, err, errlen) < 0)
		goto fail;
	*out = t;
	*nout = n;
	return 0;
fail:
	xdp_srv_release(xv->x, t, k, prev, nprev, 0);
	return -1;
}

static int kept(const struct xdp_srv *keep, size_t nkeep, uint32_t rs_id)
{
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i].rs_id == rs_id)
			return 1;
	return 0;
}

struct persist_drop {
	uint32_t rs_id;
	struct fx_persist_key *keys;
	size_t n, cap;
};

static int collect_persist(const void *key, const void *val, void *ctx)
{
	const struct fx_persist *p = val;
	struct persist_drop *d = ctx;

	if (p->rs_id != d->rs_id)
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct fx_persist_key *k = realloc(d->keys, cap * sizeof(*k));

		if (!k)
			return 1;
		d->keys = k;
		d->cap = cap;
	}
	memcpy(&d->keys[d->n++], key, sizeof(*d->keys));
	return 0;
}

/* Forget the persistence templates that send clients to rs_id (IPVS drops
 * a removed or disabled server's templates). */
static void persist_drop(struct xdp_engine *x, uint32_t rs_id)
{
	struct persist_drop d = {.rs_id = rs_id};
	int fd = MAPFD(x, persist);
	size_t i;

	xdp_map_walk(fd, sizeof(struct fx_persist_key), sizeof(struct fx_persist), FX_PERSIST_MAX,
		     collect_persist, &d);
	for (i = 0; i < d.n; i++)
		(void)bpf_map_delete_elem(fd, &d.keys[i]);
	free(d.keys);
}

void xdp_srv_release(struct xdp_engine *x, struct xdp_srv *old, size_t nold,
		     const struct xdp_srv *keep, size_t nkeep, int clear_slots)
{
	size_t i;

	for (i = 0; i < nold; i++) {
		struct xdp_srv *s = &old[i];

		if (!kept(keep, nkeep, s->rs_id)) {
			if (clear_slots && x->skel && s->written) {
				struct fx_real r = s->real;

				r.flags = 0;
				(void)bpf_map_update_elem(MAPFD(x, reals), &s->rs_id, &r, BPF_ANY);
				persist_drop(x, s->rs_id);
			}
			xdp_rs_id_free(x, s->rs_id);
		}
		rs_live_unref(s->live);
	}
	free(old);
}

/* ---- the service ---- */

/* Mirrors the proxy (src/proxy/pvs.c): a server is in the table while up,
 * or down with inhibit_on_failure (weight 0); drained and disabled servers
 * stay with weight 0. */
static int rs_in_table(const struct real_server *rs, const struct virtual_server *vs)
{
	return rs->live->health == RS_HEALTH_UP || rs_inhibit(rs, vs->pool) > 0;
}

static int srv_ready(const struct xdp_vs *xv, const struct xdp_srv *s)
{
	if (s->local)
		return 1; /* nothing to resolve: the packet stays on this host */
	if (!s->nh_ok)
		return 0;
	if (is_dr(xv))
		return s->nh.resolved && s->nh.ifindex > 0;
	/* TUN: the program routes with bpf_fib_lookup, which needs the
	 * kernel's neighbour entry of the next hop (the lookup created it) */
	return s->nh.resolved && s->nh.src.family == s->addr.family;
}

static void fill_real(const struct xdp_vs *xv, const struct xdp_srv *s, int ready,
		      struct fx_real *r)
{
	memset(r, 0, sizeof(*r));
	xdp_addr_to_fx(&s->addr, &r->addr);
	r->family = fx_family(s->addr.family);
	r->vs_id = xv->vs_id;
	r->flags = (s->in_table ? FX_RS_F_LIVE : 0) | (s->in_table && ready ? FX_RS_F_READY : 0) |
		   (s->local ? FX_RS_F_LOCAL : 0);
	if (!s->nh_ok)
		return;
	if (is_dr(xv)) {
		memcpy(r->mac, s->nh.mac, 6);
		memcpy(r->src_mac, s->nh.src_mac, 6);
		r->ifindex = (uint32_t)s->nh.ifindex;
	} else {
		xdp_addr_to_fx(&s->nh.src, &r->tun_src);
	}
}

static void write_real(struct xdp_vs *xv, struct xdp_srv *s, const struct fx_real *r)
{
	struct xdp_engine *x = xv->x;

	if (s->written && !memcmp(&s->real, r, sizeof(*r)))
		return;
	if (bpf_map_update_elem(MAPFD(x, reals), &s->rs_id, r, BPF_ANY) < 0) {
		log_err("xdp: %s: cannot write real server slot %u: %s", xv->name, s->rs_id,
			strerror(errno));
		return;
	}
	s->real = *r;
	s->written = 1;
}

/* Lay out the ring for the servers with weight > 0.  *seq_len is set for
 * FX_SCHED_SEQ, and cfg[k] to the xv->srv index of sequence position k. */
static void build_ring(struct xdp_vs *xv, uint32_t *ring, uint32_t *seq_len, uint32_t *cfg)
{
	const struct virtual_server *vs = xv->vs;
	struct xdp_ring_server *rsv = calloc(xv->n ? xv->n : 1, sizeof(*rsv));
	uint32_t *ids = calloc(xv->n ? xv->n : 1, sizeof(*ids));
	uint32_t *pos = calloc(xv->n ? xv->n : 1, sizeof(*pos));
	uint32_t *idx = malloc(FX_RING_SIZE * sizeof(*idx));
	size_t n = 0, i, len;
	char err[ERRLEN];

	*seq_len = 0;
	for (i = 0; i < FX_RING_SIZE; i++)
		ring[i] = FX_RS_NONE;
	if (!rsv || !ids || !pos || !idx)
		goto out;
	for (i = 0; i < xv->n; i++) {
		if (xv->srv[i].weight <= 0)
			continue;
		rsv[n].addr = &xv->srv[i].addr;
		rsv[n].weight = xv->srv[i].weight;
		pos[n] = (uint32_t)i;
		ids[n++] = xv->srv[i].rs_id;
	}
	if (!n)
		goto out;
	if (xdp_ring_kind(vs->pool->sched) == FX_SCHED_SEQ) {
		len = xdp_ring_seq(vs->pool->sched, rsv, n, idx);
		/* the whole block holds the sequence repeated: a packet that
		 * reads a stale seq_len still finds a server */
		for (i = 0; len && i < FX_RING_SIZE; i++)
			ring[i] = idx[i % len] < n ? ids[idx[i % len]] : FX_RS_NONE;
		for (i = 0; i < len; i++)
			cfg[i] = idx[i] < n ? pos[idx[i]] : UINT32_MAX;
		*seq_len = (uint32_t)len;
	} else if (xdp_ring_hash(vs->pool->sched, rsv, n, idx, err, sizeof(err)) == 0) {
		for (i = 0; i < FX_RING_SIZE; i++)
			ring[i] = idx[i] < n ? ids[idx[i]] : FX_RS_NONE;
	} else {
		log_err("xdp: %s: %s", xv->name, err);
	}
out:
	free(rsv);
	free(ids);
	free(pos);
	free(idx);
}

/* ---- the sequence position (fx_seq) ---- */

/* xv->srv index of the server in slot rs_id, or -1. */
static long srv_index(const struct xdp_vs *xv, uint32_t rs_id)
{
	size_t i;

	for (i = 0; i < xv->n; i++)
		if (xv->srv[i].rs_id == rs_id)
			return (long)i;
	return -1;
}

/* rr after a change of its sequence: IPVS rr keeps a cursor on the server
 * it picked last and goes on with the next one in list (config) order; a
 * removed server's cursor moves back to its predecessor, so its successor
 * comes next.  The last pick is the old sequence's slot (count - 1); the
 * answer is the position in the new sequence (cfg: the xv->srv index of
 * each position, ascending for rr) of the first server after it. */
static uint32_t rr_next(const struct xdp_vs *xv, uint64_t count, const uint32_t *cfg, uint32_t len)
{
	uint32_t old_len = xv->vip.seq_len, j, k;
	long at = -1, after = 0;

	if (!count || !old_len || !xv->ring || xv->vip.sched != FX_SCHED_SEQ)
		return 0;
	/* the last pick, else (it left the config) the first server after
	 * it in the old sequence that is still configured */
	for (j = 0; j < old_len && at < 0; j++) {
		at = srv_index(xv, xv->ring[(count - 1 + j) % old_len]);
		after = j == 0;
	}
	if (at < 0)
		return 0;
	for (k = 0; k < len; k++)
		if (after ? cfg[k] > (uint32_t)at : cfg[k] >= (uint32_t)at)
			return k;
	return 0; /* past the end of the list: round again */
}

/* Where the sequence goes on after this write (see fx_seq in
 * bpf/fulcrum_xdp.h).  *set = 0 when the position must be left alone: the
 * sequence did not change (a reload that changes nothing), so the next new
 * flow goes where it would have gone. */
static uint64_t seq_position(const struct xdp_vs *xv, const uint32_t *ring, uint32_t len,
			     const uint32_t *cfg, int *set)
{
	uint64_t count = 0;

	*set = 0;
	if (xdp_ring_kind(xv->vs->pool->sched) != FX_SCHED_SEQ || !len)
		return 0;
	if (xv->committed && xv->ring && xv->vip.sched == FX_SCHED_SEQ && xv->vip.seq_len == len &&
	    !memcmp(xv->ring, ring, len * sizeof(*ring)))
		return 0;
	*set = 1;
	/* wrr and the weighted sequences: IPVS wrr starts its round again
	 * whenever a server is added, removed or reweighted */
	if (strcmp(xv->vs->pool->sched, "rr"))
		return 0;
	if (bpf_map_lookup_elem(MAPFD(xv->x, seq), &xv->vs_id, &count) < 0)
		return 0;
	return rr_next(xv, count, cfg, len);
}

static void write_seq(struct xdp_vs *xv, uint64_t pos)
{
	if (bpf_map_update_elem(MAPFD(xv->x, seq), &xv->vs_id, &pos, BPF_ANY) < 0)
		log_err("xdp: %s: cannot set the round-robin position: %s", xv->name,
			strerror(errno));
}

static void write_ring(struct xdp_vs *xv, const uint32_t *ring)
{
	int fd = MAPFD(xv->x, ring);
	uint32_t i, base = xv->vs_id * FX_RING_SIZE;
	int fresh = !xv->ring;

	if (fresh && !(xv->ring = malloc(FX_RING_SIZE * sizeof(*xv->ring))))
		return;
	for (i = 0; i < FX_RING_SIZE; i++) {
		uint32_t key = base + i;

		if (!fresh && xv->ring[i] == ring[i])
			continue;
		if (bpf_map_update_elem(fd, &key, &ring[i], BPF_ANY) < 0) {
			log_err("xdp: %s: cannot write ring entry %u: %s", xv->name, i,
				strerror(errno));
			free(xv->ring); /* unknown state: rewrite all next time */
			xv->ring = NULL;
			return;
		}
		xv->ring[i] = ring[i];
	}
}

/* FX_SCHED_LEAST: the servers the ring holds (weight > 0: up, ready,
 * enabled, or the sorry server when nobody else may), in list order, the
 * first FX_LEAST_MAX of them.  Written only when it changed. */
static void write_least(struct xdp_vs *xv)
{
	struct fx_least_set set;
	size_t i;

	if (xdp_least_kind(xv->vs->pool->sched) < 0)
		return;
	memset(&set, 0, sizeof(set));
	for (i = 0; i < xv->n && set.n < FX_LEAST_MAX; i++) {
		if (xv->srv[i].weight <= 0)
			continue;
		set.rs_id[set.n] = xv->srv[i].rs_id;
		set.weight[set.n++] = (uint32_t)xv->srv[i].weight;
	}
	if (xv->least_written && !memcmp(&set, &xv->least, sizeof(set)))
		return;
	if (bpf_map_update_elem(MAPFD(xv->x, least), &xv->vs_id, &set, BPF_ANY) < 0) {
		log_err("xdp: %s: cannot write the least-connection set: %s", xv->name,
			strerror(errno));
		return;
	}
	xv->least = set;
	xv->least_written = 1;
}

static uint32_t secs(unsigned ms)
{
	if (!ms)
		return 0x7fffffffu; /* no idle timeout: the LRU alone ages flows out */
	return ms < 1000 ? 1 : ms / 1000;
}

static void fill_vip(const struct xdp_vs *xv, uint32_t seq_len, struct fx_vip *v)
{
	const struct virtual_server *vs = xv->vs;
	unsigned maxp = vs->addr.family == AF_INET6 ? 128 : 32;
	int kind = xdp_ring_kind(vs->pool->sched);

	int least = xdp_least_kind(vs->pool->sched);

	memset(v, 0, sizeof(*v));
	v->vs_id = xv->vs_id;
	v->flags = vs->fwd == FWD_TUN ? FX_VS_F_TUN : 0;
	if ((vs->pool->sched_flags & SCHED_F_PORT) && kind == FX_SCHED_HASH_SRC)
		v->flags |= FX_VS_F_HASH_PORT;
	v->sched = (uint32_t)(least >= 0 ? FX_SCHED_LEAST : kind);
	v->least = least >= 0 ? (uint32_t)least : 0;
	v->seq_len = seq_len;
	v->persist_s = vs->persistence_timeout;
	v->persist_prefix = vs->persistence_prefix && vs->persistence_prefix <= maxp
				? vs->persistence_prefix
				: maxp;
	v->tcp_idle_s = secs(vs->idle_timeout_ms);
	v->tcp_fin_s = 120; /* IPVS: FIN_WAIT / TIME_WAIT / CLOSE */
	v->udp_idle_s = secs(vs->udp_timeout_ms);
}

int xdp_vs_write(struct xdp_vs *xv)
{
	struct xdp_engine *x = xv->x;
	struct virtual_server *vs = xv->vs;
	struct fx_real *want = calloc(xv->n ? xv->n : 1, sizeof(*want));
	uint32_t *ring = malloc(FX_RING_SIZE * sizeof(*ring)), seq_len;
	uint32_t *cfg = malloc(FX_RING_SIZE * sizeof(*cfg));
	int any = 0, unready = 0, *drop = calloc(xv->n ? xv->n : 1, sizeof(int)), set_seq;
	struct fx_vip vip;
	uint64_t seq;
	size_t i;

	if (!want || !ring || !cfg || !drop || !vs || !x->skel) {
		free(want);
		free(ring);
		free(cfg);
		free(drop);
		return 0;
	}
	/* what each server may do now */
	for (i = 0; i < xv->n; i++) {
		struct xdp_srv *s = &xv->srv[i];
		const struct real_server *rs =
		    s->sorry ? vs->pool->sorry : vs_find_rs(vs, &s->addr);
		int ready = srv_ready(xv, s);

		s->in_table = 0;
		s->weight = 0;
		if (!rs || s->sorry)
			continue;
		s->in_table = rs_in_table(rs, vs);
		if (s->in_table && rs_effective_weight(rs) > 0) {
			if (ready)
				s->weight = rs_effective_weight(rs);
			else
				unready = 1;
		}
		any |= s->weight > 0;
		drop[i] = rs->live->admin == RS_ADMIN_DISABLED && s->admin != RS_ADMIN_DISABLED;
		s->admin = rs->live->admin;
	}
	/* the sorry server takes the new flows only when nobody else may (as
	 * keepalived puts it in the IPVS table only then); with
	 * sorry_server_inhibit it stays, weight 0, once a real server is
	 * back (keepalived keeps it in the table so): the flows it has go on */
	for (i = 0; i < xv->n; i++) {
		struct xdp_srv *s = &xv->srv[i];

		if (!s->sorry || !vs->pool->sorry ||
		    vs->pool->sorry->live->admin == RS_ADMIN_DISABLED)
			continue;
		if (any) {
			s->in_table = vs->pool->sorry_inhibit != 0;
			continue;
		}
		s->in_table = 1;
		if (srv_ready(xv, s))
			s->weight = 1;
		else
			unready = 1;
	}
	for (i = 0; i < xv->n; i++)
		fill_real(xv, &xv->srv[i], srv_ready(xv, &xv->srv[i]), &want[i]);

	/* 1. slots that gain LIVE/READY (or change) before the ring names them */
	for (i = 0; i < xv->n; i++)
		if (!xv->srv[i].written || !(xv->srv[i].real.flags & ~want[i].flags))
			write_real(xv, &xv->srv[i], &want[i]);
	/* 2. the ring and the position in it, 3. the service entry pointing
	 * at them (a flow placed in between may take one position off the
	 * sequence: the rewrite is not atomic with the traffic) */
	build_ring(xv, ring, &seq_len, cfg);
	seq = seq_position(xv, ring, seq_len, cfg, &set_seq);
	write_ring(xv, ring);
	if (set_seq)
		write_seq(xv, seq);
	write_least(xv);
	fill_vip(xv, seq_len, &vip);
	if (!xv->committed || memcmp(&vip, &xv->vip, sizeof(vip))) {
		if (bpf_map_update_elem(MAPFD(x, vips), &xv->key, &vip, BPF_ANY) < 0)
			log_err("xdp: %s: cannot write the service entry: %s", xv->name,
				strerror(errno));
		else
			xv->vip = vip;
		xv->committed = 1;
	}
	/* 4. slots that lose LIVE/READY once the ring no longer names them */
	for (i = 0; i < xv->n; i++)
		write_real(xv, &xv->srv[i], &want[i]);
	for (i = 0; i < xv->n; i++)
		if (drop[i])
			persist_drop(x, xv->srv[i].rs_id);
	free(want);
	free(ring);
	free(cfg);
	free(drop);
	return unready;
}

void xdp_vs_unpublish(struct xdp_vs *xv)
{
	if (!xv->x->skel || !xv->committed)
		return;
	if (bpf_map_delete_elem(MAPFD(xv->x, vips), &xv->key) < 0 && errno != ENOENT)
		log_err("xdp: %s: cannot remove the service entry: %s", xv->name, strerror(errno));
	xv->committed = 0;
}
