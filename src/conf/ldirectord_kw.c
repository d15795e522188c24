/* ldirectord.cf's keywords, as ldirectord(8) of resource-agents 4.12 reads
 * them (read_config in ldirectord.in): the global ones, the ones of a
 * virtual section, and those valid at both levels (a virtual's overrides the
 * global one).  Values are checked here, where the line is known; what
 * needs the whole section (ports by service name, the checks) is done when
 * the model is built (ldirectord.c).  The keywords ldirectord knows that
 * fulcrum does not serve are accepted with a warning that says what fulcrum
 * does instead. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "conf/ka.h"
#include "conf/ldirectord.h"
#include "core/err.h"
#include "model/model.h"

#define V(obj) ((struct ld_virtual *)(obj))
#define S(obj) ((struct ld_settings *)(obj))

void ld_settings_init(struct ld_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->checktimeout = s->negotiatetimeout = s->checkinterval = LD_UNSET;
	s->checkcount = s->failurecount = s->quiescent = s->cleanstop = LD_UNSET;
}

void ld_settings_free(struct ld_settings *s)
{
	free(s->fallbackcommand);
	s->fallbackcommand = NULL;
}

/* ---- value helpers ---- */

static const char *val(const struct kw_stmt *st)
{
	return st->argc ? st->args[0].text : "";
}

/* yes|no, as ldirectord takes them (its message). */
static int ld_yesno(const struct kw_stmt *st, int *out, char *err, size_t errlen)
{
	if (!strcmp(val(st), "yes"))
		*out = 1;
	else if (!strcmp(val(st), "no"))
		*out = 0;
	else
		return err_set(err, errlen, "%s must be 'yes' or 'no', not '%s'", st->kw->text,
			       val(st));
	return 0;
}

/* A value ldirectord wants in "double quotes": taken without them too, but
 * a typographic quote (“ ” from a word processor) would become part of it. */
static int ld_text(const struct kw_stmt *st, char **dst, char *err, size_t errlen)
{
	const char *s = val(st);

	if (!strncmp(s, "\xe2\x80\x9c", 3) || !strncmp(s, "\xe2\x80\x9d", 3))
		return err_set(err, errlen,
			       "%s: the value starts with a typographic quote (%.3s): write it in "
			       "plain double quotes (%s=\"...\")",
			       st->kw->text, s, st->kw->text);
	if (!*s)
		return err_set(err, errlen, "%s: empty value", st->kw->text);
	return kw_str(st, 0, dst, err, errlen);
}

/* ---- accepted, not served ---- */

static const struct {
	const char *name, *why;
} ld_ignored[] = {
    {"emailalert", "fulcrum sends no mail: it logs every state change to syslog (a log "
		   "watcher or fulcrumctl list -j can alert)"},
    {"emailalertfreq", "fulcrum sends no mail"},
    {"emailalertstatus", "fulcrum sends no mail"},
    {"emailalertfrom", "fulcrum sends no mail"},
    {"smtp", "fulcrum sends no mail"},
    {"logfile", "fulcrum logs to syslog (fulcrum -l: to the console)"},
    {"supervised", "fulcrum stays in the foreground with -n (systemd runs it so)"},
    {"fork", "fulcrum checks every server asynchronously in one process"},
    {"execute", "fulcrum reads one configuration per process: start another fulcrum for it"},
    {"monitorfile", "check results are logged to syslog and shown by fulcrumctl show checks"},
    {"readdquiescent", "a quiescent real server is never taken out of fulcrum's tables, so "
		       "there is nothing to re-add"},
    {"cleanstop", "fulcrum's engines stop serving when fulcrum stops, as with "
		  "cleanstop=yes: the virtual services cannot be left running without it"},
    {"load", "ldirectord does not use it either"},
    {"servicename", "a label only"},
    {"comment", "a label only"},
    {NULL, NULL},
};

static int p_ignored(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	unsigned i;

	for (i = 0; ld_ignored[i].name; i++)
		if (!strcmp(ld_ignored[i].name, st->kw->text))
			break;
	kw_warn(c, st->kw, "%s is ignored: %s", st->kw->text,
		ld_ignored[i].why ? ld_ignored[i].why : "not served by fulcrum");
	return 0;
}

static int p_ignored_yesno(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	int yes;

	if (ld_yesno(st, &yes, err, errlen) < 0)
		return -1;
	if (!strcmp(st->kw->text, "fork"))
		LD(c)->fork = yes;
	if (!strcmp(st->kw->text, "cleanstop"))
		S(obj)->cleanstop = yes;
	/* cleanstop=yes is what fulcrum does anyway */
	if (strcmp(st->kw->text, "cleanstop") || !yes)
		return p_ignored(c, obj, st, err, errlen);
	return 0;
}

/* What ldirectord itself refuses, with its words. */
static int p_retired(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	if (!strcmp(st->kw->text, "timeout"))
		return err_set(err, errlen,
			       "timeout directive deprecated in favour of checktimeout and "
			       "negotiatetimeout (ldirectord refuses it too)");
	return err_set(err, errlen,
		       "connecttimeout directive deprecated in favour of negotiatetimeout "
		       "(ldirectord refuses it too)");
}

/* ---- global ---- */

static int p_virtual(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct ld_read *r = LD(c);
	struct ld_virtual *v = calloc(1, sizeof(*v)), **vp;

	if (!v || !(v->where = strdup(val(st)))) {
		free(v);
		return err_set(err, errlen, "out of memory");
	}
	v->file = st->kw->file;
	v->line = st->kw->line;
	v->af = strcmp(st->kw->text, "virtual6") ? AF_INET : AF_INET6;
	v->protocol = LD_UNSET;
	v->service = LD_UNSET;
	v->persistent = LD_UNSET;
	v->forward = LD_UNSET;
	ld_settings_init(&v->set);
	for (vp = &r->vs; *vp; vp = &(*vp)->next)
		;
	*vp = v;
	r->cur = v;
	return 0;
}

static int p_autoreload(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	return ld_yesno(st, &((struct global_defs *)obj)->autoreload, err, errlen);
}

/* checked as every script (script_check.c), at this line */
static int p_callback(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	struct global_defs *g = obj;

	g->reload_callback_file = st->kw->file;
	g->reload_callback_line = st->kw->line;
	return ld_text(st, &g->reload_callback, err, errlen);
}

static int p_maintenancedir(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct stat sb;

	if (val(st)[0] != '/')
		return err_set(err, errlen,
			       "maintenancedir: '%s' is not an absolute path (fulcrum runs in /)",
			       val(st));
	if (ld_text(st, &((struct global_defs *)obj)->maintenance_dir, err, errlen) < 0)
		return -1;
	/* ldirectord warns too; the directory may be made later */
	if (stat(val(st), &sb) < 0 || !S_ISDIR(sb.st_mode))
		kw_warn(c, st->kw, "maintenancedir %s: the directory does not exist (yet)",
			val(st));
	return 0;
}

static int p_supervised(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	int yes;

	if (st->argc && ld_yesno(st, &yes, err, errlen) < 0)
		return -1;
	return p_ignored(c, obj, st, err, errlen);
}

const struct kw ld_kw_global[] = {
    {"virtual", p_virtual, 1, 1, KW_NOBLOCK},
    {"virtual6", p_virtual, 1, 1, KW_NOBLOCK},
    {"autoreload", p_autoreload, 1, 1, KW_NOBLOCK},
    {"callback", p_callback, 1, 1, KW_NOBLOCK},
    {"maintenancedir", p_maintenancedir, 1, 1, KW_NOBLOCK},
    {"logfile", p_ignored, 1, 1, KW_NOBLOCK},
    {"execute", p_ignored, 1, 1, KW_NOBLOCK},
    {"fork", p_ignored_yesno, 1, 1, KW_NOBLOCK},
    {"supervised", p_supervised, 0, 1, KW_NOBLOCK},
    {"readdquiescent", p_ignored_yesno, 1, 1, KW_NOBLOCK},
    {"emailalertfrom", p_ignored, 1, 1, KW_NOBLOCK},
    {"timeout", p_retired, 0, 1, KW_NOBLOCK},
    /* fulcrum's: the stats page and /metrics (stats_kw.c) */
    CONF_STATS_KWS,
    {NULL},
};

const struct kw_block ld_blk_global = {"the global section", ld_kw_global, ld_kw_settings, NULL,
				       NULL};

/* ---- both levels ---- */

static int p_fallback(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	struct ld_settings *s = obj;
	int six = !strcmp(st->kw->text, "fallback6");
	int in_virtual = s != &LD(c)->global;
	struct ld_fallback *f = six && !in_virtual ? &s->fallback6 : &s->fallback;
	const struct ld_virtual *v = LD(c)->cur;

	if (in_virtual && v && (v->af == AF_INET6) != six)
		return err_set(err, errlen, "cannot specify \"%s\" in a %s section: use \"%s\"",
			       st->kw->text, six ? "virtual" : "virtual6",
			       six ? "fallback" : "fallback6");
	if (ld_fallback_parse(val(st), six ? AF_INET6 : AF_INET, f, err, errlen) < 0)
		return -1;
	f->file = st->kw->file;
	f->line = st->kw->line;
	return 0;
}

static int p_fallbackcommand(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	return ld_text(st, &S(obj)->fallbackcommand, err, errlen);
}

static int p_quiescent(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return ld_yesno(st, &S(obj)->quiescent, err, errlen);
}

static int p_checkcount(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	unsigned n;

	if (kw_uint(st, 0, 1, 1000, &n, err, errlen) < 0)
		return -1;
	S(obj)->checkcount = (int)n;
	kw_warn(c, st->kw,
		"checkcount is deprecated (as in ldirectord): ping tries per check; see "
		"failurecount");
	return 0;
}

#define SET(f, lo, hi) KW_SLOT(struct ld_settings, f, KW_T_UINT, lo, hi)

const struct kw ld_kw_settings[] = {
    {"checktimeout", NULL, 1, 1, KW_NOBLOCK, SET(checktimeout, 1, 3600)},
    {"negotiatetimeout", NULL, 1, 1, KW_NOBLOCK, SET(negotiatetimeout, 1, 3600)},
    {"checkinterval", NULL, 1, 1, KW_NOBLOCK, SET(checkinterval, 1, 86400)},
    {"failurecount", NULL, 1, 1, KW_NOBLOCK, SET(failurecount, 1, 1000)},
    {"checkcount", p_checkcount, 1, 1, KW_NOBLOCK},
    {"quiescent", p_quiescent, 1, 1, KW_NOBLOCK},
    {"cleanstop", p_ignored_yesno, 1, 1, KW_NOBLOCK},
    {"fallback", p_fallback, 1, 1, KW_NOBLOCK},
    {"fallback6", p_fallback, 1, 1, KW_NOBLOCK},
    {"fallbackcommand", p_fallbackcommand, 1, 1, KW_NOBLOCK},
    {"emailalert", p_ignored, 1, 1, KW_NOBLOCK},
    {"emailalertfreq", p_ignored, 1, 1, KW_NOBLOCK},
    {"emailalertstatus", p_ignored, 1, 1, KW_NOBLOCK},
    {"smtp", p_ignored, 1, 1, KW_NOBLOCK},
    {"connecttimeout", p_retired, 0, 1, KW_NOBLOCK},
    {NULL},
};

/* ---- a virtual section ---- */

static int p_real(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct ld_virtual *v = obj;
	struct ld_real_line *l, **lp;
	int six = !strcmp(st->kw->text, "real6");

	if ((v->af == AF_INET6) != six)
		return err_set(err, errlen, "cannot specify \"%s\" in a %s section: use \"%s\"",
			       st->kw->text, six ? "virtual" : "virtual6", six ? "real" : "real6");
	l = calloc(1, sizeof(*l));
	if (!l || !(l->text = strdup(val(st)))) {
		free(l);
		return err_set(err, errlen, "out of memory");
	}
	l->six = six;
	l->file = st->kw->file;
	l->line = st->kw->line;
	for (lp = &v->reals; *lp; lp = &(*lp)->next)
		;
	*lp = l;
	return 0;
}

/* request="x": ldirectord makes it "/x" */
static int p_request(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	char *s = NULL, *r;

	if (ld_text(st, &s, err, errlen) < 0)
		return -1;
	if (s[0] != '/') {
		r = malloc(strlen(s) + 2);
		if (!r) {
			free(s);
			return err_set(err, errlen, "out of memory");
		}
		r[0] = '/';
		strcpy(r + 1, s);
		free(s);
		s = r;
	}
	free(V(obj)->request);
	V(obj)->request = s;
	return 0;
}

/* A regular expression (Perl's in ldirectord, PCRE2 here): one PCRE2
 * refuses is an error now, not a failed check later. */
int ld_regex_check(const char *kw, const char *re_text, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	re = pcre2_compile((PCRE2_SPTR)re_text, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	return err_set(err, errlen, "%s \"%s\": %s at offset %zu", kw, re_text, (char *)msg,
		       (size_t)off);
}

static int p_receive(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	if (ld_text(st, &V(obj)->receive, err, errlen) < 0)
		return -1;
	return ld_regex_check("receive", V(obj)->receive, err, errlen);
}

static int p_str(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct ld_virtual *v = obj;
	const char *k = st->kw->text;
	char **dst = !strcmp(k, "checkcommand")	 ? &v->checkcommand
		     : !strcmp(k, "virtualhost") ? &v->virtualhost
		     : !strcmp(k, "login")	 ? &v->login
		     : !strcmp(k, "passwd")	 ? &v->passwd
		     : !strcmp(k, "database")	 ? &v->database
						 : &v->secret;

	return ld_text(st, dst, err, errlen);
}

static int p_checktype(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	static const struct kw_enum types[] = {
	    {"connect", LD_CT_CONNECT},
	    {"negotiate", LD_CT_NEGOTIATE},
	    {"on", LD_CT_ON},
	    {"off", LD_CT_OFF},
	    {"ping", LD_CT_PING},
	    {"external", LD_CT_EXTERNAL},
	    {"external-perl", LD_CT_EXTERNAL_PERL},
	    {NULL},
	};
	struct ld_virtual *v = obj;
	const char *s = val(st);
	unsigned n;
	int t;

	if (*s >= '0' && *s <= '9') {
		if (kw_uint(st, 0, 0, 1000000, &n, err, errlen) < 0)
			return -1;
		v->checktype = LD_CT_COMBINED;
		v->num_connects = n;
		return 0;
	}
	if (kw_enum(st, 0, types, &t, err, errlen) < 0)
		return err_set(err, errlen,
			       "checktype must be \"connect\", \"negotiate\", \"on\", \"off\", "
			       "\"ping\", \"external\", \"external-perl\" or a positive number, "
			       "not '%s'",
			       s);
	v->checktype = t;
	return 0;
}

static const struct kw_enum ld_services[] = {
    {"dns", LD_SVC_DNS},
    {"ftp", LD_SVC_FTP},
    {"http", LD_SVC_HTTP},
    {"https", LD_SVC_HTTPS},
    {"http_proxy", LD_SVC_HTTP_PROXY},
    {"imap", LD_SVC_IMAP},
    {"imaps", LD_SVC_IMAPS},
    {"ldap", LD_SVC_LDAP},
    {"mysql", LD_SVC_MYSQL},
    {"nntp", LD_SVC_NNTP},
    {"none", LD_SVC_NONE},
    {"oracle", LD_SVC_ORACLE},
    {"pgsql", LD_SVC_PGSQL},
    {"pop", LD_SVC_POP},
    {"pops", LD_SVC_POPS},
    {"radius", LD_SVC_RADIUS},
    {"simpletcp", LD_SVC_SIMPLETCP},
    {"sip", LD_SVC_SIP},
    {"smtp", LD_SVC_SMTP},
    {"submission", LD_SVC_SUBMISSION},
    {NULL},
};

static int p_httpmethod(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	static const struct kw_enum methods[] = {{"GET", 0}, {"HEAD", 1}, {NULL}};

	if (kw_enum(st, 0, methods, &V(obj)->head, err, errlen) < 0)
		return err_set(err, errlen, "httpmethod must be GET or HEAD, not '%s'", val(st));
	return 0;
}

static int p_scheduler(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct ld_virtual *v = obj;
	const char *s = val(st);

	if (strlen(s) >= sizeof(v->sched) || !conf_sched_known(s))
		return err_set(err, errlen, "scheduler: unknown scheduler '%s' (see doc/config.md)",
			       s);
	strcpy(v->sched, s);
	return 0;
}

static int p_persistent(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	unsigned n;

	if (kw_uint(st, 0, 0, 31536000, &n, err, errlen) < 0)
		return -1;
	V(obj)->persistent = (int)n;
	return 0;
}

/* netmask: dotted quad for IPv4, a prefix length for IPv6 (ldirectord's
 * rule); fulcrum persists by prefix, so the mask must be contiguous. */
static int p_netmask(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct ld_virtual *v = obj;
	struct in_addr m;
	uint32_t mask;
	unsigned p = 0;

	if (v->af == AF_INET6)
		return kw_uint(st, 0, 1, 128, &v->netmask, err, errlen) < 0
			   ? err_set(err, errlen,
				     "invalid netmask '%s': a prefix length between 1 and 128 is "
				     "required",
				     val(st))
			   : 0;
	if (inet_pton(AF_INET, val(st), &m) != 1)
		return err_set(err, errlen,
			       "invalid netmask '%s': dotted quad notation is required", val(st));
	mask = ntohl(m.s_addr);
	while (p < 32 && (mask & (0x80000000u >> p)))
		p++;
	if (!p || (p < 32 && (mask << p)))
		return err_set(err, errlen,
			       "netmask %s: fulcrum persists by a prefix of 1..32 bits; this mask "
			       "is not one",
			       val(st));
	v->netmask = p;
	return 0;
}

static int p_protocol(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	struct ld_virtual *v = obj;
	const char *s = val(st);
	int fwm = v->where && strspn(v->where, "0123456789") == strlen(v->where);

	if (fwm) {
		if (strcmp(s, "fwm"))
			return err_set(err, errlen,
				       "protocol must be fwm if the virtual service is a fwmark "
				       "(a number)");
		return 0;
	}
	if (!strcmp(s, "tcp"))
		v->protocol = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		v->protocol = IPPROTO_UDP;
	else
		return err_set(err, errlen,
			       "protocol must be tcp or udp if the virtual service is an address "
			       "and port, not '%s'",
			       s);
	return 0;
}

static int p_ops(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	if (ld_yesno(st, &V(obj)->ops, err, errlen) < 0)
		return -1;
	if (V(obj)->ops)
		kw_warn(c, st->kw,
			"ops (one-packet scheduling) is ignored by fulcrum: UDP datagrams of one "
			"client stay in one session");
	return 0;
}

static int p_checkinterval_v(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	unsigned n;

	if (kw_uint(st, 0, 1, 86400, &n, err, errlen) < 0)
		return -1;
	V(obj)->set.checkinterval = (int)n;
	V(obj)->lines_checkinterval = st->kw->line;
	return 0;
}

#define VIRT(f, t, lo, hi) KW_SLOT(struct ld_virtual, f, t, lo, hi)

const struct kw ld_kw_virtual[] = {
    {"real", p_real, 1, 1, KW_NOBLOCK},
    {"real6", p_real, 1, 1, KW_NOBLOCK},
    {"request", p_request, 1, 1, KW_NOBLOCK},
    {"receive", p_receive, 1, 1, KW_NOBLOCK},
    {"checktype", p_checktype, 1, 1, KW_NOBLOCK},
    {"checkcommand", p_str, 1, 1, KW_NOBLOCK},
    {"checkport", NULL, 1, 1, KW_NOBLOCK, VIRT(checkport, KW_T_PORT, 0, 0)},
    {"checkinterval", p_checkinterval_v, 1, 1, KW_NOBLOCK},
    {"service", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct ld_virtual, service, KW_T_ENUM, 0, 0, ld_services)},
    {"httpmethod", p_httpmethod, 1, 1, KW_NOBLOCK},
    {"virtualhost", p_str, 1, 1, KW_NOBLOCK},
    {"login", p_str, 1, 1, KW_NOBLOCK},
    {"passwd", p_str, 1, 1, KW_NOBLOCK},
    {"database", p_str, 1, 1, KW_NOBLOCK},
    {"secret", p_str, 1, 1, KW_NOBLOCK},
    {"scheduler", p_scheduler, 1, 1, KW_NOBLOCK},
    {"persistent", p_persistent, 1, 1, KW_NOBLOCK},
    {"netmask", p_netmask, 1, 1, KW_NOBLOCK},
    {"protocol", p_protocol, 1, 1, KW_NOBLOCK},
    {"ops", p_ops, 1, 1, KW_NOBLOCK},
    {"monitorfile", p_ignored, 1, 1, KW_NOBLOCK},
    {"load", p_ignored, 1, 1, KW_NOBLOCK},
    {"servicename", p_ignored, 0, 1, KW_NOBLOCK},
    {"comment", p_ignored, 0, 1, KW_NOBLOCK},
    /* fulcrum extensions: servers from the cluster or a script */
    {"pacemaker_resource", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_attribute", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_weight", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_default_weight", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_address", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_port", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_interval", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_timeout", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_crm_mon", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_corosync_conf", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"pacemaker_resolve_ttl", ld_pacemaker_key, 1, 1, KW_NOBLOCK},
    {"real_server_script", ld_real_server_script, 1, 1, KW_NOBLOCK},
    {"forward", ld_forward, 1, 1, KW_NOBLOCK},
    {NULL},
};

const struct kw_block ld_blk_virtual = {"a virtual section", ld_kw_virtual, ld_kw_settings, NULL,
					NULL};
