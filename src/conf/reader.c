/* The reader registry (reader.h): one explicit list, one line per grammar. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/reader.h"
#include "core/err.h"
#include "kw/lexer.h"

const struct conf_reader *const conf_readers[] = {
    &conf_reader_keepalived,
    &conf_reader_ldirectord,
    NULL,
};

/* ---- haproxy.cfg: recognised, refused with a clear message ---- */

/* The line of the first haproxy.cfg section keyword at column 0 (global,
 * defaults, frontend NAME, backend NAME, listen NAME), or 0. */
static int haproxy_line(const char *text, size_t len)
{
	static const char *const sections[] = {"global", "defaults", "frontend", "backend",
					       "listen", NULL};
	const char *p = text, *end = text + len;
	int line = 0;
	unsigned i;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n, k;

		if (!eol)
			eol = end;
		line++;
		n = (size_t)(eol - p);
		for (i = 0; sections[i]; i++) {
			k = strlen(sections[i]);
			if (n >= k && !memcmp(p, sections[i], k) &&
			    (n == k || p[k] == ' ' || p[k] == '\t' || p[k] == '\r') &&
			    !memchr(p, '{', n) && !memchr(p, '=', n))
				return line;
		}
		p = eol + 1;
	}
	return 0;
}

static struct config *haproxy_refuse(const char *name, const char *text, size_t len,
				     struct conf_diag *d)
{
	conf_report(d, DIAG_ERROR, name, haproxy_line(text, len),
		    "this is haproxy.cfg; fulcrum does not read that grammar yet");
	return NULL;
}

static struct config *haproxy_refuse_file(const char *path, struct conf_diag *d)
{
	size_t len = 0;
	ssize_t n;
	char *buf = malloc(CONF_PROBE_LEN);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && buf)
		while (len < CONF_PROBE_LEN &&
		       (n = read(fd, buf + len, CONF_PROBE_LEN - len)) > 0)
			len += (size_t)n;
	if (fd >= 0)
		close(fd);
	haproxy_refuse(path, buf ? buf : "", buf ? len : 0, d);
	free(buf);
	return NULL;
}

static int haproxy_probe(const char *text, size_t len)
{
	return haproxy_line(text, len) ? 50 : 0;
}

/* Not in conf_readers (no --format haproxy yet): only the probe picks it. */
static const struct conf_reader haproxy_refusal = {
    .name = "haproxy",
    .probe = haproxy_probe,
    .load = haproxy_refuse_file,
    .load_string = haproxy_refuse,
};

/* set once from the command line (--format), before any read */
static const struct conf_reader *forced;

const struct conf_reader *conf_reader_find(const char *name)
{
	unsigned i;

	for (i = 0; conf_readers[i]; i++)
		if (!strcmp(conf_readers[i]->name, name))
			return conf_readers[i];
	return NULL;
}

const struct conf_reader *conf_reader_probe(const char *text, size_t len)
{
	const struct conf_reader *best = conf_readers[0];
	int best_score = 0, score;
	unsigned i;

	for (i = 0; conf_readers[i]; i++) {
		score = conf_readers[i]->probe(text, len);
		if (score > best_score) {
			best = conf_readers[i];
			best_score = score;
		}
	}
	if (!best_score && haproxy_refusal.probe(text, len))
		return &haproxy_refusal;
	return best;
}

const struct conf_reader *conf_reader_for_file(const char *path)
{
	const struct conf_reader *r;
	size_t len = 0;
	ssize_t n;
	char *buf;
	int fd;

	if (forced)
		return forced;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return conf_readers[0];
	buf = malloc(CONF_PROBE_LEN);
	if (!buf) {
		close(fd);
		return conf_readers[0];
	}
	while (len < CONF_PROBE_LEN && (n = read(fd, buf + len, CONF_PROBE_LEN - len)) > 0)
		len += (size_t)n;
	close(fd);
	r = conf_reader_probe(buf, len);
	free(buf);
	return r;
}

const struct conf_reader *conf_reader_forced(void)
{
	return forced;
}

void conf_reader_names(char *buf, size_t len)
{
	size_t n = 0;
	unsigned i;

	if (len)
		buf[0] = 0;
	for (i = 0; conf_readers[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
				      conf_readers[i]->name);
}

int conf_reader_force(const char *name, char *err, size_t errlen)
{
	char names[256];

	if (!name) {
		forced = NULL;
		return 0;
	}
	forced = conf_reader_find(name);
	if (forced)
		return 0;
	conf_reader_names(names, sizeof(names));
	return err_set(err, errlen, "--format %s: unknown grammar (fulcrum reads %s)", name, names);
}
