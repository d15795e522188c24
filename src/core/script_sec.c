/* The enable_script_security check (see script_sec.h for the rule). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/script_sec.h"
#include "core/spawn.h"

/* One path component: SCRIPT_SAFE, or SCRIPT_UNSAFE with why. */
static enum script_sec component_ok(const char *path, const struct stat *st, uid_t uid, gid_t gid,
				    char *why, size_t whylen)
{
	int sticky_dir = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);

	if (st->st_uid != 0 && st->st_uid != uid) {
		err_set(why, whylen, "%s is owned by uid %u", path, (unsigned)st->st_uid);
		return SCRIPT_UNSAFE;
	}
	if (sticky_dir)
		return SCRIPT_SAFE;
	if (st->st_mode & S_IWOTH) {
		err_set(why, whylen, "%s is writable by everyone", path);
		return SCRIPT_UNSAFE;
	}
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && st->st_gid != gid) {
		err_set(why, whylen, "%s is writable by group %u", path, (unsigned)st->st_gid);
		return SCRIPT_UNSAFE;
	}
	return SCRIPT_SAFE;
}

/* One component: stat (through symlinks, as exec resolves it) and judge. */
static enum script_sec one_ok(const char *path, int want_dir, uid_t uid, gid_t gid, char *why,
			      size_t whylen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		err_set(why, whylen, "%s: %s", path, strerror(errno));
		return SCRIPT_NOTFOUND;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		err_set(why, whylen, "%s is not a directory", path);
		return SCRIPT_NOTFOUND;
	}
	return component_ok(path, &st, uid, gid, why, whylen);
}

/* "/", every directory of the absolute path, then the file itself. */
static enum script_sec path_ok(const char *path, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	char buf[PATH_MAX];
	size_t len = strlen(path), i;
	enum script_sec r;

	if (len >= sizeof(buf)) {
		err_set(why, whylen, "%.64s...: path too long", path);
		return SCRIPT_NOTFOUND;
	}
	r = one_ok("/", 1, uid, gid, why, whylen);
	for (i = 1; r == SCRIPT_SAFE && i <= len; i++) {
		if ((i < len && path[i] != '/') || path[i - 1] == '/')
			continue; /* inside a name, or "//" / a trailing '/' */
		memcpy(buf, path, i);
		buf[i] = '\0';
		r = one_ok(buf, i < len, uid, gid, why, whylen);
	}
	return r;
}

/* execvp's lookup of a bare name: the first regular, executable file in
 * PATH (the default path when PATH is unset).  0 and *out (malloc'd). */
static int path_search(const char *name, const char *root, char **out)
{
	const char *env = getenv("PATH"), *p, *end;
	char defpath[256];

	if (!env) {
		size_t n = confstr(_CS_PATH, defpath, sizeof(defpath));

		env = n && n <= sizeof(defpath) ? defpath : "/bin:/usr/bin";
	}
	for (p = env;; p = end + 1) {
		char cand[PATH_MAX];
		struct stat st;
		int n;

		end = strchrnul(p, ':');
		if (end > p) {
			n = snprintf(cand, sizeof(cand), "%s%.*s/%s", root, (int)(end - p), p, name);
			if (n > 0 && (size_t)n < sizeof(cand) && stat(cand, &st) == 0 &&
			    S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
				*out = strdup(cand + strlen(root));
				return *out ? 0 : -1;
			}
		}
		if (!*end)
			return -1;
	}
}

enum script_sec script_sec_check(const char *cmdline, uid_t uid, gid_t gid, const char *root,
				 char *why, size_t whylen)
{
	char **argv = NULL, *prog = NULL, *full = NULL, *real = NULL;
	enum script_sec r = SCRIPT_NOTFOUND;

	if (!root || !strcmp(root, "/"))
		root = "";
	if (spawn_split(cmdline, &argv, why, whylen) < 0)
		return SCRIPT_BAD;
	if (strchr(argv[0], '/')) {
		prog = strdup(argv[0]);
	} else if (path_search(argv[0], root, &prog) < 0) {
		err_set(why, whylen, "%s: not found in PATH", argv[0]);
		goto out;
	}
	if (!prog) {
		err_set(why, whylen, "out of memory");
		goto out;
	}
	/* relative names are resolved as exec would, from the current directory */
	if (prog[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) || asprintf(&full, "%s%s/%s", root, cwd, prog) < 0) {
			full = NULL;
			err_set(why, whylen, "%s: cannot resolve the current directory", prog);
			goto out;
		}
	} else if (asprintf(&full, "%s%s", root, prog) < 0) {
		full = NULL;
		err_set(why, whylen, "out of memory");
		goto out;
	}
	r = path_ok(full, uid, gid, why, whylen);
	if (r != SCRIPT_SAFE)
		goto out;
	real = realpath(full, NULL);
	if (!real) {
		err_set(why, whylen, "%s: %s", full, strerror(errno));
		r = SCRIPT_NOTFOUND;
		goto out;
	}
	if (strcmp(real, full))
		r = path_ok(real, uid, gid, why, whylen);
out:
	spawn_argv_free(argv);
	free(prog);
	free(full);
	free(real);
	return r;
}
