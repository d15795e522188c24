/* haproxy.cfg's language below the keywords (haproxy.h): how a line is cut
 * into words, the conditional blocks, and the units of times and sizes --
 * as haproxy 2.6 reads them (configuration.txt 2.2 to 2.5). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"

/* ---- words ---- */

struct hp_out {
	char *buf;
	size_t len, cap;
};

static int out_put(struct hp_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap)
		return -1;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* ${NAME} or ${NAME-default} at line[*i] ('$'); appends the value. */
static int expand_env(const char *line, size_t n, size_t *i, struct hp_out *o, char *err,
		      size_t errlen)
{
	size_t p = *i + 2, name0 = p, name_len, dflt0 = 0, dflt_len = 0;
	char name[256];
	const char *v;
	int has_dflt = 0;

	while (p < n && (isalnum((unsigned char)line[p]) || line[p] == '_'))
		p++;
	name_len = p - name0;
	if (p < n && line[p] == '-') {
		has_dflt = 1;
		dflt0 = ++p;
		while (p < n && line[p] != '}')
			p++;
		dflt_len = p - dflt0;
	}
	if (p >= n || line[p] != '}')
		return err_set(err, errlen, "'${' without its closing '}'");
	if (!name_len || name_len >= sizeof(name))
		return err_set(err, errlen, "'${%.*s}': not a variable name", (int)(p - name0),
			       line + name0);
	memcpy(name, line + name0, name_len);
	name[name_len] = 0;
	v = getenv(name);
	if (v) {
		if (out_put(o, v, strlen(v)) < 0)
			return err_set(err, errlen, "line longer than %u bytes once ${%s} is expanded",
				       HP_MAX_LINE, name);
	} else if (has_dflt && out_put(o, line + dflt0, dflt_len) < 0) {
		return err_set(err, errlen, "line too long");
	}
	*i = p + 1;
	return 0;
}

/* A backslash at line[*i]: what it stands for appended. */
static int escape(const char *line, size_t n, size_t *i, struct hp_out *o)
{
	size_t p = *i + 1;
	char c;

	if (p >= n)
		return out_put(o, "\\", 1) < 0 ? -1 : (*i = p, 0);
	c = line[p];
	if (c == 'x' && p + 2 < n && hexval(line[p + 1]) >= 0 && hexval(line[p + 2]) >= 0) {
		char b = (char)(hexval(line[p + 1]) * 16 + hexval(line[p + 2]));

		*i = p + 3;
		return out_put(o, &b, 1);
	}
	*i = p + 1;
	switch (c) {
	case 'r':
		return out_put(o, "\r", 1);
	case 'n':
		return out_put(o, "\n", 1);
	case 't':
		return out_put(o, "\t", 1);
	case ' ': case '#': case '\\': case '"': case '\'': case '$':
		return out_put(o, &c, 1);
	default: /* unknown: kept as written */
		return out_put(o, line + p - 1, 2);
	}
}

int hp_split(const char *line, size_t n, struct hp_words *w, char *err, size_t errlen)
{
	struct hp_out o = {0};
	size_t i = 0;

	memset(w, 0, sizeof(*w));
	if (n > HP_MAX_LINE)
		return err_set(err, errlen, "line longer than %u bytes", HP_MAX_LINE);
	o.cap = HP_MAX_LINE + HP_MAX_ARGS + 1;
	o.buf = malloc(o.cap);
	if (!o.buf)
		return err_set(err, errlen, "out of memory");
	w->buf = o.buf;
	for (;;) {
		size_t start;
		int dq = 0, sq = 0, quoted = 0;

		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= n || line[i] == '#')
			break;
		start = o.len;
		while (i < n) {
			char c = line[i];

			if (!dq && !sq && (c == ' ' || c == '\t' || c == '\r' || c == '#'))
				break;
			if (c == '"' && !sq) {
				dq = !dq;
				quoted = 1;
				i++;
			} else if (c == '\'' && !dq) {
				sq = !sq;
				quoted = 1;
				i++;
			} else if (c == '\\' && !sq) {
				if (escape(line, n, &i, &o) < 0)
					goto toolong;
			} else if (c == '$' && !sq && i + 1 < n && line[i + 1] == '{') {
				if (expand_env(line, n, &i, &o, err, errlen) < 0)
					goto fail;
			} else if (c == 0) {
				err_set(err, errlen, "a NUL byte in the line");
				goto fail;
			} else {
				if (out_put(&o, &c, 1) < 0)
					goto toolong;
				i++;
			}
		}
		if (dq || sq) {
			err_set(err, errlen, "unterminated %s quote", dq ? "double" : "single");
			goto fail;
		}
		if (o.len == start && !quoted)
			continue; /* an unquoted ${VAR} that is empty: no word */
		if (w->n == HP_MAX_ARGS) {
			err_set(err, errlen, "more than %u words on a line", HP_MAX_ARGS);
			goto fail;
		}
		o.buf[o.len++] = 0;
		w->args[w->n++] = o.buf + start;
	}
	/* args point into buf: fixed once every word is in (no realloc) */
	w->args[w->n] = NULL;
	return 0;
toolong:
	err_set(err, errlen, "line longer than %u bytes", HP_MAX_LINE);
fail:
	hp_words_free(w);
	return -1;
}

void hp_words_free(struct hp_words *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* ---- conditions (.if) ---- */

struct hp_expr {
	const char *p;
	char err[ERRLEN];
};

static void skip_ws(struct hp_expr *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

/* "2.6.1" against "2.6": <0, 0, >0 as strcmp. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		else if (*a)
			return 0;
		if (*b == '.')
			b++;
		else if (*b)
			return 0;
	}
	return 0;
}

/* The arguments of a predicate: "(a,b)" into args (at most 2). */
static int pred_args(struct hp_expr *e, char args[2][256], int *nargs)
{
	const char *close = strchr(e->p, ')');
	const char *s = e->p + 1, *comma;
	int i = 0;

	if (!close) {
		snprintf(e->err, sizeof(e->err), "missing ')'");
		return -1;
	}
	while (s <= close && i < 2) {
		size_t len;

		comma = memchr(s, ',', (size_t)(close - s));
		len = (size_t)((comma ? comma : close) - s);
		if (len >= 256) {
			snprintf(e->err, sizeof(e->err), "argument too long");
			return -1;
		}
		memcpy(args[i], s, len);
		args[i][len] = 0;
		i++;
		if (!comma)
			break;
		s = comma + 1;
	}
	*nargs = i;
	e->p = close + 1;
	return 0;
}

static int expr_or(struct hp_expr *e);

static int expr_term(struct hp_expr *e)
{
	static const char *const features[] = {"THREAD", "OPENSSL", NULL};
	char name[64], a[2][256];
	size_t len = 0;
	int nargs = 0, v, i;

	skip_ws(e);
	if (*e->p == '!') {
		e->p++;
		v = expr_term(e);
		return v < 0 ? v : !v;
	}
	if (*e->p == '(') {
		e->p++;
		v = expr_or(e);
		skip_ws(e);
		if (v >= 0 && *e->p != ')') {
			snprintf(e->err, sizeof(e->err), "missing ')'");
			return -1;
		}
		e->p++;
		return v;
	}
	while (e->p[len] && e->p[len] != '(' && e->p[len] != ' ' && e->p[len] != '\t' &&
	       e->p[len] != ')' && e->p[len] != '&' && e->p[len] != '|' && len < sizeof(name) - 1)
		len++;
	memcpy(name, e->p, len);
	name[len] = 0;
	e->p += len;
	if (*e->p != '(') {
		char *end;
		long n;

		if (!len)
			return 0; /* empty: false */
		n = strtol(name, &end, 10);
		if (*end) {
			snprintf(e->err, sizeof(e->err), "'%s' is neither a number nor a predicate",
				 name);
			return -1;
		}
		return n != 0;
	}
	if (pred_args(e, a, &nargs) < 0)
		return -1;
	if (!strcmp(name, "defined") && nargs == 1)
		return getenv(a[0]) != NULL;
	if (!strcmp(name, "feature") && nargs == 1) {
		for (i = 0; features[i]; i++)
			if (!strcmp(features[i], a[0]))
				return 1;
		return 0;
	}
	if (!strcmp(name, "version_atleast") && nargs == 1)
		return version_cmp(HP_COMPAT_VER, a[0]) >= 0;
	if (!strcmp(name, "version_before") && nargs == 1)
		return version_cmp(HP_COMPAT_VER, a[0]) < 0;
	if (!strcmp(name, "streq") && nargs == 2)
		return !strcmp(a[0], a[1]);
	if (!strcmp(name, "strneq") && nargs == 2)
		return !!strcmp(a[0], a[1]);
	if (strcmp(name, "defined") && strcmp(name, "feature") && strcmp(name, "version_atleast") &&
	    strcmp(name, "version_before") && strcmp(name, "streq") && strcmp(name, "strneq"))
		snprintf(e->err, sizeof(e->err),
			 "unknown predicate '%s' (fulcrum knows defined, feature, version_atleast, "
			 "version_before, streq, strneq)",
			 name);
	else
		snprintf(e->err, sizeof(e->err), "%s() takes %d argument%s", name,
			 strncmp(name, "str", 3) ? 1 : 2, strncmp(name, "str", 3) ? "" : "s");
	return -1;
}

static int expr_and(struct hp_expr *e)
{
	int v = expr_term(e), w;

	for (;;) {
		skip_ws(e);
		if (v < 0 || e->p[0] != '&' || e->p[1] != '&')
			return v;
		e->p += 2;
		w = expr_term(e);
		if (w < 0)
			return w;
		v = v && w;
	}
}

static int expr_or(struct hp_expr *e)
{
	int v = expr_and(e), w;

	for (;;) {
		skip_ws(e);
		if (v < 0 || e->p[0] != '|' || e->p[1] != '|')
			return v;
		e->p += 2;
		w = expr_and(e);
		if (w < 0)
			return w;
		v = v || w;
	}
}

/* The words after the directive, joined, evaluated: 1, 0, or -1 reported. */
static int cond_eval(struct hp_read *r, const struct hp_words *w)
{
	char text[4096];
	struct hp_expr e = {.p = text};
	size_t len = 0;
	int i, v;

	text[0] = 0;
	for (i = 1; i < w->n; i++)
		len += (size_t)snprintf(text + len, len < sizeof(text) ? sizeof(text) - len : 0,
					"%s%s", i > 1 ? " " : "", w->args[i]);
	if (len >= sizeof(text)) {
		hp_error(r, "%s: condition too long", w->args[0]);
		return -1;
	}
	if (w->n < 2) {
		hp_error(r, "%s needs a condition", w->args[0]);
		return -1;
	}
	v = expr_or(&e);
	skip_ws(&e);
	if (v >= 0 && *e.p) {
		snprintf(e.err, sizeof(e.err), "unexpected '%s'", e.p);
		v = -1;
	}
	if (v < 0)
		hp_error(r, "%s %s: %s", w->args[0], text, e.err);
	return v;
}

int hp_cond_active(const struct hp_read *r)
{
	return !r->cond.depth || r->cond.lvl[r->cond.depth - 1].active;
}

int hp_directive(struct hp_read *r, const struct hp_words *w)
{
	struct hp_cond *c = &r->cond;
	const char *d = w->args[0];
	int parent = c->depth < 2 || c->lvl[c->depth - 2].active, v, i;
	char msg[1024];
	size_t len = 0;

	if (!strcmp(d, ".if")) {
		if (c->depth == HP_MAX_NEST) {
			hp_error(r, ".if nested deeper than %u", HP_MAX_NEST);
			return 1;
		}
		parent = hp_cond_active(r);
		v = parent ? cond_eval(r, w) : 0;
		c->lvl[c->depth].active = parent && v > 0;
		c->lvl[c->depth].taken = v > 0;
		c->lvl[c->depth].in_else = 0;
		c->lvl[c->depth].line = r->line;
		c->depth++;
		return 1;
	}
	if (!strcmp(d, ".elif") || !strcmp(d, ".else") || !strcmp(d, ".endif")) {
		if (!c->depth) {
			hp_error(r, "'%s' without '.if'", d);
			return 1;
		}
		if (!strcmp(d, ".endif")) {
			c->depth--;
			return 1;
		}
		if (c->lvl[c->depth - 1].in_else) {
			hp_error(r, "'%s' after '.else'", d);
			return 1;
		}
		if (!strcmp(d, ".else")) {
			c->lvl[c->depth - 1].active = parent && !c->lvl[c->depth - 1].taken;
			c->lvl[c->depth - 1].taken = 1;
			c->lvl[c->depth - 1].in_else = 1;
			return 1;
		}
		v = parent && !c->lvl[c->depth - 1].taken ? cond_eval(r, w) : 0;
		c->lvl[c->depth - 1].active = v > 0;
		if (v > 0)
			c->lvl[c->depth - 1].taken = 1;
		return 1;
	}
	if (strcmp(d, ".diag") && strcmp(d, ".notice") && strcmp(d, ".warning") &&
	    strcmp(d, ".alert"))
		return 0;
	if (!hp_cond_active(r) || !strcmp(d, ".diag"))
		return 1; /* .diag shows with haproxy -dD only */
	msg[0] = 0;
	for (i = 1; i < w->n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s", i > 1 ? " " : "",
					w->args[i]);
	if (!strcmp(d, ".alert"))
		hp_error(r, "%s", msg);
	else
		hp_warn(r, "%s", msg);
	return 1;
}

/* ---- numbers and units ---- */

int hp_uint(const char *what, const char *s, unsigned min, unsigned max, unsigned *out, char *err,
	    size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return err_set(err, errlen, "%s: '%s' is not a number", what, s);
	v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return err_set(err, errlen, "%s: '%s' is not a number in %u..%u", what, s, min, max);
	*out = (unsigned)v;
	return 0;
}

int hp_time_ms(const char *s, unsigned *ms, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		unsigned long long num, den; /* ms = v * num / den */
	} units[] = {{"us", 1, 1000}, {"ms", 1, 1}, {"s", 1000, 1}, {"m", 60000, 1},
		     {"h", 3600000, 1}, {"d", 86400000, 1}, {"", 1, 1}};
	unsigned long long v, r;
	char *end;
	unsigned i;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return err_set(err, errlen, "'%s' is not a time (a number with us, ms, s, m, h or d)",
			       s);
	v = strtoull(s, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit))
			break;
	if (i == sizeof(units) / sizeof(units[0]) || errno)
		return err_set(err, errlen, "'%s' is not a time (a number with us, ms, s, m, h or d)",
			       s);
	if (v > 0xffffffffull / units[i].num)
		return err_set(err, errlen, "time '%s' is too large (at most 49 days)", s);
	r = (v * units[i].num + units[i].den - 1) / units[i].den;
	if (r > 0x7fffffffull)
		return err_set(err, errlen, "time '%s' is too large (at most 24 days)", s);
	*ms = (unsigned)r;
	return 0;
}

int hp_size(const char *s, unsigned long long *out, char *err, size_t errlen)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return err_set(err, errlen, "'%s' is not a size (a number with k, m or g)", s);
	v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		mul = 1024ull;
	else if (*end == 'm' || *end == 'M')
		mul = 1024ull * 1024;
	else if (*end == 'g' || *end == 'G')
		mul = 1024ull * 1024 * 1024;
	else if (*end)
		return err_set(err, errlen, "'%s' is not a size (a number with k, m or g)", s);
	if (*end && end[1])
		return err_set(err, errlen, "'%s' is not a size (a number with k, m or g)", s);
	if (errno || v > (1ull << 40) / mul)
		return err_set(err, errlen, "size '%s' is too large", s);
	*out = v * mul;
	return 0;
}
