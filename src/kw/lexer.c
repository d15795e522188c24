#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kw/lexer.h"

void conf_report(struct conf_diag *d, int severity, const char *file, int line, const char *fmt,
		 ...)
{
	char msg[1024], out[1200];
	va_list ap;

	if (!d)
		return;
	if (severity == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (!d->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(out, sizeof(out), "%s:%d: %s", file, line, msg);
	else
		snprintf(out, sizeof(out), "%s: %s", file, msg);
	d->fn(d->ctx, severity, out);
}

void lexer_init(struct lexer *lx, struct conf_diag *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->d = d;
#ifdef FC_FUZZ
	lx->no_include = 1;
#endif
}

void lexer_free(struct lexer *lx)
{
	size_t i;

	for (i = 0; i < lx->ntok; i++)
		free(lx->tok[i].text);
	free(lx->tok);
	for (i = 0; i < lx->nfiles; i++)
		free(lx->files[i]);
	free(lx->files);
	for (i = 0; i < lx->nparams; i++) {
		free(lx->params[i].name);
		free(lx->params[i].value);
	}
	for (i = 0; i < lx->depth; i++)
		free(lx->stack[i]);
	memset(lx, 0, sizeof(*lx));
}

static const char *intern(struct lexer *lx, const char *name)
{
	char **f;
	unsigned i;

	for (i = 0; i < lx->nfiles; i++)
		if (!strcmp(lx->files[i], name))
			return lx->files[i];
	f = realloc(lx->files, (lx->nfiles + 1) * sizeof(*f));
	if (!f)
		return "?";
	lx->files = f;
	f[lx->nfiles] = strdup(name);
	if (!f[lx->nfiles])
		return "?";
	return f[lx->nfiles++];
}

/* Where a line is: every helper below reports against it. */
struct lex_pos {
	const char *file; /* interned */
	int line;
	const char *dir; /* directory includes are relative to */
};

#define lex_err(lx, p, ...)  conf_report((lx)->d, DIAG_ERROR, (p)->file, (p)->line, __VA_ARGS__)
#define lex_warn(lx, p, ...) conf_report((lx)->d, DIAG_WARNING, (p)->file, (p)->line, __VA_ARGS__)

static int push_token(struct lexer *lx, const struct lex_pos *p, enum tok_type type, int bol,
		      const char *s, size_t n)
{
	struct token *t;

	if (lx->ntok >= LEX_MAX_TOKENS) {
		if (!lx->too_many)
			lex_err(lx, p, "configuration has more than %u tokens", LEX_MAX_TOKENS);
		lx->too_many = 1;
		return -1;
	}
	if (lx->ntok == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 256;

		t = realloc(lx->tok, cap * sizeof(*t));
		if (!t) {
			lex_err(lx, p, "out of memory");
			return -1;
		}
		lx->tok = t;
		lx->cap = cap;
	}
	t = &lx->tok[lx->ntok];
	t->text = strndup(s, n);
	if (!t->text) {
		lex_err(lx, p, "out of memory");
		return -1;
	}
	t->type = type;
	t->bol = bol;
	t->line = p->line;
	t->file = p->file;
	lx->ntok++;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static struct lex_param *find_param(struct lexer *lx, const char *name, size_t n)
{
	unsigned i;

	for (i = 0; i < lx->nparams; i++)
		if (strlen(lx->params[i].name) == n && !memcmp(lx->params[i].name, name, n))
			return &lx->params[i];
	return NULL;
}

static void define_param(struct lexer *lx, const struct lex_pos *p, const char *name, size_t n,
			 const char *val, size_t vn)
{
	struct lex_param *lp = find_param(lx, name, n);
	char *v;

	while (vn && is_space(val[vn - 1]))
		vn--;
	v = strndup(val, vn);
	if (!v) {
		lex_err(lx, p, "out of memory");
		return;
	}
	if (lp) {
		free(lp->value);
		lp->value = v;
		return;
	}
	if (lx->nparams == LEX_MAX_PARAMS) {
		free(v);
		lex_err(lx, p, "more than %u parameter definitions ($NAME=value)", LEX_MAX_PARAMS);
		return;
	}
	lp = &lx->params[lx->nparams];
	lp->name = strndup(name, n);
	if (!lp->name) {
		free(v);
		lex_err(lx, p, "out of memory");
		return;
	}
	lp->value = v;
	lx->nparams++;
}

/* One substitution pass over s[0..n): $NAME followed by a blank or the end,
 * or ${NAME}; undefined names stay as written (keepalived's rule).  Returns
 * a new string (NUL-terminated, length in *outn) or NULL if nothing was
 * replaced or the result would be too long (*toolong set). */
static char *subst_once(struct lexer *lx, const char *s, size_t n, size_t *outn, int *toolong)
{
	char *out = NULL;
	size_t len = 0, i = 0;
	int changed = 0;

	out = malloc(LEX_MAX_SUBST + 1);
	if (!out)
		return NULL;
	while (i < n) {
		struct lex_param *lp = NULL;
		size_t skip = 0;

		if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
			size_t j = i + 2;

			while (j < n && is_name_char(s[j]))
				j++;
			if (j < n && s[j] == '}' && j > i + 2 && is_name_start(s[i + 2])) {
				lp = find_param(lx, s + i + 2, j - i - 2);
				skip = j + 1 - i;
			}
		} else if (s[i] == '$' && i + 1 < n && is_name_start(s[i + 1])) {
			size_t j = i + 1;

			while (j < n && is_name_char(s[j]))
				j++;
			if (j == n || is_space(s[j]) || s[j] == '\n') {
				lp = find_param(lx, s + i + 1, j - i - 1);
				skip = j - i;
			}
		}
		if (lp) {
			size_t vl = strlen(lp->value);

			if (len + vl > LEX_MAX_SUBST)
				goto too_long;
			memcpy(out + len, lp->value, vl);
			len += vl;
			i += skip;
			changed = 1;
			continue;
		}
		if (len + 1 > LEX_MAX_SUBST)
			goto too_long;
		out[len++] = s[i++];
	}
	out[len] = 0;
	if (!changed) {
		free(out);
		return NULL;
	}
	*outn = len;
	return out;
too_long:
	*toolong = 1;
	free(out);
	return NULL;
}

static void lex_file(struct lexer *lx, const char *path, const struct lex_pos *from);

static int has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

/* include and keepalived 2.2's variants, which add include_check tests:
 * r = readable, m = a plain name must match, w = a pattern must match too,
 * b = brace expansions must match, a = all.  What a pattern or a name that
 * matches nothing gives: */
enum inc_nomatch {
	INC_WARN,	/* a warning */
	INC_ERR_PLAIN,	/* an error for a plain name, a warning for a pattern */
	INC_ERR_ALWAYS, /* an error */
};

static const struct {
	const char *kw;
	enum inc_nomatch nomatch;
} inc_kinds[] = {
    {"include", INC_ERR_PLAIN}, /* fulcrum's own rule (keepalived: never an error) */
    {"includer", INC_WARN},	  {"includem", INC_ERR_PLAIN},	{"includeb", INC_ERR_PLAIN},
    {"includew", INC_ERR_ALWAYS}, {"includea", INC_ERR_ALWAYS},
};

/* The include keyword `w` is, or -1. */
static int include_kind(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(inc_kinds) / sizeof(inc_kinds[0]); i++)
		if (!strcmp(inc_kinds[i].kw, w))
			return (int)i;
	return -1;
}

static void do_include(struct lexer *lx, const struct lex_pos *p, const char *pattern,
		       enum inc_nomatch nomatch)
{
	char path[PATH_MAX];
	glob_t g;
	size_t i;
	int r;

	if (lx->no_include) {
		lex_err(lx, p, "include is disabled in this build");
		return;
	}
	if (lx->depth >= LEX_MAX_INCLUDE_DEPTH) {
		lex_err(lx, p, "include '%s': includes nested deeper than %d", pattern,
			LEX_MAX_INCLUDE_DEPTH);
		return;
	}
	if (pattern[0] == '/' || !p->dir)
		r = snprintf(path, sizeof(path), "%s", pattern);
	else
		r = snprintf(path, sizeof(path), "%s/%s", p->dir, pattern);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		lex_err(lx, p, "include '%s': path too long", pattern);
		return;
	}
	r = glob(path, GLOB_BRACE | GLOB_ERR, NULL, &g);
	if (r == GLOB_NOMATCH) {
		/* An empty conf.d/ is normal; a named file that is missing is not. */
		if (nomatch == INC_WARN || (nomatch == INC_ERR_PLAIN && has_glob_chars(pattern)))
			lex_warn(lx, p, "include '%s' matches no file", pattern);
		else if (has_glob_chars(pattern))
			lex_err(lx, p, "include '%s' matches no file", pattern);
		else
			lex_err(lx, p, "include '%s': no such file", pattern);
		return;
	}
	if (r) {
		lex_err(lx, p, "include '%s': cannot read the directory", pattern);
		globfree(&g);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		lex_file(lx, g.gl_pathv[i], p);
	globfree(&g);
}

/* Split a line into tokens; the first one is marked bol.  `include` as the
 * first word is handled here: its arguments are patterns, not tokens. */
static void drop_from(struct lexer *lx, size_t first)
{
	while (lx->ntok > first)
		free(lx->tok[--lx->ntok].text);
}

static void tokenize(struct lexer *lx, const struct lex_pos *p, const char *s, size_t n)
{
	size_t i = 0, first = lx->ntok;
	int bol = 1, kind;

	while (i < n) {
		size_t start;

		if (is_space(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#' || s[i] == '!')
			break;
		if (s[i] == '{' || s[i] == '}') {
			if (push_token(lx, p, s[i] == '{' ? TOK_LBRACE : TOK_RBRACE, bol, s + i, 1))
				return;
			bol = 0;
			i++;
			continue;
		}
		if (s[i] == '"') {
			char buf[LEX_MAX_TOKEN + 1];
			size_t len = 0;

			i++;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < n && s[i + 1] == '"')
					i++;
				if (len == LEX_MAX_TOKEN) {
					lex_err(lx, p, "quoted string longer than %d characters",
						LEX_MAX_TOKEN);
					drop_from(lx, first);
					return;
				}
				buf[len++] = s[i++];
			}
			if (i >= n) {
				lex_err(lx, p, "unterminated quoted string");
				drop_from(lx, first); /* the line is dropped whole: no cascade */
				return;
			}
			i++;
			if (push_token(lx, p, TOK_STRING, bol, buf, len))
				return;
			bol = 0;
			continue;
		}
		start = i;
		while (i < n && !is_space(s[i]) && !strchr("{}\"#!", s[i]))
			i++;
		if (i - start > LEX_MAX_TOKEN) {
			lex_err(lx, p, "word longer than %d characters", LEX_MAX_TOKEN);
			drop_from(lx, first);
			return;
		}
		if (push_token(lx, p, TOK_WORD, bol, s + start, i - start))
			return;
		bol = 0;
	}
	if (lx->ntok > first && lx->tok[first].type == TOK_WORD &&
	    (kind = include_kind(lx->tok[first].text)) >= 0) {
		size_t k, npat = lx->ntok - first - 1;
		char **pat = calloc(npat ? npat : 1, sizeof(*pat));

		/* take the tokens back, then read the files they name */
		for (k = 0; k < npat; k++) {
			if (pat)
				pat[k] = lx->tok[first + 1 + k].text;
			else
				free(lx->tok[first + 1 + k].text);
		}
		free(lx->tok[first].text);
		lx->ntok = first;
		if (!npat)
			lex_err(lx, p, "include needs a file name or pattern");
		for (k = 0; pat && k < npat; k++) {
			do_include(lx, p, pat[k], inc_kinds[kind].nomatch);
			free(pat[k]);
		}
		free(pat);
	}
}

/* One logical line: conditional prefix, definition, substitution, tokens. */
static void lex_line(struct lexer *lx, const struct lex_pos *p, const char *s, size_t n, int depth)
{
	size_t i = 0;

	while (i < n && is_space(s[i]))
		i++;
	if (i < n && s[i] == '@') {
		int neg = i + 1 < n && s[i + 1] == '^';

		while (i < n && !is_space(s[i]))
			i++;
		if (!neg) {
			/* no config-id: "@name" never matches */
			if (!lx->cond_warned)
				lex_warn(lx, p,
					 "conditional line (@NAME) skipped: fulcrum has no "
					 "config-id, so only @^NAME lines apply");
			lx->cond_warned = 1;
			return;
		}
		while (i < n && is_space(s[i]))
			i++;
	}
	if (i + 1 < n && s[i] == '$' && is_name_start(s[i + 1])) {
		size_t j = i + 1;

		while (j < n && is_name_char(s[j]))
			j++;
		if (j < n && s[j] == '=') {
			define_param(lx, p, s + i + 1, j - i - 1, s + j + 1, n - j - 1);
			return;
		}
	}
	if (lx->nparams && memchr(s + i, '$', n - i)) {
		size_t on = 0, start;
		int toolong = 0;
		char *o = subst_once(lx, s + i, n - i, &on, &toolong);

		if (toolong) {
			lex_err(lx, p, "line too long after $parameter substitution");
			return;
		}
		if (o) {
			if (depth >= 8) {
				lex_err(lx, p, "$parameter substitution nested too deeply");
				free(o);
				return;
			}
			/* a multi-line value gives several lines, all at this line number */
			for (start = 0; start <= on;) {
				const char *nl = memchr(o + start, '\n', on - start);
				size_t end = nl ? (size_t)(nl - o) : on;

				lex_line(lx, p, o + start, end - start, depth + 1);
				start = end + 1;
			}
			free(o);
			return;
		}
	}
	tokenize(lx, p, s + i, n - i);
}

/* Whether the physical line s[0..n) ends with a backslash (continuation of
 * a multi-line $NAME= definition); *n is trimmed before it. */
static int continues(const char *s, size_t *n)
{
	size_t k = *n;

	while (k && is_space(s[k - 1]))
		k--;
	if (k && s[k - 1] == '\\') {
		*n = k - 1;
		return 1;
	}
	return 0;
}

static int is_definition(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_space(s[i]))
		i++;
	if (i < n && s[i] == '@') {
		while (i < n && !is_space(s[i]))
			i++;
		while (i < n && is_space(s[i]))
			i++;
	}
	if (i + 1 >= n || s[i] != '$' || !is_name_start(s[i + 1]))
		return 0;
	for (i++; i < n && is_name_char(s[i]); i++)
		;
	return i < n && s[i] == '=';
}

static void lex_buffer(struct lexer *lx, const char *file, const char *dir, const char *buf,
		       size_t len)
{
	struct lex_pos p = {.file = file, .line = 0, .dir = dir};
	size_t off = 0;

	if (memchr(buf, 0, len)) {
		p.line = 1;
		lex_err(lx, &p, "file contains a NUL byte (not a text file)");
		return;
	}
	while (off < len && !lx->too_many) {
		const char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;

		p.line++;
		off += n + (nl ? 1 : 0);
		if (is_definition(s, n) && continues(s, &n)) {
			/* $NAME= \ ... : join the following lines with '\n' */
			char *j = strndup(s, n);
			size_t jl = n;
			int line0 = p.line, last, more = 1;

			while (j && more && off < len) {
				const char *t = buf + off, *tn = memchr(t, '\n', len - off);
				size_t m = tn ? (size_t)(tn - t) : len - off;
				char *g;

				off += m + (tn ? 1 : 0);
				p.line++;
				more = continues(t, &m);
				if (jl + 1 + m > LEX_MAX_SUBST) {
					free(j);
					j = NULL;
					break;
				}
				g = realloc(j, jl + m + 2);
				if (!g) {
					free(j);
					j = NULL;
					break;
				}
				j = g;
				j[jl++] = '\n';
				memcpy(j + jl, t, m);
				jl += m;
				j[jl] = 0;
			}
			if (!j) {
				lex_err(lx, &p, "multi-line $parameter definition too long");
				continue;
			}
			last = p.line;
			p.line = line0;
			lex_line(lx, &p, j, jl, 0);
			p.line = last;
			free(j);
			continue;
		}
		lex_line(lx, &p, s, n, 0);
	}
}

/* Read a whole regular file of at most LEX_MAX_FILE bytes. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > (off_t)LEX_MAX_FILE) {
		snprintf(err, errlen, "'%s' is larger than %u MiB", path, LEX_MAX_FILE >> 20);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory reading '%s'", path);
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* from: the include line, or NULL for the main file. */
static void lex_file(struct lexer *lx, const char *path, const struct lex_pos *from)
{
	char err[512], *real, *buf, *dir, *slash;
	const char *name;
	size_t len = 0;
	unsigned i;

	real = realpath(path, NULL);
	if (!real) {
		if (from)
			lex_err(lx, from, "include '%s': %s", path, strerror(errno));
		else
			conf_report(lx->d, DIAG_ERROR, path, 0, "cannot open: %s", strerror(errno));
		return;
	}
	for (i = 0; i < lx->depth; i++) {
		if (!strcmp(lx->stack[i], real)) {
			lex_err(lx, from, "include '%s': the file includes itself (include loop)",
				path);
			free(real);
			return;
		}
	}
	buf = slurp(path, &len, err, sizeof(err));
	if (!buf) {
		if (from)
			lex_err(lx, from, "include: %s", err);
		else
			conf_report(lx->d, DIAG_ERROR, path, 0, "%s", err);
		free(real);
		return;
	}
	if (lx->total + len > LEX_MAX_TOTAL) {
		if (from)
			lex_err(lx, from, "include '%s': configuration larger than %u MiB in all",
				path, LEX_MAX_TOTAL >> 20);
		free(buf);
		free(real);
		return;
	}
	lx->total += len;
	dir = strdup(path);
	if (!dir) {
		free(buf);
		free(real);
		return;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	name = intern(lx, path);
	lx->stack[lx->depth++] = real;
	lex_buffer(lx, name, dir, buf, len);
	lx->depth--;
	free(lx->stack[lx->depth]);
	lx->stack[lx->depth] = NULL;
	free(dir);
	free(buf);
}

void lexer_read_file(struct lexer *lx, const char *path)
{
	lex_file(lx, path, NULL);
}

void lexer_read_string(struct lexer *lx, const char *name, const char *text, size_t len)
{
	if (len > LEX_MAX_FILE) {
		conf_report(lx->d, DIAG_ERROR, name, 0, "larger than %u MiB", LEX_MAX_FILE >> 20);
		return;
	}
	lx->total += len;
	lex_buffer(lx, intern(lx, name), ".", text, len);
}
