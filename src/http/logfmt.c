/* Log-format expressions (haproxy configuration.txt 8.2.6): compiled once
 * into a list of nodes (text, separators, %-variables, %[sample]s), built
 * per transaction into a caller's buffer.  The same machinery writes log
 * lines and the values of rules (set-header X %[path], return lf-string):
 * a log line prints '-' for an empty field and merges the blanks around
 * empty fields, a rule value prints nothing and keeps its blanks, as
 * haproxy does. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "http/capture.h"
#include "http/h1.h"
#include "http/logfmt.h"
#include "http/sample.h"
#include "http/txn-t.h"

const char logfmt_httplog[] = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC "
			      "%CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
const char logfmt_httplog_clf[] = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp "
				  "%ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc "
				  "%bc %sc %rc %sq %bq %CC %CS %hrl %hsl";
const char logfmt_tcplog[] = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts "
			     "%ac/%fc/%bc/%sc/%rc %sq/%bq";

enum lf_var {
	LV_CI, LV_CP, LV_FI, LV_FP, LV_BI, LV_BP, LV_SI, LV_SP,
	LV_T, LV_TR_DATE, LV_TRG, LV_TRL, LV_TG, LV_TL, LV_TS, LV_MS,
	LV_F, LV_FT, LV_B, LV_S,
	LV_TRT, LV_TW, LV_TC, LV_TRS, LV_TA, LV_TT, LV_TQ, LV_TH, LV_TI, LV_TD, LV_TU,
	LV_ST, LV_BYTES, LV_UP, LV_CC, LV_CS, LV_TSTATE, LV_TSC,
	LV_AC, LV_FC, LV_BC, LV_SC, LV_RC, LV_SQ, LV_BQ, LV_LC, LV_RT,
	LV_HR, LV_HRL, LV_HS, LV_HSL, LV_R, LV_HM, LV_HU, LV_HP, LV_HPO, LV_HQ, LV_HV,
	LV_HOST, LV_PID, LV_ID, LV_SSLV, LV_SSLC,
};

static const struct {
	const char *name;
	enum lf_var var;
} lf_vars[] = {
	{"ci", LV_CI},	  {"cp", LV_CP},   {"fi", LV_FI},   {"fp", LV_FP},	{"bi", LV_BI},	 {"bp", LV_BP},
	{"si", LV_SI},	  {"sp", LV_SP},   {"t", LV_T},	    {"tr", LV_TR_DATE}, {"trg", LV_TRG}, {"trl", LV_TRL},
	{"T", LV_TG},	  {"Tl", LV_TL},   {"Ts", LV_TS},   {"ms", LV_MS},	{"f", LV_F},	 {"ft", LV_FT},
	{"b", LV_B},	  {"s", LV_S},	   {"TR", LV_TRT},  {"Tw", LV_TW},	{"Tc", LV_TC},	 {"Tr", LV_TRS},
	{"Ta", LV_TA},	  {"Tt", LV_TT},   {"Tq", LV_TQ},   {"Th", LV_TH},	{"Ti", LV_TI},	 {"Td", LV_TD},
	{"Tu", LV_TU},	  {"ST", LV_ST},   {"B", LV_BYTES}, {"U", LV_UP},	{"CC", LV_CC},	 {"CS", LV_CS},
	{"ts", LV_TSTATE}, {"tsc", LV_TSC}, {"ac", LV_AC},   {"fc", LV_FC},	{"bc", LV_BC},	 {"sc", LV_SC},
	{"rc", LV_RC},	  {"sq", LV_SQ},   {"bq", LV_BQ},   {"lc", LV_LC},	{"rt", LV_RT},	 {"hr", LV_HR},
	{"hrl", LV_HRL},  {"hs", LV_HS},   {"hsl", LV_HSL}, {"r", LV_R},	{"HM", LV_HM},	 {"HU", LV_HU},
	{"HP", LV_HP},	  {"HPO", LV_HPO}, {"HQ", LV_HQ},   {"HV", LV_HV},	{"H", LV_HOST},	 {"pid", LV_PID},
	{"ID", LV_ID},	  {"sslv", LV_SSLV}, {"sslc", LV_SSLC},
};

#define LF_Q 0x1 /* +Q: quote strings */
#define LF_X 0x2 /* +X: numbers in hexadecimal */
#define LF_E 0x4 /* +E: escape '"', '\' and ']' */

enum lf_kind { LF_TEXT, LF_SEP, LF_VAR, LF_EXPR };

struct lf_node {
	enum lf_kind kind;
	char *text; /* LF_TEXT, LF_SEP: owned */
	size_t len;
	enum lf_var var;
	struct smp_expr expr;
	unsigned flags;
};

struct logfmt {
	struct lf_node *nodes;
	unsigned n;
	int log; /* a log line: '-' for empty fields, blanks merged */
};

static struct lf_node *node_add(struct logfmt *lf, enum lf_kind kind, char *err, size_t errlen)
{
	struct lf_node *nn = realloc(lf->nodes, (lf->n + 1) * sizeof(*nn));

	if (!nn)
		return err_set(err, errlen, "out of memory"), NULL;
	lf->nodes = nn;
	memset(&nn[lf->n], 0, sizeof(*nn));
	nn[lf->n].kind = kind;
	return &nn[lf->n++];
}

static int text_add(struct logfmt *lf, enum lf_kind kind, const char *p, size_t len, char *err, size_t errlen)
{
	struct lf_node *n;

	if (!len)
		return 0;
	n = node_add(lf, kind, err, errlen);
	if (!n)
		return -1;
	n->text = strndup(p, len);
	n->len = len;
	return n->text ? 0 : err_set(err, errlen, "out of memory");
}

/* "{+Q,-X}": the flags to set (on) and clear (off); the length read, or -1 */
static int flags_parse(const char *p, unsigned *on, unsigned *off, char *err, size_t errlen)
{
	const char *end = strchr(p, '}'), *f;

	if (!end)
		return err_set(err, errlen, "missing '}' in log-format flags '%s'", p);
	for (f = p + 1; f < end; f++) {
		unsigned bit;

		if (*f == ',')
			continue;
		if ((*f != '+' && *f != '-') || f + 1 >= end)
			return err_set(err, errlen, "bad log-format flag at '%.*s'", (int)(end - f), f);
		bit = f[1] == 'Q' ? LF_Q : f[1] == 'X' ? LF_X : f[1] == 'E' ? LF_E : 0;
		if (!bit)
			return err_set(err, errlen, "unknown log-format flag '%c' (Q, X, E)", f[1]);
		if (*f == '+')
			*on |= bit, *off &= ~bit;
		else
			*off |= bit, *on &= ~bit;
		f++;
	}
	return (int)(end - p + 1);
}

struct logfmt *logfmt_compile_use(const char *text, unsigned use, int log, char *err, size_t errlen)
{
	struct logfmt *lf = calloc(1, sizeof(*lf));
	const char *p = text, *lit = text;
	unsigned gflags = 0;

	if (!lf)
		return err_set(err, errlen, "out of memory"), NULL;
	lf->log = log;
	while (*p) {
		unsigned on = 0, off = 0;
		struct lf_node *n;
		int r;

		if (log && *p == ' ') {
			const char *s = p;

			if (text_add(lf, LF_TEXT, lit, p - lit, err, errlen))
				goto fail;
			while (*p == ' ')
				p++;
			if (text_add(lf, LF_SEP, s, p - s, err, errlen))
				goto fail;
			lit = p;
			continue;
		}
		if (*p != '%') {
			p++;
			continue;
		}
		if (text_add(lf, LF_TEXT, lit, p - lit, err, errlen))
			goto fail;
		p++;
		if (*p == '%') {
			lit = p++;
			continue;
		}
		if (*p == '{') {
			r = flags_parse(p, &on, &off, err, errlen);
			if (r < 0)
				goto fail;
			p += r;
		}
		if (*p == '[') {
			const char *end = strchr(p, ']');

			if (!end) {
				err_set(err, errlen, "missing ']' after '%%[' in '%s'", text);
				goto fail;
			}
			n = node_add(lf, LF_EXPR, err, errlen);
			if (!n || smp_expr_parse(&n->expr, p + 1, end - p - 1, use, err, errlen)) {
				if (n)
					lf->n--;
				goto fail;
			}
			p = end + 1;
		} else {
			const char *s = p;
			size_t i, len;

			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
				p++;
			len = p - s;
			if (len == 1 && *s == 'o') { /* %o: flags for every variable after it */
				gflags = (gflags | on) & ~off;
				lit = p;
				continue;
			}
			for (i = 0; i < sizeof(lf_vars) / sizeof(lf_vars[0]); i++)
				if (strlen(lf_vars[i].name) == len && !memcmp(lf_vars[i].name, s, len))
					break;
			if (!len || i == sizeof(lf_vars) / sizeof(lf_vars[0])) {
				err_set(err, errlen, "unknown log-format variable '%%%.*s'", (int)(len ? len : 1), s);
				goto fail;
			}
			n = node_add(lf, LF_VAR, err, errlen);
			if (!n)
				goto fail;
			n->var = lf_vars[i].var;
		}
		n->flags = (gflags | on) & ~off;
		lit = p;
	}
	if (text_add(lf, LF_TEXT, lit, p - lit, err, errlen))
		goto fail;
	return lf;
fail:
	logfmt_free(lf);
	return NULL;
}

struct logfmt *logfmt_compile(const char *text, char *err, size_t errlen)
{
	return logfmt_compile_use(text, SMP_USE_REQ | SMP_USE_RESP, 1, err, errlen);
}

/* The variables haproxy reserves for mode http (it refuses them in a
 * mode tcp log-format: they would always be empty there). */
static int var_http_only(enum lf_var v)
{
	switch (v) {
	case LV_TR_DATE: case LV_TRG: case LV_TRL: case LV_TRT: case LV_TRS: case LV_TA: case LV_TQ:
	case LV_TI: case LV_CC: case LV_CS: case LV_R: case LV_HM: case LV_HU: case LV_HP: case LV_HPO:
	case LV_HQ: case LV_HV:
		return 1;
	default:
		return 0;
	}
}

int logfmt_check(const char *text, int http, char *err, size_t errlen)
{
	struct logfmt *lf = logfmt_compile(text, err, errlen);
	unsigned i;
	int rc = lf ? 0 : -1;

	for (i = 0; lf && !http && i < lf->n && !rc; i++) {
		const struct lf_node *n = &lf->nodes[i];
		size_t k;

		if (n->kind != LF_VAR || !var_http_only(n->var))
			continue;
		for (k = 0; lf_vars[k].var != n->var; k++)
			;
		rc = err_set(err, errlen, "format variable '%s' is reserved for HTTP mode", lf_vars[k].name);
	}
	logfmt_free(lf);
	return rc;
}

void logfmt_free(struct logfmt *lf)
{
	unsigned i;

	if (!lf)
		return;
	for (i = 0; i < lf->n; i++) {
		free(lf->nodes[i].text);
		if (lf->nodes[i].kind == LF_EXPR)
			smp_expr_free(&lf->nodes[i].expr);
	}
	free(lf->nodes);
	free(lf);
}

/* The output: a bounded buffer that silently truncates. */
struct lf_out {
	char *p;
	size_t len, cap;
	int last_sep; /* the last thing written was a separator */
};

static void out_mem(struct lf_out *o, const char *s, size_t n)
{
	if (n > o->cap - 1 - o->len)
		n = o->cap - 1 - o->len;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void out_chr(struct lf_out *o, char c)
{
	out_mem(o, &c, 1);
}

/* haproxy's url encoding of the logged request line: '"', '#' and
 * non-printable bytes as #XX */
static void out_encoded(struct lf_out *o, const char *s, size_t n)
{
	size_t i;
	char hex[4];

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 32 || c >= 127 || c == '"' || c == '#') {
			snprintf(hex, sizeof(hex), "#%02X", c);
			out_mem(o, hex, 3);
		} else {
			out_chr(o, (char)c);
		}
	}
}

/* A string field: quoted with +Q, escaped with +E, "-" when empty in a log. */
static void out_str(struct lf_out *o, const struct logfmt *lf, unsigned flags, const char *s, size_t n)
{
	size_t i;

	if (flags & LF_Q)
		out_chr(o, '"');
	if (n && (flags & LF_E)) {
		for (i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\' || s[i] == ']')
				out_chr(o, '\\');
			out_chr(o, s[i]);
		}
	} else if (n) {
		out_mem(o, s, n);
	} else if (lf->log && !(flags & LF_Q)) {
		out_chr(o, '-');
	}
	if (flags & LF_Q)
		out_chr(o, '"');
}

static void out_int(struct lf_out *o, unsigned flags, int64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), (flags & LF_X) ? "%" PRIX64 : "%" PRId64, v);
	out_mem(o, b, strlen(b));
}

static void out_ip(struct lf_out *o, const struct logfmt *lf, unsigned flags, const struct fc_addr *a)
{
	char b[ADDR_STRLEN];

	if (!a->family)
		return out_str(o, lf, flags, "", 0);
	if ((flags & LF_X) && a->family == AF_INET)
		snprintf(b, sizeof(b), "%08X", ntohl(a->u.v4.s_addr));
	else
		addr_format(a, b, sizeof(b), 0);
	out_str(o, lf, flags & ~LF_E, b, strlen(b));
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 06/Feb/2009:12:14:14[.655] in local time, or GMT / with the offset */
static void out_date(struct lf_out *o, uint64_t ms, int gmt, int with_ms, int with_zone)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	char b[64];
	int n;

	if (gmt)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	n = snprintf(b, sizeof(b), "%02d/%s/%04d:%02d:%02d:%02d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (with_ms)
		n += snprintf(b + n, sizeof(b) - n, ".%03u", (unsigned)(ms % 1000));
	if (with_zone) {
		long off = gmt ? 0 : tm.tm_gmtoff / 60;

		n += snprintf(b + n, sizeof(b) - n, " %c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 60,
			      labs(off) % 60);
	}
	out_mem(o, b, (size_t)n);
}

static void out_var(struct lf_out *o, const struct logfmt *lf, const struct lf_node *n, const struct http_txn *t)
{
	const struct h1_msg *rq = t->req;
	const char *s = NULL, *u = NULL;
	size_t len = 0, ulen = 0;
	char b[256];
	unsigned f = n->flags;

	if (rq) {
		u = h1_ptr(rq, rq->uri);
		ulen = rq->uri.len;
	}
	switch (n->var) {
	case LV_CI: return out_ip(o, lf, f, &t->src);
	case LV_CP: return out_int(o, f, t->src.port);
	case LV_FI: return out_ip(o, lf, f, &t->dst);
	case LV_FP: return out_int(o, f, t->dst.port);
	case LV_CC: return out_str(o, lf, f, t->cli_cookie, strlen(t->cli_cookie));
	case LV_CS: return out_str(o, lf, f, t->srv_cookie, strlen(t->srv_cookie));
	case LV_BI: case LV_BP: case LV_SI: case LV_SP: case LV_ID:
		return out_str(o, lf, f, "", 0);
	case LV_T: case LV_TR_DATE: return out_date(o, t->accept_ms, 0, 1, 0);
	case LV_TRG: case LV_TG: return out_date(o, t->accept_ms, 1, 0, 1);
	case LV_TRL: case LV_TL: return out_date(o, t->accept_ms, 0, 0, 1);
	case LV_TS: return out_int(o, f, (int64_t)(t->accept_ms / 1000));
	case LV_MS:
		snprintf(b, sizeof(b), "%03u", (unsigned)(t->accept_ms % 1000));
		return out_mem(o, b, 3);
	case LV_F: case LV_FT:
		if (!t->fe)
			return out_str(o, lf, f, "", 0);
		snprintf(b, sizeof(b), "%s%s", t->fe->name, n->var == LV_FT && t->ssl ? "~" : "");
		return out_str(o, lf, f, b, strlen(b));
	case LV_SSLV: case LV_SSLC:
		s = !t->ssl ? "" : n->var == LV_SSLV ? t->ssl->version : t->ssl->cipher;
		return out_str(o, lf, f, s ? s : "", s ? strlen(s) : 0);
	case LV_B:
		s = t->be ? t->be->name : t->fe ? t->fe->name : "";
		return out_str(o, lf, f, s, strlen(s));
	case LV_S:
		s = t->srv_name ? t->srv_name : "<NOSRV>";
		return out_str(o, lf, f, s, strlen(s));
	case LV_TRT: return out_int(o, f, t->t_req);
	/* HAProxy 2.6's Tq = Th + Ti + TR, Tt = Th + Ti + Ta, Tu = Th + Ta */
	case LV_TQ: return out_int(o, f, t->t_req < 0 ? -1 : t->t_hs + t->t_idle + t->t_req);
	case LV_TT: return out_int(o, f, t->t_active < 0 ? -1 : t->t_hs + t->t_idle + t->t_active);
	case LV_TU: return out_int(o, f, t->t_active < 0 ? -1 : t->t_hs + t->t_active);
	case LV_TI: return out_int(o, f, t->t_idle);
	case LV_TH: return out_int(o, f, t->t_hs);
	case LV_TW: return out_int(o, f, t->t_queue);
	case LV_TC: return out_int(o, f, t->t_connect);
	case LV_TRS: return out_int(o, f, t->t_resp);
	case LV_TA: return out_int(o, f, t->t_active);
	case LV_SQ: return out_int(o, f, t->srv_queue);
	case LV_BQ: return out_int(o, f, t->be_queue);
	case LV_LC: case LV_RT: return out_int(o, f, 0);
	case LV_TD:
		if (t->t_active < 0 || t->t_req < 0 || t->t_queue < 0 || t->t_connect < 0 || t->t_resp < 0)
			return out_int(o, f, -1);
		return out_int(o, f, t->t_active - (t->t_req + t->t_queue + t->t_connect + t->t_resp));
	case LV_ST: return out_int(o, f, t->status ? (int64_t)t->status : -1); /* -1: none sent */
	case LV_BYTES: return out_int(o, f, (int64_t)t->bytes_out);
	case LV_UP: return out_int(o, f, (int64_t)t->bytes_in);
	case LV_TSTATE: case LV_TSC:
		out_chr(o, t->term[0] ? t->term[0] : '-');
		out_chr(o, t->term[0] && t->term[1] ? t->term[1] : '-');
		if (n->var == LV_TSC) {
			out_chr(o, t->ck[0] ? t->ck[0] : '-');
			out_chr(o, t->ck[1] ? t->ck[1] : '-');
		}
		return;
	case LV_AC: return out_int(o, f, t->act_conn);
	case LV_FC: return out_int(o, f, t->fe_conn);
	case LV_BC: return out_int(o, f, t->be_conn);
	case LV_SC: return out_int(o, f, t->srv_conn);
	case LV_RC:
		if (t->redispatched)
			out_chr(o, '+');
		return out_int(o, f, t->retries);
	case LV_HR: case LV_HRL: case LV_HS: case LV_HSL: {
		char c[8192]; /* a longer text is cut, as a log line is */
		size_t cl = capture_format(t, n->var == LV_HS || n->var == LV_HSL,
					   n->var == LV_HRL || n->var == LV_HSL,
					   (f & LF_Q ? CAPTURE_F_QUOTE : 0) | (f & LF_E ? CAPTURE_F_ESC : 0), c,
					   sizeof(c));

		/* no captures: haproxy writes nothing */
		if (cl)
			out_mem(o, c, cl);
		return;
	}
	case LV_R:
		if (!rq) {
			s = "<BADREQ>";
			return out_str(o, lf, f, s, strlen(s));
		}
		if (f & LF_Q)
			out_chr(o, '"');
		out_encoded(o, h1_ptr(rq, rq->method), rq->method.len);
		out_chr(o, ' ');
		out_encoded(o, u, ulen);
		snprintf(b, sizeof(b), " HTTP/%u.%u", rq->vmajor, rq->vminor);
		out_mem(o, b, strlen(b));
		if (f & LF_Q)
			out_chr(o, '"');
		return;
	case LV_HM:
		if (rq)
			s = h1_ptr(rq, rq->method), len = rq->method.len;
		return out_str(o, lf, f, s, len);
	case LV_HU: return out_str(o, lf, f, u, ulen);
	case LV_HP: case LV_HPO: case LV_HQ:
		if (rq && n->var == LV_HPO)
			http_uri_path(u, ulen, &s, &len);
		else if (rq && n->var == LV_HP)
			s = u, len = strcspn(u, "?") < ulen ? strcspn(u, "?") : ulen;
		else if (rq && (s = memchr(u, '?', ulen)))
			len = u + ulen - s;
		return out_str(o, lf, f, s, len);
	case LV_HV:
		if (rq)
			snprintf(b, sizeof(b), "HTTP/%u.%u", rq->vmajor, rq->vminor), s = b, len = strlen(b);
		return out_str(o, lf, f, s, len);
	case LV_HOST:
		if (gethostname(b, sizeof(b)))
			b[0] = 0;
		b[sizeof(b) - 1] = 0;
		return out_str(o, lf, f, b, strlen(b));
	case LV_PID: return out_int(o, f, getpid());
	}
}

size_t logfmt_build(const struct logfmt *lf, const struct http_txn *t, char *out, size_t cap)
{
	struct lf_out o = {.p = out, .cap = cap, .last_sep = 1}; /* no leading blank */
	unsigned i;

	if (!cap)
		return 0;
	for (i = 0; i < lf->n; i++) {
		const struct lf_node *n = &lf->nodes[i];
		size_t before = o.len;

		switch (n->kind) {
		case LF_SEP:
			if (!o.last_sep)
				out_chr(&o, ' '); /* a run of blanks is one */
			o.last_sep = 1;
			continue;
		case LF_TEXT:
			out_mem(&o, n->text, n->len);
			break;
		case LF_VAR:
			out_var(&o, lf, n, t);
			break;
		case LF_EXPR: {
			struct smp_ctx c = {.t = (struct http_txn *)t};
			struct sample s;

			/* haproxy quotes a sample in a log line, not in a rule's value */
			unsigned fl = lf->log ? n->flags : n->flags & ~LF_Q;

			if (t->req && smp_eval(&n->expr, &c, &s) && smp_cast(&s, SMP_T_STR))
				out_str(&o, lf, fl, s.str, s.len);
			else
				out_str(&o, lf, fl, "", 0);
			break;
		}
		}
		if (o.len != before)
			o.last_sep = 0;
	}
	out[o.len] = 0;
	return o.len;
}
