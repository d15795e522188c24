/* ldirectord's checks as fulcrum's checkers (the check registry,
 * src/check/check.h): checktype= and, for negotiate, service= with
 * ldirectord's guess from the virtual's port.
 *
 *   connect            TCP_CHECK on the check port (a UDP service: PING_CHECK,
 *                      as ldirectord pings for a UDP connect check)
 *   negotiate          by service: http/http_proxy HTTP_GET, https SSL_GET
 *                      (path = request, regex = receive, Host = virtualhost),
 *                      smtp/submission SMTP_CHECK, dns DNS_CHECK, pop(s),
 *                      imap(s), nntp, ftp, ldap, sip, simpletcp EXPECT_CHECK,
 *                      pgsql PGSQL_CHECK, mysql MYSQL_CHECK (login, passwd,
 *                      database; role any), oracle/radius a connect, none
 *                      no check
 *   ping               PING_CHECK
 *   external(-perl)    MISC_CHECK "checkcommand VIP VPORT RIP RPORT"
 *   on / off           no check / weight 0
 *   N                  a connect check every checkinterval and the negotiate
 *                      check every N+1 of them
 *
 * Timings: checktimeout bounds connect, external and ping checks,
 * negotiatetimeout the negotiate ones (each the other's default, as
 * ld_setup computes them); checkinterval is the interval; failurecount the
 * consecutive failures that take a server down (fall), one success brings
 * it back (rise 1). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "check/check_dns-t.h"
#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "check/check_misc-t.h"
#include "check/check_mysql-t.h"
#include "check/check_pgsql-t.h"
#include "check/check_udp-t.h"
#include "conf/ldirectord.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"

/* ldirectord's ld_port_to_service / ld_service_to_port. */
static const struct {
	unsigned port;
	int svc;
} ld_ports[] = {
    {21, LD_SVC_FTP},	      {25, LD_SVC_SMTP},     {53, LD_SVC_DNS},
    {80, LD_SVC_HTTP},	      {110, LD_SVC_POP},     {119, LD_SVC_NNTP},
    {143, LD_SVC_IMAP},	      {389, LD_SVC_LDAP},    {443, LD_SVC_HTTPS},
    {587, LD_SVC_SUBMISSION}, {993, LD_SVC_IMAPS},   {995, LD_SVC_POPS},
    {1521, LD_SVC_ORACLE},    {1812, LD_SVC_RADIUS}, {3128, LD_SVC_HTTP_PROXY},
    {3306, LD_SVC_MYSQL},     {5060, LD_SVC_SIP},    {5432, LD_SVC_PGSQL},
};

int ld_service_of_port(unsigned port)
{
	unsigned i;

	for (i = 0; i < sizeof(ld_ports) / sizeof(ld_ports[0]); i++)
		if (ld_ports[i].port == port)
			return ld_ports[i].svc;
	return LD_SVC_NONE;
}

/* The service's own port, 0 if none (none, simpletcp). */
static unsigned ld_port_of_service(int svc)
{
	unsigned i;

	for (i = 0; i < sizeof(ld_ports) / sizeof(ld_ports[0]); i++)
		if (ld_ports[i].svc == svc)
			return ld_ports[i].port;
	return 0;
}

/* What one virtual's checks share. */
struct ld_chk {
	struct kw_ctx *c;
	const struct ld_virtual *v;
	const struct virtual_server *vs;
	struct real_server *rs;
	int service;
	unsigned check_ms, negotiate_ms, interval_ms, fall, count;
	unsigned every_ms;	       /* the checks made now run this often; 0 = interval_ms
					* (checktype=N runs its negotiate check less often) */
	uint16_t port;		       /* where checks connect */
	const char *request, *receive; /* in force for this real server */
	int first;		       /* the virtual's first real server: warn once */
};

static int pick(int a, int b, int c, int d, int dflt)
{
	return a != LD_UNSET ? a : b != LD_UNSET ? b : c != LD_UNSET ? c : d != LD_UNSET ? d : dflt;
}

static void ld_chk_init(struct ld_chk *k, struct kw_ctx *c, const struct ld_virtual *v,
			const struct virtual_server *vs, struct real_server *rs)
{
	const struct ld_settings *g = &LD(c)->global, *s = &v->set;

	memset(k, 0, sizeof(*k));
	k->c = c;
	k->v = v;
	k->vs = vs;
	k->rs = rs;
	k->first = !vs->pool->rs;
	k->service = v->service != LD_UNSET ? v->service
		     : vs->fwmark	    ? LD_SVC_NONE
					    : ld_service_of_port(vs->addr.port);
	/* ld_setup: checktimeout and negotiatetimeout are each other's default */
	k->check_ms = 1000u * (unsigned)pick(s->checktimeout, s->negotiatetimeout, g->checktimeout,
					     g->negotiatetimeout, 5);
	k->negotiate_ms = 1000u * (unsigned)pick(s->negotiatetimeout, s->checktimeout,
						 g->negotiatetimeout, g->checktimeout, 30);
	k->interval_ms =
	    1000u * (unsigned)pick(s->checkinterval, g->checkinterval, LD_UNSET, LD_UNSET, 10);
	k->fall = (unsigned)pick(s->failurecount, g->failurecount, LD_UNSET, LD_UNSET, 1);
	k->count = (unsigned)pick(s->checkcount, g->checkcount, LD_UNSET, LD_UNSET, 1);
	/* ld_checkport: checkport, else the real server's, else the service's */
	k->port = v->checkport	  ? v->checkport
		  : rs->addr.port ? rs->addr.port
				  : (uint16_t)ld_port_of_service(k->service);
}

static void ld_warn(struct ld_chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A warning about the virtual's checks, once per virtual (at its line). */
static void ld_warn(struct ld_chk *k, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!k->first)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_report(k->c->d, DIAG_WARNING, k->v->file, k->v->line, "%s", msg);
}

static void ld_fail(struct ld_chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ld_fail(struct ld_chk *k, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_report(k->c->d, DIAG_ERROR, k->rs->file, k->rs->line, "%s", msg);
}

/* A new check of checker `name` on the real server, with the common
 * timings; its spec is the checker's (conf_new), to be filled. */
static struct check_conf *ld_check(struct ld_chk *k, const char *name, unsigned timeout_ms)
{
	const struct check_ops *ops = check_ops_named(name);
	struct check_conf *cc, **kp;

	if (!ops) {
		ld_fail(k, "this build of fulcrum has no %s", name);
		return NULL;
	}
	cc = calloc(1, sizeof(*cc));
	if (!cc) {
		ld_fail(k, "out of memory");
		return NULL;
	}
	cc->type = ops->type;
	cc->file = k->rs->file;
	cc->line = k->rs->line;
	cc->connect_timeout_ms = timeout_ms;
	cc->retry = 0;
	cc->fall = k->fall;
	cc->rise = 1;
	/* ldirectord counts failures per round: a retry waits a whole round */
	cc->delay_before_retry_ms = cc->delay_loop_ms = k->every_ms ? k->every_ms : k->interval_ms;
	cc->warmup_ms = 0;
	if (k->port != k->rs->addr.port)
		cc->connect.port = k->port;
	if (ops->conf_new) {
		cc->spec = ops->conf_new();
		if (!cc->spec) {
			free(cc);
			ld_fail(k, "out of memory");
			return NULL;
		}
		cc->spec_free = ops->conf_free;
	}
	for (kp = &k->rs->checks; *kp; kp = &(*kp)->next)
		;
	*kp = cc;
	return cc;
}

/* Check a finished check (the checker's conf_finish), dropping it if bad. */
static void ld_check_done(struct ld_chk *k, struct check_conf *cc)
{
	const struct check_ops *ops = check_ops_for(cc->type);
	struct check_conf **kp;
	char err[ERRLEN];

	if (!ops || !ops->conf_finish || ops->conf_finish(cc, err, sizeof(err)) == 0)
		return;
	ld_fail(k, "%s", err);
	for (kp = &k->rs->checks; *kp && *kp != cc; kp = &(*kp)->next)
		;
	if (*kp)
		*kp = cc->next;
	cc->next = NULL;
	check_conf_free(cc);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* ---- connect-level checks ---- */

static void ld_connect(struct ld_chk *k)
{
	ld_check(k, k->vs->protocol == IPPROTO_UDP ? "PING_CHECK" : "TCP_CHECK", k->check_ms);
}

static void ld_ping(struct ld_chk *k)
{
	struct check_conf *cc = ld_check(k, "PING_CHECK", k->check_ms);

	/* checkcount pings per check, failurecount failed checks */
	if (cc && k->count > 1) {
		cc->fall = k->fall * k->count;
		cc->delay_before_retry_ms = 0;
	}
}

static void ld_external(struct ld_chk *k, int perl)
{
	struct check_conf *cc = ld_check(k, "MISC_CHECK", k->check_ms);
	struct check_misc_conf *m;
	char vip[ADDR_STRLEN], rip[ADDR_STRLEN], line[4096];
	const char *cmd = k->v->checkcommand ? k->v->checkcommand : "/bin/true";

	if (perl)
		ld_warn(k,
			"checktype=external-perl: %s is run as a program (fulcrum has no Perl "
			"interpreter inside): it needs a #! line and the execute bit",
			cmd);
	if (!cc)
		return;
	m = cc->spec;
	if (k->vs->fwmark)
		snprintf(vip, sizeof(vip), "%u", k->vs->fwmark);
	else
		addr_format(&k->vs->addr, vip, sizeof(vip), 0);
	addr_format(&k->rs->addr, rip, sizeof(rip), 0);
	/* ldirectord's order: virtual address (or mark), its port, the real
	 * server's address, its port */
	snprintf(line, sizeof(line), "%s %s %u %s %u", cmd, vip, k->vs->addr.port, rip,
		 k->rs->addr.port);
	m->misc_path = strdup(line);
	m->misc_timeout_ms = k->check_ms;
	if (!m->misc_path)
		ld_fail(k, "out of memory");
	ld_check_done(k, cc);
}

/* ---- negotiate ---- */

/* request="http://IP[:PORT]/path" on a real= line: ldirectord fetches that
 * URL instead of the real server's.  path points into request. */
static int ld_http_url(struct ld_chk *k, struct check_conf *cc, const char *req, const char **path)
{
	const char *p = req + strspn(req, "/"), *host, *slash;
	char hp[300], e[ERRLEN];
	struct fc_addr a;
	size_t n;

	*path = req;
	if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8))
		return 0;
	host = strstr(p, "://") + 3;
	slash = strchr(host, '/');
	n = slash ? (size_t)(slash - host) : strlen(host);
	if (n >= sizeof(hp)) {
		ld_fail(k, "request %s: the host part is too long", req);
		return -1;
	}
	memcpy(hp, host, n);
	hp[n] = 0;
	memset(&a, 0, sizeof(a));
	if (addr_parse_hostport(hp, &a, e, sizeof(e)) < 0 &&
	    addr_parse_ip(hp, &a, e, sizeof(e)) < 0) {
		ld_fail(k,
			"request %s: fulcrum needs an IP address in the URL (names are not "
			"resolved)",
			req);
		return -1;
	}
	if (!a.port)
		a.port = strncmp(p, "https", 5) ? 80 : 443;
	cc->connect = a;
	*path = slash ? slash : "/";
	return 0;
}

static void ld_http(struct ld_chk *k)
{
	int https = k->service == LD_SVC_HTTPS, proxy = k->service == LD_SVC_HTTP_PROXY;
	struct check_conf *cc = ld_check(k, https ? "SSL_GET" : "HTTP_GET", k->negotiate_ms);
	struct check_http_conf *h;
	struct check_url *u;
	const char *path;

	if (!cc)
		return;
	h = cc->spec;
	h->head = k->v->head;
	u = calloc(1, sizeof(*u));
	if (!u) {
		ld_fail(k, "out of memory");
		return;
	}
	h->urls = u;
	if (k->receive && *k->receive && h->head)
		ld_fail(k,
			"httpmethod=HEAD with receive=\"%s\": a HEAD reply has no body to match "
			"(ldirectord would take every server down); drop one of them",
			k->receive);
	/* http_proxy: the request is the absolute URL asked of the proxy */
	path = proxy ? k->request + strspn(k->request, "/") : k->request;
	if (!proxy && ld_http_url(k, cc, k->request, &path) < 0)
		return;
	u->path = strdup(*path ? path : "/");
	u->regex = dup_or_null(k->receive);
	/* Host: virtualhost, else (LWP's) the server's address */
	cc->virtualhost = proxy ? NULL : dup_or_null(k->v->virtualhost);
	if (!u->path || (k->receive && *k->receive && !u->regex))
		ld_fail(k, "out of memory");
	ld_check_done(k, cc);
}

static void ld_dns(struct ld_chk *k)
{
	struct check_conf *cc = ld_check(k, "DNS_CHECK", k->negotiate_ms);
	struct check_dns_conf *d;
	const char *name = k->request + strspn(k->request, "/");
	struct fc_addr a;
	char e[ERRLEN];

	if (!cc)
		return;
	d = cc->spec;
	if (*name && addr_parse_ip(name, &a, e, sizeof(e)) == 0) {
		ld_warn(k,
			"service=dns: request=\"%s\" asks for a PTR record, which DNS_CHECK does "
			"not query: the server is checked with an SOA query for \".\"",
			name);
		name = "";
	}
	d->dns_type = strdup("A");
	d->dns_name = dup_or_null(name);
	if (!*name) {
		free(d->dns_type);
		d->dns_type = NULL; /* SOA of "." */
	}
	if (k->receive && *k->receive)
		ld_warn(k,
			"service=dns: receive=\"%s\" is not compared: any answer to the query "
			"passes",
			k->receive);
	if (k->vs->protocol == IPPROTO_TCP)
		ld_warn(k, "service=dns: DNS_CHECK asks over UDP (ldirectord asks a tcp service "
			   "over TCP)");
	ld_check_done(k, cc);
}

static void ld_smtp(struct ld_chk *k)
{
	struct check_conf *cc = ld_check(k, "SMTP_CHECK", k->negotiate_ms);

	if (!cc)
		return;
	ld_check_done(k, cc);
}

/* ldirectord's pgsql and mysql: log in with login/passwd/database and run
 * a query.  PGSQL_CHECK / MYSQL_CHECK with role any log in (PGSQL_CHECK also
 * asks the role); `request` is not run, and a warning says so. */
static void ld_db_login(struct ld_chk *k, char **user, char **password, char **dbname,
			const char *service, const char *does)
{
	*user = dup_or_null(k->v->login);
	*password = dup_or_null(k->v->passwd);
	*dbname = dup_or_null(k->v->database);
	if (k->v->request)
		ld_warn(k, "service=%s: request is not run; %s", service, does);
}

static void ld_pgsql(struct ld_chk *k)
{
	struct check_conf *cc = ld_check(k, "PGSQL_CHECK", k->negotiate_ms);
	struct check_pgsql_conf *p;

	if (!cc)
		return;
	p = cc->spec;
	ld_db_login(k, &p->user, &p->password, &p->dbname, "pgsql",
		    "PGSQL_CHECK logs in and asks the server's role");
	ld_check_done(k, cc);
}

static void ld_mysql(struct ld_chk *k)
{
	struct check_conf *cc = ld_check(k, "MYSQL_CHECK", k->negotiate_ms);
	struct check_mysql_conf *m;

	if (!cc)
		return;
	m = cc->spec;
	ld_db_login(k, &m->user, &m->password, &m->dbname, "mysql", "MYSQL_CHECK logs in");
	ld_check_done(k, cc);
}

/* simpletcp's request: ldirectord turns the two characters \n into a
 * newline and sends everything else as it is. */
static char *ld_simpletcp_send(const char *req)
{
	const char *s = req + (req[0] == '/');
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	while (*s) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

/* SIP OPTIONS, as ldirectord sends it (the Via is this host's in ldirectord;
 * servers answer to the packet's source). */
static int ld_sip_request(const struct ld_chk *k, char *buf, size_t len)
{
	char host[256] = "localhost";
	const char *login = k->v->login;
	char who[300];

	if (!login) {
		gethostname(host, sizeof(host) - 1);
		snprintf(who, sizeof(who), "ldirectord@%s", host);
		login = who;
	}
	return snprintf(buf, len,
			"OPTIONS sip:%s SIP/2.0\r\n"
			"Via: SIP/2.0/%s fulcrum.invalid;branch=z9hG4bKfulcrum\r\n"
			"Max-Forwards: 70\r\n"
			"To: <sip:%s>\r\n"
			"From: <sip:%s>;tag=fulcrum\r\n"
			"Call-ID: fulcrum-check\r\n"
			"CSeq: 63104 OPTIONS\r\n"
			"Contact: <sip:%s>\r\n"
			"Accept: application/sdp\r\n"
			"Content-Length: 0\r\n\r\n",
			login, k->vs->protocol == IPPROTO_UDP ? "UDP" : "TCP", login, login, login);
}

static void ld_sip_udp(struct ld_chk *k, const char *req)
{
	struct check_conf *cc = ld_check(k, "UDP_CHECK", k->negotiate_ms);
	struct check_udp_conf *u;
	size_t i, n = strlen(req);

	if (!cc)
		return;
	u = cc->spec;
	u->require_reply = 1;
	u->payload = malloc(n * 2 + 1);
	if (!u->payload) {
		ld_fail(k, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(u->payload + 2 * i, 3, "%02x", (unsigned char)req[i]);
	ld_warn(k, "service=sip over UDP: an OPTIONS request must get a reply (UDP_CHECK); its "
		   "status line is not compared");
	ld_check_done(k, cc);
}

static const char *ld_service_name(int svc);

/* The send/expect services (EXPECT_CHECK). */
static void ld_expect(struct ld_chk *k)
{
	static const struct {
		int svc;
		const char *expect;
		int tls;
		const char *note; /* what ldirectord does beyond it, or NULL */
	} how[] = {
	    {LD_SVC_POP, "^\\+OK", 0, "login/passwd are not tried: the greeting is checked"},
	    {LD_SVC_POPS, "^\\+OK", 1, "login/passwd are not tried: the greeting is checked"},
	    {LD_SVC_IMAP, "^\\* OK", 0, "login/passwd are not tried: the greeting is checked"},
	    {LD_SVC_IMAPS, "^\\* OK", 1, "login/passwd are not tried: the greeting is checked"},
	    {LD_SVC_NNTP, "^2", 0, NULL},
	    {LD_SVC_FTP, "^220", 0,
	     "the greeting (220) is checked; the login and the download of request are not done"},
	    {LD_SVC_LDAP, NULL, 0,
	     "a TCP connect only: no bind and no search of request (EXPECT_CHECK cannot send "
	     "LDAP's binary request)"},
	    {LD_SVC_SIP, "^SIP/2\\.0 200", 0, NULL},
	    {LD_SVC_SIMPLETCP, NULL, 0, NULL},
	};
	struct check_expect_conf *x;
	struct check_conf *cc;
	char sip[2048];
	unsigned i;

	for (i = 0; i < sizeof(how) / sizeof(how[0]) && how[i].svc != k->service; i++)
		;
	if (i == sizeof(how) / sizeof(how[0]))
		return;
	if (k->service == LD_SVC_SIP)
		ld_sip_request(k, sip, sizeof(sip));
	if (k->service == LD_SVC_SIP && k->vs->protocol == IPPROTO_UDP) {
		ld_sip_udp(k, sip);
		return;
	}
	cc = ld_check(k, "EXPECT_CHECK", k->negotiate_ms);
	if (!cc)
		return;
	x = cc->spec;
	x->tls = how[i].tls;
	/* pop and imap only log in when a login is given */
	if (how[i].note && (k->v->login || !strstr(how[i].note, "login/passwd")))
		ld_warn(k, "service=%s: %s", ld_service_name(k->service), how[i].note);
	if (k->service == LD_SVC_SIMPLETCP) {
		x->send = ld_simpletcp_send(k->request);
		x->expect = dup_or_null(k->receive);
	} else {
		x->send = k->service == LD_SVC_SIP ? strdup(sip) : NULL;
		x->expect = dup_or_null(how[i].expect);
	}
	ld_check_done(k, cc);
}

static const char *ld_service_name(int svc)
{
	static const char *const names[] = {
	    "dns",  "ftp",    "http",	   "https", "http_proxy", "imap",	"imaps",
	    "ldap", "mysql",  "nntp",	   "none",  "oracle",	  "pgsql",	"pop",
	    "pops", "radius", "simpletcp", "sip",   "smtp",	  "submission",
	};

	return svc >= 0 && svc < (int)(sizeof(names) / sizeof(names[0])) ? names[svc] : "?";
}

static void ld_negotiate(struct ld_chk *k)
{
	switch (k->service) {
	case LD_SVC_HTTP:
	case LD_SVC_HTTPS:
	case LD_SVC_HTTP_PROXY:
		ld_http(k);
		return;
	case LD_SVC_SMTP:
	case LD_SVC_SUBMISSION:
		ld_smtp(k);
		return;
	case LD_SVC_DNS:
		ld_dns(k);
		return;
	case LD_SVC_PGSQL:
		ld_pgsql(k);
		return;
	case LD_SVC_MYSQL:
		ld_mysql(k);
		return;
	case LD_SVC_ORACLE:
	case LD_SVC_RADIUS:
		/* login, passwd, database and secret stay in struct ld_virtual
		 * for the database checks of issue 13 */
		ld_warn(k,
			"service=%s: checked by a %s until fulcrum has its database and radius "
			"checks (issue 13); login, passwd, database and request are not used yet",
			ld_service_name(k->service),
			k->vs->protocol == IPPROTO_UDP ? "ping" : "TCP connect");
		ld_connect(k);
		return;
	case LD_SVC_NONE:
		return; /* ldirectord's check_none: always up */
	default:
		ld_expect(k);
		return;
	}
}

void ld_rs_checks(struct kw_ctx *c, const struct ld_virtual *v, const struct virtual_server *vs,
		  struct real_server *rs, const char *request, const char *receive)
{
	struct ld_chk k;

	ld_chk_init(&k, c, v, vs, rs);
	/* a real= line's own pair replaces the virtual's */
	k.request = request ? request : v->request ? v->request : "/";
	k.receive = request ? receive : v->receive;
	switch (v->checktype) {
	case LD_CT_NEGOTIATE:
		ld_negotiate(&k);
		break;
	case LD_CT_CONNECT:
		ld_connect(&k);
		break;
	case LD_CT_PING:
		ld_ping(&k);
		break;
	case LD_CT_EXTERNAL:
	case LD_CT_EXTERNAL_PERL:
		ld_external(&k, v->checktype == LD_CT_EXTERNAL_PERL);
		break;
	case LD_CT_ON:
		break;
	case LD_CT_OFF:
		ld_warn(&k, "checktype=off: the real servers are never used (weight 0, as "
			    "ldirectord adds none); the fallback serves");
		break;
	case LD_CT_COMBINED:
		if (v->num_connects)
			ld_warn(&k,
				"checktype=%u: a connect check every %u s and the negotiate check "
				"every %u s; a server is down when either fails (ldirectord: one "
				"negotiate after %u connects)",
				v->num_connects, k.interval_ms / 1000,
				k.interval_ms / 1000 * (v->num_connects + 1), v->num_connects);
		if (v->num_connects)
			ld_connect(&k);
		if (k.service != LD_SVC_NONE) {
			k.every_ms = k.interval_ms * (v->num_connects + 1);
			ld_negotiate(&k);
		}
		break;
	}
}
