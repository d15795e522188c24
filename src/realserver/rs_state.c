/* The real-server state file: see rs_state.h for the format and contracts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "realserver/rs_state.h"

#define RS_STATE_MAX_BYTES (256 * 1024)

static const char *const sysctl_keys[] = {"arp_ignore", "arp_announce", "rp_filter"};

static int key_known(const char *k)
{
	for (size_t i = 0; i < sizeof(sysctl_keys) / sizeof(sysctl_keys[0]); i++)
		if (!strcmp(k, sysctl_keys[i]))
			return 1;
	return 0;
}

/* A sysctl value as the kernel prints these integers: optional '-', digits. */
static int value_ok(const char *v)
{
	const char *p = v;

	if (*p == '-')
		p++;
	if (!*p || strlen(v) >= RS_VAL_LEN)
		return 0;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int dev_ok(const char *d)
{
	return *d && strlen(d) < IF_NAMESIZE && !strchr(d, '/') && strcmp(d, ".") &&
	       strcmp(d, "..");
}

/* One line split in words (at most 5); returns the number of words. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int parse_line(char *line, struct rs_item *it, char *err, size_t errlen)
{
	char *w[5];
	char e[ERRLEN];
	int n = split(line, w, 4);

	memset(it, 0, sizeof(*it));
	if (n == 3 && !strcmp(w[0], "vip")) {
		it->kind = RS_ITEM_VIP;
		if (addr_parse_ip(w[1], &it->vip, e, sizeof(e)) < 0)
			return err_set(err, errlen, "%s", e);
		if (strcmp(w[2], "added") && strcmp(w[2], "present"))
			return err_set(err, errlen, "vip %s: 'added' or 'present' expected", w[1]);
		it->added = !strcmp(w[2], "added");
		return 0;
	}
	if (n == 4 && !strcmp(w[0], "sysctl")) {
		it->kind = RS_ITEM_SYSCTL;
		if (!dev_ok(w[1]))
			return err_set(err, errlen, "bad interface name '%s'", w[1]);
		if (!key_known(w[2]))
			return err_set(err, errlen, "unknown sysctl '%s'", w[2]);
		if (!value_ok(w[3]))
			return err_set(err, errlen, "bad sysctl value '%s'", w[3]);
		strcpy(it->dev, w[1]);
		strcpy(it->key, w[2]);
		strcpy(it->prev, w[3]);
		return 0;
	}
	if (n == 3 && !strcmp(w[0], "decap")) {
		it->kind = RS_ITEM_DECAP;
		if (!dev_ok(w[1]))
			return err_set(err, errlen, "bad interface name '%s'", w[1]);
		if (strcmp(w[2], "native") && strcmp(w[2], "generic"))
			return err_set(err, errlen, "decap %s: 'native' or 'generic' expected",
				       w[1]);
		strcpy(it->dev, w[1]);
		it->native = !strcmp(w[2], "native");
		return 0;
	}
	return err_set(err, errlen, "not a state line (vip/sysctl/decap expected)");
}

int rs_state_parse(const char *text, const char *name, struct rs_state *st, char *err,
		   size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	char e[ERRLEN];
	unsigned lineno = 0;
	int rc = -1;

	st->n = 0;
	if (!copy)
		return err_set(err, errlen, "%s: out of memory", name);
	/* strtok_r would fold empty lines and lose the numbering: walk by hand */
	for (line = copy; line; line = save) {
		struct rs_item it;
		char *nl = strchr(line, '\n'), *hash;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = 0;
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (line[strspn(line, " \t\r")] == 0)
			continue;
		if (parse_line(line, &it, e, sizeof(e)) < 0) {
			err_set(err, errlen, "%s:%u: %s", name, lineno, e);
			goto out;
		}
		if (rs_state_add(st, &it, e, sizeof(e)) < 0) {
			err_set(err, errlen, "%s:%u: %s", name, lineno, e);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		st->n = 0;
	free(copy);
	return rc;
}

int rs_state_load(const char *path, struct rs_state *st, int *exists, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	st->n = 0;
	*exists = 0;
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, errlen, "cannot read %s: %s", path, strerror(errno));
	}
	*exists = 1;
	buf = malloc(RS_STATE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return err_set(err, errlen, "%s: out of memory", path);
	}
	n = fread(buf, 1, RS_STATE_MAX_BYTES + 1, f);
	if (ferror(f) || n > RS_STATE_MAX_BYTES) {
		rc = err_set(err, errlen, "cannot read %s: %s", path,
			     ferror(f) ? strerror(errno) : "file too large");
	} else {
		buf[n] = 0;
		if (memchr(buf, 0, n))
			rc = err_set(err, errlen, "%s: not a text file", path);
		else
			rc = rs_state_parse(buf, path, st, err, errlen);
	}
	free(buf);
	fclose(f);
	return rc;
}

static void write_item(FILE *f, const struct rs_item *it)
{
	char a[ADDR_STRLEN];

	switch (it->kind) {
	case RS_ITEM_VIP:
		fprintf(f, "vip %s %s\n", addr_format(&it->vip, a, sizeof(a), 0),
			it->added ? "added" : "present");
		break;
	case RS_ITEM_SYSCTL:
		fprintf(f, "sysctl %s %s %s\n", it->dev, it->key, it->prev);
		break;
	case RS_ITEM_DECAP:
		fprintf(f, "decap %s %s\n", it->dev, it->native ? "native" : "generic");
		break;
	}
}

/* mkdir -p of path's directory (one level is all /run/fulcrum needs, but
 * a --state path may be deeper). */
static int make_parent(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return err_set(err, errlen, "state path too long");
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return err_set(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

int rs_state_save(const char *path, const struct rs_state *st, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (st->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return err_set(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	if (make_parent(path, err, errlen) < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return err_set(err, errlen, "state path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return err_set(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	}
	fprintf(f, "# fulcrum realserver state: what `fulcrum realserver start` changed.\n"
		   "# `fulcrum realserver stop` puts it back.  One item a line:\n"
		   "#   vip ADDR added|present, sysctl DEV KEY PREVIOUS, decap DEV MODE\n");
	for (unsigned i = 0; i < st->n; i++)
		write_item(f, &st->item[i]);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || ferror(f)) {
		err_set(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0) {
		unlink(tmp);
		return err_set(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) < 0) {
		err_set(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int rs_state_find_vip(const struct rs_state *st, const struct fc_addr *vip)
{
	for (unsigned i = 0; i < st->n; i++)
		if (st->item[i].kind == RS_ITEM_VIP && addr_ip_equal(&st->item[i].vip, vip))
			return (int)i;
	return -1;
}

int rs_state_find_sysctl(const struct rs_state *st, const char *dev, const char *key)
{
	for (unsigned i = 0; i < st->n; i++)
		if (st->item[i].kind == RS_ITEM_SYSCTL && !strcmp(st->item[i].dev, dev) &&
		    !strcmp(st->item[i].key, key))
			return (int)i;
	return -1;
}

int rs_state_find_decap(const struct rs_state *st, const char *dev)
{
	for (unsigned i = 0; i < st->n; i++)
		if (st->item[i].kind == RS_ITEM_DECAP && !strcmp(st->item[i].dev, dev))
			return (int)i;
	return -1;
}

int rs_state_add(struct rs_state *st, const struct rs_item *it, char *err, size_t errlen)
{
	if (st->n >= RS_MAX_ITEMS)
		return err_set(err, errlen, "more than %d state items", RS_MAX_ITEMS);
	st->item[st->n++] = *it;
	return 0;
}

void rs_state_del(struct rs_state *st, unsigned i)
{
	if (i >= st->n)
		return;
	memmove(&st->item[i], &st->item[i + 1], (st->n - i - 1) * sizeof(st->item[0]));
	st->n--;
}

unsigned rs_state_count(const struct rs_state *st, enum rs_kind kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st->n; i++)
		n += st->item[i].kind == kind;
	return n;
}
