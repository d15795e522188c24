/* The stats page's admin form (stats/web.h): the POSTed body decoded, and
 * its action applied to the checked servers through the runtime commands,
 * with HAProxy's result codes.
 *
 * What HAProxy 2.6 answers, checked against Debian's on loopback: every
 * `s` named counts, a server changed counts as altered; all altered is
 * DONE, some PART, none ERRP; an unknown action or backend is ERRP;
 * without `b`, `action` or any `s`, NONE (nothing asked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hastat.h"
#include "stats/web.h"

void stats_form_free(struct stats_form *f)
{
	free(f->buf);
	free(f->srv);
	memset(f, 0, sizeof(*f));
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode in[0..n) (%XX, '+' as a space) to out, NUL-ended: 0, or -1 for
 * a bad escape or a NUL in the result. */
static int url_decode(const char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return -1;
			h = hex((unsigned char)in[i + 1]);
			l = hex((unsigned char)in[i + 2]);
			if (h < 0 || l < 0 || (!h && !l))
				return -1;
			c = (char)(h << 4 | l);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		} else if (!c) {
			return -1;
		}
		*out++ = c;
	}
	*out = 0;
	return 0;
}

int stats_form_parse(const char *body, size_t len, struct stats_form *f)
{
	size_t i, pairs = 1, pos = 0;
	char *o;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < len; i++)
		pairs += body[i] == '&';
	f->buf = malloc(len + pairs + 1);
	f->srv = calloc(pairs, sizeof(*f->srv));
	if (!f->buf || !f->srv)
		return -1;
	o = f->buf;
	while (pos <= len) {
		size_t n = 0, k;
		const char *p = body + pos;

		while (pos + n < len && p[n] != '&')
			n++;
		pos += n + 1;
		for (k = 0; k < n && p[k] != '='; k++)
			;
		if (!n)
			continue;
		if (k == n || url_decode(p + k + 1, n - k - 1, o) < 0)
			return -1; /* a key without a value, or a bad escape */
		if (k == 1 && p[0] == 's')
			f->srv[f->n_srv++] = o;
		else if (k == 1 && p[0] == 'b')
			f->b = o;
		else if (k == 6 && !memcmp(p, "action", 6))
			f->action = o;
		o += strlen(o) + 1;
	}
	return 0;
}

/* "#IID" (HAProxy's proxy number) or a name -> the backend's name. */
struct find_be {
	const char *key;
	unsigned iid;
	const char *name;
};

static int find_row(const struct hs_row *r, void *arg)
{
	struct find_be *fb = arg;

	if (r->type != HS_BACKEND)
		return 0;
	if (fb->iid ? r->iid == fb->iid : !strcmp(r->pxname, fb->key)) {
		fb->name = r->pxname;
		return 1;
	}
	return 0;
}

static const char *backend_of(const struct config *cfg, const char *key)
{
	struct find_be fb = {.key = key};
	char *end;

	if (key[0] == '#') {
		unsigned long v = strtoul(key + 1, &end, 10);

		if (!key[1] || *end || !v || v > 0xffffffffUL)
			return NULL;
		fb.iid = (unsigned)v;
	}
	hs_walk(cfg, NULL, 0, find_row, &fb);
	return fb.name;
}

/* The runtime command of each action: its words around "B/S". */
static const struct {
	const char *action;
	const char *w0, *w1;	   /* before B/S */
	const char *w3, *w4;	   /* after, or NULL */
} actions[] = {
    {"ready", "set", "server", "state", "ready"},
    {"drain", "set", "server", "state", "drain"},
    {"maint", "set", "server", "state", "maint"},
    {"dhlth", "disable", "health", NULL, NULL},
    {"ehlth", "enable", "health", NULL, NULL},
    {"dagt", "disable", "agent", NULL, NULL},
    {"eagt", "enable", "agent", NULL, NULL},
};

const char *stats_form_apply(const struct config *cfg, const struct stats_form *f,
			     stats_run_fn run, void *arg)
{
	unsigned i, a, altered = 0, total = 0;
	const char *be;
	char bs[512];

	if (!f->b || !f->action || !f->n_srv)
		return "NONE";
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
		if (!strcmp(actions[a].action, f->action))
			break;
	/* HAProxy's other actions (forced health, kill sessions) have
	 * no runtime command here: not one server could be altered */
	if (a == sizeof(actions) / sizeof(actions[0]))
		return "ERRP";
	be = backend_of(cfg, f->b);
	if (!be)
		return "ERRP";
	for (i = 0; i < f->n_srv; i++) {
		char *argv[5];
		int argc = 0;

		total++;
		if ((size_t)snprintf(bs, sizeof(bs), "%s/%s", be, f->srv[i]) >= sizeof(bs))
			continue;
		argv[argc++] = (char *)actions[a].w0;
		argv[argc++] = (char *)actions[a].w1;
		argv[argc++] = bs;
		if (actions[a].w3) {
			argv[argc++] = (char *)actions[a].w3;
			argv[argc++] = (char *)actions[a].w4;
		}
		if (run(arg, argc, argv) == 0)
			altered++;
	}
	if (!altered)
		return "ERRP";
	return altered == total ? "DONE" : "PART";
}
