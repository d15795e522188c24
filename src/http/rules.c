/* haproxy.cfg's HTTP rules (rules.h): the keywords a proxy section hands
 * over (acl, http-request, http-response, http-after-response,
 * use_backend), their resolution once the file is read, and running them
 * on a transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/acl.h"
#include "http/act.h"
#include "http/auth.h"
#include "http/capture.h"
#include "http/logfmt.h"
#include "http/rules-t.h"
#include "http/rules.h"
#include "model/http_proxy.h"

const char *const http_rules_keywords[] = {
	"acl", "http-request", "http-response", "http-after-response", "use_backend", "stick", NULL,
};

static void act_free_list(struct http_act *a)
{
	struct http_act *next;

	for (; a; a = next) {
		next = a->next;
		act_free(a);
	}
}

static void http_rules_free(struct http_rules *r)
{
	struct use_be *u, *un;

	if (!r)
		return;
	act_free_list(r->tcp);
	act_free_list(r->req);
	act_free_list(r->resp);
	act_free_list(r->after);
	for (u = r->use_be; u; u = un) {
		un = u->next;
		cond_free(u->cond);
		logfmt_free(u->fmt);
		free(u->name);
		free((char *)u->file);
		free(u);
	}
	cond_free(r->stats_admin);
	stick_rules_free(r->stick);
	acl_free_list(r->acls);
	acl_free_list(r->anon);
	free(r);
}

static struct http_rules *rules_get(struct http_proxy *px)
{
	if (!px->rules) {
		px->rules = calloc(1, sizeof(*px->rules));
		px->rules_free = http_rules_free;
	}
	return px->rules;
}

/* The index of the first "if"/"unless" in args[from..nargs), or nargs. */
static int cond_start(char **args, int nargs, int from)
{
	for (; from < nargs; from++)
		if (!strcmp(args[from], "if") || !strcmp(args[from], "unless"))
			return from;
	return nargs;
}

/* acl NAME CRITERION [flags] [values]: a new term of ACL NAME */
static int parse_acl(struct http_rules *r, char **args, int nargs, const char *file, int line, char *err,
		     size_t errlen)
{
	struct acl *a, **pp;
	struct acl_term *t, **tp;
	const char *n;

	if (nargs < 3)
		return err_set(err, errlen, "'acl' expects NAME CRITERION [flags] [values]");
	for (n = args[1]; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      strchr("_.:-", *n)))
			return err_set(err, errlen, "ACL name '%s' may only contain letters, digits, '_', '.', ':' "
				       "and '-'", args[1]);
	t = acl_term_parse(args + 2, nargs - 2, SMP_USE_REQ | SMP_USE_RESP, err, errlen);
	if (!t) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " in ACL '%s'", args[1]);
		return -1;
	}
	for (pp = &r->acls; *pp && strcmp((*pp)->name, args[1]); pp = &(*pp)->next)
		;
	a = *pp;
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a || !(a->name = strdup(args[1]))) {
			free(a);
			acl_term_free(t);
			return err_set(err, errlen, "out of memory");
		}
		a->file = NULL; /* the reader's file names are not kept */
		a->line = line;
		*pp = a;
	}
	for (tp = &a->terms; *tp; tp = &(*tp)->next)
		;
	*tp = t;
	return 0;
}

static int parse_rule(struct http_proxy *px, struct http_rules *r, char **args, int nargs, const char *file,
		      int line, char *err, size_t errlen)
{
	const char *kw = args[0];
	int tcp = !strcmp(kw, "tcp-request");
	unsigned where = tcp || !strcmp(kw, "http-request") ? ACT_W_REQ
			 : !strcmp(kw, "http-response")	   ? ACT_W_RESP
							   : ACT_W_AFTER;
	int c;
	struct http_act *a, **pp;

	/* tcp-request content capture EXPR len N: a capture rule run
	 * before the http-request rules (and, in mode tcp, for the log) */
	if (tcp && (nargs < 3 || strcmp(args[1], "content") || strcmp(args[2], "capture")))
		return err_set(err, errlen, "'tcp-request%s%s%s%s' is not supported (fulcrum serves 'tcp-request "
			       "content capture EXPR len N' only)", nargs > 1 ? " " : "", nargs > 1 ? args[1] : "",
			       nargs > 2 ? " " : "", nargs > 2 ? args[2] : "");
	if (tcp)
		args++, nargs--;
	c = cond_start(args, nargs, 2);
	if (nargs < 2)
		return err_set(err, errlen, "'%s' expects an action", kw);
	a = act_parse(args + 1, c - 1, where, err, errlen);
	if (!a)
		return -1;
	if (tcp && !a->cap_len) {
		act_free(a);
		return err_set(err, errlen, "'tcp-request content capture' : a positive 'len' argument is mandatory");
	}
	/* capture EXPR len N: a slot of the frontend's own */
	if (a->kind == ACT_CAPTURE && a->cap_len &&
	    (!(px->cap & HP_CAP_FE) ? err_set(err, errlen, "proxy '%s' has no frontend capability in "
					      "'%s%s capture'", px->name, kw, tcp ? " content" : "")
				    : (a->cap_id = capture_declare(px, 0, "", a->cap_len, err, errlen))) < 0) {
		act_free(a);
		return -1;
	}
	if (c < nargs) {
		a->cond = cond_parse(args + c, nargs - c, &r->acls, &r->anon,
				     where == ACT_W_REQ ? SMP_USE_REQ : SMP_USE_RESP, file, line, err,
				     errlen);
		if (!a->cond) {
			act_free(a);
			return -1;
		}
	}
	a->line = line;
	pp = tcp ? &r->tcp : where == ACT_W_REQ ? &r->req : where == ACT_W_RESP ? &r->resp : &r->after;
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	return 0;
}

static int parse_use_backend(struct http_proxy *px, struct http_rules *r, char **args, int nargs,
			     const char *file, int line, char *err, size_t errlen)
{
	struct use_be *u, **pp;

	if (!(px->cap & HP_CAP_FE))
		return err_set(err, errlen, "'use_backend' is only allowed in a frontend or listen section");
	if (nargs < 2 || !strcmp(args[1], "if") || !strcmp(args[1], "unless"))
		return err_set(err, errlen, "'use_backend' expects a backend name");
	if (nargs > 2 && strcmp(args[2], "if") && strcmp(args[2], "unless"))
		return err_set(err, errlen, "'use_backend %s': unexpected '%s' (if or unless)", args[1], args[2]);
	u = calloc(1, sizeof(*u));
	if (!u || !(u->name = strdup(args[1])) || !(u->file = strdup(file ? file : ""))) {
		if (u)
			free(u->name);
		free(u);
		return err_set(err, errlen, "out of memory");
	}
	u->line = line;
	if (strchr(args[1], '%') &&
	    !(u->fmt = logfmt_compile_use(args[1], SMP_USE_REQ, 0, err, errlen))) {
		free(u->name);
		free((char *)u->file);
		free(u);
		return -1;
	}
	if (nargs > 2) {
		u->cond = cond_parse(args + 2, nargs - 2, &r->acls, &r->anon, SMP_USE_REQ, file, line, err, errlen);
		if (!u->cond) {
			logfmt_free(u->fmt);
			free(u->name);
			free((char *)u->file);
			free(u);
			return -1;
		}
	}
	for (pp = &r->use_be; *pp; pp = &(*pp)->next)
		;
	*pp = u;
	return 0;
}

int http_rules_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		     char *err, size_t errlen)
{
	struct http_rules *r;

	if (nargs < 1)
		return err_set(err, errlen, "empty rule");
	r = rules_get(px);
	if (!r)
		return err_set(err, errlen, "out of memory");
	if (!strcmp(args[0], "acl"))
		return parse_acl(r, args, nargs, file, line, err, errlen);
	if (!strcmp(args[0], "use_backend"))
		return parse_use_backend(px, r, args, nargs, file, line, err, errlen);
	if (!strcmp(args[0], "stats") && nargs > 2 && !strcmp(args[1], "admin")) {
		struct cond *c = cond_parse(args + 2, nargs - 2, &r->acls, &r->anon, SMP_USE_REQ,
					    file, line, err, errlen);

		if (!c)
			return -1;
		cond_free(r->stats_admin);
		r->stats_admin = c;
		return 0;
	}
	if (!strcmp(args[0], "stick"))
		return stick_rule_parse(r, args, nargs, file, line, err, errlen);
	if (!strcmp(args[0], "http-request") || !strcmp(args[0], "http-response") ||
	    !strcmp(args[0], "http-after-response") || !strcmp(args[0], "tcp-request"))
		return parse_rule(px, r, args, nargs, file, line, err, errlen);
	return err_set(err, errlen, "'%s' is not a rule keyword", args[0]);
}

/* A frontend's capture ... id N rules name one of its slots (a
 * backend's name the frontend's of each request: not known here). */
static int capture_check(const struct http_proxy *px, const struct http_act *a, int *line, char *err,
			 size_t errlen)
{
	for (; a; a = a->next) {
		int resp = a->kind == ACT_CAPTURE_RESP;

		if ((a->kind != ACT_CAPTURE && !resp) || a->cap_len || !(px->cap & HP_CAP_FE) ||
		    a->cap_id < 0 || a->cap_id < (int)(resp ? px->n_cap_resp : px->n_cap_req))
			continue;
		*line = a->line;
		return err_set(err, errlen, "unable to find capture id '%d' referenced by http-%s capture rule "
			       "(the frontend declares %u)", a->cap_id, resp ? "response" : "request",
			       resp ? px->n_cap_resp : px->n_cap_req);
	}
	return 0;
}

int http_rules_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
		       size_t errlen)
{
	struct use_be *u;
	struct http_act *a;

	px->userlists = cfg->hp_global ? cfg->hp_global->userlists : NULL;
	if (!px->rules)
		return 0;
	for (a = px->rules->req; a; a = a->next)
		if (a->kind == ACT_AUTH && !a->name && !(a->name = strdup(px->name)))
			return err_set(err, errlen, "out of memory");
	if (capture_check(px, px->rules->req, line, err, errlen) < 0 ||
	    capture_check(px, px->rules->resp, line, err, errlen) < 0)
		return -1;
	if (http_auth_resolve(px->userlists, px->rules->acls, line, err, errlen) < 0 ||
	    http_auth_resolve(px->userlists, px->rules->anon, line, err, errlen) < 0)
		return -1;
	for (u = px->rules->use_be; u; u = u->next) {
		if (u->fmt) {
			u->all = cfg->http_proxies;
			continue;
		}
		u->be = config_find_http_proxy(cfg, u->name, HP_CAP_BE);
		if (!u->be) {
			*file = u->file;
			*line = u->line;
			return err_set(err, errlen, "use_backend: no backend named '%s'", u->name);
		}
	}
	return stick_rules_resolve(cfg, px, file, line, err, errlen);
}

enum http_verdict http_req_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply)
{
	if (!px->rules || !t->req)
		return HTTP_V_CONTINUE;
	if (px->rules->tcp)
		(void)act_run(px->rules->tcp, t, t->req, reply); /* captures: they decide nothing */
	return act_run(px->rules->req, t, t->req, reply);
}

void http_tcp_captures(const struct http_proxy *px, struct http_txn *t)
{
	struct http_reply reply;

	if (px->rules && px->rules->tcp)
		(void)act_run(px->rules->tcp, t, NULL, &reply);
}

/* The backend named by u's log-format for t, or NULL. */
static const struct http_proxy *dyn_backend(const struct use_be *u, struct http_txn *t)
{
	const struct http_proxy *hp;
	char name[256];
	size_t n = logfmt_build(u->fmt, t, name, sizeof(name));

	if (!n || n >= sizeof(name) - 1) /* empty, or cut short */
		return NULL;
	for (hp = u->all; hp; hp = hp->next)
		if ((hp->cap & HP_CAP_BE) && !strcmp(hp->name, name))
			return hp;
	return NULL;
}

int http_stats_admin(const struct http_proxy *px, struct http_txn *t)
{
	if (!px->rules || !px->rules->stats_admin)
		return -1;
	return cond_eval(px->rules->stats_admin, t);
}

const struct http_proxy *http_pick_backend(const struct http_proxy *fe, struct http_txn *t)
{
	const struct http_proxy *be;
	const struct use_be *u;

	if (fe->rules)
		for (u = fe->rules->use_be; u; u = u->next) {
			if (!cond_eval(u->cond, t))
				continue;
			if (!u->fmt)
				return u->be;
			/* a name built at run time: one that names no backend
			 * ends the rules, the default backend takes it (haproxy) */
			be = dyn_backend(u, t);
			if (be)
				return be;
			break;
		}
	if (fe->default_be)
		return fe->default_be;
	return (fe->cap & HP_CAP_BE) ? fe : NULL;
}

static int is_be(const struct http_proxy *hp, const char *name)
{
	return hp && (hp->cap & HP_CAP_BE) && !strcmp(hp->name, name);
}

const struct http_proxy *http_backend_named(const struct http_proxy *fe, const char *name)
{
	const struct http_proxy *hp;
	const struct use_be *u;

	if (is_be(fe, name))
		return fe;
	if (is_be(fe->default_be, name))
		return fe->default_be;
	for (u = fe->rules ? fe->rules->use_be : NULL; u; u = u->next) {
		if (is_be(u->be, name))
			return u->be;
		for (hp = u->all; hp; hp = hp->next)
			if (is_be(hp, name))
				return hp;
	}
	return NULL;
}

enum http_verdict http_resp_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply)
{
	if (!px->rules || !t->resp)
		return HTTP_V_CONTINUE;
	return act_run(px->rules->resp, t, t->resp, reply);
}

void http_after_resp_rules(const struct http_proxy *px, struct http_txn *t)
{
	struct http_reply reply;

	if (px->rules && t->resp)
		act_run(px->rules->after, t, t->resp, &reply);
}
