/* Run-time control: the control socket over a real Unix socket driven by
 * the real loop (requests, answers, many clients at once).  test_ctl.c:
 * the commands themselves. */
#include "ctl_harness.h"

/* ---- the control socket, over a real Unix socket on the real loop ---- */

struct tclient {
	struct ev_io io;
	int fd;
	struct sbuf got;
	int eof;
	int *pending; /* clients still waiting; the loop stops at 0 */
};

static void on_tclient(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct tclient *t = io->data;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(t->fd, buf, sizeof(buf));
		if (n > 0) {
			sbuf_add(&t->got, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		break; /* EOF or error: the server closed */
	}
	t->eof = 1;
	loop_io_del(l, io);
	if (--*t->pending == 0)
		loop_stop(l);
}

static void on_guard(struct loop *l, struct ev_timer *t)
{
	*(int *)t->data = 1;
	loop_stop(l);
}

static void tclient_open(struct tclient *t, struct loop *l, const char *path, const char *send_,
			 size_t len, int *pending)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	memset(t, 0, sizeof(*t));
	sbuf_init(&t->got);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(t->fd >= 0);
	assert_int_equal(connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (send_ && !len)
		len = strlen(send_);
	if (len)
		assert_int_equal(write(t->fd, send_, len), (ssize_t)len);
	t->pending = pending;
	(*pending)++;
	assert_int_equal(loop_io_add(l, &t->io, t->fd, EPOLLIN, on_tclient, t), 0);
}

static void tclient_close(struct tclient *t, struct loop *l)
{
	loop_io_del(l, &t->io);
	close(t->fd);
	sbuf_free(&t->got);
}

/* Run the loop until every client saw EOF, at most guard_ms. */
static void drive(struct loop *l, unsigned guard_ms)
{
	struct ev_timer guard;
	int timed_out = 0;

	loop_timer_init(&guard, on_guard, &timed_out);
	loop_timer_start(l, &guard, guard_ms);
	loop_run(l);
	loop_timer_stop(l, &guard);
	if (timed_out)
		fail_msg("the control server did not answer within %u ms", guard_ms);
}

static void test_server(void **state)
{
	struct fulcrum *fc = *state;
	struct tclient a, silent, big, bad, noline;
	struct ctl_server *srv, *second;
	char dir[] = "/tmp/fulcrum-ctl-XXXXXX", path[300], sub[256], err[ERRLEN];
	char *longreq;
	struct stat st;
	int pending = 0;
	uint64_t t0;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run/fulcrum", dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);

	srv = ctl_server_start(fc, path, err, sizeof(err));
	if (!srv)
		fail_msg("ctl_server_start: %s", err);
	ctl_server_set_timeout(srv, 300);
	/* the parent was created 0700, the socket is 0600 */
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);

	/* a second server on a live socket is refused */
	second = ctl_server_start(fc, path, err, sizeof(err));
	assert_null(second);
	assert_contains(err, "another fulcrum is already running");

	/* one real request, a silent client, an oversized request, a bad
	 * request and one without newline, all at once */
	longreq = malloc(CTL_MAX_REQUEST + 100);
	assert_non_null(longreq);
	memset(longreq, 'x', CTL_MAX_REQUEST + 100);
	tclient_open(&a, fc->loop, path, "list\n", 0, &pending);
	tclient_open(&silent, fc->loop, path, NULL, 0, &pending);
	tclient_open(&big, fc->loop, path, longreq, CTL_MAX_REQUEST + 100, &pending);
	tclient_open(&bad, fc->loop, path, "set weight 127.0.0.1:8080 127.0.0.1:9001 70000\r\n", 0,
		     &pending);
	tclient_open(&noline, fc->loop, path, "list", 0, &pending);
	shutdown(noline.fd, SHUT_WR);
	t0 = loop_clock_ms();
	drive(fc->loop, 3000);

	assert_true(starts_with(sbuf_str(&a.got), "OK\nfulcrum " FC_VERSION " (engine: "));
	assert_contains(sbuf_str(&a.got), "\nTCP  127.0.0.1:8080 rr persistent 50");
	assert_string_equal(sbuf_str(&silent.got), "");
	assert_true(silent.eof);
	assert_true(loop_clock_ms() - t0 >= 250); /* closed by its deadline, not at once */
	assert_string_equal(sbuf_str(&big.got), "ERROR request too long (at most 4096 bytes)\n");
	assert_string_equal(sbuf_str(&bad.got), "ERROR weight 70000 is out of range (0-65535)\n");
	assert_string_equal(sbuf_str(&noline.got),
			    "ERROR the request is not terminated by a newline\n");
	assert_int_equal(rs_at(fc, 0, "127.0.0.1:9001")->cur_weight, 1);
	tclient_close(&a, fc->loop);
	tclient_close(&silent, fc->loop);
	tclient_close(&big, fc->loop);
	tclient_close(&bad, fc->loop);
	tclient_close(&noline, fc->loop);
	free(longreq);

	/* a change over the socket */
	tclient_open(&a, fc->loop, path, "set weight 127.0.0.1:8080 127.0.0.1:9001 4\n", 0,
		     &pending);
	drive(fc->loop, 3000);
	assert_string_equal(sbuf_str(&a.got), "OK\n");
	assert_int_equal(rs_at(fc, 0, "127.0.0.1:9001")->cur_weight, 4);
	tclient_close(&a, fc->loop);

	/* stop with a client still connected: it is closed, the path removed */
	tclient_open(&silent, fc->loop, path, NULL, 0, &pending);
	ctl_server_stop(srv);
	assert_int_equal(lstat(path, &st), -1);
	drive(fc->loop, 1000);
	assert_true(silent.eof);
	tclient_close(&silent, fc->loop);

	/* a stale socket (bound, nobody listening) is replaced */
	{
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		assert_true(strlen(path) < sizeof(sun.sun_path));
		memcpy(sun.sun_path, path, strlen(path) + 1);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(fd);
	}
	srv = ctl_server_start(fc, path, err, sizeof(err));
	if (!srv)
		fail_msg("stale socket not replaced: %s", err);
	ctl_server_stop(srv);

	/* something that is not a socket is never removed */
	{
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		assert_true(fd >= 0);
		close(fd);
	}
	assert_null(ctl_server_start(fc, path, err, sizeof(err)));
	assert_contains(err, "exists and is not a socket");
	assert_int_equal(lstat(path, &st), 0);
	unlink(path);

	/* a path longer than sun_path */
	{
		char lp[200];

		memset(lp, 'a', sizeof(lp) - 1);
		lp[0] = '/';
		lp[sizeof(lp) - 1] = 0;
		assert_null(ctl_server_start(fc, lp, err, sizeof(err)));
		assert_contains(err, "too long");
	}
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
}

/* Many clients at once, each answered. */
static void test_server_many_clients(void **state)
{
	enum { N = 64 };
	struct fulcrum *fc = *state;
	struct tclient *c = calloc(N, sizeof(*c));
	char dir[] = "/tmp/fulcrum-ctl-XXXXXX", path[256], err[ERRLEN];
	struct ctl_server *srv;
	int pending = 0, i;

	assert_non_null(c);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	srv = ctl_server_start(fc, path, err, sizeof(err));
	if (!srv)
		fail_msg("ctl_server_start: %s", err);
	for (i = 0; i < N; i++)
		tclient_open(&c[i], fc->loop, path, i % 2 ? "list --json\n" : "version\n", 0,
			     &pending);
	drive(fc->loop, 5000);
	for (i = 0; i < N; i++) {
		if (i % 2)
			assert_true(json_valid(sbuf_str(&c[i].got) + 3));
		else
			assert_string_equal(sbuf_str(&c[i].got), "OK\nfulcrum " FC_VERSION "\n");
		tclient_close(&c[i], fc->loop);
	}
	ctl_server_stop(srv);
	rmdir(dir);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_many_clients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
