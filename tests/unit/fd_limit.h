/* Out of descriptors on purpose (test_proxy_shed.c, test_proxy_life.c):
 * the process's RLIMIT_NOFILE lowered to its lowest free descriptor, so
 * that not one more can be made until one is closed or the limit put
 * back (setrlimit(RLIMIT_NOFILE, old)).  A static inline function: each
 * test binary that includes it gets its own copy. */
#ifndef FC_TESTS_FD_LIMIT_H
#define FC_TESTS_FD_LIMIT_H

#include <sys/resource.h>
#include <unistd.h>

/* 0, old filled with the limit to put back; -1 with errno. */
static inline int fd_limit_to_lowest(struct rlimit *old)
{
	struct rlimit tight;
	int lowest = dup(0);

	if (lowest < 0)
		return -1;
	close(lowest);
	if (getrlimit(RLIMIT_NOFILE, old) < 0)
		return -1;
	tight = *old;
	tight.rlim_cur = (rlim_t)lowest;
	return setrlimit(RLIMIT_NOFILE, &tight);
}

#endif
