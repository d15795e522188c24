/* ldirectord.cf's addresses: virtual= / virtual6=, real= / real6= (ranges
 * too) and fallback= / fallback6=, as ldirectord reads them:
 *   virtual=IP:PORT | [IPv6]:PORT | FWMARK
 *   real=IP[->IP][:PORT] gate|masq|ipip [WEIGHT] ["REQUEST", "RECEIVE"]
 *   fallback=IP[:PORT] [gate|masq|ipip]
 * A port is a number or a service name (/etc/services, for the virtual's
 * protocol).  Host names are not resolved: fulcrum reads addresses only,
 * so that a configuration means the same whatever DNS says at a reload. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ldirectord.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"

int ld_port(const char *s, int protocol, uint16_t *port, char *err, size_t errlen)
{
	struct servent *se;
	char e[ERRLEN];

	if (*s >= '0' && *s <= '9') {
		if (addr_parse_port(s, port, 0, e, sizeof(e)) < 0)
			return err_set(err, errlen, "%s", e);
		return 0;
	}
	se = *s ? getservbyname(s, protocol == IPPROTO_UDP ? "udp" : "tcp") : NULL;
	if (!se)
		return err_set(err, errlen, "port '%s' is not a number nor a %s service name", s,
			       protocol == IPPROTO_UDP ? "udp" : "tcp");
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

/* "IP" (af's family) into a; an error names what was expected. */
static int ld_ip(const char *s, int af, struct fc_addr *a, char *err, size_t errlen)
{
	char e[ERRLEN];

	if (addr_parse_ip(s, a, e, sizeof(e)) == 0 && a->family == af)
		return 0;
	if (addr_parse_ip(s, a, e, sizeof(e)) == 0)
		return err_set(err, errlen, "%s is an IPv%c address; this line takes IPv%c (%s)", s,
			       af == AF_INET ? '6' : '4', af == AF_INET ? '4' : '6',
			       af == AF_INET ? "use virtual6, real6, fallback6"
					     : "use virtual, real, fallback");
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
		strlen(s) &&
	    strpbrk(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"))
		return err_set(
		    err, errlen,
		    "'%s' is a host name: fulcrum reads IP addresses only (names are not "
		    "resolved)",
		    s);
	return err_set(err, errlen, "'%s' is not an IPv%c address", s, af == AF_INET ? '4' : '6');
}

/* "IP[:PORT]" or "[IPv6][:PORT]": the address into a, the port's text into
 * port ("" if none). */
static int ld_hostport(const char *s, int af, struct fc_addr *a, char *port, size_t portlen,
		       char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s, *close;
	size_t n;

	port[0] = 0;
	if (*s == '[') {
		close = strchr(s, ']');
		if (!close)
			return err_set(err, errlen, "'%s': ']' missing", s);
		if (af == AF_INET)
			return err_set(
			    err, errlen,
			    "cannot specify an IPv6 address here: use virtual6, real6 or "
			    "fallback6");
		h = s + 1;
		n = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon)
			return err_set(err, errlen, "'%s': expected ':PORT' after ']'", s);
	} else {
		if (af == AF_INET6)
			return err_set(
			    err, errlen,
			    "'%s': an IPv6 address is written in brackets: [2001:db8::1]:80", s);
		colon = strrchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (!n || n >= sizeof(host))
		return err_set(err, errlen, "'%s' is not an address", s);
	memcpy(host, h, n);
	host[n] = 0;
	if (colon) {
		if (!colon[1] || strlen(colon + 1) >= portlen)
			return err_set(err, errlen, "'%s': bad port", s);
		strcpy(port, colon + 1);
	}
	return ld_ip(host, af, a, err, errlen);
}

static const struct kw_enum ld_methods[] = {
    {"gate", FWD_DR},
    {"masq", FWD_NAT},
    {"ipip", FWD_TUN},
    {NULL},
};

int ld_method(const char *s, int *fwd)
{
	unsigned i;

	for (i = 0; ld_methods[i].name; i++)
		if (!strcmp(ld_methods[i].name, s)) {
			*fwd = ld_methods[i].value;
			return 0;
		}
	return -1;
}

static const char *ld_method_name(int fwd)
{
	unsigned i;

	for (i = 0; ld_methods[i].name; i++)
		if (ld_methods[i].value == fwd)
			return ld_methods[i].name;
	return "?";
}

/* ---- fallback ---- */

int ld_fallback_parse(const char *value, int af, struct ld_fallback *f, char *err, size_t errlen)
{
	char where[256], method[32], extra;
	char e[ERRLEN];
	int n;

	memset(f, 0, sizeof(*f));
	f->fwd = LD_UNSET;
	n = sscanf(value, "%255s %31s %c", where, method, &extra);
	if (n < 1)
		return err_set(err, errlen, "invalid fallback server: '%s'", value);
	if (n > 2)
		return err_set(err, errlen,
			       "invalid fallback server: '%s' (HOST[:PORT] [gate|masq|ipip])",
			       value);
	if (n == 2 && ld_method(method, &f->fwd) < 0)
		return err_set(err, errlen, "forward method must be gate, masq or ipip, not '%s'",
			       method);
	if (ld_hostport(where, af, &f->addr, f->port, sizeof(f->port), e, sizeof(e)) < 0)
		return err_set(err, errlen, "fallback: %s", e);
	f->set = 1;
	return 0;
}

/* The method of the first real server (or fallback) is the service's: the
 * engines serve a virtual service with one method.  0, or -1 reported. */
static int ld_same_method(struct kw_ctx *c, struct virtual_server *vs, int fwd, int *first_line,
			  const char *file, int line)
{
	if (!*first_line) {
		vs->fwd = fwd;
		*first_line = line;
		return 0;
	}
	if ((int)vs->fwd == fwd)
		return 0;
	conf_report(c->d, DIAG_ERROR, file, line,
		    "forwarding method %s differs from the %s of line %d: fulcrum serves a virtual "
		    "service with one method (split it into two virtual services)",
		    ld_method_name(fwd), ld_method_name((int)vs->fwd), *first_line);
	return -1;
}

/* DR and TUN cannot map ports: the server is reached on the virtual's, as
 * ldirectord's kernel does it. */
static void ld_port_for(struct kw_ctx *c, const struct virtual_server *vs, struct fc_addr *a,
			int fwd, const char *what, const char *file, int line)
{
	if (!a->port || vs->fwmark) {
		a->port = vs->addr.port;
		return;
	}
	if (fwd != FWD_NAT && a->port != vs->addr.port) {
		conf_report(c->d, DIAG_WARNING, file, line,
			    "%s port %u with %s: LVS-DR/TUN cannot change the port, it is %u (the "
			    "virtual's), as in ldirectord",
			    what, a->port, ld_method_name(fwd), vs->addr.port);
		a->port = vs->addr.port;
	}
}

int ld_sorry(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs)
{
	const struct ld_read *r = LD(c);
	const struct ld_fallback *f = v->set.fallback.set ? &v->set.fallback
				      : v->af == AF_INET6 ? &r->global.fallback6
							  : &r->global.fallback;
	struct real_server *rs;
	char e[ERRLEN];
	int fwd;

	if (!f->set)
		return 0;
	rs = rs_new();
	if (!rs) {
		conf_report(c->d, DIAG_ERROR, f->file, f->line, "out of memory");
		return -1;
	}
	rs->addr = f->addr;
	if (f->port[0] && ld_port(f->port, vs->protocol, &rs->addr.port, e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, f->file, f->line, "fallback: %s", e);
		rs_free(rs);
		return -1;
	}
	/* no method given: the real servers' (ldirectord's default, gate,
	 * when there is none) */
	fwd = f->fwd != LD_UNSET ? f->fwd : vs->pool->n_rs ? (int)vs->fwd : FWD_DR;
	if (!vs->pool->n_rs)
		vs->fwd = fwd;
	if ((int)vs->fwd != fwd) {
		conf_report(c->d, DIAG_ERROR, f->file, f->line,
			    "fallback method %s differs from the real servers' (%s) of the virtual "
			    "service of %s:%d: fulcrum serves a virtual service with one method",
			    ld_method_name(fwd), ld_method_name((int)vs->fwd), v->file, v->line);
		rs_free(rs);
		return -1;
	}
	ld_port_for(c, vs, &rs->addr, fwd, "fallback", f->file, f->line);
	rs->file = f->file;
	rs->line = f->line;
	vs->pool->sorry = rs;
	return 0;
}

/* ---- virtual= ---- */

int ld_virtual_addr(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs)
{
	char port[32], e[ERRLEN];
	const char *w = v->where;
	unsigned long mark;

	if (*w >= '0' && *w <= '9' && strspn(w, "0123456789") == strlen(w)) {
		mark = strtoul(w, NULL, 10);
		if (!mark || mark > 0xffffffffUL || strlen(w) > 10) {
			conf_report(c->d, DIAG_ERROR, v->file, v->line,
				    "virtual=%s: a firewall mark is 1..4294967295", w);
			return -1;
		}
		/* read as ldirectord does (its sections are checked too), but
		 * refused here: no engine serves it (the XDP engine and the proxy
		 * match address, port and protocol) */
		vs->fwmark = (uint32_t)mark;
		vs->protocol = IPPROTO_TCP;
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "virtual=%s: firewall-mark virtual services are not supported by "
			    "fulcrum yet: its engines match address, port and protocol (write the "
			    "service as virtual=IP:PORT)",
			    w);
		return 0;
	}
	if (ld_hostport(w, v->af, &vs->addr, port, sizeof(port), e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "invalid address for virtual service: %s", e);
		return -1;
	}
	if (!port[0]) {
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "virtual=%s: needs a port (IP:PORT) or is a firewall mark (a number)",
			    w);
		return -1;
	}
	/* ldirectord: port 53 or "domain" is udp unless protocol= says */
	vs->protocol = v->protocol != LD_UNSET				? v->protocol
		       : !strcmp(port, "53") || !strcmp(port, "domain") ? IPPROTO_UDP
									: IPPROTO_TCP;
	if (ld_port(port, vs->protocol, &vs->addr.port, e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, v->file, v->line, "virtual=%s: %s", w, e);
		return -1;
	}
	return 0;
}

/* ---- real= ---- */

/* The flags after the address: METHOD [WEIGHT] ["REQUEST", "RECEIVE"]. */
struct ld_real_flags {
	int fwd;
	unsigned weight;
	char *request, *receive; /* into the line's copy, or NULL */
};

/* A "..." at *p: its text (NUL-terminated in place) and *p past it. */
static char *ld_quoted_at(char **p)
{
	char *s = *p, *end;

	if (*s != '"')
		return NULL;
	end = strchr(s + 1, '"');
	if (!end)
		return NULL;
	*end = 0;
	*p = end + 1;
	return s + 1;
}

static int ld_real_flags(char *s, struct ld_real_flags *fl, char *err, size_t errlen)
{
	char *p = s, *word;
	unsigned long w;

	memset(fl, 0, sizeof(*fl));
	fl->weight = 1;
	word = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	if (ld_method(word, &fl->fwd) < 0)
		return err_set(err, errlen, "forward method must be gate, masq or ipip, not '%s'",
			       word);
	p += strspn(p, " \t");
	if (*p >= '0' && *p <= '9') {
		w = strtoul(p, &p, 10);
		if (w > 65535 || (*p && *p != ' ' && *p != '\t'))
			return err_set(err, errlen, "weight: not a number in 0..65535");
		fl->weight = (unsigned)w;
		p += strspn(p, " \t");
	}
	if (*p == '"') {
		fl->request = ld_quoted_at(&p);
		p += strspn(p, " \t");
		if (*p == ',')
			p++;
		p += strspn(p, " \t");
		fl->receive = fl->request ? ld_quoted_at(&p) : NULL;
		if (!fl->receive)
			return err_set(err, errlen,
				       "the request and receive strings of a real server are two "
				       "quoted strings: \"REQUEST\", \"RECEIVE\"");
		p += strspn(p, " \t");
	}
	if (*p)
		return err_set(err, errlen, "invalid real server line, around \"%s\"", p);
	return 0;
}

/* Add one real server at a to vs (with its checks): 0, or -1 reported. */
static int ld_add_rs(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs,
		     const struct fc_addr *a, const struct ld_real_flags *fl,
		     const struct ld_real_line *l)
{
	struct real_server *rs, *old;
	char b[ADDR_STRLEN];

	rs = rs_new();
	if (!rs) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line, "out of memory");
		return -1;
	}
	rs->addr = *a;
	ld_port_for(c, vs, &rs->addr, fl->fwd, "real server", l->file, l->line);
	/* checktype=off: never in use (ldirectord adds none); kept with weight
	 * 0 so that fulcrumctl list still shows it */
	rs->cur_weight = rs->weight = v->checktype == LD_CT_OFF ? 0 : (int)fl->weight;
	rs->file = l->file;
	rs->line = l->line;
	old = vs_find_rs(vs, &rs->addr);
	if (old) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line,
			    "duplicate real server %s in this virtual service (first at %s:%d)",
			    addr_format(&rs->addr, b, sizeof(b), 1), old->file, old->line);
		rs_free(rs);
		return -1;
	}
	if (!vs->fwmark && addr_equal(&rs->addr, &vs->addr)) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line,
			    "real server %s is the virtual service itself: connections would loop",
			    addr_format(&rs->addr, b, sizeof(b), 1));
		rs_free(rs);
		return -1;
	}
	ld_rs_checks(c, v, vs, rs, fl->request, fl->receive);
	vs_add_rs(vs, rs);
	return 0;
}

/* "A->B:PORT", "A:PORT", "A": the first and last address, the port text. */
static int ld_real_range(const struct ld_real_line *l, const char *where, struct fc_addr *first,
			 struct fc_addr *last, char *port, size_t portlen, char *err, size_t errlen)
{
	const char *arrow = strstr(where, "->");
	char one[256];
	size_t n;

	if (!arrow) {
		if (ld_hostport(where, l->six ? AF_INET6 : AF_INET, first, port, portlen, err,
				errlen) < 0)
			return -1;
		*last = *first;
		return 0;
	}
	if (l->six)
		return err_set(err, errlen,
			       "address range for IPv6 is not supported (as in "
			       "ldirectord)");
	n = (size_t)(arrow - where);
	if (n >= sizeof(one))
		return err_set(err, errlen, "'%s' is not an address", where);
	memcpy(one, where, n);
	one[n] = 0;
	if (ld_ip(one, AF_INET, first, err, errlen) < 0 ||
	    ld_hostport(arrow + 2, AF_INET, last, port, portlen, err, errlen) < 0)
		return -1;
	if (ntohl(first->u.v4.s_addr) > ntohl(last->u.v4.s_addr))
		return err_set(err, errlen, "invalid range %s: the first address is above the last",
			       where);
	if (ntohl(last->u.v4.s_addr) - ntohl(first->u.v4.s_addr) >= LD_MAX_RANGE)
		return err_set(err, errlen, "range %s: more than %d real servers", where,
			       LD_MAX_RANGE);
	return 0;
}

static void ld_real(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs,
		    const struct ld_real_line *l, int *first_line)
{
	struct fc_addr first, last, a;
	struct ld_real_flags fl;
	char *copy, *where, *flags, port[32], e[ERRLEN];
	uint32_t i, lo, hi;

	copy = strdup(l->text);
	if (!copy) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line, "out of memory");
		return;
	}
	where = copy;
	flags = where + strcspn(where, " \t");
	if (!*flags) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line,
			    "real server '%s': the forward method (gate, masq or ipip) is missing",
			    where);
		goto out;
	}
	*flags++ = 0;
	flags += strspn(flags, " \t");
	memset(&first, 0, sizeof(first));
	if (ld_real_range(l, where, &first, &last, port, sizeof(port), e, sizeof(e)) < 0 ||
	    ld_real_flags(flags, &fl, e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line, "invalid real server: %s", e);
		goto out;
	}
	if (port[0] && ld_port(port, vs->protocol, &first.port, e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line, "invalid real server: %s", e);
		goto out;
	}
	if (fl.receive && ld_regex_check("receive", fl.receive, e, sizeof(e)) < 0) {
		conf_report(c->d, DIAG_ERROR, l->file, l->line, "%s", e);
		goto out;
	}
	if (ld_same_method(c, vs, fl.fwd, first_line, l->file, l->line) < 0)
		goto out;
	lo = first.family == AF_INET ? ntohl(first.u.v4.s_addr) : 0;
	hi = first.family == AF_INET ? ntohl(last.u.v4.s_addr) : 0;
	for (i = lo;; i++) {
		a = first;
		if (a.family == AF_INET)
			a.u.v4.s_addr = htonl(i);
		if (ld_add_rs(c, v, vs, &a, &fl, l) < 0 || i == hi)
			break;
	}
out:
	free(copy);
}

void ld_reals(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs)
{
	const struct ld_real_line *l;
	int first_line = 0;

	/* forward=: the section's method, which its real= lines must share */
	if (v->forward != LD_UNSET)
		ld_same_method(c, vs, v->forward, &first_line, v->file, v->forward_line);
	for (l = v->reals; l; l = l->next)
		ld_real(c, v, vs, l, &first_line);
}
