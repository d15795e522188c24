/* The XDP engine's userspace through the one apply path, in a private
 * network namespace (xdp_engine_harness.h): the rr / wrr position across
 * changes, health with inhibit and the sorry server, TUN and IPv6, and a
 * program already on the interface (someone else's: refused; a stale one of
 * ours: taken over).  test_xdp_engine.c: check(), the maps, neighbours. */
#include "xdp_engine_harness.h"

/* ---- the rr / wrr position (fx_seq) ---- */

/* "virtual_server VIP 80" with lb_algo algo and servers "ADDR:WEIGHT ..." */
static const char *conf_seq(const char *algo, const char *servers)
{
	static char buf[1024];
	char list[256], *save = NULL, *tok;
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf),
			     "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo %s\n", algo);
	snprintf(list, sizeof(list), "%s", servers);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *w = strchr(tok, ':');

		assert_non_null(w);
		*w++ = 0;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      " real_server %s 80 { weight %s }\n", tok, w);
	}
	snprintf(buf + n, sizeof(buf) - n, "}\n");
	return buf;
}

static uint64_t seq_get(struct fulcrum *fc)
{
	struct xdp_vs *xv = fc->cfg->vs->engine_priv;
	uint64_t v;

	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.seq, &xv->vs_id, &v), 0);
	return v;
}

/* As if v flows had been placed since the service began. */
static void seq_put(struct fulcrum *fc, uint64_t v)
{
	struct xdp_vs *xv = fc->cfg->vs->engine_priv;

	assert_int_equal(bpf_map_update_elem(engine(fc)->fd.seq, &xv->vs_id, &v, BPF_ANY), 0);
}

#define RS_C "10.93.0.9"

/* Where the next new flow goes after a change, as IPVS: rr goes on after
 * the server it picked last, in config order (a deleted one's successor);
 * wrr starts its round again when the sequence changes; a reload that
 * changes nothing moves nothing. */
static void test_rr_position_across_changes(void **state)
{
	struct fulcrum *fc = *state;

	if (!in_ns)
		skip();
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 0);
	seq_put(fc, 1); /* A took the last flow */
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* C added in front: after A comes B, now position 2 of C A B */
	apply_text(fc, conf_seq("rr", RS_C ":1 " RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 2);
	/* reordered to A B C, last pick A (slot 1 of C A B): B, position 1 */
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* B took the last flow and is deleted: its successor C, position 1
	 * of A C */
	seq_put(fc, 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* C took the last flow; changes that leave the sequence A C as it
	 * was move nothing (rr ignores weights; weight 0 is not in it) */
	seq_put(fc, 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":5"));
	assert_int_equal(seq_get(fc), 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":1 " RS_B ":0"));
	assert_int_equal(seq_get(fc), 2);
	/* C is last in B A C: round again from B */
	apply_text(fc, conf_seq("rr", RS_B ":1 " RS_A ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 0);

	/* wrr: a new round when the sequence changes, else unchanged */
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":2"));
	assert_int_equal(seq_get(fc), 0);
	seq_put(fc, 2);
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":2"));
	assert_int_equal(seq_get(fc), 2);
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":3"));
	assert_int_equal(seq_get(fc), 0);
}

static struct real_server *rs_at(struct fulcrum *fc, const char *ip)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(ip, &a, err, sizeof(err)), 0);
	a.port = 80;
	return vs_find_rs(fc->cfg->vs, &a);
}

/* Health: down without inhibit_on_failure leaves the service (LIVE
 * cleared), with it stays at weight 0 (LIVE); with every real server gone
 * the sorry server takes the whole ring. */
static void test_health_inhibit_sorry(void **state)
{
	struct fulcrum *fc = *state;
	struct fx_real r;
	uint32_t a, b, sorry;
	struct xdp_vs *xv;
	size_t na, nb;
	char err[ERRLEN];

	if (!in_ns)
		skip();
	apply_text(fc, "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo sh\n"
		       " sorry_server 10.93.0.9 80\n"
		       " real_server " RS_A " 80 {\n weight 1\n inhibit_on_failure\n }\n"
		       " real_server " RS_B " 80 { weight 1 }\n}\n");
	xv = fc->cfg->vs->engine_priv;
	/* ids, not pointers: an update rebuilds the server table */
	a = srv_of(fc, RS_A)->rs_id;
	b = srv_of(fc, RS_B)->rs_id;
	assert_true(srv_of(fc, "10.93.0.9")->sorry);
	sorry = srv_of(fc, "10.93.0.9")->rs_id;
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0); /* not needed while others serve */

	rs_at(fc, RS_B)->live->health = RS_HEALTH_DOWN;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	read_real(fc, b, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0);
	ring_counts(fc, xv->vs_id, a, FX_RS_NONE - 1, &na, &nb);
	assert_int_equal(na, FX_RING_SIZE);

	rs_at(fc, RS_A)->live->health = RS_HEALTH_DOWN;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	read_real(fc, a, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY); /* inhibited: flows go on */
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	ring_counts(fc, xv->vs_id, sorry, FX_RS_NONE - 1, &na, &nb);
	assert_int_equal(na, FX_RING_SIZE);

	rs_at(fc, RS_A)->live->health = RS_HEALTH_UP;
	rs_at(fc, RS_B)->live->health = RS_HEALTH_UP;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	ring_counts(fc, xv->vs_id, a, b, &na, &nb);
	assert_true(na > FX_RING_SIZE / 3 && nb > FX_RING_SIZE / 3);
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0);
}

/* TUN: the tunnel source is the director's address toward the server, the
 * service is flagged, lo forwards; IPv6 DR keys carry all 16 bytes. */
static void test_tun_and_v6(void **state)
{
	struct fulcrum *fc = *state;
	struct fx_real r;
	struct fx_vip v;
	struct fx_vip_key k;
	struct xdp_srv *a;
	struct xdp_vs *xv;
	uint8_t mac6[6] = {2, 0, 0, 0, 0x93, 0x62};
	struct in_addr src;
	FILE *f;
	char c = 0;

	if (!in_ns)
		skip();
	apply_text(fc, "virtual_server " VIP " 80 {\n lb_kind TUN\n lb_algo mh\n"
		       " real_server " RS_A " 80 { weight 1 }\n}\n"
		       "virtual_server fd00:93::100 80 {\n lb_kind DR\n lb_algo wrr\n"
		       " real_server fd00:93::2 80 { weight 1 }\n}\n");
	xv = fc->cfg->vs->engine_priv;
	read_vip(fc, &v, 1);
	assert_int_equal(v.flags & FX_VS_F_TUN, FX_VS_F_TUN);
	a = srv_of(fc, RS_A);
	read_real(fc, a->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	inet_pton(AF_INET, "10.93.0.1", &src);
	assert_memory_equal(&r.tun_src.v4, &src, 4);
	f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "r");
	assert_non_null(f);
	assert_int_equal(fread(&c, 1, 1, f), 1);
	fclose(f);
	assert_int_equal(c, '1');

	xv = fc->cfg->vs->next->engine_priv;
	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, "fd00:93::100", k.addr.b);
	k.port = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FX_AF_INET6;
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.vips, &k, &v), 0);
	assert_int_equal(v.vs_id, xv->vs_id);
	assert_int_equal(v.sched, FX_SCHED_SEQ);
	assert_int_equal(v.seq_len, 1);
	assert_int_equal(v.persist_prefix, 128);
	read_real(fc, xv->srv[0].rs_id, &r);
	assert_int_equal(r.family, FX_AF_INET6);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac6, 6);
	apply_shutdown(fc);
	/* switched on by the engine, so switched back off at stop */
	f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "r");
	assert_non_null(f);
	assert_int_equal(fread(&c, 1, 1, f), 1);
	fclose(f);
	assert_int_equal(c, '0');
}

/* An interface with somebody else's XDP program is refused, not taken. */
static void test_foreign_program_refused(void **state)
{
	struct fulcrum *fc = *state;
	struct config *cfg;
	char err[ERRLEN] = "";
	int ifindex = (int)if_nametoindex(IF0);
	uint32_t before;

	if (!in_ns)
		skip();
	/* somebody else's program: fulcrum's own object, loaded separately */
	apply_text(fc, conf_dr("", "mh"));
	before = attached_prog(ifindex);
	{
		struct fulcrum other = {0};

		other.loop = loop_new();
		cfg = load(conf_dr("", "mh"));
		assert_int_equal(apply_config(&other, cfg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "already has an XDP program"));
		assert_non_null(strstr(err, IF0));
		config_free(cfg);
		apply_shutdown(&other);
		loop_free(other.loop);
	}
	assert_int_equal(attached_prog(ifindex), before);
}

/* A fulcrum program nobody holds (what a SIGKILLed daemon leaves attached)
 * is taken over at the next start instead of blocking it. */
static void test_stale_program_taken_over(void **state)
{
	struct fulcrum *fc = *state;
	struct fulcrum_xdp *stale;
	int ifindex = (int)if_nametoindex(IF0);
	uint32_t left;

	if (!in_ns)
		skip();
	stale = fulcrum_xdp__open_and_load();
	assert_non_null(stale);
	assert_int_equal(bpf_xdp_attach(ifindex, bpf_program__fd(stale->progs.fulcrum_xdp),
					XDP_FLAGS_DRV_MODE, NULL),
			 0);
	fulcrum_xdp__destroy(stale); /* only the interface holds it now */
	left = attached_prog(ifindex);
	assert_int_not_equal(left, 0);

	apply_text(fc, conf_dr("", "mh"));
	assert_int_not_equal(attached_prog(ifindex), left);
	assert_int_equal(attached_prog(ifindex), engine(fc)->prog_id);
	apply_shutdown(fc);
	assert_int_equal(attached_prog(ifindex), 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest ns[] = {
	    NS(test_rr_position_across_changes),
	    NS(test_health_inhibit_sorry),
	    NS(test_tun_and_v6),
	    NS(test_foreign_program_refused),
	    NS(test_stale_program_taken_over),
	};
	/* clang-format on */

	return xdp_engine_main("test_xdp_engine_ops", NULL, 0, ns, sizeof(ns) / sizeof(ns[0]));
}
