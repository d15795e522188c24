/* What the proxy engine's end-to-end tests share (test_proxy.c,
 * test_proxy_life.c): backends forked by the test (one grandchild per
 * connection), the engine on a fresh loop and config per test (setup,
 * teardown), drive() to run the loop in this thread until a predicate holds
 * or a bounded deadline passes, and the client thread's helpers (blocking
 * sockets with timeouts; results in plain fields read after the join).
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_PROXY_HARNESS_H
#define FC_TESTS_PROXY_HARNESS_H

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
	B_BURST, /* "NAME\n" + BURST_BYTES at once, then silent (no FIN) until EOF */
};

#define BURST_BYTES (8 * 1024 * 1024)

struct backend {
	pid_t pid;
	uint16_t port;
	int result_fd; /* B_FIRST: the bytes counted are written here */
};

static inline uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static inline int write_all(int fd, const void *buf, size_t n)
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

static inline void serve_tcp(int fd, const char *name, enum bmode mode, int result_fd)
{
	char buf[65536], line[64];
	ssize_t n;
	uint64_t count = 0;
	size_t i;

	snprintf(line, sizeof(line), "%s\n", name);
	if (write_all(fd, line, strlen(line)) < 0)
		_exit(1);
	if (mode == B_FIRST || mode == B_BURST) {
		for (i = 0; i < (mode == B_BURST ? BURST_BYTES : MIB); i += sizeof(buf)) {
			size_t k;

			for (k = 0; k < sizeof(buf); k++)
				buf[k] = (char)pat(i + k);
			if (write_all(fd, buf, sizeof(buf)) < 0)
				_exit(1);
		}
	}
	if (mode == B_BURST) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	if (mode == B_FIRST) {
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

static inline void start_backend(struct backend *b, const char *name, enum bmode mode)
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

static inline void stop_backend(struct backend *b)
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
static inline int refusing_port(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static inline uint16_t free_port(int type)
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

static inline struct virtual_server *mkvs(struct env *e, int proto, const char *sched)
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

static inline struct real_server *mkrs(struct virtual_server *vs, uint16_t port, int weight)
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

static inline void serve(struct env *e, struct virtual_server *vs)
{
	char err[ERRLEN] = "";

	assert_int_equal(proxy_engine_ops.check(vs, err, sizeof(err)), 0);
	if (proxy_engine_ops.prepare(&e->fc, vs, NULL, err, sizeof(err)) < 0)
		fail_msg("prepare: %s", err);
	proxy_engine_ops.commit(&e->fc, vs, NULL);
}

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline void drive_tick(struct loop *l, struct ev_timer *t)
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

static inline int drive(struct env *e, int (*pred)(struct env *e), unsigned timeout_ms)
{
	struct drive d = {.e = e, .pred = pred};

	d.deadline = loop_clock_ms() + timeout_ms;
	loop_timer_init(&d.t, drive_tick, &d);
	loop_timer_start(e->fc.loop, &d.t, 0);
	loop_run(e->fc.loop);
	loop_timer_stop(e->fc.loop, &d.t);
	return d.ok;
}

static inline int phase_is(struct env *e, int n)
{
	return atomic_load(&e->phase) >= n;
}
static inline int phase1(struct env *e)
{
	return phase_is(e, 1);
}
static inline int phase2(struct env *e)
{
	return phase_is(e, 2);
}
static inline int phase_done(struct env *e)
{
	return phase_is(e, 100);
}

static inline int counters_zero(struct env *e)
{
	struct real_server *rs;

	if (e->vs->live->activeconns || e->vs->live->inactconns)
		return 0;
	for (rs = e->vs->pool->rs; rs; rs = rs->next)
		if (rs->live->activeconns || rs->live->inactconns)
			return 0;
	return 1;
}

static inline void run_client(struct env *e, void *(*fn)(void *))
{
	atomic_store(&e->phase, 0);
	atomic_store(&e->go, 0);
	e->result = -1;
	assert_int_equal(pthread_create(&e->th, NULL, fn, e), 0);
}

/* Let the client finish, then check the books are balanced. */
static inline void finish_client(struct env *e)
{
	int ok = drive(e, phase_done, 20000);

	pthread_join(e->th, NULL);
	assert_true(ok);
	assert_int_equal(e->result, 0);
	assert_true(drive(e, counters_zero, 3000));
}

/* ---- client helpers (client thread) ---- */

static inline int wait_go(struct env *e, int n)
{
	int i;

	for (i = 0; i < 2000 && atomic_load(&e->go) < n; i++)
		usleep(5000);
	return atomic_load(&e->go) >= n ? 0 : -1;
}

static inline int cli_connect(uint16_t port)
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

static inline int read_line(int fd, char *buf, size_t n)
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
static inline int echo_exchange(int fd, size_t total)
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

static inline void *cli_names(void *arg)
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
#endif
