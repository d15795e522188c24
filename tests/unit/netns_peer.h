/* A peer for the unit tests that need a second host: a forked process alone
 * in a network namespace of its own, which only waits.  Unnamed and killed
 * with its parent (PR_SET_PDEATHSIG): nothing to clean up, even on a crash.
 * The caller moves an interface into it (`ip link set IF netns PID`) and
 * configures it with `nsenter -t PID -n ...`.
 *
 * A header of static functions: each test binary that includes it gets its
 * own copy (tests are single files). */
#ifndef FC_TESTS_NETNS_PEER_H
#define FC_TESTS_NETNS_PEER_H

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The peer's pid once its namespace exists, or -1. */
static pid_t netns_peer_start(void)
{
	int p[2];
	char c = 1;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0 || write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(p[0]);
	return pid;
}

static void netns_peer_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

#endif
