/* The agent-check reply grammar (HAProxy 2.6 configuration.txt,
 * "agent-check"): one line of words.  Every word is looked at on its own; a
 * word of no category is remembered (the first) for the check's reason and
 * otherwise ignored, as HAProxy does: an agent that adds words of a newer
 * HAProxy still sets what the words we know say. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/agent_reply.h"

#define PCT_MAX 25600 /* HAProxy caps the percentage there before multiplying */

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* The leading digits of w (HAProxy's atol), capped at PCT_MAX. */
static long pct_of(const char *w, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n && isdigit((unsigned char)w[i]); i++) {
		v = v * 10 + (w[i] - '0');
		if (v > PCT_MAX)
			v = PCT_MAX;
	}
	return v;
}

/* "maxconn:N": N a decimal number (sign allowed, as strtol) and nothing after. */
static void maxconn_of(const char *w, size_t n, struct agent_reply *r)
{
	size_t i = 0;
	long v = 0;
	int neg = 0;

	if (i < n && (w[i] == '+' || w[i] == '-'))
		neg = w[i++] == '-';
	if (i == n || !isdigit((unsigned char)w[i])) {
		r->maxconn_bad = 1;
		return;
	}
	for (; i < n && isdigit((unsigned char)w[i]); i++)
		if (v < 100000000)
			v = v * 10 + (w[i] - '0');
	if (i < n) {
		r->maxconn_bad = 1;
		return;
	}
	r->maxconn_bad = 0;
	r->maxconn = neg ? 0 : v;
}

static int word_is(const char *w, size_t n, const char *s)
{
	return n == strlen(s) && !strncasecmp(w, s, n);
}

static void one_word(const char *w, size_t n, struct agent_reply *r)
{
	static const char *const downs[] = {"down", "stopped", "fail"};
	size_t i;

	if (word_is(w, n, "up")) {
		r->health = AGENT_H_UP;
		snprintf(r->health_word, sizeof(r->health_word), "%.*s", (int)n, w);
		return;
	}
	for (i = 0; i < sizeof(downs) / sizeof(downs[0]); i++) {
		if (word_is(w, n, downs[i])) {
			r->health = AGENT_H_DOWN;
			snprintf(r->health_word, sizeof(r->health_word), "%.*s", (int)n, w);
			return;
		}
	}
	if (word_is(w, n, "ready"))
		r->admin = AGENT_A_READY;
	else if (word_is(w, n, "drain"))
		r->admin = AGENT_A_DRAIN;
	else if (word_is(w, n, "maint"))
		r->admin = AGENT_A_MAINT;
	else if (isdigit((unsigned char)w[0]) && memchr(w, '%', n))
		r->weight_pct = pct_of(w, n);
	else if (n >= 8 && !strncasecmp(w, "maxconn:", 8))
		maxconn_of(w + 8, n - 8, r);
	else if (!r->first_unknown[0])
		snprintf(r->first_unknown, sizeof(r->first_unknown), "%.*s", (int)n, w);
}

int agent_reply_parse(const char *buf, size_t len, struct agent_reply *r)
{
	size_t end, i, j;

	memset(r, 0, sizeof(*r));
	r->weight_pct = -1;
	r->maxconn = -1;
	for (end = 0; end < len && buf[end] && buf[end] != '\r' && buf[end] != '\n'; end++)
		;
	if (end == len || !buf[end])
		return 0;
	for (i = 0; i < end;) {
		if (is_sep(buf[i])) {
			i++;
			continue;
		}
		if (buf[i] == '#') {
			for (i++; i < end && (buf[i] == ' ' || buf[i] == '\t'); i++)
				;
			snprintf(r->desc, sizeof(r->desc), "%.*s", (int)(end - i), buf + i);
			break;
		}
		for (j = i + 1; j < end && !is_sep(buf[j]); j++)
			;
		one_word(buf + i, j - i, r);
		i = j;
	}
	return 1;
}
