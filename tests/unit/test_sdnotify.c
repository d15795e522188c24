/* sd_notify without libsystemd: a message reaches a real datagram socket
 * bound at a path or at an abstract name, as systemd binds it; addresses
 * that are neither are refused with a message; without $NOTIFY_SOCKET the
 * daemon's calls do nothing, and the variable is not left for scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/sdnotify.h"

/* Bind a datagram socket at addr ("/path" or "@name"), as systemd does. */
static int bind_dgram(const char *addr)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t n = strlen(addr);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, addr, n);
	if (addr[0] == '@')
		sun.sun_path[0] = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)),
			 0);
	return fd;
}

/* The datagram waiting on fd (the sender has returned: it is there). */
static const char *next_datagram(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = 0;
	return buf;
}

static void expect_datagram(int fd, const char *want)
{
	assert_string_equal(next_datagram(fd), want);
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/sdn-XXXXXX", path[64], err[ERRLEN];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bind_dgram(path);
	assert_int_equal(sdn_send_to(path, "READY=1\nSTATUS=x", err, sizeof(err)), 0);
	expect_datagram(fd, "READY=1\nSTATUS=x");
	close(fd);
	unlink(path);
	/* nobody listens any more: an error that names the socket */
	assert_int_equal(sdn_send_to(path, "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	rmdir(dir);
}

static void test_abstract_socket(void **state)
{
	char name[64], err[ERRLEN];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@fulcrum-test-sdn-%d", (int)getpid());
	fd = bind_dgram(name);
	assert_int_equal(sdn_send_to(name, "STOPPING=1", err, sizeof(err)), 0);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
}

static void test_bad_addresses(void **state)
{
	char err[ERRLEN], longp[200];

	(void)state;
	assert_int_equal(sdn_send_to("relative/sock", "READY=1", err, sizeof(err)), -1);
	assert_string_equal(err, "NOTIFY_SOCKET 'relative/sock' is not a path or an @abstract name");
	assert_int_equal(sdn_send_to("@", "READY=1", err, sizeof(err)), -1);
	assert_int_equal(sdn_send_to("vsock:2:1234", "READY=1", err, sizeof(err)), -1);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(sdn_send_to(longp, "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
}

/* sdn_notify reads $NOTIFY_SOCKET once and takes it out of the environment. */
static void test_notify_from_environment(void **state)
{
	char name[64];
	const char *got;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@fulcrum-test-sdn-env-%d", (int)getpid());
	fd = bind_dgram(name);
	setenv("NOTIFY_SOCKET", name, 1);
	sdn_init();
	assert_null(getenv("NOTIFY_SOCKET"));
	assert_int_equal(sdn_notify("READY=1\nSTATUS=serving %u virtual servers", 3u), 1);
	expect_datagram(fd, "READY=1\nSTATUS=serving 3 virtual servers");
	assert_int_equal(sdn_reloading(), 1);
	got = next_datagram(fd);
	assert_true(!strncmp(got, "RELOADING=1\nMONOTONIC_USEC=", 27));
	assert_true(strtoull(got + 27, NULL, 10) > 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_notify_from_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
