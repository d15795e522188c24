/* The HTTP engine answering itself: HAProxy's stats page (`stats uri` of
 * the frontend, or of the backend a request was routed to) and
 * `http-request use-service prometheus-exporter` (or a proxy's
 * stats.metrics_uri), served from the running state by src/stats/web.h.
 *
 * A transaction the applet takes is in HS_APPLET, in three phases:
 *   BODY  a POST's body is read whole into sout (the server-side buffer an
 *         applet never uses): Content-Length or chunked, at most
 *         HTTP_BUF_SIZE (more: HAProxy's EXCD, and the connection closes);
 *   WAIT  the admin action runs on the main thread, which owns apply (a
 *         worker may not: apply parks the workers, doc/internals/threads.md):
 *         the job goes on the main engine's queue, whose eventfd wakes the
 *         main loop; the stream looks for the result every APP_POLL_MS;
 *   SEND  the response, built whole (the page may be far over a buffer),
 *         moves into cout as room frees; then the next request, or close.
 *
 * Figures are read under the engine lock every worker holds while it runs
 * the HTTP engine, so they are the model's and the live counters' as the
 * main thread left them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "ctl/ctl.h"
#include "http/h1.h"
#include "http/rules.h"
#include "model/fulcrum-t.h"
#include "proxy/http.h"
#include "proxy/proxy.h"
#include "stats/web.h"

#define APP_POLL_MS 2	     /* how often a waiting stream looks for its result */
#define APP_WAIT_MS 10000    /* the main thread did not run it: 503 */

enum app_phase { APP_BODY, APP_WAIT, APP_SEND };

/* An admin action for the main thread.  Two references: the stream's and
 * the queue's, dropped under the engine lock. */
struct happ_job {
	struct happ_job *next;
	struct stats_form form;
	const char *st; /* the result (static), NULL until run */
	int refs;
};

/* The main engine's queue (proxy->happ). */
struct happ_main {
	int efd;
	struct ev_io io;
	struct happ_job *jobs;
	struct fulcrum *fc;
};

struct happ {
	const struct http_proxy *px;
	enum happ_kind kind;
	enum app_phase phase;
	int too_big;	     /* the body did not fit */
	struct happ_job *job;
	uint64_t wait_start;
	struct sbuf out;
	size_t off;
	unsigned status;
};

static struct proxy *main_px(const struct hstream *s)
{
	struct proxy *px = s->pvs->px;

	return px->main ? px->main : px;
}

static void job_put(struct happ_job *j)
{
	if (j && !--j->refs) {
		stats_form_free(&j->form);
		free(j);
	}
}

/* ---- the main thread's side ---- */

static int run_cmd(void *arg, int argc, char **argv)
{
	struct sbuf out;
	char err[256];
	int rc;

	sbuf_init(&out);
	rc = ctl_execute(arg, argc, argv, &out, err, sizeof(err));
	sbuf_free(&out);
	return rc;
}

static void on_jobs(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct happ_main *m = io->data;
	struct happ_job *j;
	uint64_t v;

	while (read(m->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	while ((j = m->jobs)) {
		m->jobs = j->next;
		if (j->refs > 1) /* the stream still waits */
			j->st = stats_form_apply(m->fc->cfg, &j->form, run_cmd, m->fc);
		job_put(j);
	}
}

static int submit(struct hstream *s, struct happ_job *j)
{
	struct proxy *mp = main_px(s);
	struct happ_main *m = mp->happ;
	uint64_t one = 1;

	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m)
			return -1;
		m->fc = mp->fc;
		m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		/* epoll_ctl on the main loop's epoll is safe from a worker; the
		 * io is read by the main thread under the lock we hold */
		if (m->efd < 0 || loop_io_add(mp->loop, &m->io, m->efd, EPOLLIN, on_jobs, m) < 0) {
			if (m->efd >= 0)
				close(m->efd);
			free(m);
			return -1;
		}
		mp->happ = m;
	}
	j->refs = 2;
	j->next = m->jobs;
	m->jobs = j;
	if (write(m->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_err("http: stats page: cannot wake the main loop: %s", strerror(errno));
	return 0;
}

void happ_shutdown(struct proxy *px)
{
	struct happ_main *m = px->happ;
	struct happ_job *j;

	if (!m)
		return;
	while ((j = m->jobs)) {
		m->jobs = j->next;
		job_put(j);
	}
	loop_io_del(px->loop, &m->io);
	close(m->efd);
	free(m);
	px->happ = NULL;
}

/* ---- which requests ---- */

static void req_uri(const struct h1_msg *m, const char **p, size_t *len)
{
	struct h1_span u = m->new_uri.len ? m->new_uri : m->uri;

	*p = h1_ptr(m, u);
	*len = u.len;
}

enum happ_kind happ_wants(const struct hstream *s, const struct http_proxy *px)
{
	const char *u, *path;
	size_t ulen, plen, n;

	if (!px->stats.enabled && !px->stats.metrics_uri[0])
		return HAPP_NONE;
	if (px->stats.metrics_uri[0]) {
		h1_req_path(&s->x->req, &path, &plen);
		if (plen == strlen(px->stats.metrics_uri) && !memcmp(path, px->stats.metrics_uri, plen))
			return HAPP_METRICS;
	}
	if (!px->stats.enabled)
		return HAPP_NONE;
	/* HAProxy compares the URI as sent with the stats URI's bytes */
	req_uri(&s->x->req, &u, &ulen);
	n = strlen(stats_web_uri(&px->stats));
	return ulen >= n && !memcmp(u, stats_web_uri(&px->stats), n) ? HAPP_STATS : HAPP_NONE;
}

/* ---- the answer ---- */

/* `stats admin` holds: its condition, or, without one (a reader other
 * than haproxy.cfg's sets stats.admin alone), always. */
static int is_admin(struct hstream *s, const struct happ *a)
{
	return a->px->stats.admin && http_stats_admin(a->px, &s->x->txn) != 0;
}

static void build(struct hstream *s, struct happ *a, const char *st)
{
	const struct hp_stats *hs = &a->px->stats;
	int head = s->x->client_meth == H1_METH_HEAD;
	struct fulcrum *fc = main_px(s)->fc;
	struct stats_web_req q;
	const char *u;
	size_t ulen, n;

	a->status = 200;
	if (a->kind == HAPP_METRICS) {
		stats_web_metrics(fc, head, &a->out);
		return;
	}
	if (st) {
		a->status = 303;
		stats_web_303(hs, st, &a->out);
		return;
	}
	req_uri(&s->x->req, &u, &ulen);
	n = strlen(stats_web_uri(hs));
	stats_web_parse(u + n, ulen - n, &q);
	stats_web_get(fc, hs, &q, is_admin(s, a), head, &a->out);
}

static void start_send(struct hstream *s, struct happ *a, const char *st)
{
	build(s, a, st);
	if (a->out.oom) {
		htxn_error(s, 500);
		return;
	}
	a->phase = APP_SEND;
	htxn_log_answer(s, a->status, a->out.len);
}

/* The POST is in (sout): act, or say why not. */
static void posted(struct hstream *s, struct happ *a)
{
	struct happ_job *j;

	if (a->too_big) {
		s->close_client = 1;
		start_send(s, a, "EXCD");
		return;
	}
	if (!is_admin(s, a)) {
		start_send(s, a, "DENY");
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j || hbuf_take(s->pvs->px, &s->sout) < 0) { /* (no body: no buffer yet) */
		free(j);
		htxn_error(s, 500);
		return;
	}
	if (s->x->req_body.kind == H1_BODY_CHUNKED)
		s->sout.len = s->sout.off + (uint32_t)h1_dechunk(s->sout.p + s->sout.off,
								  hbuf_data(&s->sout));
	if (stats_form_parse(s->sout.p + s->sout.off, hbuf_data(&s->sout), &j->form) < 0) {
		/* not a form: nothing is done */
		stats_form_free(&j->form);
		free(j);
		start_send(s, a, "ERRP");
		return;
	}
	if (submit(s, j) < 0) {
		stats_form_free(&j->form);
		free(j);
		htxn_error(s, 500);
		return;
	}
	a->job = j;
	a->phase = APP_WAIT;
	a->wait_start = loop_now(hs_loop(s));
	hs_arm(s, APP_POLL_MS);
}

void happ_start(struct hstream *s, const struct http_proxy *px, enum happ_kind kind)
{
	struct happ *a = calloc(1, sizeof(*a));
	const char *auth = NULL;
	size_t alen = 0;
	int i;

	if (!a) {
		htxn_error(s, 500);
		return;
	}
	a->px = px;
	a->kind = kind;
	sbuf_init(&a->out);
	s->app = a;
	s->state = HS_APPLET;
	s->sout.off = s->sout.len = 0;
	if (kind == HAPP_STATS) {
		i = h1_hdr_find(&s->x->req, "authorization", 13, 0);
		if (i >= 0) {
			auth = h1_ptr(&s->x->req, s->x->req.hdrs[i].value);
			alen = s->x->req.hdrs[i].value.len;
		}
		if (!stats_web_auth_ok(&px->stats, auth, alen)) {
			stats_web_401(&px->stats, s->x->client_meth == H1_METH_HEAD, &a->out);
			a->status = 401;
			a->phase = APP_SEND;
			htxn_log_answer(s, 401, a->out.len);
			return;
		}
		if (s->x->req.meth == H1_METH_POST) {
			a->phase = APP_BODY;
			return;
		}
	}
	start_send(s, a, NULL);
}

/* ---- moving ---- */

static int body_step(struct hstream *s, struct happ *a)
{
	ssize_t n;

	if (!s->x->req_body.done && hbuf_data(&s->cin)) {
		if (s->sout.len == HTTP_BUF_SIZE && !s->sout.off) {
			/* full: the rest is dropped, the connection closes after */
			a->too_big = 1;
			n = hfwd_move(s->pvs->px, &s->x->req_body, &s->cin, NULL, s->cin_eof);
		} else {
			n = hfwd_move(s->pvs->px, &s->x->req_body, &s->cin, &s->sout, s->cin_eof);
		}
		if (n < 0) {
			htxn_error(s, 400);
			return 1;
		}
		if (!n && !s->x->req_body.done)
			return 0;
		if (!s->x->req_body.done)
			return 1;
	}
	if (!s->x->req_body.done)
		return 0;
	posted(s, a);
	return 1;
}

int happ_step(struct hstream *s)
{
	struct happ *a = s->app;
	size_t n;

	if (a->phase == APP_BODY)
		return body_step(s, a);
	if (a->phase == APP_WAIT)
		return 0; /* the timer looks */
	n = a->out.len - a->off;
	if (n && hbuf_take(s->pvs->px, &s->cout) < 0) {
		/* out of memory: the client is closed */
		happ_free(s);
		s->close_client = 1;
		s->state = HS_CLOSE;
		return 1;
	}
	hbuf_compact(&s->cout);
	if (n > HTTP_BUF_SIZE - s->cout.len)
		n = HTTP_BUF_SIZE - s->cout.len;
	if (n) {
		memcpy(s->cout.p + s->cout.len, a->out.s + a->off, n);
		s->cout.len += (uint32_t)n;
		a->off += n;
	}
	if (a->off < a->out.len)
		return n > 0;
	happ_free(s);
	htxn_answered(s);
	return 1;
}

int happ_timer(struct hstream *s)
{
	struct happ *a = s->app;

	if (a->phase == APP_WAIT && a->job->st) {
		const char *st = a->job->st;

		job_put(a->job);
		a->job = NULL;
		start_send(s, a, st);
		return 0;
	}
	if (a->phase == APP_WAIT && loop_now(hs_loop(s)) - a->wait_start < APP_WAIT_MS) {
		hs_arm(s, APP_POLL_MS);
		return 0;
	}
	if (a->phase == APP_SEND) {
		hstream_close(s, 1); /* the client stopped reading */
		return 1;
	}
	htxn_error(s, a->phase == APP_BODY ? 408 : 503);
	return 0;
}

unsigned happ_timeout(const struct hstream *s)
{
	if (s->app && s->app->phase == APP_WAIT)
		return APP_POLL_MS;
	return t_or(s->fe->t_client, 5000);
}

int happ_reads(const struct hstream *s)
{
	return s->app && s->app->phase == APP_BODY;
}

void happ_adopt(struct hstream *s)
{
	/* the old model goes: its proxy must not be followed again */
	s->app->px = s->fe;
	s->close_client = 1;
}

void happ_free(struct hstream *s)
{
	struct happ *a = s->app;

	if (!a)
		return;
	job_put(a->job);
	sbuf_free(&a->out);
	free(a);
	s->app = NULL;
}
