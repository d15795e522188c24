/* haproxy.cfg's `bind`, `server`, `default-server` and `balance`; the
 * end of a backend (its scheduler, its servers' checks: haproxy_chk.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void hp_add_bind(struct hp_read *r, struct hp_px *px, const struct fc_addr *a, int fd, int h2,
			struct tls_srv *tls)
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
	vs->bind_h2 = h2;
	vs->tls = tls ? tls_srv_ref(tls) : NULL;
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
	int k, n, rc = 0, h2 = 0, failed;
	struct hp_bind_ssl ssl;
	struct tls_srv *tls;

	if (w->n < 2) {
		hp_error(r, "usage: bind ADDRESS:PORT[,...] [options]");
		return -1;
	}
	hp_bind_ssl_init(r, &ssl);
	for (k = 2; k < w->n; k++) {
		const char *o = w->args[k];
		int has_val = !strcmp(o, "name") || !strcmp(o, "process") || !strcmp(o, "thread") ||
			      !strcmp(o, "backlog") || !strcmp(o, "mss") || !strcmp(o, "nice") ||
			      !strcmp(o, "maxconn");

		n = hp_bind_ssl_word(r, w, k, &ssl);
		if (n < 0) {
			hp_bind_ssl_free(&ssl);
			return -1;
		}
		if (n > 0) {
			k += n - 1;
			continue;
		}
		if (has_val && k + 1 >= w->n) {
			hp_error(r, "bind: '%s' needs a value", o);
			return -1;
		}
		if (!strcmp(o, "proto") && k + 1 < w->n) {
			if (!strcmp(w->args[k + 1], "h2"))
				h2 = 1; /* h2c with prior knowledge: src/proxy/h2_gw.c */
			else if (strcmp(w->args[k + 1], "h1"))
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
			hp_bind_ssl_free(&ssl);
			return -1;
		}
		k += has_val;
	}
	tls = hp_bind_ssl_done(r, &ssl, &failed);
	list = failed ? NULL : strdup(w->args[1]);
	if (!list) {
		if (!failed)
			hp_error(r, "out of memory");
		tls_srv_put(tls);
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
			hp_add_bind(r, px, &a, (int)port, h2, tls);
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
			hp_add_bind(r, px, &a, -1, h2, tls);
		}
	}
	free(list);
	tls_srv_put(tls); /* each listener holds its own reference */
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
					    "fastinter", "downinter", "slowstart", "agent-port",
					    "agent-addr", "agent-inter", "agent-send", NULL};

/* One option of a server (or default-server) at w->args[*i]; 0 or -1 with
 * err.  Options with a value advance *i. */
static int hp_srv_option(struct hp_read *r, struct hp_srv *s, struct hp_server *h,
			 struct hp_words *w, int *i, char *err, size_t errlen)
{
	const char *o = w->args[*i], *v = *i + 1 < w->n ? w->args[*i + 1] : NULL;
	unsigned u, *t = NULL;
	char e[ERRLEN];
	int n;

	if (!strcmp(o, "check")) {
		s->check = 1;
		return 0;
	}
	if (!strcmp(o, "no-check")) {
		s->check = 0;
		return 0;
	}
	if (!strcmp(o, "agent-check") || !strcmp(o, "no-agent-check")) {
		s->agent = o[0] == 'a';
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
	n = hp_srv_ssl_word(r, w, *i, s, err, errlen);
	if (n) {
		*i += n > 0 ? n - 1 : 0;
		return n < 0 ? -1 : 0;
	}
	if (!strcmp(o, "track") || !strcmp(o, "observe") ||
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
	if (!strcmp(o, "addr") || !strcmp(o, "agent-addr"))
		return hp_ip(v, strlen(v), 0, o[0] == 'a' && o[1] == 'g' ? &s->agent_addr : &s->check_addr,
			     err, errlen);
	if (!strcmp(o, "agent-port")) {
		if (hp_uint("agent-port", v, 1, 65535, &u, err, errlen) < 0)
			return -1;
		s->agent_port = (uint16_t)u;
		return 0;
	}
	if (!strcmp(o, "agent-send")) {
		if (strlen(v) >= sizeof(s->agent_send))
			return err_set(err, errlen, "agent-send: at most %zu bytes",
				       sizeof(s->agent_send) - 1);
		snprintf(s->agent_send, sizeof(s->agent_send), "%s", v);
		return 0;
	}
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
	    : !strcmp(o, "agent-inter") ? &s->agent_inter_ms
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
			if (err[0]) /* else reported */
				hp_error(r, "%s", err);
			return -1;
		}
	}
	if (!is_default && s.agent && !s.agent_port) {
		hp_error(r, "server %s: agent-check needs agent-port (the agent's TCP port)",
			 w->args[1]);
		return -1;
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
	if (hp_server_addr(w->args[2], &rs->addr, &s.no_port, err, sizeof(err)) < 0) {
		hp_error(r, "server %s: %s", w->args[1], err);
		rs_free(rs);
		free(sp);
		return -1;
	}
	if (hp_srv_ssl_done(r, &s, rs, err, sizeof(err)) < 0) {
		hp_error(r, "%s", err);
		rs_free(rs);
		free(sp);
		return -1;
	}
	rs->cur_weight = rs->weight = s.weight >= 0 ? s.weight : 1;
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
	b->static_rr = !strcmp(a, "static-rr");
	if (!strcmp(a, "roundrobin") || b->static_rr)
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

void hp_finish_servers(struct hp_read *r, struct hp_px *px)
{
	struct hp_srv *s;

	if (px->hp->pool && px->sched[0])
		snprintf(px->hp->pool->sched, sizeof(px->hp->pool->sched), "%s",
			 !strcmp(px->sched, "hash") && px->hp->balance.consistent ? "chash"
										 : px->sched);
	for (s = px->servers; s; s = s->next) {
		const struct hp_balance *b = &px->hp->balance;

		/* HAProxy's static algorithms: static-rr and the map-based hashes */
		if (s->rs->hp)
			s->rs->hp->static_weights = b->static_rr || (b->src != HP_HASH_NONE && !b->consistent);
		if (s->ssl && px->hp->mode != HP_MODE_HTTP) {
			/* plain bytes to a TLS port would be worse than none */
			const char *file = r->file;
			int line = r->line;

			r->file = s->rs->file;
			r->line = s->rs->line;
			hp_error(r, "server %s: 'ssl' is not supported in mode tcp (TLS toward a "
				    "server is served in mode http only)",
				 s->rs->name);
			r->file = file;
			r->line = line;
			continue;
		}
		if (s->check || s->agent) /* neither: always up */
			hp_build_checks(r, px, s);
	}
	hp_source_finish(r, px);
}
