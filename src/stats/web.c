/* The stats page's answers (stats/web.h): the words after the URI, the
 * Basic credentials of `stats auth`, and the whole responses -- HAProxy
 * 2.6's headers and messages, so that a tool or a browser made for
 * HAProxy's page reads ours the same way. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/auth.h"
#include "stats/hastat.h"
#include "stats/stats.h"
#include "stats/web.h"

const char *stats_web_uri(const struct hp_stats *st)
{
	return st->uri[0] ? st->uri : STATS_DEFAULT_URI;
}

/* ---- the request ---- */

static int at(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/* HAProxy looks for each word anywhere after the URI ("/?;csv;scope=b1"
 * as "/;csv?scope=b1"), a value ending at '&', ';' or the end. */
void stats_web_parse(const char *rest, size_t len, struct stats_web_req *q)
{
	const char *p, *end = rest + len;

	memset(q, 0, sizeof(*q));
	for (p = rest; p < end; p++) {
		if (at(p, end, ";csv"))
			q->fmt = SW_CSV;
		else if (at(p, end, ";json"))
			q->fmt = SW_JSON;
		else if (at(p, end, ";norefresh"))
			q->norefresh = 1;
		else if (at(p, end, ";no-maint"))
			q->no_maint = 1;
		else if (at(p, end, ";up"))
			q->up_only = 1;
		if (at(p, end, ";st=") || ((p == rest || p[-1] == ';' || p[-1] == '?' || p[-1] == '&') &&
					   at(p, end, "scope="))) {
			int st = p[0] == ';';
			const char *v = p + (st ? 4 : 6);
			size_t n = 0;
			char *dst = st ? q->st : q->scope;
			size_t max = st ? sizeof(q->st) : sizeof(q->scope);

			/* the URI is not NUL-ended: bounded by end */
			while (v + n < end && !strchr("&;?", v[n]))
				n++;
			if (n >= max)
				n = max - 1;
			memcpy(dst, v, n);
			dst[n] = 0;
		}
	}
}

/* ---- Basic credentials ---- */

/* `stats auth USER:PASSWORD` lines against the request's Basic
 * credentials, read as http_auth reads them (http/auth.h). */
int stats_web_auth_ok(const struct hp_stats *st, const char *val, size_t len)
{
	struct http_cred c;
	unsigned i;

	if (!st->n_auth)
		return 1;
	if (http_cred_parse(val, len, &c) != HAUTH_BASIC)
		return 0;
	for (i = 0; i < st->n_auth; i++) {
		const char *a = st->auth[i], *colon = strchr(a, ':');

		if (colon && (size_t)(colon - a) == c.ulen && !memcmp(a, c.user, c.ulen) &&
		    !strcmp(colon + 1, c.pass))
			return 1;
	}
	return 0;
}

/* ---- responses ---- */

/* HAProxy's 401 of the stats page, byte for byte (2.6). */
static const char body_401[] = "<html><body><h1>401 Unauthorized</h1>\n"
			       "You need a valid user and password to access this content.\n"
			       "</body></html>\n";

void stats_web_401(const struct hp_stats *st, int head, struct sbuf *out)
{
	sbuf_printf(out,
		    "HTTP/1.1 401 Unauthorized\r\ncontent-length: %zu\r\ncache-control: no-cache\r\n"
		    "content-type: text/html\r\nwww-authenticate: Basic realm=\"%s\"\r\n\r\n",
		    sizeof(body_401) - 1, st->realm[0] ? st->realm : STATS_DEFAULT_REALM);
	if (!head)
		sbuf_puts(out, body_401);
}

void stats_web_303(const struct hp_stats *st, const char *code, struct sbuf *out)
{
	sbuf_printf(out,
		    "HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\n"
		    "content-length: 0\r\nlocation: %s;st=%s\r\n\r\n",
		    stats_web_uri(st), code);
}

static void answer_200(struct sbuf *out, const char *ctype, unsigned refresh, const struct sbuf *body,
		       int head)
{
	sbuf_printf(out, "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: %s\r\n", ctype);
	if (refresh)
		sbuf_printf(out, "refresh: %u\r\n", refresh);
	sbuf_printf(out, "content-length: %zu\r\n\r\n", body->len);
	if (!head && body->len)
		sbuf_add(out, body->s, body->len);
}

struct web_filter {
	const struct hp_stats *st;
	const struct stats_web_req *q;
};

static int in_list(char *const *names, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* `stats scope`, ?scope=, ;up and ;no-maint (servers only, as HAProxy). */
static int web_keep(const struct hs_row *r, const void *arg)
{
	const struct web_filter *f = arg;

	if (f->st->n_scope && !in_list(f->st->scope, f->st->n_scope, r->pxname))
		return 0;
	if (f->q->scope[0] && strcmp(f->q->scope, r->pxname))
		return 0;
	if (r->type != HS_SERVER)
		return 1;
	if (f->q->up_only && strcmp(hs_status(r), "UP") && strcmp(hs_status(r), "no check"))
		return 0;
	return !(f->q->no_maint && !strcmp(hs_status(r), "MAINT"));
}

void stats_web_get(const struct fulcrum *fc, const struct hp_stats *st,
		   const struct stats_web_req *q, int admin, int head, struct sbuf *out)
{
	struct web_filter wf = {.st = st, .q = q};
	struct stats_filter f = {.keep = web_keep, .arg = &wf};
	unsigned refresh = q->norefresh ? 0 : st->refresh_s;
	struct sbuf body;

	sbuf_init(&body);
	if (q->fmt == SW_CSV) {
		stats_csv_filtered(fc, &f, &body);
		answer_200(out, "text/plain", refresh, &body, head);
	} else if (q->fmt == SW_JSON) {
		stats_json_filtered(fc, &f, &body);
		answer_200(out, "application/json", refresh, &body, head);
	} else {
		struct stats_html_opts o = {
		    .uri = stats_web_uri(st),
		    .refresh_s = 0, /* the header says it */
		    .hide_version = st->hide_version,
		    .filter = &f,
		    .admin = admin,
		    .status = q->st[0] ? q->st : NULL,
		};

		stats_html(fc, &o, &body);
		answer_200(out, "text/html", refresh, &body, head);
	}
	if (body.oom)
		out->oom = 1;
	sbuf_free(&body);
}

int stats_web_metrics(const struct fulcrum *fc, int head, struct sbuf *out)
{
	struct sbuf body;
	int rc;

	sbuf_init(&body);
	rc = stats_prometheus(fc, &body);
	sbuf_printf(out,
		    "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\n"
		    "content-type: text/plain; version=0.0.4\r\ncontent-length: %zu\r\n\r\n",
		    body.len);
	if (!head && body.len)
		sbuf_add(out, body.s, body.len);
	sbuf_free(&body);
	return rc < 0 || out->oom ? -1 : 0;
}
