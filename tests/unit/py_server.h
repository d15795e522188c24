/* A test server written in Python, for the checker tests that need a real
 * HTTP or TLS peer: the script is written into a fresh directory under
 * /tmp together with a self-signed certificate (cert.pem, key.pem, made by
 * the openssl CLI), run as `python3 SCRIPT DIR`, and must print one line
 * "READY ..." (its ports) within 10 s.  It runs until its stdin closes;
 * py_server_stop also kills it and removes the directory.
 *
 * A header of static functions: each test binary that includes it gets its
 * own copy (tests are single files). */
#ifndef FC_TESTS_PY_SERVER_H
#define FC_TESTS_PY_SERVER_H

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct py_server {
	char dir[32]; /* "" until made */
	pid_t pid;
	int in; /* the script's stdin */
};

static int py_server_write(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(s, f);
	return fclose(f);
}

/* Start script; its READY line (without the newline) into ready.  0, or -1
 * (what went wrong on stderr). */
static int py_server_start(struct py_server *s, const char *script, char *ready, size_t readylen)
{
	char path[128], cmd[512];
	int out[2], in[2];
	size_t len = 0;

	s->pid = -1;
	s->in = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/fc-pysrv-XXXXXX");
	ready[0] = 0;
	if (!mkdtemp(s->dir)) {
		s->dir[0] = 0;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/srv.py", s->dir);
	if (py_server_write(path, script) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
		 "-keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1",
		 s->dir, s->dir);
	if (system(cmd) != 0 || pipe(out) < 0)
		return -1;
	if (pipe(in) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/usr/bin/python3", "python3", path, s->dir, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	while (len < readylen - 1 && !strchr(ready, '\n')) {
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(out[0], ready + len, readylen - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		ready[len] = 0;
	}
	close(out[0]);
	if (strncmp(ready, "READY ", 6) || !strchr(ready, '\n')) {
		fprintf(stderr, "test server did not start: '%s'\n", ready);
		return -1;
	}
	*strchr(ready, '\n') = 0;
	return 0;
}

static int py_server_stop(struct py_server *s)
{
	char cmd[128];

	if (s->in >= 0)
		close(s->in); /* the server exits when its stdin closes */
	s->in = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = -1;
	if (!s->dir[0])
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
