/* The userspace proxy engine end to end on 127.0.0.1, connections' lives
 * and limits: UDP sessions and their expiry, a removed service letting its
 * connection finish, the idle timeout, connect timeouts and retries, and
 * running out of descriptors.  Same harness as test_proxy.c
 * (proxy_harness.h): real sockets, forked backends, a bounded loop. */
#include "fd_limit.h"
#include "proxy_harness.h"

static int udp_exchange(int fd, uint16_t port, const char *msg, char *name, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char buf[256];
	ssize_t r;
	char *colon;

	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	r = recv(fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	colon = strchr(buf, ':');
	if (!colon || strcmp(colon + 1, msg))
		return -1;
	*colon = 0;
	snprintf(name, n, "%s", buf);
	return 0;
}

static int udp_sock(void)
{
	struct timeval tv = {.tv_sec = 3};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void *cli_udp(void *arg)
{
	struct env *e = arg;
	uint16_t port = e->vs->addr.port;
	int s1 = udp_sock(), s2 = udp_sock(), r = 1, i;
	char msg[32];

	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "hello-%d", i);
		if (udp_exchange(s1, port, msg, e->names[i], sizeof(e->names[i])) < 0)
			goto out;
	}
	r = 2;
	for (i = 3; i < 6; i++)
		if (udp_exchange(s2, port, "x", e->names[i], sizeof(e->names[i])) < 0)
			goto out;
	atomic_store(&e->phase, 1);
	r = 3;
	if (wait_go(e, 1) < 0)
		goto out;
	/* after expiry the client is served again */
	r = 4;
	if (udp_exchange(s1, port, "again", e->names[6], sizeof(e->names[6])) < 0)
		goto out;
	r = 0;
out:
	close(s1);
	close(s2);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

static int no_sessions(struct env *e)
{
	return e->vs->live->activeconns == 0;
}

static void test_udp_sessions(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	int i;

	start_backend(&e->be[0], "U1", B_UDP);
	start_backend(&e->be[1], "U2", B_UDP);
	vs = mkvs(e, IPPROTO_UDP, "rr");
	vs->udp_timeout_ms = 300;
	mkrs(vs, e->be[0].port, 1);
	mkrs(vs, e->be[1].port, 1);
	serve(e, vs);
	run_client(e, cli_udp);
	assert_true(drive(e, phase1, 5000));
	/* one client socket sticks to one server; the second goes to the other */
	for (i = 1; i < 3; i++)
		assert_string_equal(e->names[i], e->names[0]);
	for (i = 4; i < 6; i++)
		assert_string_equal(e->names[i], e->names[3]);
	assert_string_not_equal(e->names[0], e->names[3]);
	assert_int_equal(vs->live->activeconns, 2);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 2);
	assert_int_equal(ctr_total(&vs->live->ctr).inpkts, 6);
	assert_int_equal(ctr_total(&vs->live->ctr).outpkts, 6);
	/* sessions expire after udp_timeout without traffic */
	assert_true(drive(e, no_sessions, 3000));
	assert_int_equal(vs->pool->rs->live->activeconns + vs->pool->rs->next->live->activeconns,
			 0);
	atomic_store(&e->go, 1);
	assert_true(drive(e, phase_done, 5000));
	pthread_join(e->th, NULL);
	assert_int_equal(e->result, 0);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 3);
	assert_true(drive(e, no_sessions, 3000));
}

/* remove(): the listener goes, the open connection finishes. */
static void *cli_remove(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	char line[64], buf[4];

	if (fd < 0 || read_line(fd, line, sizeof(line)) < 0)
		goto out;
	atomic_store(&e->phase, 1);
	r = 2;
	if (wait_go(e, 1) < 0)
		goto out;
	r = 3;
	if (cli_connect(e->vs->addr.port) >= 0)
		goto out; /* the listener should be gone */
	r = 4;
	if (write_all(fd, "still\n", 6) < 0 || read_line(fd, line, sizeof(line)) < 0 ||
	    strcmp(line, "still"))
		goto out;
	shutdown(fd, SHUT_WR);
	r = 5;
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

static void test_remove_lets_connections_finish(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;

	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_remove);
	assert_true(drive(e, phase1, 5000));
	proxy_engine_ops.remove(&e->fc, vs);
	assert_null(vs->engine_priv);
	atomic_store(&e->go, 1);
	finish_client(e);
	/* the last connection took the service's state with it */
	assert_true(drive(e, counters_zero, 1000));
	assert_null(((struct proxy *)e->fc.proxy)->services);
}

static void *cli_idle(void *arg)
{
	struct env *e = arg;
	int fd = cli_connect(e->vs->addr.port), r = 1;
	char line[64], buf[4];
	uint64_t t0;
	ssize_t n;

	if (fd < 0 || read_line(fd, line, sizeof(line)) < 0)
		goto out;
	/* say nothing: the proxy ends the connection after idle_timeout */
	t0 = loop_clock_ms();
	n = read(fd, buf, 1);
	r = 2;
	if (n > 0 || (n < 0 && errno != ECONNRESET))
		goto out;
	r = 3;
	if (loop_clock_ms() - t0 < 250 || loop_clock_ms() - t0 > 3000)
		goto out;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

static void test_idle_timeout(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;

	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	vs->idle_timeout_ms = 400;
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	run_client(e, cli_idle);
	finish_client(e);
}

/* A server that never answers the SYN (its accept queue is full): after
 * connect_timeout the client is placed on another server. */
static void test_connect_timeout_retries(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct real_server *hole;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fill[4], i, nf = 0;
	uint64_t t0;

	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	/* fill the queue: further SYNs are dropped */
	for (i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sa, sizeof(sa));
		nf++;
	}
	usleep(100000);
	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	vs->connect_timeout_ms = 300;
	hole = mkrs(vs, ntohs(sa.sin_port), 1);
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	e->nnames = 2;
	t0 = loop_clock_ms();
	run_client(e, cli_names);
	finish_client(e);
	assert_string_equal(e->names[0], "A");
	assert_string_equal(e->names[1], "A");
	assert_true(ctr_htotal(&hole->live->ctr).econ >= 1);
	assert_true(loop_clock_ms() - t0 >= 300);
	for (i = 0; i < nf; i++)
		close(fill[i]);
	close(lfd);
}

/* ---- out of descriptors ---- */

#define NSHED 8

struct shed_env {
	int fd[NSHED];	    /* made by the test before the limit, connected here */
	int outcome[NSHED]; /* 0 = reset or closed, 1 = served, 2 = still waiting */
};
static struct shed_env shed;

static void *cli_shed(void *arg)
{
	struct env *e = arg;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(e->vs->addr.port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char line[64];
	int i, r = 0;

	if (wait_go(e, 1) < 0)
		r = 1;
	for (i = 0; !r && i < NSHED; i++)
		if (connect(shed.fd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			r = 10 + i;
	for (i = 0; !r && i < NSHED; i++) {
		if (read_line(shed.fd[i], line, sizeof(line)) == 0)
			shed.outcome[i] = 1;
		else
			shed.outcome[i] = errno == EAGAIN || errno == EWOULDBLOCK ? 2 : 0;
	}
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
}

/* Not one descriptor left (the limit is the lowest free one): clients
 * waiting in the listen queue are reset within a second, with the spare
 * descriptor the proxy keeps, instead of waiting there for ever; once
 * descriptors are back, clients are served again. */
static void test_out_of_descriptors_resets_queued(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	struct timeval tv = {.tv_sec = 1}; /* 8 s in all, within the drive */
	struct rlimit old;
	uint64_t t0;
	int i, ok;

	start_backend(&e->be[0], "A", B_ID);
	vs = mkvs(e, IPPROTO_TCP, "rr");
	mkrs(vs, e->be[0].port, 1);
	serve(e, vs);
	for (i = 0; i < NSHED; i++) {
		shed.fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(shed.fd[i] >= 0);
		setsockopt(shed.fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		shed.outcome[i] = -1;
	}
	run_client(e, cli_shed);
	assert_int_equal(fd_limit_to_lowest(&old), 0);
	t0 = loop_clock_ms();
	atomic_store(&e->go, 1);
	ok = drive(e, phase_done, 10000);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	pthread_join(e->th, NULL);
	assert_true(ok);
	assert_int_equal(e->result, 0);
	for (i = 0; i < NSHED; i++) {
		assert_int_equal(shed.outcome[i], 0);
		close(shed.fd[i]);
	}
	assert_true(loop_clock_ms() - t0 < 2000);
	assert_int_equal(ctr_total(&vs->live->ctr).conns, 0);
	e->nnames = 2;
	run_client(e, cli_names);
	finish_client(e);
	assert_string_equal(e->names[0], "A");
	assert_string_equal(e->names[1], "A");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_udp_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_lets_connections_finish, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_timeout_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_descriptors_resets_queued, setup, teardown),
	};

	alarm(120); /* the whole file is bounded */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
