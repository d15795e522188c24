/* The userspace proxy engine end to end on 127.0.0.1, TCP relaying: bytes
 * each way and half-closes, scheduling (rr, a shared pool, a refusing
 * server, the sorry server, persistence), a live update and reload under an
 * open connection, a refused prepare.  Real sockets, backend processes
 * forked by the test, the engine driven through its ops and the event loop
 * run in this thread with a bounded deadline (proxy_harness.h).
 * test_proxy_life.c: UDP sessions and connections' lives and limits. */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "proxy_harness.h"

/* ---- tests ---- */

static void *cli_bulk(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	char line[64];

	if (fd < 0 || read_line(fd, line, sizeof(line)) < 0 || strcmp(line, "A"))
		goto out;
	r = 2;
	if (echo_exchange(fd, 6 * MIB) < 0)
		goto out;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

/* Several MiB each way, byte-exact; the client half-closes first and still
 * gets the rest of the echo and the EOF. */
static void test_bulk_relay_client_half_close(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;

	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_bulk);
	finish_client(e);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 1);
	assert_int_equal(ctr_total(&vs->live->ctr).inbytes, 6 * MIB);
	assert_int_equal(ctr_total(&vs->live->ctr).outbytes, 6 * MIB + 2);
	assert_true(ctr_total(&vs->live->ctr).inpkts > 0 && ctr_total(&vs->live->ctr).outpkts > 0);
	assert_int_equal(ctr_total(&vs->pool->rs->live->ctr).inbytes, 6 * MIB);
}

static void *cli_server_first(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	static char buf[65536];
	size_t got = 0, i;
	ssize_t n;
	char line[64];

	if (fd < 0 || read_line(fd, line, sizeof(line)) < 0 || strcmp(line, "B"))
		goto out;
	r = 2;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++)
			if ((uint8_t)buf[i] != pat(got + i))
				goto out;
		got += (size_t)n;
	}
	if (n < 0 || got != MIB)
		goto out;
	/* the server's side is closed; ours still carries data */
	r = 3;
	for (i = 0; i < 8; i++)
		if (write_all(fd, buf, sizeof(buf)) < 0)
			goto out;
	shutdown(fd, SHUT_WR);
	r = 4;
	if (read(fd, buf, 1) != 0)
		goto out;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

/* The server half-closes first: the client gets everything and EOF, and
 * what it sends afterwards still reaches the server. */
static void test_server_half_close(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	uint64_t count = 0;
	struct pollfd pf;

	start_backend(&e->be[0], "B", B_FIRST);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_server_first);
	finish_client(e);
	pf.fd = e->be[0].result_fd;
	pf.events = POLLIN;
	assert_int_equal(poll(&pf, 1, 5000), 1);
	assert_int_equal(read(e->be[0].result_fd, &count, sizeof(count)), sizeof(count));
	assert_int_equal(count, 8 * 65536);
}


static void test_rr_distribution(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	int i;

	start_backend(&e->be[0], "A", B_ID);
	start_backend(&e->be[1], "B", B_ID);
	start_backend(&e->be[2], "C", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	for (i = 0; i < 3; i++)
		mkrs(vs, e->be[i].port, 1);
	serve(e, vs);
	e->nnames = 9;
	run_client(e, cli_names);
	finish_client(e);
	/* exact alternation: period 3, three different servers */
	assert_string_not_equal(e->names[0], e->names[1]);
	assert_string_not_equal(e->names[1], e->names[2]);
	assert_string_not_equal(e->names[0], e->names[2]);
	for (i = 3; i < 9; i++)
		assert_string_equal(e->names[i], e->names[i - 3]);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 9);
}

/* Two services of one pool share its scheduler: clients alternating
 * between the services still go round the servers one by one (one rr
 * position).  With a scheduler per service each would start at the first
 * server: A A B B. */
static void test_shared_pool_rr(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs, *vs2;
	const struct pvs *p1, *p2;
	int i;

	start_backend(&e->be[0], "A", B_ID);
	start_backend(&e->be[1], "B", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	for (i = 0; i < 2; i++)
		mkrs(vs, e->be[i].port, 1);
	vs2 = vs_new();
	assert_non_null(vs2);
	vs2->addr = vs->addr;
	vs2->addr.port = free_port(SOCK_STREAM);
	vs2->fwd = FWD_PROXY;
	vs_set_pool(vs2, vs->pool);
	config_add_vs(e->fc.cfg, vs2);
	serve(e, vs);
	serve(e, vs2);
	e->alt[0] = vs->addr.port;
	e->alt[1] = vs2->addr.port;
	e->nnames = 6;
	run_client(e, cli_names);
	finish_client(e);
	assert_int_equal(e->result, 0);
	for (i = 1; i < 6; i++)
		assert_string_not_equal(e->names[i], e->names[i - 1]);
	p1 = vs->engine_priv;
	p2 = vs2->engine_priv;
	assert_ptr_equal(p1->pp, p2->pp);
	assert_int_equal(p1->pp->refs, 2);
	/* each service counts its own clients */
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 3);
	assert_int_equal(ctr_total(&vs2->live->ctr).conns, 3);
	/* a service that goes leaves the pool's table to the other */
	proxy_engine_ops.remove(&e->fc, vs2);
	assert_int_equal(p1->pp->refs, 1);
	assert_int_equal(p1->pp->n, 2);
}

/* A server that refuses is skipped: every client still reaches a server. */
static void test_refusing_backend_skipped(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct real_server *dead;
	uint16_t port;
	int i;

	e->refuse_fd = refusing_port(&port);
	start_backend(&e->be[0], "A", B_ID);
	start_backend(&e->be[1], "B", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	dead = mkrs(vs, port, 1);
	mkrs(vs, e->be[0].port, 1);
	mkrs(vs, e->be[1].port, 1);
	serve(e, vs);
	e->nnames = 12;
	run_client(e, cli_names);
	finish_client(e);
	for (i = 0; i < 12; i++)
		assert_true(!strcmp(e->names[i], "A") || !strcmp(e->names[i], "B"));
	assert_true(ctr_total(&dead->live->ctr).conns > 0);
	assert_true(ctr_htotal(&dead->live->ctr).econ > 0);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 12);
}

/* Nobody can take the client: the sorry server does. */
static void test_sorry_server(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct real_server *rs;
	uint16_t port;

	e->refuse_fd = refusing_port(&port);
	start_backend(&e->be[0], "SORRY", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "wlc");
	rs = mkrs(vs, port, 1);
	rs->live->admin = RS_ADMIN_DISABLED;
	vs->pool->sorry = rs_new();
	assert_int_equal(addr_parse_hostport("127.0.0.1:1", &vs->pool->sorry->addr, NULL, 0), 0);
	vs->pool->sorry->addr.port = e->be[0].port;
	serve(e, vs);
	e->nnames = 2;
	run_client(e, cli_names);
	finish_client(e);
	assert_string_equal(e->names[0], "SORRY");
	assert_string_equal(e->names[1], "SORRY");
	assert_int_equal(ctr_total(&rs->live->ctr).conns, 0);
}

static void test_persistence(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	int i;

	start_backend(&e->be[0], "A", B_ID);
	start_backend(&e->be[1], "B", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	vs->persistence_timeout = 30;
	vs->persistence_prefix = 24;
	mkrs(vs, e->be[0].port, 1);
	mkrs(vs, e->be[1].port, 1);
	serve(e, vs);
	e->nnames = 6;
	run_client(e, cli_names);
	finish_client(e);
	for (i = 1; i < 6; i++)
		assert_string_equal(e->names[i], e->names[0]);
}

/* One long-lived connection; the test changes weights (and reloads) while
 * it is open; it keeps working and new clients follow the new weights. */
static void *cli_long(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1, round;
	char line[64], buf[16];

	if (fd < 0 || read_line(fd, e->names[0], sizeof(e->names[0])) < 0)
		goto out;
	for (round = 1; round <= 2; round++) {
		atomic_store(&e->phase, round);
		r = 10 * round;
		if (wait_go(e, round) < 0)
			goto out;
		/* the old connection still echoes */
		r = 10 * round + 1;
		if (write_all(fd, "ping\n", 5) < 0 || read_line(fd, line, sizeof(line)) < 0 ||
		    strcmp(line, "ping"))
			goto out;
		/* new ones go where the weights say */
		{
			int k;

			for (k = 0; k < 4; k++) {
				int c = cli_connect(e->vs->addr.port);

				r = 10 * round + 2;
				if (c < 0 || read_line(c, line, sizeof(line)) < 0) {
					if (c >= 0)
						close(c);
					goto out;
				}
				snprintf(e->names[round * 8 + k], sizeof(e->names[0]), "%.15s",
					 line);
				close(c);
			}
		}
	}
	r = 3;
	shutdown(fd, SHUT_WR);
	if (read(fd, buf, 1) != 0)
		goto out;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

static void test_update_and_reload_keep_connection(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs, *nvs;
	struct real_server *a, *b, *rs;
	struct config *ncfg;
	char err[ERRLEN] = "";
	int k;

	start_backend(&e->be[0], "A", B_ID);
	start_backend(&e->be[1], "B", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "wrr");
	a = mkrs(vs, e->be[0].port, 1);
	b = mkrs(vs, e->be[1].port, 1);
	serve(e, vs);
	run_client(e, cli_long);
	assert_true(drive(e, phase1, 5000));
	/* the long connection's server gets weight 0 (quiescent): new clients
	 * all go to the other one, the open connection stays */
	rs = !strcmp(e->names[0], "A") ? a : b;
	rs->cur_weight = 0;
	assert_int_equal(proxy_engine_ops.update(&e->fc, vs, err, sizeof(err)), 0);
	atomic_store(&e->go, 1);
	assert_true(drive(e, phase2, 5000));
	for (k = 0; k < 4; k++)
		assert_string_not_equal(e->names[8 + k], e->names[0]);

	/* reload: a new model of the same service, the other server removed;
	 * the listener, and the open connection, carry over */
	ncfg = config_new();
	nvs = vs_new();
	nvs->protocol = IPPROTO_TCP;
	nvs->addr = vs->addr;
	strcpy(nvs->pool->sched, "rr");
	nvs->fwd = FWD_NAT;
	config_add_vs(ncfg, nvs);
	mkrs(nvs, rs->addr.port, 1);
	config_carry_live(ncfg, e->fc.cfg);
	assert_int_equal(proxy_engine_ops.prepare(&e->fc, nvs, vs, err, sizeof(err)), 0);
	proxy_engine_ops.commit(&e->fc, nvs, vs);
	assert_null(vs->engine_priv);
	config_free(e->fc.cfg);
	e->fc.cfg = ncfg;
	e->vs = nvs;
	atomic_store(&e->go, 2);
	finish_client(e);
	for (k = 0; k < 4; k++)
		assert_string_equal(e->names[16 + k], e->names[0]);
	assert_int_equal(nvs->live->activeconns, 0);
}

/* Prepare fails whole when the address is taken, and changes nothing. */
static void test_prepare_bind_error(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	char err[ERRLEN] = "", want[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	vs->addr.port = ntohs(sa.sin_port);
	assert_int_equal(proxy_engine_ops.prepare(&e->fc, vs, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%u (TCP): Address already in use",
		 ntohs(sa.sin_port));
	assert_string_equal(err, want);
	assert_null(vs->engine_priv);
	close(fd);

	/* check() refuses what this engine cannot serve */
	vs->fwd = FWD_DR;
	assert_int_equal(proxy_engine_ops.check(vs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DR"));
	vs->fwd = FWD_NAT;
	vs->protocol = IPPROTO_SCTP;
	assert_int_equal(proxy_engine_ops.check(vs, err, sizeof(err)), -1);
	vs->protocol = IPPROTO_UDP;
	assert_int_equal(proxy_engine_ops.check(vs, err, sizeof(err)), 0);
}

/* A client thread's end: its verdict, for finish_client. */
static void *cli_end(struct env *e, int fd, int r)
{
	if (fd >= 0)
		close(fd);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

/* Client: the server's burst, read whole while the server stays silent. */
static void *cli_burst(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	static char buf[65536];
	size_t got = 0;
	char line[16];

	if (fd < 0 || read_line(fd, line, sizeof(line)) < 0 || strcmp(line, "A"))
		goto out;
	r = 2;
	while (got < BURST_BYTES) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t n, k;

		if (poll(&pf, 1, IO_TIMEOUT_MS) != 1)
			goto out; /* the relay stalled */
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			goto out;
		for (k = 0; k < n; k++)
			if ((uint8_t)buf[k] != pat(got + (size_t)k))
				goto out;
		got += (size_t)n;
	}
	r = 0;
out:
	return cli_end(e, fd, r);
}

/* A server's burst (8 MiB written at once, then nothing, not even a FIN)
 * reaches the client whole: the relay's sockets are edge-triggered, and
 * the bytes queued beyond one wake-up's batch bring no new edge, so the
 * relay must have epoll look again itself (loop_io_rearm). */
static void test_burst_beyond_batch(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;

	start_backend(&e->be[0], "A", B_BURST);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_burst);
	finish_client(e);
	assert_int_equal(ctr_total(&vs->live->ctr).outbytes, BURST_BYTES + 2);
}

/* Client: one connection held open, relayed (the server's name came
 * through), until the test has looked at the engine's sockets. */
static void *cli_hold(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	char line[16];

	if (fd >= 0 && read_line(fd, line, sizeof(line)) == 0 && !strcmp(line, "A")) {
		atomic_store(&e->phase, 1);
		r = wait_go(e, 1) < 0 ? 2 : 0;
	}
	return cli_end(e, fd, r);
}

static int sock_nodelay(int fd)
{
	int v = 0;
	socklen_t l = sizeof(v);

	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &l), 0);
	return v;
}

/* Both sockets of a relayed connection have TCP_NODELAY (a request is not
 * held back by Nagle): the server's is set at connect, the client's
 * inherited from the listener, which has it set once. */
static void test_sockets_nodelay(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct pvs *p;
	struct pconn *c = NULL;

	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_hold);
	assert_true(drive(e, phase1, IO_TIMEOUT_MS));
	for (p = ((struct proxy *)e->fc.proxy)->services; p && !c; p = p->next)
		if (p->fd >= 0 && p->protocol == IPPROTO_TCP) {
			assert_int_equal(sock_nodelay(p->fd), 1);
			c = p->conns;
		}
	assert_non_null(c);
	assert_int_equal(c->state, PCONN_RELAY);
	assert_int_equal(sock_nodelay(c->cfd), 1);
	assert_int_equal(sock_nodelay(c->sfd), 1);
	atomic_store(&e->go, 1);
	finish_client(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_bulk_relay_client_half_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_half_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rr_distribution, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_pool_rr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusing_backend_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sorry_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_and_reload_keep_connection, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_prepare_bind_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sockets_nodelay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_burst_beyond_batch, setup, teardown),
	};

	alarm(120); /* the whole file is bounded */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
