/* A worker's reserve descriptor (src/proxy/shed.c) against its siblings.
 * Out of descriptors, a worker gives its reserve up for a moment to accept
 * a queued client and reset it.  The slot that frees is the process's
 * lowest free one, which another worker's accept4 or socket takes as
 * readily; a sibling that kept it left the worker with no reserve and its
 * queued clients waiting in the listen queue for good (test_daemon.py's
 * out-of-descriptors test with 2 workers, once the L4 accept ran without
 * the engine lock).  Here a second thread makes descriptors as a sibling
 * worker does, inside its own gate, as fast as it can while the first
 * sheds: every queued client is reset, the reserve is held at the end and
 * the sibling got no descriptor.  With the gates taken out, the sibling
 * takes the slot and clients are left in the queue (5 runs in 8 on a
 * loaded 2-core machine). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loop.h"
#include "proxy/proxy.h"

#include "fd_limit.h"

#define NCLI	256
#define ROUNDS 4

struct sibling {
	struct proxy *w;
	atomic_int running, stop;
	int stolen; /* a descriptor it got, or -1 */
};

/* A sibling worker out of descriptors too: it asks for one again and
 * again, each time inside its gate, as its accept4 and socket do. */
static void *sibling_main(void *arg)
{
	struct sibling *s = arg;

	atomic_store(&s->running, 1);
	while (!atomic_load(&s->stop) && s->stolen < 0) {
		proxy_fd_enter(s->w);
		s->stolen = open("/dev/null", O_RDONLY | O_CLOEXEC);
		proxy_fd_leave(s->w);
		/* a worker does other work between two (the gate is not
		 * fair: one taken back at once would starve the shed) */
		for (volatile int k = 0; k < 200; k++)
			;
	}
	return NULL;
}

static int listener(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, SOMAXCONN), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* One shed of NCLI queued clients on p, with a sibling asking for
 * descriptors all along (none: NULL), the reserve missing at the start if
 * `missing` (a descriptor of the main thread's had its slot, and gave it
 * back): how many clients were reset. */
static int shed_round(struct pvs *p, struct proxy *sibling, uint16_t port, int missing)
{
	struct sibling sib = {.w = sibling, .stolen = -1};
	struct timeval tv = {.tv_sec = 5};
	struct rlimit old;
	pthread_t th;
	char c;
	int cli[NCLI], i, reset = 0;
	unsigned n;

	for (i = 0; i < NCLI; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons(port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

		cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(cli[i] >= 0);
		setsockopt(cli[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		assert_int_equal(connect(cli[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	proxy_spare_hold(p->px);
	assert_true(p->px->spare_held);
	/* not one descriptor left: the limit is the lowest free one */
	assert_int_equal(fd_limit_to_lowest(&old), 0);
	if (missing)
		proxy_spare_drop(p->px);
	if (sibling) {
		assert_int_equal(pthread_create(&th, NULL, sibling_main, &sib), 0);
		while (!atomic_load(&sib.running))
			sched_yield();
	}
	n = proxy_shed_queued(p);
	if (sibling) {
		atomic_store(&sib.stop, 1);
		pthread_join(th, NULL);
	}
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);

	assert_int_equal(sib.stolen, -1);
	assert_true(p->px->spare_held);
	assert_int_equal(n, NCLI);
	for (i = 0; i < NCLI; i++) {
		if (recv(cli[i], &c, 1, 0) < 0 && errno == ECONNRESET)
			reset++;
		close(cli[i]);
	}
	return reset;
}

static void test_shed_keeps_reserve_against_sibling(void **state)
{
	struct proxy main = {0};
	struct pvs p = {0};
	char err[256];
	uint16_t port;
	int r;

	(void)state;
	main.loop = loop_new();
	assert_non_null(main.loop);
	assert_int_equal(proxy_threads_init(&main, 2, err, sizeof(err)), 0);
	p.px = main.thr->w[0];
	p.fd = listener(&port);
	snprintf(p.name, sizeof(p.name), "TCP 127.0.0.1:%u", port);
	/* a few rounds: the sibling must run in one of the shed's short
	 * windows to take the slot, which on a loaded machine it may miss */
	for (r = 0; r < ROUNDS; r++)
		assert_int_equal(shed_round(&p, main.thr->w[1], port, 0), NCLI);
	close(p.fd);
	proxy_spare_drop(p.px);
	proxy_threads_free(&main);
	loop_free(main.loop);
}

/* nbthread 1: the main loop serves, its own struct proxy with no workers
 * and no gates (proxy_fd_enter is a no-op): the main thread's control
 * connections and checks make their descriptors on the very thread that
 * sheds, so none can come between the reserve's close and the accept4,
 * and a reserve found missing (opened at the last close only if a slot
 * was free) is opened again by the shed itself. */
static void test_shed_without_workers(void **state)
{
	struct proxy px = {0};
	struct pvs p = {0};
	uint16_t port;
	int r;

	(void)state;
	px.loop = loop_new();
	assert_non_null(px.loop);
	p.px = &px;
	p.fd = listener(&port);
	snprintf(p.name, sizeof(p.name), "TCP 127.0.0.1:%u", port);
	for (r = 0; r < 2; r++)
		assert_int_equal(shed_round(&p, NULL, port, r), NCLI);
	close(p.fd);
	proxy_spare_drop(&px);
	loop_free(px.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shed_keeps_reserve_against_sibling),
	    cmocka_unit_test(test_shed_without_workers),
	};

	alarm(60); /* bounded */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
