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

static char doubled[1024]; /* the first message with two prefixes, or "" */

/* Whether msg carries a second "FILE:LINE: " prefix after its own (a
 * module wrote the place into its message, then the reader added it
 * again): one right after a ": ".  A place named inside the text ("first
 * at h.cfg:1", "the service of h.cfg:1: ...") is no prefix. */
static inline int two_prefixes(const char *msg)
{
	const char *p;

	for (p = strstr(msg, HARNESS_FILE ":"); p; p = strstr(p + 1, HARNESS_FILE ":")) {
		const char *q = p + strlen(HARNESS_FILE ":");

		if (p < msg + 2 || p[-2] != ':' || p[-1] != ' ' || q[0] < '0' || q[0] > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q[0] == ':' && q[1] == ' ')
			return 1;
	}
	return 0;
}

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
	if (!doubled[0] && two_prefixes(msg))
		snprintf(doubled, sizeof(doubled), "%s", msg);
}

static inline void diag_reset(void)
{
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
}

/* Every load of every test also checks that no message says its place
 * twice ("h.cfg:2: h.cfg:2: ..."). */
static inline struct config *load(const char *text)
{
	struct config *cfg;

	diag_reset();
	doubled[0] = 0;
	cfg = HARNESS_READER.load_string(HARNESS_FILE, text, strlen(text), &diag);
	if (doubled[0])
		fail_msg("a message with two places: \"%s\"", doubled);
	return cfg;
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
