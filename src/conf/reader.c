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
    &conf_reader_haproxy,
    NULL,
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

struct config *conf_reader_load_file(const char *path, struct conf_diag *d,
				     struct config *(*load_text)(const char *name, const char *text,
								 size_t len, struct conf_diag *d))
{
	struct conf_diag quiet = {0};
	struct config *cfg;
	size_t len = 0, cap = 0;
	char *buf = NULL, *grown;
	FILE *f;

	if (!d)
		d = &quiet;
	f = fopen(path, "re");
	if (!f) {
		conf_report(d, DIAG_ERROR, path, 0, "cannot open: %m");
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			if (cap >= LEX_MAX_FILE) {
				conf_report(d, DIAG_ERROR, path, 0, "larger than %u bytes",
					    LEX_MAX_FILE);
				fclose(f);
				free(buf);
				return NULL;
			}
			cap = cap ? cap * 2 : 16384;
			grown = realloc(buf, cap);
			if (!grown) {
				conf_report(d, DIAG_ERROR, path, 0, "out of memory");
				fclose(f);
				free(buf);
				return NULL;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	cfg = load_text(path, buf ? buf : "", len, d);
	free(buf);
	return cfg;
}
