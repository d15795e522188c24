/* haproxy.cfg's `bind`, `server`, `default-server`, `balance`, and the
 * health checks of the servers, mapped onto fulcrum's checkers:
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
 *   option pgsql-check     PGSQL_CHECK user U, role any
 *   option mysql-check     MYSQL_CHECK user U, role any
 *
 * Timings: inter (default 2 s) is the interval, rise (2) and fall (3) the
 * consecutive results that change the state; a check attempt is bounded by
 * min(timeout connect, inter) plus `timeout check`.  fastinter and
 * downinter are kept in the server's options (rs->hp) only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "check/check.h"
#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "check/check_mysql-t.h"
#include "check/check_pgsql-t.h"
#include "conf/haproxy.h"
#include "core/err.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define HP_MAX_PORT_RANGE 256 /* ports one bind `a-b` may open */

/* ---- addresses ---- */

static int name_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}


/* "IP", "*", "" or "::" (any), "[v6]", into a (port untouched). */
static int hp_ip(const char *s, size_t n, int v6_any, struct fc_addr *a, char *err, size_t errlen)
{
	char ip[128];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= sizeof(ip))
		return err_set(err, errlen, "'%.*s' is not an IP address", (int)n, s);
	memcpy(ip, s, n);
	ip[n] = 0;
	memset(a, 0, sizeof(*a));
	if (!n || !strcmp(ip, "*") || !strcmp(ip, "0.0.0.0")) {
		a->family = v6_any ? AF_INET6 : AF_INET;
		return 0;
	}
	if (addr_parse_ip(ip, a, err, errlen) < 0)
		return err_set(err, errlen,
			       "'%s' is not an IP address (fulcrum resolves no host names)", ip);
	return 0;
}

/* `ADDR:PORT[-PORT2]` of a bind: the address and the port range. */
static int hp_bind_addr(const char *s, struct fc_addr *a, unsigned *p1, unsigned *p2, char *err,
			size_t errlen)
{
	const char *colon = strrchr(s, ':'), *dash;
	int v6 = 0;
	char e[ERRLEN];

	if (!strncmp(s, "ipv4@", 5) || !strncmp(s, "tcp4@", 5))
		s += 5;
	else if (!strncmp(s, "ipv6@", 5) || !strncmp(s, "tcp6@", 5))
		s += 5, v6 = 1;
	else if (!strncmp(s, "tcp@", 4))
		s += 4;
	colon = strrchr(s, ':');
	if (!colon)
		return err_set(err, errlen, "bind %s: missing port (ADDRESS:PORT)", s);
	if (colon - s == 2 && !strncmp(s, "::", 2))
		v6 = 1; /* :::PORT: every IPv6 (and IPv4-mapped) address */
	if (hp_ip(s, (size_t)(colon - s), v6, a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "bind %s: %s", s, e);
	dash = strchr(colon + 1, '-');
	if (hp_uint("bind port", colon + 1, 1, 65535, p1, e, sizeof(e)) < 0 && !dash)
		return err_set(err, errlen, "bind %s: '%s' is not a port", s, colon + 1);
	*p2 = *p1;
	if (dash) {
		char first[16];
		size_t n = (size_t)(dash - colon - 1);

		if (n >= sizeof(first))
			return err_set(err, errlen, "bind %s: bad port range", s);
		memcpy(first, colon + 1, n);
		first[n] = 0;
		if (hp_uint("bind port", first, 1, 65535, p1, e, sizeof(e)) < 0 ||
		    hp_uint("bind port", dash + 1, 1, 65535, p2, e, sizeof(e)) < 0 || *p2 < *p1 ||
		    *p2 - *p1 >= HP_MAX_PORT_RANGE)
			return err_set(err, errlen, "bind %s: bad port range (at most %u ports)", s,
				       HP_MAX_PORT_RANGE);
	}
	return 0;
}

static void hp_add_bind(struct hp_read *r, struct hp_px *px, const struct fc_addr *a, int fd)
{
	struct virtual_server *vs = vs_new();
	struct hp_bind *b = calloc(1, sizeof(*b)), **bp;

	if (!vs || !b) {
		vs_free(vs);
		free(b);
		hp_error(r, "out of memory");
		return;
	}
	vs->protocol = IPPROTO_TCP;
	vs->addr = *a;
	vs->fwd = FWD_PROXY;
	vs->http = px->hp;
	vs->bind_fd = fd;
	vs->file = r->file;
	vs->line = r->line;
	b->vs = vs;
	for (bp = &px->binds; *bp; bp = &(*bp)->next)
		;
	*bp = b;
}

/* bind options fulcrum takes without serving them */
static const char *const hp_bind_tunes[] = {"v4v6", "v6only", "defer-accept", "tfo",
					     "backlog", "mss", "nice", "maxconn", NULL};

int hp_bind_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w)
{
	char e[ERRLEN], *list, *tok, *save = NULL;
	unsigned p1, p2, port, i;
	int k, rc = 0;

	if (w->n < 2) {
		hp_error(r, "usage: bind ADDRESS:PORT[,...] [options]");
		return -1;
	}
	for (k = 2; k < w->n; k++) {
		const char *o = w->args[k];
		int has_val = !strcmp(o, "name") || !strcmp(o, "process") || !strcmp(o, "thread") ||
			      !strcmp(o, "backlog") || !strcmp(o, "mss") || !strcmp(o, "nice") ||
			      !strcmp(o, "maxconn");

		if (!strcmp(o, "ssl") || !strcmp(o, "crt") || !strcmp(o, "crt-list")) {
			hp_error(r, "bind: '%s' is not supported (fulcrum terminates no TLS: bind "
				    "without ssl and put TLS in front, or use mode tcp)",
				 o);
			return -1;
		}
		if (has_val && k + 1 >= w->n) {
			hp_error(r, "bind: '%s' needs a value", o);
			return -1;
		}
		if (!strcmp(o, "proto") && k + 1 < w->n) {
			if (strcmp(w->args[k + 1], "h1"))
				hp_warn(r, "bind: 'proto %s': fulcrum speaks HTTP/1.1 on this "
					   "listener",
					w->args[k + 1]);
			k++;
			continue;
		}
		if (!strcmp(o, "name") || !strcmp(o, "process") || !strcmp(o, "thread"))
			hp_warn(r, "bind: '%s %s' is not used by fulcrum", o, w->args[k + 1]);
		else if (name_in(hp_bind_tunes, o))
			hp_warn(r, "bind: '%s' only tunes HAProxy: ignored", o);
		else {
			hp_error(r, "bind: option '%s' is not supported", o);
			return -1;
		}
		k += has_val;
	}
	list = strdup(w->args[1]);
	if (!list) {
		hp_error(r, "out of memory");
		return -1;
	}
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct fc_addr a;

		if (!strncmp(tok, "fd@", 3)) {
			if (hp_uint("bind fd@", tok + 3, 0, 65535, &port, e, sizeof(e)) < 0) {
				hp_error(r, "bind %s: the inherited socket is a file descriptor number "
					    "(fd@N, or fd@${VAR} with VAR set to one)",
					 tok);
				rc = -1;
				continue;
			}
			memset(&a, 0, sizeof(a));
			hp_add_bind(r, px, &a, (int)port);
			continue;
		}
		if (tok[0] == '/' || !strncmp(tok, "unix@", 5) || !strncmp(tok, "abns@", 5) ||
		    !strncmp(tok, "sockpair@", 9) || !strncmp(tok, "quic", 4) ||
		    !strncmp(tok, "udp", 3)) {
			hp_error(r, "bind %s: fulcrum binds TCP addresses (ADDRESS:PORT) and "
				    "inherited sockets (fd@N)",
				 tok);
			rc = -1;
			continue;
		}
		if (hp_bind_addr(tok, &a, &p1, &p2, e, sizeof(e)) < 0) {
			hp_error(r, "%s", e);
			rc = -1;
			continue;
		}
		for (i = p1; i <= p2; i++) {
			a.port = (uint16_t)i;
			hp_add_bind(r, px, &a, -1);
		}
	}
	free(list);
	return rc;
}

/* ---- servers ---- */

void hp_srv_list_free(struct hp_srv *s)
{
	struct hp_srv *n;

	for (; s; s = n) {
		n = s->next;
		free(s);
	}
}

/* `server NAME ADDR[:PORT]`: the address (port 0 = none written). */
static int hp_server_addr(const char *s, struct fc_addr *a, int *no_port, char *err, size_t errlen)
{
	const char *colon, *close;
	char e[ERRLEN];
	unsigned port;

	if (!strncmp(s, "ipv4@", 5) || !strncmp(s, "ipv6@", 5))
		s += 5;
	close = s[0] == '[' ? strchr(s, ']') : NULL;
	colon = close ? (close[1] == ':' ? close + 1 : NULL) : strrchr(s, ':');
	if (colon && !close && strchr(s, ':') != colon)
		colon = NULL; /* a bare IPv6 address */
	*no_port = !colon;
	if (hp_ip(s, colon ? (size_t)(colon - s) : strlen(s), 0, a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "%s", e);
	if (!colon)
		return 0;
	if (colon[1] == '+' || colon[1] == '-')
		return err_set(err, errlen, "'%s': a relative port is not supported", s);
	if (hp_uint("port", colon + 1, 1, 65535, &port, e, sizeof(e)) < 0)
		return err_set(err, errlen, "'%s': '%s' is not a port", s, colon + 1);
	a->port = (uint16_t)port;
	return 0;
}

/* server options fulcrum accepts without serving them */
static const char *const hp_srv_tunes[] = {"resolvers", "init-addr", "resolve-prefer",
					   "pool-max-conn", "pool-purge-delay", "tfo", "id",
					   "check-send-proxy", "max-reuse", "error-limit", NULL};

/* server options with a value, served */
static const char *const hp_srv_valued[] = {"weight", "port", "proto", "addr", "on-marked-down", "cookie",
					    "rise", "fall", "maxconn", "maxqueue", "inter",
					    "fastinter", "downinter", "slowstart", NULL};

/* One option of a server (or default-server) at w->args[*i]; 0 or -1 with
 * err.  Options with a value advance *i. */
static int hp_srv_option(struct hp_read *r, struct hp_srv *s, struct hp_server *h,
			 struct hp_words *w, int *i, char *err, size_t errlen)
{
	const char *o = w->args[*i], *v = *i + 1 < w->n ? w->args[*i + 1] : NULL;
	unsigned u, *t = NULL;
	char e[ERRLEN];

	if (!strcmp(o, "check")) {
		s->check = 1;
		return 0;
	}
	if (!strcmp(o, "no-check")) {
		s->check = 0;
		return 0;
	}
	if (!strcmp(o, "backup") || !strcmp(o, "no-backup")) {
		h->backup = o[0] == 'b';
		return 0;
	}
	if (!strcmp(o, "disabled") || !strcmp(o, "enabled")) {
		h->disabled = o[0] == 'd';
		return 0;
	}
	if (!strcmp(o, "send-proxy") || !strcmp(o, "send-proxy-v2") ||
	    !strcmp(o, "no-send-proxy") || !strcmp(o, "no-send-proxy-v2")) {
		h->send_proxy = o[0] == 'n' ? 0 : strstr(o, "v2") ? 2 : 1;
		return 0;
	}
	if (!strcmp(o, "ssl") || !strcmp(o, "check-ssl") || !strcmp(o, "verify") ||
	    !strcmp(o, "ca-file") || !strcmp(o, "sni") || !strcmp(o, "crt") ||
	    !strcmp(o, "agent-check") || !strcmp(o, "track") || !strcmp(o, "observe") ||
	    !strcmp(o, "redir") || !strcmp(o, "source") || !strcmp(o, "usesrc"))
		return err_set(err, errlen, "server option '%s' is not supported", o);
	if (!v)
		return err_set(err, errlen, "server option '%s' %s", o,
			       name_in(hp_srv_tunes, o) || name_in(hp_srv_valued, o) ? "needs a value"
										   : "is not supported");
	(*i)++;
	if (name_in(hp_srv_tunes, o)) {
		hp_warn(r, "server option '%s %s' is not used by fulcrum", o, v);
		return 0;
	}
	if (!strcmp(o, "weight")) {
		if (hp_uint("weight", v, 0, 256, &u, err, errlen) < 0)
			return -1;
		s->weight = (int)u;
		return 0;
	}
	if (!strcmp(o, "port")) {
		if (hp_uint("port", v, 1, 65535, &u, err, errlen) < 0)
			return -1;
		s->check_port = (uint16_t)u;
		return 0;
	}
	if (!strcmp(o, "addr"))
		return hp_ip(v, strlen(v), 0, &s->check_addr, err, errlen);
	if (!strcmp(o, "on-marked-down")) {
		if (strcmp(v, "shutdown-sessions"))
			return err_set(err, errlen, "on-marked-down %s is not supported "
						    "(shutdown-sessions)", v);
		h->shutdown_on_down = 1;
		return 0;
	}
	if (!strcmp(o, "proto")) {
		if (strcmp(v, "h1"))
			hp_warn(r, "server option 'proto %s': fulcrum speaks HTTP/1.1 to the server",
				v);
		return 0;
	}
	if (!strcmp(o, "on-marked-up") || !strcmp(o, "on-error"))
		return err_set(err, errlen, "server option '%s' is not supported", o);
	if (!strcmp(o, "cookie")) {
		if (strlen(v) >= sizeof(h->cookie))
			return err_set(err, errlen, "cookie: at most %zu bytes", sizeof(h->cookie) - 1);
		snprintf(h->cookie, sizeof(h->cookie), "%s", v);
		return 0;
	}
	if (!strcmp(o, "rise") || !strcmp(o, "fall"))
		return hp_uint(o, v, 1, 1000, o[0] == 'r' ? &h->rise : &h->fall, err, errlen);
	if (!strcmp(o, "maxconn") || !strcmp(o, "maxqueue"))
		return hp_uint(o, v, 0, 10000000, o[3] == 'c' ? &h->maxconn : &h->maxqueue, err,
			       errlen);
	t = !strcmp(o, "inter")	       ? &h->inter_ms
	    : !strcmp(o, "fastinter")  ? &h->fastinter_ms
	    : !strcmp(o, "downinter")  ? &h->downinter_ms
	    : !strcmp(o, "slowstart")  ? &h->slowstart_ms
				       : NULL;
	if (t) {
		if (hp_time_ms(v, t, e, sizeof(e)) < 0)
			return err_set(err, errlen, "%s: %s", o, e);
		if (!*t && o[0] != 's')
			return err_set(err, errlen, "%s must be above 0", o);
		return 0;
	}
	return err_set(err, errlen, "server option '%s' is not supported", o);
}

int hp_server_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w, int is_default)
{
	struct hp_srv s = px->defsrv, *sp;
	struct hp_server h = px->hp->defsrv;
	struct real_server *rs;
	char err[ERRLEN];
	int i = is_default ? 1 : 3;

	if (!is_default && w->n < 3) {
		hp_error(r, "usage: server NAME ADDRESS[:PORT] [options]");
		return -1;
	}
	for (; i < w->n; i++) {
		err[0] = 0;
		if (hp_srv_option(r, &s, &h, w, &i, err, sizeof(err)) < 0) {
			hp_error(r, "%s", err);
			return -1;
		}
	}
	if (is_default) {
		px->defsrv = s;
		px->hp->defsrv = h;
		return 0;
	}
	if (pool_find_server(px->hp->pool, w->args[1])) {
		hp_error(r, "server '%s' is defined twice in '%s'", w->args[1], px->hp->name);
		return -1;
	}
	rs = rs_new();
	sp = calloc(1, sizeof(*sp));
	if (!rs || !sp || !(rs->name = strdup(w->args[1])) ||
	    !(rs->hp = malloc(sizeof(*rs->hp)))) {
		rs_free(rs);
		free(sp);
		hp_error(r, "out of memory");
		return -1;
	}
	*rs->hp = h;
	if (!rs->hp->cookie[0])
		snprintf(rs->hp->cookie, sizeof(rs->hp->cookie), "%s", w->args[1]);
	if (hp_server_addr(w->args[2], &rs->addr, &s.no_port, err, sizeof(err)) < 0) {
		hp_error(r, "server %s: %s", w->args[1], err);
		rs_free(rs);
		free(sp);
		return -1;
	}
	rs->weight = rs->cur_weight = s.weight >= 0 ? s.weight : 1;
	rs->file = r->file;
	rs->line = r->line;
	if (h.disabled && rs->live)
		rs->live->admin = RS_ADMIN_DISABLED;
	*sp = s;
	sp->rs = rs;
	sp->next = px->servers;
	px->servers = sp;
	pool_add_rs(px->hp->pool, rs);
	return 0;
}

/* ---- balance ---- */

int hp_balance_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w)
{
	struct hp_balance *b = &px->hp->balance;
	const char *a = w->n > 1 ? w->args[1] : "";
	const char *sched = NULL;
	char name[64];
	unsigned n;
	int i;

	b->src = HP_HASH_NONE;
	b->name[0] = 0;
	if (!strcmp(a, "roundrobin") || !strcmp(a, "static-rr"))
		sched = "wrr";
	else if (!strcmp(a, "leastconn"))
		sched = "wlc";
	else if (!strcmp(a, "first"))
		sched = "first";
	else if (!strcmp(a, "source")) {
		sched = "sh";
		b->src = HP_HASH_SOURCE;
	} else if (!strncmp(a, "random", 6)) {
		sched = "random";
		b->random_draws = 2;
		if (a[6] == '(' && sscanf(a + 7, "%u", &n) == 1 && a[strlen(a) - 1] == ')' && n >= 1 &&
		    n <= 100)
			b->random_draws = n;
		else if (a[6])
			sched = NULL;
	} else if (!strcmp(a, "uri")) {
		sched = "hash";
		b->src = HP_HASH_URI;
		b->uri_len = b->uri_depth = 0;
		b->uri_whole = b->uri_path_only = 0;
		for (i = 2; i < w->n; i++) {
			char e[ERRLEN];

			if (!strcmp(w->args[i], "whole"))
				b->uri_whole = 1;
			else if (!strcmp(w->args[i], "path-only"))
				b->uri_path_only = 1;
			else if ((!strcmp(w->args[i], "len") || !strcmp(w->args[i], "depth")) &&
				 i + 1 < w->n) {
				if (hp_uint(w->args[i], w->args[i + 1], 1, 65535,
					    w->args[i][0] == 'l' ? &b->uri_len : &b->uri_depth, e,
					    sizeof(e)) < 0) {
					hp_error(r, "balance uri: %s", e);
					return -1;
				}
				i++;
			} else {
				hp_error(r, "balance uri: unexpected '%s' (whole, len N, depth N, "
					    "path-only)",
					 w->args[i]);
				return -1;
			}
		}
	} else if (!strcmp(a, "url_param") && w->n >= 3) {
		sched = "hash";
		b->src = HP_HASH_URL_PARAM;
		snprintf(b->name, sizeof(b->name), "%s", w->args[2]);
		if (w->n > 3 && strcmp(w->args[3], "check_post"))
			sched = NULL;
		else if (w->n > 3)
			hp_warn(r, "balance url_param: check_post is not served (the query string "
				   "alone is hashed)");
	} else if ((!strncmp(a, "hdr(", 4) || !strncmp(a, "rdp-cookie", 10)) &&
		   a[strlen(a) - 1] != '(') {
		const char *open = strchr(a, '(');
		size_t len = open ? strlen(open + 1) : 0;

		sched = "hash";
		b->src = a[0] == 'h' ? HP_HASH_HDR : HP_HASH_RDP_COOKIE;
		snprintf(name, sizeof(name), "%s", "mstshash");
		if (open) {
			if (!len || open[len] != ')' || len - 1 >= sizeof(name) || len == 1) {
				hp_error(r, "balance %s: NAME missing or too long", a);
				return -1;
			}
			memcpy(name, open + 1, len - 1);
			name[len - 1] = 0;
		} else if (a[0] == 'h' || a[10]) {
			sched = NULL;
		}
		snprintf(b->name, sizeof(b->name), "%s", name);
		if (w->n > 2 && (b->src != HP_HASH_HDR || strcmp(w->args[2], "use_domain_only")))
			sched = NULL;
		else if (w->n > 2)
			hp_warn(r, "balance hdr: use_domain_only is not served (the whole value "
				   "is hashed)");
	}
	if (!sched) {
		hp_error(r, "balance '%s' is not supported (roundrobin, static-rr, leastconn, "
			    "first, source, random[(N)], uri, url_param NAME, hdr(NAME), "
			    "rdp-cookie[(NAME)])",
			 a);
		return -1;
	}
	if ((b->src == HP_HASH_SOURCE || b->src == HP_HASH_NONE) && w->n > 2) {
		hp_error(r, "balance %s takes no option", a);
		return -1;
	}
	snprintf(px->sched, sizeof(px->sched), "%s", sched);
	return 0;
}

/* ---- checks: what the section says ---- */

static int chk_set(struct hp_chk *c, char *dst, size_t cap, const char *s, char *err,
		   size_t errlen)
{
	if (strlen(s) >= cap)
		return err_set(err, errlen, "'%.40s...' is too long (at most %zu bytes)", s, cap - 1);
	memcpy(dst, s, strlen(s) + 1);
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
			if (!strcmp(o, "hdr")) {
				if (i + 2 >= w->n)
					return err_set(err, errlen, "http-check send hdr NAME VALUE");
				if (!strcasecmp(v, "host")) {
					if (chk_set(c, c->host, sizeof(c->host), w->args[i + 2], err,
						    errlen))
						return -1;
				} else {
					hp_warn(r, "http-check send: header '%s' is not sent", v);
				}
				i++;
			} else if (strcmp(o, "meth") && strcmp(o, "uri") && strcmp(o, "ver")) {
				return err_set(err, errlen,
					       "http-check send: '%s' is not supported (meth, uri, "
					       "ver, hdr)",
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

static void hp_http_check(struct hp_mk *m)
{
	const struct hp_chk *c = &m->px->chk;
	struct check_conf *cc = hp_check_new(m, "HTTP_GET");
	struct check_http_conf *h;
	struct check_url *u;
	unsigned code;

	if (!cc)
		return;
	h = cc->spec;
	h->head = !strcasecmp(c->meth, "HEAD");
	if (c->meth[0] && strcasecmp(c->meth, "HEAD") && strcasecmp(c->meth, "GET") &&
	    strcasecmp(c->meth, "OPTIONS") && m->s == m->px->servers)
		hp_warn(m->r, "option httpchk %s: fulcrum's HTTP check sends GET", c->meth);
	if (!strcmp(c->ver, "HTTP/1.1") && !(h->http_protocol = strdup("1.1")))
		goto oom;
	if (c->host[0] && !(cc->virtualhost = strdup(c->host)))
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

static void hp_expect_check(struct hp_mk *m, const char *send, const char *rx)
{
	struct check_conf *cc = hp_check_new(m, "EXPECT_CHECK");
	struct check_expect_conf *x;

	if (!cc)
		return;
	x = cc->spec;
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
	if (!(*user = strdup(m->px->chk.user)))
		hp_error(m->r, "out of memory");
	hp_check_done(m, cc);
}

void hp_finish_servers(struct hp_read *r, struct hp_px *px)
{
	struct hp_mk m = {.r = r, .px = px};
	const struct hp_chk *c = &px->chk;

	if (px->hp->pool && px->sched[0])
		snprintf(px->hp->pool->sched, sizeof(px->hp->pool->sched), "%s",
			 !strcmp(px->sched, "hash") && px->hp->balance.consistent ? "chash"
										 : px->sched);
	for (m.s = px->servers; m.s; m.s = m.s->next) {
		if (!m.s->check)
			continue; /* no check: always up */
		m.inter = m.s->rs->hp->inter_ms ? m.s->rs->hp->inter_ms : 2000;
		switch (c->kind) {
		case HP_CHK_TCP:
			hp_check_new(&m, "TCP_CHECK");
			break;
		case HP_CHK_HTTP:
			hp_http_check(&m);
			break;
		case HP_CHK_TCPCHECK:
			hp_expect_check(&m, c->send, c->rx);
			break;
		case HP_CHK_REDIS:
			hp_expect_check(&m, "PING\\r\\n", "^\\+PONG");
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
}
