/* Directory trust checks (see dirtrust.h).
 *
 * Why both walks: the path as written can hold a symbolic link that its
 * owner can re-point later (a link in /tmp, say), and the path it resolves
 * to can pass through a directory someone else owns.  Either lets another
 * user swap what the daemon created.  The checks are made before the
 * daemon creates anything; since every directory that passes can be
 * changed only by root or us, nobody else can change it after the check
 * either. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dirtrust.h"
#include "core/err.h"

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *who(char *buf, size_t len)
{
	if (geteuid() == 0)
		return "root";
	snprintf(buf, len, "root or uid %u", (unsigned)geteuid());
	return buf;
}

/* One directory (or link) on the way; last: it is dir itself. */
static int check_one(const char *p, int last, enum dirtrust_last rule, char *err, size_t errlen)
{
	struct stat st;
	char w[48];

	if (lstat(p, &st) < 0)
		return err_set(err, errlen, "cannot check %s: %s", p, strerror(errno));
	if (!owner_ok(st.st_uid))
		return err_set(err, errlen, "%s is owned by uid %u, not %s", p, (unsigned)st.st_uid,
			       who(w, sizeof(w)));
	if (S_ISLNK(st.st_mode))
		return 0; /* its target is checked on the resolved walk */
	if (!S_ISDIR(st.st_mode))
		return err_set(err, errlen, "%s is not a directory", p);
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if ((st.st_mode & S_ISVTX) && (!last || rule == DIRTRUST_STICKY))
		return 0;
	return err_set(err, errlen, "%s is writable by %s (mode %04o)%s", p,
		       (st.st_mode & S_IWOTH) ? "others" : "its group",
		       (unsigned)(st.st_mode & 07777),
		       last && rule == DIRTRUST_PRIVATE ? ""
							: " without the sticky bit");
}

/* Every prefix of the absolute path: "/", "/a", "/a/b", ... */
static int walk(const char *path, enum dirtrust_last rule, char *err, size_t errlen)
{
	char p[PATH_MAX];
	size_t n = strlen(path), i;

	if (n >= sizeof(p))
		return err_set(err, errlen, "path too long: %s", path);
	memcpy(p, path, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	if (check_one("/", n == 1, rule, err, errlen) < 0)
		return -1;
	for (i = 1; i <= n; i++) {
		char c = p[i];

		if (c != '/' && c != 0)
			continue;
		if (p[i - 1] == '/')
			continue; /* "//" */
		p[i] = 0;
		if (check_one(p, i == n, rule, err, errlen) < 0)
			return -1;
		p[i] = c;
	}
	return 0;
}

int dirtrust_check(const char *dir, enum dirtrust_last last, char *err, size_t errlen)
{
	char *real;
	int rc;

	if (*dir == '/' && walk(dir, last, err, errlen) < 0)
		return -1;
	real = realpath(dir, NULL);
	if (!real)
		return err_set(err, errlen, "cannot resolve %s: %s", dir, strerror(errno));
	rc = walk(real, last, err, errlen);
	free(real);
	return rc;
}
