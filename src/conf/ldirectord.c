/* The ldirectord.cf reader (conf_reader_ldirectord): the grammar of
 * ldirectord(8), resource-agents 4.12, read into the model keepalived.conf
 * builds.
 *
 * A line is `keyword=value` (spaces around '=' allowed); `#` starts a
 * comment anywhere outside "double quotes"; a line indented by a tab or at
 * least 4 spaces (a tab counts 4, as ldirectord expands it) belongs to the
 * last `virtual=` section, any other line is global.
 *
 * Leniency: configurations published on the web often lost their
 * indentation (every line flush left, blank lines between).  ldirectord
 * refuses those; this reader takes an unindented keyword that only exists
 * inside a section (real, service, request, scheduler...) as part of the
 * last `virtual=`, with a warning.  A keyword valid at both levels
 * (checktimeout, fallback, quiescent...) stays global when unindented,
 * exactly as ldirectord reads it, so such a file means what ldirectord would
 * have made of it.  Blank lines end nothing.
 *
 * Everything is collected first (struct ld_read), the model is built at the
 * end: global settings apply wherever they stand, as in ldirectord. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ka.h"
#include "conf/ldirectord.h"
#include "conf/reader.h"
#include "conf/script_check.h"
#include "conf/source_kw.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"
#include "model/source.h"

/* ---- where a line goes ---- */

static const struct kw *ld_find(const struct kw *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static void ld_run(struct kw_ctx *c, const struct kw *k, void *obj, const struct kw_stmt *st)
{
	char err[ERRLEN];
	int rc;

	if (st->argc < k->min_args) {
		kw_error(c, st->kw, "%s: a value is needed (%s=...)", k->name, k->name);
		return;
	}
	err[0] = 0;
	rc = k->parse ? k->parse(c, obj, st, err, sizeof(err))
		      : kw_slot_set(c, obj, k, st, err, sizeof(err));
	if (rc < 0 && err[0])
		kw_error(c, st->kw, "%s", err);
}

static void ld_unknown(struct kw_ctx *c, const struct kw_stmt *st, int in_virtual)
{
	const char *w = st->kw->text;
	const char *near = kw_nearest(in_virtual ? &ld_blk_virtual : &ld_blk_global, w);

	if (!near)
		near = kw_nearest(in_virtual ? &ld_blk_global : &ld_blk_virtual, w);
	if (near)
		kw_error(c, st->kw, "unknown keyword '%s' (did you mean '%s'?)", w, near);
	else
		kw_error(c, st->kw, "unknown keyword '%s'", w);
}

/* One statement; `indented`: a tab or 4 spaces before it. */
static void ld_dispatch(struct kw_ctx *c, const struct kw_stmt *st, int indented)
{
	struct ld_read *r = LD(c);
	const char *w = st->kw->text;
	const struct kw *g = ld_find(ld_kw_global, w), *s = ld_find(ld_kw_settings, w);
	const struct kw *v = ld_find(ld_kw_virtual, w);

	if (indented && r->cur && strcmp(w, "virtual") && strcmp(w, "virtual6")) {
		if (v || s) {
			ld_run(c, v ? v : s, v ? (void *)r->cur : (void *)&r->cur->set, st);
		} else if (g) {
			kw_warn(c, st->kw,
				"'%s' is a global keyword: read as global (ldirectord refuses it "
				"inside a virtual section; write it at the start of a line)",
				w);
			ld_run(c, g, &c->cfg->global, st);
		} else {
			ld_unknown(c, st, 1);
		}
		return;
	}
	if (g || s) {
		ld_run(c, g ? g : s, g ? (void *)&c->cfg->global : (void *)&r->global, st);
		return;
	}
	if (v && r->cur) {
		kw_warn(c, st->kw,
			"'%s' is not indented: read as part of the virtual service of line %d "
			"(ldirectord would refuse this line; indent it with a tab)",
			w, r->cur->line);
		ld_run(c, v, r->cur, st);
		return;
	}
	if (v) {
		kw_error(c, st->kw,
			 "'%s' belongs to a virtual service: write it indented under a virtual= "
			 "line",
			 w);
		return;
	}
	ld_unknown(c, st, 0);
}

/* ---- the line reader ---- */

/* The value as one token: "..." around the whole value is taken off (a
 * TOK_STRING), anything else is kept as written (a TOK_WORD: `real=` lines
 * hold quotes of their own). */
static void ld_value_token(struct token *t, char *v)
{
	size_t n = strlen(v);

	t->type = TOK_WORD;
	t->text = v;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"' && !memchr(v + 1, '"', n - 2)) {
		v[n - 1] = 0;
		t->text = v + 1;
		t->type = TOK_STRING;
	}
}

/* Cut a '#' comment outside double quotes; then trailing blanks. */
static void ld_cut_comment(char *s)
{
	int quoted = 0;
	char *p, *end;

	for (p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted) {
			*p = 0;
			break;
		}
	}
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
}

static int ld_word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* One line of the file (without its '\n'; NULs in it end it). */
static void ld_line(struct kw_ctx *c, const char *file, int lineno, const char *text, size_t n)
{
	struct ld_read *r = LD(c);
	struct kw_stmt st = {0};
	unsigned indent = 0;
	char *buf, *p, *key;

	if (n > LD_MAX_LINE) {
		conf_report(c->d, DIAG_ERROR, file, lineno, "line longer than %u bytes",
			    LD_MAX_LINE);
		return;
	}
	buf = malloc(n + 1);
	if (!buf) {
		conf_report(c->d, DIAG_ERROR, file, lineno, "out of memory");
		return;
	}
	memcpy(buf, text, n);
	buf[n] = 0;
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		indent += *p == '\t' ? 4 : 1;
	ld_cut_comment(p);
	if (!*p)
		goto out; /* blank or comment: ends nothing */
	key = p;
	while (ld_word_char(*p))
		p++;
	r->kw =
	    (struct token){.type = TOK_WORD, .bol = 1, .line = lineno, .file = file, .text = key};
	r->val = (struct token){.type = TOK_WORD, .line = lineno, .file = file, .text = p};
	st.kw = &r->kw;
	st.args = &r->val;
	if (p == key) {
		kw_error(c, &r->kw, "expected keyword=value, found '%.60s'", key);
		goto out;
	}
	while (*p == ' ' || *p == '\t')
		*p++ = 0;
	if (*p == '=') {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		ld_value_token(&r->val, p);
		st.argc = 1;
	} else if (*p) {
		kw_error(c, &r->kw, "expected keyword=value, found '%.60s'", key);
		goto out;
	}
	ld_dispatch(c, &st, indent >= 4);
out:
	free(buf);
}

static void ld_read_text(struct kw_ctx *c, const char *file, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		ld_line(c, file, ++line, p, (size_t)(eol - p));
		p = eol + 1;
	}
}

/* ---- the model ---- */

static int ld_pick(int v, int g, int dflt)
{
	return v != LD_UNSET ? v : g != LD_UNSET ? g : dflt;
}

/* "CMD start" / "CMD stop" */
static char *ld_cmd(const char *cmd, const char *arg)
{
	size_t n = strlen(cmd) + strlen(arg) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s %s", cmd, arg);
	return s;
}

static void ld_vs_settings(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs)
{
	const struct ld_settings *g = &LD(c)->global;
	const char *cmd = v->set.fallbackcommand ? v->set.fallbackcommand : g->fallbackcommand;
	unsigned maxp = vs->addr.family == AF_INET6 ? 128 : 32;

	snprintf(vs->pool->sched, sizeof(vs->pool->sched), "%s", v->sched[0] ? v->sched : "wrr");
	if (v->persistent != LD_UNSET)
		vs->persistence_timeout = (unsigned)v->persistent;
	vs->persistence_prefix = v->netmask && v->netmask < maxp ? v->netmask : maxp;
	if (v->netmask > maxp)
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "netmask /%u is longer than the address (/%u)", v->netmask, maxp);
	/* quiescent=yes: a failed server stays with weight 0 (ldirectord's
	 * default is no: it is removed) */
	vs->pool->inhibit_on_failure = ld_pick(v->set.quiescent, g->quiescent, 0);
	vs->pool->delay_loop_ms = (unsigned)ld_pick(v->set.checkinterval, g->checkinterval, 10) * 1000;
	/* fallbackcommand runs "CMD start" once no real server is up and
	 * "CMD stop" when the first is back: keepalived's quorum 1 scripts */
	vs->pool->quorum = 1;
	if (cmd) {
		vs->pool->quorum_down = ld_cmd(cmd, "start");
		vs->pool->quorum_up = ld_cmd(cmd, "stop");
	}
}

static int ld_duplicate(struct kw_ctx *c, const struct ld_virtual *v,
			const struct virtual_server *vs)
{
	const struct virtual_server *o;
	char a[ADDR_STRLEN];

	for (o = c->cfg->vs; o; o = o->next)
		if (vs->fwmark ? o->fwmark == vs->fwmark
			       : !o->fwmark && o->protocol == vs->protocol &&
				     addr_equal(&o->addr, &vs->addr))
			break;
	if (!o)
		return 0;
	if (vs->fwmark)
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "duplicate virtual service: firewall mark %u (first at %s:%d)",
			    vs->fwmark, o->file, o->line);
	else
		conf_report(c->d, DIAG_ERROR, v->file, v->line,
			    "duplicate virtual service %s %s (first at %s:%d)",
			    addr_format(&vs->addr, a, sizeof(a), 1), proto_name(vs->protocol),
			    o->file, o->line);
	return 1;
}

static void ld_build(struct kw_ctx *c, const struct ld_virtual *v)
{
	struct virtual_server *vs = vs_new();

	if (!vs) {
		conf_report(c->d, DIAG_ERROR, v->file, v->line, "out of memory");
		return;
	}
	vs->file = v->file;
	vs->line = v->line;
	if (ld_virtual_addr(c, v, vs) < 0 || ld_duplicate(c, v, vs)) {
		vs_free(vs);
		return;
	}
	ld_vs_settings(c, v, vs);
	ld_reals(c, v, vs);
	ld_source_finish(c, (struct ld_virtual *)v, vs);
	ld_sorry(c, v, vs);
	config_add_vs(c->cfg, vs);
}

static void ld_virtual_free(struct ld_virtual *v)
{
	struct ld_real_line *l, *ln;

	for (l = v->reals; l; l = ln) {
		ln = l->next;
		free(l->text);
		free(l);
	}
	ld_settings_free(&v->set);
	pool_source_free(v->source);
	free(v->where);
	free(v->request);
	free(v->receive);
	free(v->virtualhost);
	free(v->checkcommand);
	free(v->login);
	free(v->passwd);
	free(v->database);
	free(v->secret);
	free(v);
}

static void ld_finish(struct kw_ctx *c)
{
	struct ld_read *r = LD(c);
	struct ld_virtual *v;

	for (v = r->vs; v; v = v->next) {
		if (v->lines_checkinterval && !r->fork)
			conf_report(c->d, DIAG_WARNING, v->file, v->lines_checkinterval,
				    "checkinterval in a virtual section: applied by fulcrum (every "
				    "server is checked on its own timer); ldirectord ignores it "
				    "unless fork=yes");
		ld_build(c, v);
	}
	conf_sources_finish(c);
	conf_stats_finish(c);
	conf_scripts_finish(c);
}

/* ---- the reader ---- */

static struct config *ld_load_text(const char *name, const char *text, size_t len,
				   struct conf_diag *d)
{
	struct conf_diag quiet = {0};
	struct ld_read r;
	struct kw_ctx c;
	struct ld_virtual *v, *vn;
	unsigned e0, w0;

	if (!d)
		d = &quiet;
	e0 = d->errors;
	w0 = d->warnings;
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.cfg = config_new();
	c.d = d;
	c.reader = &r;
	if (!c.cfg) {
		conf_report(d, DIAG_ERROR, name, 0, "out of memory");
		return NULL;
	}
	ld_settings_init(&r.global);
	ld_read_text(&c, config_intern_file(c.cfg, name), text, len);
	ld_finish(&c);
	for (v = r.vs; v; v = vn) {
		vn = v->next;
		ld_virtual_free(v);
	}
	ld_settings_free(&r.global);
	c.cfg->n_warnings = d->warnings - w0;
	if (d->errors != e0) {
		config_free(c.cfg);
		return NULL;
	}
	return c.cfg;
}

static struct config *ld_load_string(const char *name, const char *text, size_t len,
				     struct conf_diag *d)
{
	return ld_load_text(name ? name : "<string>", text ? text : "", text ? len : 0, d);
}

static struct config *ld_load(const char *path, struct conf_diag *d)
{
	return conf_reader_load_file(path, d, ld_load_text);
}

/* A '{' or '}' in [p, eol) outside "quotes", before any comment. */
static int ld_has_brace(const char *p, const char *eol)
{
	int quoted = 0;

	for (; p < eol && (quoted || *p != '#'); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == '{' || *p == '}'))
			return 1;
	}
	return 0;
}

/* ldirectord.cf: `keyword=value` lines at column 0 whose keyword is
 * ldirectord's; a `virtual=` (or virtual6=) line makes it sure.  A '{' or
 * '}' outside comments and quotes (keepalived.conf, nginx...) rules it out. */
static int ld_probe(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int known = 0, virt = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *w = p;
		char word[32];
		size_t n;

		if (!eol)
			eol = end;
		if (ld_has_brace(p, eol))
			return 0;
		while (w < eol && ld_word_char(*w))
			w++;
		n = (size_t)(w - p);
		while (w < eol && (*w == ' ' || *w == '\t'))
			w++;
		if (n && n < sizeof(word) && w < eol && *w == '=') {
			memcpy(word, p, n);
			word[n] = 0;
			if (!strcmp(word, "virtual") || !strcmp(word, "virtual6"))
				virt = 1;
			else if (ld_find(ld_kw_global, word) || ld_find(ld_kw_settings, word) ||
				 ld_find(ld_kw_virtual, word))
				known++;
		}
		p = eol + 1;
	}
	return virt ? 100 : known ? 60 : 0;
}

const struct conf_reader conf_reader_ldirectord = {
    .name = "ldirectord",
    .probe = ld_probe,
    .load = ld_load,
    .load_string = ld_load_string,
};
