/* What the tests of a configuration reader share: a load from a string
 * through one reader with every diagnostic collected, one per line, "E "
 * or "W " first, and the assertions on them.
 *
 * Before including it, a test defines HARNESS_FILE (the name messages
 * carry, "h.cfg") and HARNESS_READER (the struct conf_reader, e.g.
 * conf_reader_haproxy).  Its helpers are inline: each test includes it
 * and uses only some. */
#ifndef FC_TESTS_READER_HARNESS_H
#define FC_TESTS_READER_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

static char msgs[65536];
static struct conf_diag diag;

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static inline void diag_reset(void)
{
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
}

static inline struct config *load(const char *text)
{
	diag_reset();
	return HARNESS_READER.load_string(HARNESS_FILE, text, strlen(text), &diag);
}

static inline struct config *expect_ok(const char *text)
{
	struct config *cfg = load(text);

	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	return cfg;
}

/* Whether the last load said, at HARNESS_FILE:LINE, a message of severity
 * sev ('E' or 'W') containing want. */
static inline int said(char sev, int line, const char *want)
{
	char head[64];
	const char *p;

	snprintf(head, sizeof(head), "%c " HARNESS_FILE ":%d: ", sev, line);
	for (p = strstr(msgs, head); p; p = strstr(p + 1, head)) {
		const char *eol = strchr(p, '\n');

		if (strstr(p, want) && strstr(p, want) < eol)
			return 1;
	}
	return 0;
}

/* The load must fail, with an error "HARNESS_FILE:LINE: ...want...". */
static inline void expect_error(const char *text, int line, const char *want)
{
	struct config *cfg = load(text);

	if (cfg || !said('E', line, want))
		fail_msg("wanted an error \"" HARNESS_FILE ":%d: ...%s\", got:\n%s", line, want,
			 msgs);
	config_free(cfg);
}

#endif
