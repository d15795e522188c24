/* The userspace proxy engine end to end on 127.0.0.1: real sockets, backend
 * processes forked by the test, the engine driven through its ops and the
 * event loop run in this thread with a bounded deadline.  Clients run in a
 * second thread with blocking sockets and timeouts; they report results
 * through plain fields read after the thread is joined. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/loop.h"
#include "model/fulcrum-t.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/proxy.h"

#define IO_TIMEOUT_MS 5000
#define MIB	      (1024 * 1024)

/* ---- backends: forked processes, one grandchild per connection ---- */

enum bmode {
	B_ID,	 /* "NAME\n", echo until EOF, then shut down write, close */
	B_FIRST, /* "NAME\n" + 1 MiB, shut down write, count what comes until EOF */
	B_UDP,	 /* answer each datagram with "NAME:" + payload */
};

struct backend {
	pid_t pid;
	uint16_t port;
	int result_fd; /* B_FIRST: the bytes counted are written here */
};

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void serve_tcp(int fd, const char *name, enum bmode mode, int result_fd)
{
	char buf[65536], line[64];
	ssize_t n;
	uint64_t count = 0;
	size_t i;

	snprintf(line, sizeof(line), "%s\n", name);
	if (write_all(fd, line, strlen(line)) < 0)
		_exit(1);
	if (mode == B_FIRST) {
		for (i = 0; i < MIB; i += sizeof(buf)) {
			size_t k;

			for (k = 0; k < sizeof(buf); k++)
				buf[k] = (char)pat(i + k);
			if (write_all(fd, buf, sizeof(buf)) < 0)
				_exit(1);
		}
		shutdown(fd, SHUT_WR);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			count += (uint64_t)n;
		if (write_all(result_fd, &count, sizeof(count)) < 0)
			_exit(1);
		_exit(0);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) < 0)
			_exit(1);
	shutdown(fd, SHUT_WR);
	/* wait for the peer's close so our FIN is not turned into a RST */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

static void start_backend(struct backend *b, const char *name, enum bmode mode)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd, one = 1, rp[2];

	fd = socket(AF_INET, mode == B_UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	if (mode != B_UDP)
		assert_int_equal(listen(fd, 128), 0);
	assert_int_equal(pipe(rp), 0);
	b->port = ntohs(sa.sin_port);
	b->pid = fork();
	assert_true(b->pid >= 0);
	if (b->pid == 0) {
		setpgid(0, 0);
		alarm(30); /* whatever happens, backends do not outlive the test */
		close(rp[0]);
		if (mode == B_UDP) {
			char buf[70000];

			for (;;) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				size_t k = strlen(name) + 1;
				ssize_t n = recvfrom(fd, buf + k, sizeof(buf) - k, 0,
						     (struct sockaddr *)&from, &fl);

				if (n < 0)
					_exit(1);
				memcpy(buf, name, k - 1);
				buf[k - 1] = ':';
				sendto(fd, buf, (size_t)n + k, 0, (struct sockaddr *)&from, fl);
			}
		}
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				_exit(1);
			if (fork() == 0) {
				close(fd);
				serve_tcp(c, name, mode, rp[1]);
			}
			close(c);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
	}
	close(rp[1]);
	b->result_fd = rp[0];
	close(fd);
}

static void stop_backend(struct backend *b)
{
	if (b->pid > 0) {
		kill(-b->pid, SIGKILL);
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		close(b->result_fd);
	}
	b->pid = 0;
}

/* A port that refuses: bound, never listening (kept so no one takes it). */
static int refusing_port(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static uint16_t free_port(int type)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* ---- the engine under test ---- */

struct env {
	struct fulcrum fc;
	struct backend be[4];
	int refuse_fd;
	/* client thread <-> loop thread */
	atomic_int phase; /* advanced by the client thread */
	atomic_int go;	  /* advanced by the test, waited for by the client */
	int result;	  /* client's verdict: 0 = all good, else a step number */
	char names[32][16];
	int nnames;
	uint64_t count;
	pthread_t th;
	struct virtual_server *vs;
	uint16_t alt[2]; /* cli_names: alternate between these ports, if set */
};

static struct virtual_server *mkvs(struct env *e, int proto, const char *sched)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(vs);
	vs->protocol = proto;
	assert_int_equal(addr_parse_ip("127.0.0.1", &vs->addr, err, sizeof(err)), 0);
	vs->addr.port = free_port(proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM);
	snprintf(vs->pool->sched, sizeof(vs->pool->sched), "%s", sched);
	vs->fwd = FWD_PROXY;
	vs->connect_timeout_ms = 1000;
	config_add_vs(e->fc.cfg, vs);
	e->vs = vs;
	return vs;
}

static struct real_server *mkrs(struct virtual_server *vs, uint16_t port, int weight)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_ip("127.0.0.1", &rs->addr, err, sizeof(err)), 0);
	rs->addr.port = port;
	rs->weight = rs->cur_weight = weight;
	vs_add_rs(vs, rs);
	return rs;
}

static void serve(struct env *e, struct virtual_server *vs)
{
	char err[ERRLEN] = "";

	assert_int_equal(proxy_engine_ops.check(vs, err, sizeof(err)), 0);
	if (proxy_engine_ops.prepare(&e->fc, vs, NULL, err, sizeof(err)) < 0)
		fail_msg("prepare: %s", err);
	proxy_engine_ops.commit(&e->fc, vs, NULL);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	signal(SIGPIPE, SIG_IGN);
	e->fc.loop = loop_new();
	e->fc.cfg = config_new();
	e->refuse_fd = -1;
	*state = e;
	/* FC_PROXY_RELAY=copy|splice|sockmap: every test with that relay */
	if (getenv("FC_PROXY_RELAY")) {
		const char *r = getenv("FC_PROXY_RELAY");

		e->fc.cfg->global.proxy_relay = !strcmp(r, "sockmap") ? FC_RELAY_SOCKMAP
						: !strcmp(r, "splice") ? FC_RELAY_SPLICE
						: !strcmp(r, "copy")   ? FC_RELAY_COPY
								       : FC_RELAY_AUTO;
		proxy_engine_ops.settings(&e->fc, &e->fc.cfg->global);
	}
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	int i;

	proxy_engine_ops.shutdown(&e->fc);
	assert_null(e->fc.proxy);
	loop_free(e->fc.loop);
	config_free(e->fc.cfg);
	for (i = 0; i < 4; i++)
		stop_backend(&e->be[i]);
	if (e->refuse_fd >= 0)
		close(e->refuse_fd);
	free(e);
	return 0;
}

/* Run the loop until pred(e) or timeout; returns whether pred held. */
struct drive {
	struct env *e;
	int (*pred)(struct env *e);
	uint64_t deadline;
	int ok;
	struct ev_timer t;
};

static void drive_tick(struct loop *l, struct ev_timer *t)
{
	struct drive *d = t->data;

	if (d->pred(d->e)) {
		d->ok = 1;
		loop_stop(l);
		return;
	}
	if (loop_now(l) >= d->deadline) {
		loop_stop(l);
		return;
	}
	loop_timer_start(l, t, 5);
}

static int drive(struct env *e, int (*pred)(struct env *e), unsigned timeout_ms)
{
	struct drive d = {.e = e, .pred = pred};

	d.deadline = loop_clock_ms() + timeout_ms;
	loop_timer_init(&d.t, drive_tick, &d);
	loop_timer_start(e->fc.loop, &d.t, 0);
	loop_run(e->fc.loop);
	loop_timer_stop(e->fc.loop, &d.t);
	return d.ok;
}

static int phase_is(struct env *e, int n)
{
	return atomic_load(&e->phase) >= n;
}
static int phase1(struct env *e)
{
	return phase_is(e, 1);
}
static int phase2(struct env *e)
{
	return phase_is(e, 2);
}
static int phase_done(struct env *e)
{
	return phase_is(e, 100);
}

static int counters_zero(struct env *e)
{
	struct real_server *rs;

	if (e->vs->live->activeconns || e->vs->live->inactconns)
		return 0;
	for (rs = e->vs->pool->rs; rs; rs = rs->next)
		if (rs->live->activeconns || rs->live->inactconns)
			return 0;
	return 1;
}

static void run_client(struct env *e, void *(*fn)(void *))
{
	atomic_store(&e->phase, 0);
	atomic_store(&e->go, 0);
	e->result = -1;
	assert_int_equal(pthread_create(&e->th, NULL, fn, e), 0);
}

/* Let the client finish, then check the books are balanced. */
static void finish_client(struct env *e)
{
	int ok = drive(e, phase_done, 20000);

	pthread_join(e->th, NULL);
	assert_true(ok);
	assert_int_equal(e->result, 0);
	assert_true(drive(e, counters_zero, 3000));
}

/* ---- client helpers (client thread) ---- */

static int wait_go(struct env *e, int n)
{
	int i;

	for (i = 0; i < 2000 && atomic_load(&e->go) < n; i++)
		usleep(5000);
	return atomic_load(&e->go) >= n ? 0 : -1;
}

static int cli_connect(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = IO_TIMEOUT_MS / 1000};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int read_line(int fd, char *buf, size_t n)
{
	size_t i = 0;

	while (i + 1 < n) {
		ssize_t r = read(fd, buf + i, 1);

		if (r <= 0)
			return -1;
		if (buf[i] == '\n') {
			buf[i] = 0;
			return 0;
		}
		i++;
	}
	return -1;
}

/* Send `total` pattern bytes while reading the echo concurrently, then
 * half-close and expect the rest of the echo and EOF.  0 if byte-exact. */
static int echo_exchange(int fd, size_t total)
{
	static __thread char buf[65536];
	size_t sent = 0, got = 0;
	int shut = 0;
	uint64_t deadline = loop_clock_ms() + 15000;

	while (loop_clock_ms() < deadline) {
		struct pollfd pf = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};

		if (sent == total && !shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		if (poll(&pf, 1, 1000) < 0)
			return -1;
		if (pf.revents & POLLOUT) {
			size_t k, n = total - sent < 32768 ? total - sent : 32768;
			ssize_t w;

			for (k = 0; k < n; k++)
				buf[k] = (char)pat(sent + k);
			w = send(fd, buf, n, MSG_DONTWAIT);
			if (w > 0)
				sent += (size_t)w;
		}
		if (pf.revents & (POLLIN | POLLHUP)) {
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			ssize_t k;

			if (r == 0)
				return got == total ? 0 : -2;
			if (r < 0 && errno != EAGAIN)
				return -3;
			for (k = 0; k < r; k++)
				if ((uint8_t)buf[k] != pat(got + (size_t)k))
					return -4;
			if (r > 0)
				got += (size_t)r;
		}
	}
	return -5;
}

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

static void *cli_names(void *arg)
{
	struct env *e = arg;
	int i, r = 0;
	char line[16];

	for (i = 0; i < e->nnames; i++) {
		int fd = cli_connect(e->alt[0] ? e->alt[i % 2] : e->vs->addr.port);

		if (fd < 0 || read_line(fd, e->names[i], sizeof(e->names[i])) < 0) {
			r = 10 + i;
			if (fd >= 0)
				close(fd);
			break;
		}
		/* half-close and wait for the server's EOF: a clean end */
		shutdown(fd, SHUT_WR);
		if (read(fd, line, sizeof(line)) != 0) {
			r = 50 + i;
			close(fd);
			break;
		}
		close(fd);
	}
	e->result = r;
	atomic_store(&e->phase, 100);
	return NULL;
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
	assert_true(dead->live->fail_count > 0);
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
	assert_true(hole->live->fail_count >= 1);
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
	struct rlimit old, tight;
	uint64_t t0;
	int i, lowest, ok;

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
	lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	tight = old;
	tight.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
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
	    cmocka_unit_test_setup_teardown(test_udp_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_lets_connections_finish, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_timeout_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_descriptors_resets_queued, setup, teardown),
	};

	alarm(120); /* the whole file is bounded */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
