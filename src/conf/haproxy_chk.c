/* haproxy.cfg's health checks of the servers (option httpchk, http-check,
 * tcp-check...), mapped onto fulcrum's checkers:
 *
 *   check alone            TCP_CHECK (a connect)
 *   option httpchk         HTTP_GET: method/uri/version, `http-check send`,
 *                          `http-check expect status|rstatus|string|rstring`
 *                          (without expect: 2xx and 3xx pass, as haproxy)
 *   option tcp-check       EXPECT_CHECK: `tcp-check connect [port N]`,
 *                          `send`/`send-binary` (sent together), one
 *                          `expect [!] string|rstring|binary`
 *   option redis-check     EXPECT_CHECK: PING, +PONG
 *   option smtpchk         SMTP_CHECK
 *   option pgsql-check     PGSQL_CHECK user U, startup only (haproxy's:
 *                          an authentication request is up)
 *   option mysql-check     MYSQL_CHECK user U (no password, as haproxy's
 *                          account), role any; without user, the server's
 *                          greeting only (handshake_only)
 *   agent-check            AGENT_CHECK (besides the one above, or alone):
 *                          agent-port, agent-addr, agent-inter, agent-send
 *
 * Timings: inter (default 2 s) is the interval, rise (2) and fall (3) the
 * consecutive results that change the state; a check attempt is bounded by
 * min(timeout connect, inter) plus `timeout check`.  fastinter and
 * downinter are kept in the server's options (rs->hp) only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "check/check.h"
#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "check/check_mysql-t.h"
#include "check/check_pgsql-t.h"
#include "conf/haproxy.h"
#include "core/err.h"
#include "model/model.h"

/* ---- checks: what the section says ---- */

static int chk_set(struct hp_chk *c, char *dst, size_t cap, const char *s, char *err,
		   size_t errlen)
{
	if (strlen(s) >= cap)
		return err_set(err, errlen, "'%.40s...' is too long (at most %zu bytes)", s, cap - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* One header the check sends, as haproxy 2.6 writes it: the name in lower
 * case.  A name that is not a token, or a CR or LF in the value, is
 * refused (no line could be smuggled into the request). */
static int chk_hdr(struct hp_chk *c, const char *name, const char *val, char *err, size_t errlen)
{
	size_t at = strlen(c->hdrs), i;
	int n;

	if (!*name || strcspn(name, "()<>@,;:\\\"/[]?={} \t\r\n") != strlen(name) ||
	    strpbrk(val, "\r\n"))
		return err_set(err, errlen, "http-check send hdr '%s': not a header", name);
	n = snprintf(c->hdrs + at, sizeof(c->hdrs) - at, "%s: %s\r\n", name, val);
	if (n < 0 || (size_t)n >= sizeof(c->hdrs) - at) {
		c->hdrs[at] = 0;
		return err_set(err, errlen, "http-check send: the headers take more than %zu bytes",
			       sizeof(c->hdrs) - 1);
	}
	for (i = at; c->hdrs[i] != ':'; i++)
		c->hdrs[i] = (char)(c->hdrs[i] >= 'A' && c->hdrs[i] <= 'Z' ? c->hdrs[i] + 32 : c->hdrs[i]);
	return 0;
}

/* option httpchk [METH] [URI] [VER]: haproxy 1.x's `VER` may hold headers
 * after \r\n (HTTP/1.1\r\nHost:\ www): the Host is kept. */
static int chk_httpchk(struct hp_chk *c, struct hp_words *w, char *err, size_t errlen)
{
	const char *meth = "", *uri = "", *ver = "", *host;
	char v[256];

	if (w->n == 3) {
		uri = w->args[2];
	} else if (w->n >= 4) {
		meth = w->args[2];
		uri = w->args[3];
		if (w->n >= 5)
			ver = w->args[4];
	}
	if (w->n > 5)
		return err_set(err, errlen, "usage: option httpchk [METHOD] [URI] [VERSION]");
	snprintf(v, sizeof(v), "%s", ver);
	host = strstr(v, "\r\nHost:");
	if (!host)
		host = strstr(v, "\r\nhost:");
	if (host) {
		const char *h = host + 7;
		char *end;

		while (*h == ' ')
			h++;
		if (chk_set(c, c->host, sizeof(c->host), h, err, errlen) < 0)
			return -1;
		end = strstr(c->host, "\r\n");
		if (end)
			*end = 0;
		if (chk_hdr(c, "host", c->host, err, errlen) < 0)
			return -1;
	}
	if (strstr(v, "\r\n"))
		*strstr(v, "\r\n") = 0;
	c->kind = HP_CHK_HTTP;
	return chk_set(c, c->meth, sizeof(c->meth), meth, err, errlen) ||
			       chk_set(c, c->uri, sizeof(c->uri), uri, err, errlen) ||
			       chk_set(c, c->ver, sizeof(c->ver), v, err, errlen)
		   ? -1
		   : 0;
}

/* The status codes 100..599 c's `expect status|rstatus` accepts (the `!`
 * not applied), into bits (STATUS_BITS bytes).  0, or -1 with err. */
#define STATUS_BITS (600 / 8 + 1)
static int chk_status_bits(const struct hp_chk *c, unsigned char *bits, char *err, size_t errlen)
{
	unsigned code;

	memset(bits, 0, STATUS_BITS);
	if (c->expect == HP_EXP_STATUS) {
		char list[512], *tok, *save = NULL;

		snprintf(list, sizeof(list), "%s", c->pattern);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			unsigned lo, hi;
			char *dash = strchr(tok, '-');
			char e[ERRLEN];

			if (dash)
				*dash++ = 0;
			if (hp_uint("status", tok, 100, 599, &lo, e, sizeof(e)) < 0 ||
			    hp_uint("status", dash ? dash : tok, 100, 599, &hi, e, sizeof(e)) < 0 ||
			    hi < lo)
				return err_set(err, errlen,
					       "http-check expect status %s: not a status (100..599, "
					       "a list with ',' and ranges with '-')",
					       c->pattern);
			for (code = lo; code <= hi; code++)
				bits[code / 8] |= (unsigned char)(1u << (code % 8));
		}
	} else {
		pcre2_code *re;
		pcre2_match_data *md;
		int ec;
		PCRE2_SIZE eo;
		char s[4];

		re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (!re)
			return err_set(err, errlen, "http-check expect rstatus %s: not a regular "
						    "expression",
				       c->pattern);
		md = pcre2_match_data_create_from_pattern(re, NULL);
		for (code = 100; md && code < 600; code++) {
			snprintf(s, sizeof(s), "%u", code);
			if (pcre2_match(re, (PCRE2_SPTR)s, 3, 0, 0, md, NULL) >= 0)
				bits[code / 8] |= (unsigned char)(1u << (code % 8));
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
	return 0;
}

/* http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]...
 * http-check expect [!] status|rstatus|string|rstring PATTERN */
static int chk_http_check(struct hp_read *r, struct hp_chk *c, struct hp_words *w, char *err,
			  size_t errlen)
{
	const char *k = w->n > 1 ? w->args[1] : "";
	int i = 2, neg = 0;

	if (!strcmp(k, "send")) {
		for (; i + 1 < w->n; i += 2) {
			const char *o = w->args[i], *v = w->args[i + 1];

			if (!strcmp(o, "meth") && chk_set(c, c->meth, sizeof(c->meth), v, err, errlen))
				return -1;
			if (!strcmp(o, "uri") && chk_set(c, c->uri, sizeof(c->uri), v, err, errlen))
				return -1;
			if (!strcmp(o, "ver") && chk_set(c, c->ver, sizeof(c->ver), v, err, errlen))
				return -1;
			if (!strcmp(o, "body") && chk_set(c, c->body, sizeof(c->body), v, err, errlen))
				return -1;
			if (!strcmp(o, "hdr")) {
				if (i + 2 >= w->n)
					return err_set(err, errlen, "http-check send hdr NAME VALUE");
				if (chk_hdr(c, v, w->args[i + 2], err, errlen) < 0)
					return -1;
				i++;
			} else if (strcmp(o, "meth") && strcmp(o, "uri") && strcmp(o, "ver") &&
				   strcmp(o, "body")) {
				return err_set(err, errlen,
					       "http-check send: '%s' is not supported (meth, uri, "
					       "ver, hdr, body)",
					       o);
			}
		}
		if (i < w->n)
			return err_set(err, errlen, "http-check send: '%s' needs a value", w->args[i]);
		return 0;
	}
	if (!strcmp(k, "expect")) {
		static const char *const kinds[] = {"", "status", "rstatus", "string", "rstring"};
		int j;

		if (i < w->n && !strcmp(w->args[i], "!")) {
			neg = 1;
			i++;
		}
		if (i + 2 != w->n)
			return err_set(err, errlen,
				       "usage: http-check expect [!] status|rstatus|string|rstring "
				       "PATTERN");
		for (j = 1; j < 5 && strcmp(kinds[j], w->args[i]); j++)
			;
		if (j == 5)
			return err_set(err, errlen, "http-check expect '%s' is not supported (status, "
						    "rstatus, string, rstring)",
				       w->args[i]);
		if (c->expect)
			return err_set(err, errlen, "fulcrum takes one http-check expect per backend");
		c->expect = j;
		c->expect_neg = neg;
		if (chk_set(c, c->pattern, sizeof(c->pattern), w->args[i + 1], err, errlen) < 0)
			return -1;
		if (j == HP_EXP_STATUS || j == HP_EXP_RSTATUS) {
			unsigned char bits[STATUS_BITS];

			return chk_status_bits(c, bits, err, errlen);
		}
		if (j == HP_EXP_RSTRING) {
			pcre2_code *re;
			int ec;
			PCRE2_SIZE eo;

			re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo,
					   NULL);
			if (!re)
				return err_set(err, errlen, "http-check expect rstring %s: not a "
							    "regular expression",
					       c->pattern);
			pcre2_code_free(re);
		}
		return 0;
	}
	if (!strcmp(k, "disable-on-404"))
		return err_set(err, errlen, "http-check disable-on-404 is not supported");
	if (!strcmp(k, "connect") || !strcmp(k, "comment") || !strcmp(k, "set-var") ||
	    !strcmp(k, "unset-var")) {
		hp_warn(r, "'http-check %s' is not used by fulcrum", k);
		return 0;
	}
	return err_set(err, errlen, "'http-check %s' is not supported (send, expect)", k);
}

/* Quote a literal for PCRE2 (\Q...\E breaks on a \E inside: escape each). */
static void rx_quote(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 3 < cap; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s))
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = 0;
}

/* tcp-check connect [port N] | send DATA | send-binary HEX | expect [!]
 * string|rstring|binary PATTERN | comment ... */
static int chk_tcp_check(struct hp_read *r, struct hp_chk *c, struct hp_words *w, char *err,
			 size_t errlen)
{
	const char *k = w->n > 1 ? w->args[1] : "";
	size_t len = strlen(c->send);
	int i;

	if (!strcmp(k, "connect")) {
		for (i = 2; i < w->n; i++) {
			unsigned port;

			if (!strcmp(w->args[i], "port") && i + 1 < w->n) {
				if (hp_uint("port", w->args[++i], 1, 65535, &port, err, errlen) < 0)
					return -1;
				c->port = (uint16_t)port;
			} else if (!strcmp(w->args[i], "ssl")) {
				return err_set(err, errlen, "tcp-check connect ssl is not supported");
			} else {
				hp_warn(r, "tcp-check connect: '%s' is not used by fulcrum", w->args[i]);
			}
		}
		return 0;
	}
	if (!strcmp(k, "send") || !strcmp(k, "send-binary")) {
		const char *d = w->n == 3 ? w->args[2] : NULL;

		if (!d)
			return err_set(err, errlen, "usage: tcp-check %s DATA", k);
		if (len + strlen(d) * 2 >= sizeof(c->send))
			return err_set(err, errlen, "tcp-check: at most %zu bytes sent",
				       sizeof(c->send) / 2);
		if (k[4] == '-') { /* hex into EXPECT_CHECK's \xHH escapes */
			if (strlen(d) % 2 || strspn(d, "0123456789abcdefABCDEF") != strlen(d))
				return err_set(err, errlen, "tcp-check send-binary: '%s' is not hex",
					       d);
			for (i = 0; d[i]; i += 2)
				len += (size_t)snprintf(c->send + len, sizeof(c->send) - len,
							"\\x%c%c", d[i], d[i + 1]);
			return 0;
		}
		for (; *d && len + 3 < sizeof(c->send); d++) {
			if (*d == '\r' || *d == '\n' || *d == '\\') {
				c->send[len++] = '\\';
				c->send[len++] = *d == '\r' ? 'r' : *d == '\n' ? 'n' : '\\';
			} else {
				c->send[len++] = *d;
			}
		}
		c->send[len] = 0;
		return 0;
	}
	if (!strcmp(k, "expect")) {
		int neg = 0;

		i = 2;
		if (i < w->n && !strcmp(w->args[i], "!")) {
			neg = 1;
			i++;
		}
		if (i + 2 != w->n)
			return err_set(err, errlen,
				       "usage: tcp-check expect [!] string|rstring|binary PATTERN");
		if (neg)
			return err_set(err, errlen, "tcp-check expect !: a negated expect is not "
						    "supported");
		if (c->n_expect++)
			return err_set(err, errlen, "fulcrum takes one tcp-check expect per backend");
		if (!strcmp(w->args[i], "rstring"))
			return chk_set(c, c->rx, sizeof(c->rx), w->args[i + 1], err, errlen);
		if (!strcmp(w->args[i], "string")) {
			rx_quote(w->args[i + 1], c->rx, sizeof(c->rx));
			return 0;
		}
		if (!strcmp(w->args[i], "binary")) {
			const char *h = w->args[i + 1];
			size_t o = 0;

			if (strlen(h) % 2 || strspn(h, "0123456789abcdefABCDEF") != strlen(h) ||
			    strlen(h) * 2 + 1 > sizeof(c->rx))
				return err_set(err, errlen, "tcp-check expect binary: '%s' is not hex", h);
			for (; *h; h += 2)
				o += (size_t)snprintf(c->rx + o, sizeof(c->rx) - o, "\\x%c%c", h[0],
						      h[1]);
			return 0;
		}
		return err_set(err, errlen, "tcp-check expect '%s' is not supported (string, "
					    "rstring, binary)",
			       w->args[i]);
	}
	if (!strcmp(k, "comment"))
		return 0;
	return err_set(err, errlen, "'tcp-check %s' is not supported (connect, send, "
				    "send-binary, expect)",
		       k);
}

int hp_check_line(struct hp_read *r, struct hp_px *px, struct hp_words *w, int no)
{
	struct hp_chk *c = &px->chk;
	const char *k = w->args[0], *o = w->n > 1 ? w->args[1] : "";
	char err[ERRLEN];
	int rc = 0;

	err[0] = 0;
	if (!strcmp(k, "http-check"))
		rc = chk_http_check(r, c, w, err, sizeof(err));
	else if (!strcmp(k, "tcp-check"))
		rc = chk_tcp_check(r, c, w, err, sizeof(err));
	else if (strcmp(k, "option"))
		return 0;
	else if (strcmp(o, "httpchk") && strcmp(o, "tcp-check") && strcmp(o, "pgsql-check") &&
		 strcmp(o, "mysql-check") && strcmp(o, "smtpchk") && strcmp(o, "redis-check") &&
		 strcmp(o, "ldap-check") && strcmp(o, "ssl-hello-chk") && strcmp(o, "external-check"))
		return 0;
	else if (!px->is_defaults && !(px->hp->cap & HP_CAP_BE))
		rc = err_set(err, sizeof(err), "'option %s' is for backends (and listen, defaults)",
			     o);
	else if (no)
		c->kind = HP_CHK_TCP;
	else if (!strcmp(o, "httpchk"))
		rc = chk_httpchk(c, w, err, sizeof(err));
	else if (!strcmp(o, "tcp-check") || !strcmp(o, "smtpchk") || !strcmp(o, "redis-check")) {
		c->kind = o[0] == 't' ? HP_CHK_TCPCHECK : o[0] == 's' ? HP_CHK_SMTP : HP_CHK_REDIS;
		if (o[0] == 's' && w->n > 2)
			hp_warn(r, "option smtpchk %s: SMTP_CHECK greets with HELO", w->args[2]);
	} else if (!strcmp(o, "mysql-check") && w->n == 2) {
		c->kind = HP_CHK_MYSQL; /* no user: the greeting is enough (haproxy's meaning) */
		c->user[0] = 0;
	} else if (!strcmp(o, "pgsql-check") || !strcmp(o, "mysql-check")) {
		if (w->n < 4 || strcmp(w->args[2], "user"))
			rc = err_set(err, sizeof(err), "usage: option %s user NAME", o);
		else if (w->n > 4 && o[0] == 'm' && (w->n != 5 || (strcmp(w->args[4], "post-41") &&
								    strcmp(w->args[4], "pre-41"))))
			rc = err_set(err, sizeof(err), "option mysql-check: unexpected '%s'",
				     w->args[4]);
		else if (w->n > 4 && o[0] == 'p')
			rc = err_set(err, sizeof(err), "option pgsql-check: unexpected '%s'",
				     w->args[4]);
		else {
			c->kind = o[0] == 'p' ? HP_CHK_PGSQL : HP_CHK_MYSQL;
			rc = chk_set(c, c->user, sizeof(c->user), w->args[3], err, sizeof(err));
		}
	} else {
		rc = err_set(err, sizeof(err), "'option %s' is not supported (httpchk, tcp-check, "
					       "pgsql-check, mysql-check, smtpchk, redis-check)",
			     o);
	}
	if (rc < 0)
		hp_error(r, "%s", err);
	else if (!strcmp(k, "option")) {
		c->file = r->file;
		c->line = r->line;
	}
	return 1;
}

/* ---- checks: built at the end ---- */

struct hp_mk {
	struct hp_read *r;
	struct hp_px *px;
	struct hp_srv *s;
	unsigned inter;
};

static struct check_conf *hp_check_new(struct hp_mk *m, const char *name)
{
	const struct check_ops *ops = check_ops_named(name);
	const struct http_proxy *hp = m->px->hp;
	struct real_server *rs = m->s->rs;
	struct check_conf *cc, **kp;
	unsigned conn = hp->t_connect && hp->t_connect < m->inter ? hp->t_connect : m->inter;

	if (!ops || !(cc = calloc(1, sizeof(*cc)))) {
		hp_error(m->r, "server %s: %s", rs->name, ops ? "out of memory" : "no such checker");
		return NULL;
	}
	cc->type = ops->type;
	cc->file = rs->file;
	cc->line = rs->line;
	cc->connect_timeout_ms = conn + hp->t_check;
	cc->retry = 0;
	cc->rise = rs->hp->rise ? rs->hp->rise : 2;
	cc->fall = rs->hp->fall ? rs->hp->fall : 3;
	cc->delay_loop_ms = cc->delay_before_retry_ms = m->inter;
	if (m->s->check_addr.family)
		cc->connect = m->s->check_addr;
	if (m->s->check_port || m->px->chk.port)
		cc->connect.port = m->s->check_port ? m->s->check_port : m->px->chk.port;
	if (cc->connect.family && !cc->connect.port)
		cc->connect.port = rs->addr.port;
	if (ops->conf_new) {
		cc->spec = ops->conf_new();
		if (!cc->spec) {
			free(cc);
			hp_error(m->r, "out of memory");
			return NULL;
		}
		cc->spec_free = ops->conf_free;
	}
	for (kp = &rs->checks; *kp; kp = &(*kp)->next)
		;
	*kp = cc;
	return cc;
}

static void hp_check_done(struct hp_mk *m, struct check_conf *cc)
{
	const struct check_ops *ops = check_ops_for(cc->type);
	struct check_conf **kp;
	char err[ERRLEN];

	if (!ops || !ops->conf_finish || ops->conf_finish(cc, err, sizeof(err)) == 0)
		return;
	hp_error(m->r, "server %s: %s", m->s->rs->name, err);
	for (kp = &m->s->rs->checks; *kp && *kp != cc; kp = &(*kp)->next)
		;
	if (*kp)
		*kp = cc->next;
	cc->next = NULL;
	check_conf_free(cc);
}

/* The request haproxy 2.6 sends for c, byte for byte: `METH URI VER`
 * (OPTIONS / HTTP/1.0 by default), the `http-check send` headers in order,
 * content-length with a body, connection: close in HTTP/1.1, the body. */
static char *httpchk_request(const struct hp_chk *c)
{
	const char *ver = c->ver[0] ? c->ver : "HTTP/1.0";
	char clen[48] = "";
	char *s;

	if (c->body[0])
		snprintf(clen, sizeof(clen), "content-length: %zu\r\n", strlen(c->body));
	if (asprintf(&s, "%s %s %s\r\n%s%s%s\r\n%s", c->meth[0] ? c->meth : "OPTIONS",
		     c->uri[0] ? c->uri : "/", ver, c->hdrs, clen,
		     strcmp(ver, "HTTP/1.1") ? "" : "connection: close\r\n", c->body) < 0)
		return NULL;
	return s;
}

/* The checks of s go over TLS: check-ssl, or the server's ssl when the
 * checks go to its own port (HAProxy's rule). */
static int check_tls(const struct hp_mk *m)
{
	return m->s->check_ssl || (m->s->ssl && !m->s->check_port && !m->px->chk.port);
}

static void hp_http_check(struct hp_mk *m)
{
	const struct hp_chk *c = &m->px->chk;
	struct check_conf *cc = hp_check_new(m, check_tls(m) ? "SSL_GET" : "HTTP_GET");
	struct check_http_conf *h;
	struct check_url *u;
	unsigned code;

	if (!cc)
		return;
	h = cc->spec;
	if (m->s->check_sni[0] && check_tls(m) && !(h->sni = strdup(m->s->check_sni)))
		goto oom;
	h->head = !strcasecmp(c->meth, "HEAD");
	if (!(h->raw_req = httpchk_request(c)))
		goto oom;
	if (!(u = calloc(1, sizeof(*u))))
		goto oom;
	h->urls = u;
	if (!(u->path = strdup(c->uri[0] ? c->uri : "/")))
		goto oom;
	if (c->expect == HP_EXP_STATUS || c->expect == HP_EXP_RSTATUS) {
		unsigned char bits[STATUS_BITS];
		char err[ERRLEN];

		if (chk_status_bits(c, bits, err, sizeof(err)) < 0) {
			hp_error(m->r, "%s", err); /* checked when read: out of memory */
			return;
		}
		for (code = 100; code < 600; code++)
			if (!!(bits[code / 8] & (1u << (code % 8))) != c->expect_neg)
				u->status_ok[code / 8] |= (unsigned char)(1u << (code % 8));
	} else {
		/* haproxy: 2xx and 3xx pass */
		for (code = 200; code < 400; code++)
			u->status_ok[code / 8] |= (unsigned char)(1u << (code % 8));
	}
	if (c->expect == HP_EXP_STRING || c->expect == HP_EXP_RSTRING) {
		char rx[1100];

		if (c->expect == HP_EXP_STRING)
			rx_quote(c->pattern, rx, sizeof(rx));
		else
			snprintf(rx, sizeof(rx), "%s", c->pattern);
		if (!(u->regex = strdup(rx)))
			goto oom;
		u->regex_no_match = c->expect_neg;
	}
	hp_check_done(m, cc);
	return;
oom:
	hp_error(m->r, "out of memory");
}

/* miss_sts: a reply that does not match is L7STS (redis-check), not L7RSP. */
static void hp_expect_check(struct hp_mk *m, const char *send, const char *rx, int miss_sts)
{
	struct check_conf *cc = hp_check_new(m, "EXPECT_CHECK");
	struct check_expect_conf *x;

	if (!cc)
		return;
	x = cc->spec;
	x->miss_sts = miss_sts;
	if ((send && *send && !(x->send = strdup(send))) || (rx && *rx && !(x->expect = strdup(rx))))
		hp_error(m->r, "out of memory");
	hp_check_done(m, cc);
}

static void hp_db_check(struct hp_mk *m, int pg)
{
	struct check_conf *cc = hp_check_new(m, pg ? "PGSQL_CHECK" : "MYSQL_CHECK");
	char **user;

	if (!cc)
		return;
	user = pg ? &((struct check_pgsql_conf *)cc->spec)->user
		  : &((struct check_mysql_conf *)cc->spec)->user;
	if (!pg && !m->px->chk.user[0]) /* option mysql-check without user */
		((struct check_mysql_conf *)cc->spec)->handshake_only = 1;
	else if (!(*user = strdup(m->px->chk.user)))
		hp_error(m->r, "out of memory");
	if (pg) /* haproxy's meaning: answering the startup is enough */
		((struct check_pgsql_conf *)cc->spec)->startup_only = 1;
	hp_check_done(m, cc);
}

/* agent-check: its own address, port, interval, rise and fall (1 and 1,
 * HAProxy's agent defaults), whatever the regular check's. */
static void hp_agent_check(struct hp_mk *m)
{
	const struct hp_srv *s = m->s;
	struct check_conf *cc;
	struct check_expect_conf *g;

	m->inter = s->agent_inter_ms ? s->agent_inter_ms : 2000;
	cc = hp_check_new(m, "AGENT_CHECK");
	if (!cc)
		return;
	memset(&cc->connect, 0, sizeof(cc->connect));
	if (s->agent_addr.family)
		cc->connect = s->agent_addr;
	cc->connect.port = s->agent_port;
	cc->rise = cc->fall = 1;
	g = cc->spec;
	if (s->agent_send[0] && !(g->send = strdup(s->agent_send)))
		hp_error(m->r, "out of memory");
}

/* The regular check (`check`), as the backend's options say. */
static void hp_build_check(struct hp_mk *m0, const struct hp_chk *c)
{
	struct hp_mk m = *m0;

	if (check_tls(&m) && c->kind != HP_CHK_TCP && c->kind != HP_CHK_HTTP) {
		const char *file = m.r->file;
		int line = m.r->line;

		m.r->file = m.s->rs->file; /* the server's line */
		m.r->line = m.s->rs->line;
		hp_error(m.r, "server %s: this check over TLS (ssl or check-ssl) is not supported "
			      "(option httpchk and plain connects are)",
			 m.s->rs->name);
		m.r->file = file;
		m.r->line = line;
		return;
	}
	switch (c->kind) {
	case HP_CHK_TCP:
		hp_check_new(&m, "TCP_CHECK");
		break;
	case HP_CHK_HTTP:
		hp_http_check(&m);
		break;
	case HP_CHK_TCPCHECK:
		hp_expect_check(&m, c->send, c->rx, 0);
		break;
	case HP_CHK_REDIS:
		hp_expect_check(&m, "PING\\r\\n", "^\\+PONG", 1);
		break;
	case HP_CHK_SMTP: {
		struct check_conf *cc = hp_check_new(&m, "SMTP_CHECK");

		if (cc)
			hp_check_done(&m, cc);
		break;
	}
	case HP_CHK_PGSQL:
	case HP_CHK_MYSQL:
		hp_db_check(&m, c->kind == HP_CHK_PGSQL);
		break;
	}
}

void hp_build_checks(struct hp_read *r, struct hp_px *px, struct hp_srv *s)
{
	struct hp_mk m = {.r = r, .px = px, .s = s};
	const struct hp_chk *c = &px->chk;

	m.inter = s->rs->hp->inter_ms ? s->rs->hp->inter_ms : 2000;
	if (s->check)
		hp_build_check(&m, c);
	if (s->agent)
		hp_agent_check(&m);
}
