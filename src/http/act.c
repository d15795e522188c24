/* Actions: the keyword table, the actions on headers and variables, and
 * running a rule list (act.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http/acl.h"
#include "http/act.h"
#include "http/h1.h"
#include "http/logfmt.h"
#include "http/regex.h"
#include "http/sample.h"
#include "http/txn-t.h"

static int parse_none(struct http_act *a, const struct act_pctx *pc)
{
	if (pc->nargs)
		return err_set(pc->err, pc->errlen, "unexpected '%s' (only 'if' or 'unless' may follow)", pc->args[0]);
	return 0;
}

/* The header name of a rule: its first word, a token (RFC 9110) unless
 * it is del-header's pattern. */
static int set_name(struct http_act *a, const struct act_pctx *pc)
{
	if (a->kind != ACT_DEL_HDR && !h1_is_token(pc->args[0], strlen(pc->args[0])))
		return err_set(pc->err, pc->errlen, "'%s' is not a valid header name", pc->args[0]);
	a->name = strdup(pc->args[0]);
	if (!a->name)
		return err_set(pc->err, pc->errlen, "out of memory");
	a->nlen = strlen(a->name);
	return 0;
}

/* NAME [-m str|beg|end|sub|reg] */
static int parse_del_hdr(struct http_act *a, const struct act_pctx *pc)
{
	a->hmatch = PAT_M_STR;
	if (pc->nargs != 1 && pc->nargs != 3)
		return err_set(pc->err, pc->errlen, "expects NAME [-m str|beg|end|sub|reg]");
	if (pc->nargs == 3) {
		static const char *const m[] = {"str", "beg", "end", "sub", "reg"};
		static const enum pat_match mv[] = {PAT_M_STR, PAT_M_BEG, PAT_M_END, PAT_M_SUB, PAT_M_REG};
		unsigned i;

		if (strcmp(pc->args[1], "-m"))
			return err_set(pc->err, pc->errlen, "unexpected '%s' after the header name (-m METHOD)",
				       pc->args[1]);
		for (i = 0; i < 5 && strcmp(m[i], pc->args[2]); i++)
			;
		if (i == 5)
			return err_set(pc->err, pc->errlen, "unknown match method '%s' (str, beg, end, sub, reg)",
				       pc->args[2]);
		a->hmatch = mv[i];
		if (a->hmatch == PAT_M_REG && !(a->re = http_re_compile(pc->args[0], 1, pc->err, pc->errlen)))
			return -1;
	}
	return set_name(a, pc);
}

/* use-service NAME: the services HAProxy 2.6 has that fulcrum serves */
static int parse_service(struct http_act *a, const struct act_pctx *pc)
{
	if (pc->nargs != 1)
		return err_set(pc->err, pc->errlen, "expects a service name (prometheus-exporter)");
	if (strcmp(pc->args[0], "prometheus-exporter"))
		return err_set(pc->err, pc->errlen,
			       "unknown service '%s' (fulcrum serves prometheus-exporter)",
			       pc->args[0]);
	return 0;
}

/* auth [realm R]: the realm goes into a WWW-Authenticate header between
 * quotes, so it may not hold one (HAProxy would send a broken header).
 * Without one it is the proxy's name (http_rules_resolve). */
static int parse_auth(struct http_act *a, const struct act_pctx *pc)
{
	if (!pc->nargs)
		return 0;
	if (strcmp(pc->args[0], "realm"))
		return err_set(pc->err, pc->errlen, "unexpected '%s' (realm, or 'if'/'unless')", pc->args[0]);
	if (pc->nargs < 2)
		return err_set(pc->err, pc->errlen, "'realm' expects a value");
	if (pc->nargs > 2)
		return err_set(pc->err, pc->errlen, "unexpected '%s' after the realm", pc->args[2]);
	if (strpbrk(pc->args[1], "\"\\") || !pc->args[1][0] || strlen(pc->args[1]) > 255)
		return err_set(pc->err, pc->errlen, "realm '%s': 1 to 255 bytes, no '\"' or '\\'", pc->args[1]);
	a->name = strdup(pc->args[1]);
	return a->name ? 0 : err_set(pc->err, pc->errlen, "out of memory");
}

static const struct act_kw act_kws[] = {
	{"allow", ACT_ALLOW, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, parse_none},
	{"deny", ACT_DENY, ACT_W_REQ | ACT_W_RESP, act_parse_reply},
	{"tarpit", ACT_TARPIT, ACT_W_REQ, act_parse_reply},
	{"return", ACT_RETURN, ACT_W_REQ | ACT_W_RESP, act_parse_reply},
	{"redirect", ACT_REDIRECT, ACT_W_REQ | ACT_W_RESP, act_parse_redirect},
	{"set-header", ACT_SET_HDR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_fmt},
	{"add-header", ACT_ADD_HDR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_fmt},
	{"del-header", ACT_DEL_HDR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, parse_del_hdr},
	{"replace-header", ACT_REPL_HDR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_replace},
	{"replace-value", ACT_REPL_VAL, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_replace},
	{"set-path", ACT_SET_PATH, ACT_W_REQ, act_parse_fmt},
	{"set-pathq", ACT_SET_PATHQ, ACT_W_REQ, act_parse_fmt},
	{"set-query", ACT_SET_QUERY, ACT_W_REQ, act_parse_fmt},
	{"set-uri", ACT_SET_URI, ACT_W_REQ, act_parse_fmt},
	{"set-method", ACT_SET_METHOD, ACT_W_REQ, act_parse_fmt},
	{"replace-path", ACT_REPL_PATH, ACT_W_REQ, act_parse_replace},
	{"replace-pathq", ACT_REPL_PATHQ, ACT_W_REQ, act_parse_replace},
	{"replace-uri", ACT_REPL_URI, ACT_W_REQ, act_parse_replace},
	{"set-var", ACT_SET_VAR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_expr},
	{"unset-var", ACT_UNSET_VAR, ACT_W_REQ | ACT_W_RESP | ACT_W_AFTER, act_parse_expr},
	{"set-src", ACT_SET_SRC, ACT_W_REQ, act_parse_expr},
	{"set-status", ACT_SET_STATUS, ACT_W_RESP | ACT_W_AFTER, act_parse_status},
	{"use-service", ACT_USE_SERVICE, ACT_W_REQ, parse_service},
	{"auth", ACT_AUTH, ACT_W_REQ, parse_auth},
	{"capture", ACT_CAPTURE, ACT_W_REQ | ACT_W_RESP, act_parse_capture},
	{NULL},
};

struct http_act *act_parse(char **args, int nargs, unsigned where, char *err, size_t errlen)
{
	struct act_pctx pc = {.args = args + 1, .nargs = nargs - 1, .where = where, .err = err, .errlen = errlen};
	size_t klen = strcspn(args[0], "(");
	const struct act_kw *kw;
	struct http_act *a;

	pc.use = where == ACT_W_REQ ? SMP_USE_REQ : SMP_USE_RESP;
	for (kw = act_kws; kw->name; kw++)
		if (strlen(kw->name) == klen && !memcmp(kw->name, args[0], klen))
			break;
	if (!kw->name || !(kw->where & where))
		return err_set(err, errlen, "unknown or unsupported action '%s' here", args[0]), NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return err_set(err, errlen, "out of memory"), NULL;
	a->kind = kw->kind;
	/* set-var(NAME) / unset-var(NAME): the name travels in args[0] */
	if (a->kind == ACT_SET_VAR || a->kind == ACT_UNSET_VAR) {
		pc.args = args;
		pc.nargs = nargs;
	}
	if (kw->parse(a, &pc)) {
		size_t n = strlen(err);

		if (n < errlen - 1 && strncmp(err, "out of memory", 13))
			snprintf(err + n, errlen - n, " in '%.*s'", (int)klen, args[0]);
		act_free(a);
		return NULL;
	}
	return a;
}

void act_free(struct http_act *a)
{
	if (!a)
		return;
	cond_free(a->cond);
	free(a->name);
	logfmt_free(a->fmt);
	http_re_free(a->re);
	smp_expr_free(&a->expr);
	act_reply_free(a->reply);
	free(a->reason);
	free(a);
}

/* NAME FMT (set-header, add-header) or FMT (set-path, set-uri ...) */
int act_parse_fmt(struct http_act *a, const struct act_pctx *pc)
{
	int has_name = a->kind == ACT_SET_HDR || a->kind == ACT_ADD_HDR;

	if (pc->nargs != 1 + has_name)
		return err_set(pc->err, pc->errlen, "expects %s", has_name ? "NAME FORMAT" : "FORMAT");
	if (has_name && set_name(a, pc))
		return -1;
	a->fmt = logfmt_compile_use(pc->args[has_name], pc->use, 0, pc->err, pc->errlen);
	return a->fmt ? 0 : -1;
}

/* NAME REGEX FMT (replace-header, replace-value), REGEX FMT (replace-path ...) */
int act_parse_replace(struct http_act *a, const struct act_pctx *pc)
{
	int has_name = a->kind == ACT_REPL_HDR || a->kind == ACT_REPL_VAL;

	if (pc->nargs != 2 + has_name)
		return err_set(pc->err, pc->errlen, "expects %s", has_name ? "NAME REGEX FORMAT" : "REGEX FORMAT");
	if (has_name && set_name(a, pc))
		return -1;
	a->re = http_re_compile(pc->args[has_name], 0, pc->err, pc->errlen);
	if (!a->re)
		return -1;
	a->fmt = logfmt_compile_use(pc->args[has_name + 1], pc->use, 0, pc->err, pc->errlen);
	return a->fmt ? 0 : -1;
}

/* set-var(SCOPE.NAME) EXPR, unset-var(SCOPE.NAME), set-src EXPR */
int act_parse_expr(struct http_act *a, const struct act_pctx *pc)
{
	int expr_at = 0;

	if (a->kind == ACT_SET_VAR || a->kind == ACT_UNSET_VAR) {
		const char *open = strchr(pc->args[0], '('), *close = strrchr(pc->args[0], ')');
		static const char *const scopes[] = {"proc.", "sess.", "txn.", "req.", "res.", "check.", NULL};
		unsigned i;

		if (!open || !close || close < open || close[1])
			return err_set(pc->err, pc->errlen, "expects a variable name: %s(SCOPE.NAME)",
				       a->kind == ACT_SET_VAR ? "set-var" : "unset-var");
		a->name = strndup(open + 1, close - open - 1);
		if (!a->name)
			return err_set(pc->err, pc->errlen, "out of memory");
		for (i = 0; scopes[i] && strncmp(a->name, scopes[i], strlen(scopes[i])); i++)
			;
		if (!scopes[i] || !a->name[strlen(scopes[i])])
			return err_set(pc->err, pc->errlen, "variable '%s' must start with its scope: proc., "
				       "sess., txn., req., res. or check.", a->name);
		if (strlen(a->name) >= sizeof(((struct htxn_var *)0)->name))
			return err_set(pc->err, pc->errlen, "variable name '%s' is too long", a->name);
		a->nlen = strlen(a->name);
		expr_at = 1;
		if (a->kind == ACT_UNSET_VAR)
			return pc->nargs == 1 ? 0 : err_set(pc->err, pc->errlen, "unexpected '%s'", pc->args[1]);
	}
	if (pc->nargs != expr_at + 1)
		return err_set(pc->err, pc->errlen, "expects one sample expression");
	return smp_expr_parse(&a->expr, pc->args[expr_at], strlen(pc->args[expr_at]), pc->use, pc->err,
			      pc->errlen);
}

static int name_match(const struct http_act *a, const char *n, size_t len)
{
	size_t i;

	switch (a->hmatch) {
	case PAT_M_BEG:
		return len >= a->nlen && !strncasecmp(n, a->name, a->nlen);
	case PAT_M_END:
		return len >= a->nlen && !strncasecmp(n + len - a->nlen, a->name, a->nlen);
	case PAT_M_SUB:
		for (i = 0; i + a->nlen <= len; i++)
			if (!strncasecmp(n + i, a->name, a->nlen))
				return 1;
		return 0;
	case PAT_M_REG:
		return http_re_match(a->re, n, len);
	default:
		return len == a->nlen && !strncasecmp(n, a->name, len);
	}
}

static void del_headers(const struct http_act *a, struct h1_msg *m)
{
	unsigned i;

	for (i = 0; i < m->nhdrs; i++) {
		const struct h1_hdr *h = &m->hdrs[i];

		if (!(h->flags & H1_HDR_DELETED) && name_match(a, h1_ptr(m, h->name), h->name.len))
			h1_hdr_del(m, (int)i);
	}
}

/* out[o..cap) += s[0..n); -1 if it does not fit */
static int put(char *out, size_t *o, size_t cap, const char *s, size_t n)
{
	if (*o + n >= cap)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

/* replace-value: each comma-separated value on its own; the blanks and
 * commas around them stay as they were (haproxy keeps "a, b,a" spacing). */
static ssize_t replace_values(const struct http_act *a, const char *v, size_t vlen, const char *fmt, size_t flen,
			      char *out, size_t cap)
{
	size_t o = 0, i = 0, s, e, end;
	ssize_t r;

	while (i <= vlen) {
		for (s = i; s < vlen && (v[s] == ' ' || v[s] == '\t'); s++)
			;
		for (end = s; end < vlen && v[end] != ','; end++)
			;
		for (e = end; e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
			;
		if (put(out, &o, cap, v + i, s - i))
			return -1;
		r = http_re_subst(a->re, v + s, e - s, fmt, flen, out + o, cap - o);
		if (r >= 0)
			o += (size_t)r;
		else if (put(out, &o, cap, v + s, e - s))
			return -1;
		if (put(out, &o, cap, v + e, end - e + (end < vlen)))
			return -1;
		i = end + 1;
	}
	out[o] = 0;
	return (ssize_t)o;
}

/* Give header idx the value val: h1 edits by adding, so the value goes
 * into the arena as a header appended by h1_hdr_add (which checks it),
 * then moves to idx and the appended slot is given back: the header
 * keeps its place, as haproxy's replace-header does. */
static int hdr_revalue(struct h1_msg *m, int idx, const char *name, size_t nlen, const char *val, size_t vlen)
{
	if (h1_hdr_add(m, name, nlen, val, vlen))
		return -1;
	m->hdrs[idx].value = m->hdrs[m->nhdrs - 1].value;
	m->nhdrs--;
	return 0;
}

/* replace-header / replace-value on every NAME line */
static int replace_headers(const struct http_act *a, struct http_txn *t, struct h1_msg *m)
{
	char fmt[H1_EXTRA_SIZE], nv[H1_EXTRA_SIZE];
	size_t flen = logfmt_build(a->fmt, t, fmt, sizeof(fmt));
	unsigned i, n = m->nhdrs;
	ssize_t r;

	for (i = 0; i < n; i++) {
		const struct h1_hdr *h = &m->hdrs[i];
		const char *v = h1_ptr(m, h->value);

		if ((h->flags & H1_HDR_DELETED) || h->name.len != a->nlen ||
		    strncasecmp(h1_ptr(m, h->name), a->name, a->nlen))
			continue;
		if (a->kind == ACT_REPL_HDR)
			r = http_re_subst(a->re, v, h->value.len, fmt, flen, nv, sizeof(nv));
		else
			r = replace_values(a, v, h->value.len, fmt, flen, nv, sizeof(nv));
		if (r < 0 || ((size_t)r == h->value.len && !memcmp(nv, v, (size_t)r)))
			continue;
		if (hdr_revalue(m, (int)i, a->name, a->nlen, nv, (size_t)r))
			return -1;
	}
	return 0;
}

static void set_var(const struct http_act *a, struct http_txn *t)
{
	struct smp_ctx c = {.t = t};
	struct htxn_var *v = NULL;
	struct sample s;
	unsigned i;

	for (i = 0; i < t->nvars; i++)
		if (!strcmp(t->vars[i].name, a->name))
			v = &t->vars[i];
	if (a->kind == ACT_UNSET_VAR) {
		if (v)
			*v = t->vars[--t->nvars];
		return;
	}
	if (!smp_eval(&a->expr, &c, &s))
		return;
	if (!v) {
		if (t->nvars == HTXN_VARS)
			return; /* haproxy drops a variable beyond its memory limit too */
		v = &t->vars[t->nvars++];
		snprintf(v->name, sizeof(v->name), "%s", a->name);
	}
	v->is_int = s.type == SMP_T_SINT || s.type == SMP_T_BOOL;
	v->ival = s.sint;
	if (!smp_cast(&s, SMP_T_STR))
		s.len = 0;
	v->len = s.len < sizeof(v->val) - 1 ? (uint32_t)s.len : (uint32_t)sizeof(v->val) - 1;
	memcpy(v->val, s.str, v->len);
	v->val[v->len] = 0;
}

static void set_src(const struct http_act *a, struct http_txn *t)
{
	struct smp_ctx c = {.t = t};
	struct sample s;
	uint16_t port = t->src.port;

	if (smp_eval(&a->expr, &c, &s) && smp_cast(&s, SMP_T_ADDR)) {
		t->src = s.addr;
		t->src.port = port; /* haproxy keeps the port */
	}
}

static enum http_verdict act_one(const struct http_act *a, struct http_txn *t, struct h1_msg *m,
				 struct http_reply *reply)
{
	char buf[H1_EXTRA_SIZE];
	size_t len;

	switch (a->kind) {
	case ACT_ALLOW:
		return HTTP_V_ALLOW;
	case ACT_DENY:
	case ACT_TARPIT:
	case ACT_RETURN:
		act_build_reply(a->reply, t, reply);
		if (a->kind == ACT_RETURN && !reply->body)
			reply->body = ""; /* an empty body, not the error message */
		return a->kind == ACT_DENY ? HTTP_V_DENY : a->kind == ACT_TARPIT ? HTTP_V_TARPIT : HTTP_V_RETURN;
	case ACT_REDIRECT:
		return act_run_redirect(a, t, reply);
	case ACT_SET_HDR:
	case ACT_ADD_HDR:
		len = logfmt_build(a->fmt, t, buf, sizeof(buf));
		if ((a->kind == ACT_SET_HDR ? h1_hdr_set : h1_hdr_add)(m, a->name, a->nlen, buf, len))
			return HTTP_V_ERROR;
		return HTTP_V_CONTINUE;
	case ACT_DEL_HDR:
		del_headers(a, m);
		return HTTP_V_CONTINUE;
	case ACT_REPL_HDR:
	case ACT_REPL_VAL:
		return replace_headers(a, t, m) ? HTTP_V_ERROR : HTTP_V_CONTINUE;
	case ACT_SET_VAR:
	case ACT_UNSET_VAR:
		set_var(a, t);
		return HTTP_V_CONTINUE;
	case ACT_SET_SRC:
		set_src(a, t);
		return HTTP_V_CONTINUE;
	case ACT_SET_STATUS:
		h1_set_status(m, a->code);
		return HTTP_V_CONTINUE;
	case ACT_USE_SERVICE:
		return HTTP_V_SERVICE;
	case ACT_CAPTURE:
	case ACT_CAPTURE_RESP:
		act_run_capture(a, t);
		return HTTP_V_CONTINUE;
	case ACT_AUTH:
		/* HAProxy's http_action_auth: the 401 message, a local answer */
		memset(reply, 0, offsetof(struct http_reply, buf));
		reply->status = t->status = 401;
		reply->auth_realm = a->name;
		return HTTP_V_RETURN;
	default:
		return act_run_uri(a, t, m);
	}
}

enum http_verdict act_run(const struct http_act *list, struct http_txn *t, struct h1_msg *m,
			  struct http_reply *reply)
{
	enum http_verdict v;

	for (; list; list = list->next) {
		if (!cond_eval(list->cond, t))
			continue;
		v = act_one(list, t, m, reply);
		if (v != HTTP_V_CONTINUE)
			return v;
	}
	return HTTP_V_CONTINUE;
}
