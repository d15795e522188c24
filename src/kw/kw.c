/* The keyword walker: statements, argument counts, braces, unknown and
 * ignored keywords.  Block contents are parsed by the keyword's own parser
 * through kw_body(); anything it did not consume is skipped here, so a
 * parser that fails early never leaves the walk out of step. */
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "kw/kw.h"
#include "kw/lexer.h"

static void kw_vreport(struct kw_ctx *c, int sev, const struct token *t, const char *fmt,
		       va_list ap)
{
	char msg[768];

	if (c->silent) {
		if (sev == DIAG_ERROR)
			c->silent_errors++;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_report(c->d, sev, t ? t->file : "?", t ? t->line : 0, "%s", msg);
}

void kw_error(struct kw_ctx *c, const struct token *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kw_vreport(c, DIAG_ERROR, t, fmt, ap);
	va_end(ap);
}

void kw_warn(struct kw_ctx *c, const struct token *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kw_vreport(c, DIAG_WARNING, t, fmt, ap);
	va_end(ap);
}

unsigned kw_errors(const struct kw_ctx *c)
{
	return c->silent_errors + (c->d ? c->d->errors : 0);
}

int kw_in_list(const char *const *list, const char *word)
{
	for (; list && *list; list++)
		if (!strcmp(*list, word))
			return 1;
	return 0;
}

static unsigned lev(const char *a, const char *b)
{
	unsigned row[64], i, j, la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			diag = tmp;
		}
	}
	return row[lb];
}

static void nearest_in(const char *word, const char *name, const char **best, unsigned *bd)
{
	unsigned d = lev(word, name);

	/* a distance of 2 on a 3-letter word is another word, not a typo */
	if (d < *bd && d <= 2 && d * 2 <= strlen(name)) {
		*bd = d;
		*best = name;
	}
}

const char *kw_nearest(const struct kw_block *b, const char *word)
{
	const char *best = NULL;
	const char *const *l;
	const struct kw *k;
	unsigned bd = 3;

	for (k = b->kws; k && k->name; k++)
		nearest_in(word, k->name, &best, &bd);
	for (k = b->kws2; k && k->name; k++)
		nearest_in(word, k->name, &best, &bd);
	for (l = b->ignored; l && *l; l++)
		nearest_in(word, *l, &best, &bd);
	return best;
}

int kw_retired_warn(struct kw_ctx *c, const struct kw_block *b, const struct token *t)
{
	const struct kw_retired *r = kw_retired_ignored(b, t->text);

	if (!r)
		return 0;
	kw_warn(c, t, "keyword '%s' is ignored by fulcrum: %s (%s; %s%s)", t->text, r->what,
		r->change, r->instead ? "use " : "nothing replaced it",
		r->instead ? r->instead : "");
	return 1;
}

static const struct kw *find_kw(const struct kw_block *b, const char *name)
{
	const struct kw *k;

	for (k = b->kws; k && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	for (k = b->kws2; k && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

/* ctx->pos is after a '{' opened by `open`: skip to after its '}'. */
static void skip_block(struct kw_ctx *c, const struct token *open)
{
	unsigned level = 1;

	while (c->pos < c->ntok) {
		enum tok_type ty = c->tok[c->pos++].type;

		if (ty == TOK_LBRACE)
			level++;
		else if (ty == TOK_RBRACE && --level == 0)
			return;
	}
	kw_error(c, open, "'{' opened here is never closed (missing '}' for '%s')", open->text);
}

/* Read the statement at ctx->pos; leaves pos after its args (and '{'). */
static void read_stmt(struct kw_ctx *c, struct kw_stmt *st)
{
	memset(st, 0, sizeof(*st));
	st->kw = &c->tok[c->pos++];
	st->args = &c->tok[c->pos];
	while (c->pos < c->ntok && !c->tok[c->pos].bol &&
	       (c->tok[c->pos].type == TOK_WORD || c->tok[c->pos].type == TOK_STRING)) {
		st->argc++;
		c->pos++;
	}
	if (c->pos < c->ntok && c->tok[c->pos].type == TOK_LBRACE) {
		st->has_block = 1;
		c->pos++;
	}
}

/* fn, or the generic parser of k's slot when fn is NULL. */
static void run_parser(struct kw_ctx *c, kw_parse_fn fn, const struct kw *k, void *obj,
		       const struct kw_stmt *st)
{
	char err[ERRLEN];
	int rc;

	err[0] = 0;
	c->body_done = 0;
	rc = fn ? fn(c, obj, st, err, sizeof(err)) : kw_slot_set(c, obj, k, st, err, sizeof(err));
	if (rc < 0 && err[0])
		kw_error(c, st->kw, "%s", err);
	if (st->has_block && !c->body_done)
		skip_block(c, st->kw);
	c->body_done = 0;
}

/* One statement in block b; returns 0 normally, 1 at the block's '}'. */
static int walk_one(struct kw_ctx *c, const struct kw_block *b, void *obj)
{
	const struct token *t = &c->tok[c->pos];
	const struct kw *k;
	struct kw_stmt st;
	const char *near;

	if (t->type == TOK_RBRACE)
		return 1;
	if (t->type == TOK_LBRACE) {
		kw_error(c, t, "'{' without a keyword before it");
		c->pos++;
		skip_block(c, t);
		return 0;
	}
	read_stmt(c, &st);
	k = find_kw(b, t->text);
	if (!k) {
		if (b->other) {
			run_parser(c, b->other, NULL, obj, &st);
		} else if (kw_in_list(b->ignored, t->text)) {
			kw_warn(c, t, "keyword '%s' is ignored by fulcrum", t->text);
			if (st.has_block)
				skip_block(c, t);
		} else if (kw_retired_warn(c, b, t)) {
			if (st.has_block)
				skip_block(c, t);
		} else {
			near = kw_nearest(b, t->text);
			if (near)
				kw_error(c, t, "unknown keyword '%s' in %s (did you mean '%s'?)",
					 t->text, b->name, near);
			else
				kw_error(c, t, "unknown keyword '%s' in %s", t->text, b->name);
			if (st.has_block)
				skip_block(c, t);
		}
		return 0;
	}
	if (st.argc < k->min_args || (k->max_args != KW_ANY && st.argc > k->max_args)) {
		if (k->min_args == k->max_args)
			kw_error(c, t, "'%s' takes %u argument%s, not %u", k->name, k->min_args,
				 k->min_args == 1 ? "" : "s", st.argc);
		else if (st.argc < k->min_args)
			kw_error(c, t, "'%s' needs at least %u argument%s", k->name, k->min_args,
				 k->min_args == 1 ? "" : "s");
		else
			kw_error(c, t, "'%s' takes at most %u argument%s, not %u", k->name,
				 k->max_args, k->max_args == 1 ? "" : "s", st.argc);
		if (st.has_block)
			skip_block(c, t);
		return 0;
	}
	if (k->block == KW_NOBLOCK && st.has_block) {
		kw_error(c, t, "'%s' takes no { block }", k->name);
		skip_block(c, t);
		return 0;
	}
	if (k->block == KW_NEEDBLOCK && !st.has_block) {
		kw_error(c, t, "'%s' needs a { block }", k->name);
		return 0;
	}
	run_parser(c, k->parse, k, obj, &st);
	return 0;
}

void kw_walk_top(struct kw_ctx *c, const struct kw_block *b, void *obj)
{
	while (c->pos < c->ntok) {
		if (walk_one(c, b, obj)) {
			kw_error(c, &c->tok[c->pos], "'}' without a matching '{'");
			c->pos++;
		}
	}
}

void kw_body(struct kw_ctx *c, const struct kw_block *b, void *obj, const struct token *open)
{
	if (c->depth >= KW_MAX_DEPTH) {
		kw_error(c, open, "blocks nested deeper than %d", KW_MAX_DEPTH);
		skip_block(c, open);
		c->body_done = 1;
		return;
	}
	c->depth++;
	for (;;) {
		if (c->pos >= c->ntok) {
			kw_error(c, open, "'{' opened here is never closed (missing '}' for '%s')",
				 open->text);
			break;
		}
		if (walk_one(c, b, obj)) {
			c->pos++;
			break;
		}
	}
	c->depth--;
	c->body_done = 1;
}

static const char *arg(const struct kw_stmt *st, unsigned i)
{
	return i < st->argc ? st->args[i].text : "";
}

int kw_uint(const struct kw_stmt *st, unsigned i, unsigned min, unsigned max, unsigned *out,
	    char *err, size_t errlen)
{
	const char *s = arg(st, i);
	unsigned long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (unsigned)v;
	return 0;
bad:
	return err_set(err, errlen, "%s: '%s' is not a number in %u..%u", st->kw->text, s, min,
		       max);
}

int kw_secs_ms(const struct kw_stmt *st, unsigned i, unsigned max_ms, unsigned *out, char *err,
	       size_t errlen)
{
	const char *s = arg(st, i);
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v * 1000.0 > (double)max_ms)
		goto bad;
	*out = (unsigned)(v * 1000.0 + 0.5);
	return 0;
bad:
	return err_set(err, errlen, "%s: '%s' is not a number of seconds (0..%u)", st->kw->text, s,
		       max_ms / 1000);
}

int kw_secs_nonzero(struct kw_ctx *c, const struct kw_stmt *st, unsigned max_ms, unsigned *out,
		    const char *fallback, char *err, size_t errlen)
{
	unsigned v;

	if (kw_secs_ms(st, 0, max_ms, &v, err, errlen) < 0)
		return -1;
	if (!v) {
		kw_warn(c, st->kw, "%s %s is ignored, as keepalived does: %s applies", st->kw->text,
			st->args[0].text, fallback);
		return 0;
	}
	*out = v;
	return 0;
}

int kw_bool(const struct kw_stmt *st, unsigned i, int *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"on", "true", "yes", NULL};
	static const char *const no[] = {"off", "false", "no", NULL};
	const char *s = arg(st, i);

	if (i >= st->argc || kw_in_list(yes, s)) {
		*out = 1;
		return 0;
	}
	if (kw_in_list(no, s)) {
		*out = 0;
		return 0;
	}
	return err_set(err, errlen, "%s: '%s' is not on|off|true|false|yes|no", st->kw->text, s);
}

int kw_str(const struct kw_stmt *st, unsigned i, char **dst, char *err, size_t errlen)
{
	char *s = strdup(arg(st, i));

	if (!s)
		return err_set(err, errlen, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

int kw_ip(const struct kw_stmt *st, unsigned i, struct fc_addr *a, char *err, size_t errlen)
{
	char e[ERRLEN];

	if (addr_parse_ip(arg(st, i), a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "%s: %s", st->kw->text, e);
	return 0;
}

int kw_port(const struct kw_stmt *st, unsigned i, uint16_t *port, char *err, size_t errlen)
{
	char e[ERRLEN];

	if (addr_parse_port(arg(st, i), port, 0, e, sizeof(e)) < 0)
		return err_set(err, errlen, "%s: %s", st->kw->text, e);
	return 0;
}

int kw_ifname(const char *kw, const char *s, char *dst, size_t dstlen, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (!n || n >= IF_NAMESIZE || n >= dstlen)
		return err_set(err, errlen, "%s: '%s' is not an interface name (1..%d characters)",
			       kw, s, IF_NAMESIZE - 1);
	memcpy(dst, s, n + 1);
	return 0;
}

int kw_script(struct kw_ctx *c, const struct kw_stmt *st, char **dst, char *err, size_t errlen)
{
	if (st->argc > 1)
		kw_warn(c, st->kw, "%s: the user/group to run the script as is ignored by fulcrum",
			st->kw->text);
	return kw_str(st, 0, dst, err, errlen);
}

int kw_enum(const struct kw_stmt *st, unsigned i, const struct kw_enum *names, int *out, char *err,
	    size_t errlen)
{
	const char *s = arg(st, i), *sep;
	const struct kw_enum *e;
	unsigned shown = 0, k;
	size_t n;
	int len;

	for (e = names; e->name; e++) {
		if (!strcasecmp(e->name, s)) {
			*out = e->value;
			return 0;
		}
		shown += !e->hidden;
	}
	/* "kw: 'x' is not A, B or C" */
	len = snprintf(err, errlen, "%s: '%s' is not ", st->kw->text, s);
	for (e = names, k = 0; e->name && len >= 0 && (size_t)len < errlen; e++) {
		if (e->hidden)
			continue;
		k++;
		sep = k == 1 ? "" : k == shown ? " or " : ", ";
		n = (size_t)len;
		len += snprintf(err + n, errlen - n, "%s%s", sep, e->name);
	}
	return -1;
}
