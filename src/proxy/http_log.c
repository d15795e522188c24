/* The HTTP engine's logs: one line per transaction in the frontend's
 * format (log-format, option httplog [clf], option tcplog; without one
 * of them haproxy's "Connect from ... (fe/HTTP)" per parsed request; a
 * head that did not parse is "<BADREQ>"), sent to each of its `log`
 * targets: UDP syslog and /dev/log as RFC 3164 (`<PRI>Mmm dd hh:mm:ss
 * tag[pid]: line`), stdout and stderr as the bare line.
 *
 * Formats are compiled once per text and kept with the struct proxy (a
 * reload that keeps the text keeps the compiled form). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/logfmt.h"
#include "http/rules.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

#define HLOG_LEVEL_INFO 6
#define HLOG_LINE	2048 /* HAProxy's default max line length is 1024 */

struct hlogfmt {
	char *text;
	struct logfmt *lf;
	struct hlogfmt *next;
};

static const char *fmt_text(const struct http_proxy *fe)
{
	if (fe->log_format)
		return fe->log_format;
	if (fe->options & HP_OPT_HTTPLOG_CLF)
		return logfmt_httplog_clf;
	if (fe->options & HP_OPT_HTTPLOG)
		return logfmt_httplog;
	if (fe->options & HP_OPT_TCPLOG)
		return logfmt_tcplog;
	return NULL;
}

static struct logfmt *fmt_get(struct proxy *px, const char *text)
{
	struct hlogfmt *f;
	char err[256];

	for (f = px->http_logfmts; f; f = f->next)
		if (!strcmp(f->text, text))
			return f->lf;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->text = strdup(text))) {
		free(f);
		return NULL;
	}
	f->lf = logfmt_compile(text, err, sizeof(err));
	if (!f->lf)
		log_err("http: log-format '%s': %s", text, err); /* the reader checked it: rare */
	f->next = px->http_logfmts;
	px->http_logfmts = f;
	return f->lf;
}

void http_log_free(struct proxy *px)
{
	while (px->http_logfmts) {
		struct hlogfmt *f = px->http_logfmts;

		px->http_logfmts = f->next;
		logfmt_free(f->lf);
		free(f->text);
		free(f);
	}
}

/* A datagram to a syslog target: UDP (port 514 by default) or a unix
 * socket such as /dev/log.  A socket per line: logs are not the hot path
 * yet (issue 11 gives each thread its own). */
static void send_dgram(const struct hp_log *l, const char *msg, size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (l->kind == HP_LOG_UDP) {
		struct fc_addr a = l->addr;

		if (!a.port)
			a.port = 514;
		sl = addr_to_sockaddr(&a, &ss);
	} else {
		su->sun_family = AF_UNIX;
		snprintf(su->sun_path, sizeof(su->sun_path), "%s", l->path);
		sl = sizeof(*su);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	close(fd);
}

/* A built line to each of fe's targets at level info. */
void http_log_line(const struct http_proxy *fe, char *line, size_t n)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char msg[HLOG_LINE + 128];
	const struct hp_log *l;
	struct tm tm;
	time_t now;

	now = time(NULL);
	localtime_r(&now, &tm);
	for (l = fe->logs; l; l = l->next) {
		int len;

		if (HLOG_LEVEL_INFO > l->level || HLOG_LEVEL_INFO < l->minlevel)
			continue;
		if (l->kind == HP_LOG_STDOUT || l->kind == HP_LOG_STDERR) {
			char c = line[n];

			line[n] = '\n';
			(void)!write(l->kind == HP_LOG_STDOUT ? 1 : 2, line, n + 1);
			line[n] = c;
			continue;
		}
		len = snprintf(msg, sizeof(msg), "<%d>%s %2d %02d:%02d:%02d %s[%d]: %.*s",
			       l->facility * 8 + HLOG_LEVEL_INFO, mon[tm.tm_mon], tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, l->tag[0] ? l->tag : "haproxy",
			       (int)getpid(), (int)n, line);
		if (len < 0)
			continue;
		if ((size_t)len >= sizeof(msg))
			len = sizeof(msg) - 1;
		send_dgram(l, msg, (size_t)len);
	}
}

void http_log_send(struct proxy *px, const struct http_proxy *fe, const char *text, const struct http_txn *t)
{
	char line[HLOG_LINE + 1]; /* + the stdout targets' newline */
	struct logfmt *lf;
	size_t n;

	if (!fe->logs || !text)
		return;
	lf = fmt_get(px, text);
	if (!lf)
		return;
	n = logfmt_build(lf, t, line, sizeof(line) - 1);
	http_log_line(fe, line, n);
}

/* "Connect from CLIENT to LOCAL (fe/HTTP|TCP)": haproxy's line for a
 * frontend that logs without a format. */
void http_log_connect(const struct http_proxy *fe, const struct fc_addr *from, const struct fc_addr *to)
{
	char line[512], ip1[ADDR_STRLEN], ip2[ADDR_STRLEN];
	int n;

	/* ip:port, an IPv6 address without brackets, as haproxy writes them */
	n = snprintf(line, sizeof(line) - 1, "Connect from %s:%u to %s:%u (%s/%s)",
		     addr_format(from, ip1, sizeof(ip1), 0), from->port, addr_format(to, ip2, sizeof(ip2), 0),
		     to->port, fe->name, fe->mode == HP_MODE_TCP ? "TCP" : "HTTP");
	if (n > 0)
		http_log_line(fe, line, (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 2);
}

void http_log_txn(struct hstream *s)
{
	const char *text = fmt_text(s->fe);

	if (text)
		http_log_send(s->pvs->px, s->fe, text, &s->x->txn);
	/* without a format haproxy 2.6 writes a line per request its
	 * stream took (none for a head that never parsed) */
	else if (s->req_parsed && s->fe->logs)
		http_log_connect(s->fe, &s->x->txn.src, &s->x->txn.dst);
}
