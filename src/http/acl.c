/* ACLs (haproxy configuration.txt 7.1): a criterion (a sample expression,
 * or one of haproxy's derived keywords such as path_beg = path with
 * -m beg), flags and patterns; matching a transaction against them.
 * Conditions that combine ACLs are in cond.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http/acl.h"
#include "http/auth.h"
#include "http/regex.h"
#include "http/sample.h"

static const char *const pat_match_names[] = {
	[PAT_M_FOUND] = "found", [PAT_M_BOOL] = "bool", [PAT_M_INT] = "int", [PAT_M_IP] = "ip",
	[PAT_M_LEN] = "len",	 [PAT_M_STR] = "str",	[PAT_M_BEG] = "beg", [PAT_M_END] = "end",
	[PAT_M_SUB] = "sub",	 [PAT_M_DIR] = "dir",	[PAT_M_DOM] = "dom", [PAT_M_REG] = "reg",
};

/* The fetches that have haproxy's derived ACL keywords NAME_beg,
 * NAME_end, ... (configuration.txt 7.3.6: path_beg, hdr_dom, ...). */
static const char *const derived_bases[] = {"path", "url", "hdr", "base", "urlp", "shdr", "cook", NULL};

static int match_by_name(const char *s, size_t len, enum pat_match *m)
{
	unsigned i;

	for (i = 0; i < sizeof(pat_match_names) / sizeof(pat_match_names[0]); i++)
		if (pat_match_names[i] && strlen(pat_match_names[i]) == len && !memcmp(pat_match_names[i], s, len)) {
			*m = (enum pat_match)i;
			return 0;
		}
	return -1;
}

static enum pat_match default_match(enum smp_type t)
{
	switch (t) {
	case SMP_T_BOOL:
		return PAT_M_BOOL;
	case SMP_T_SINT:
		return PAT_M_INT;
	case SMP_T_ADDR:
		return PAT_M_IP;
	default:
		return PAT_M_STR;
	}
}

/* The criterion word: a fetch expression, or BASE_SUFFIX(...) rewritten
 * to BASE(...) with the suffix's match. */
static int criterion_parse(struct acl_term *t, const char *word, unsigned use, char *err, size_t errlen)
{
	size_t nlen = strcspn(word, "(,"), blen;
	char text[512];
	unsigned i;

	if (smp_fetch_find(word, nlen)) {
		if (smp_expr_parse(&t->expr, word, strlen(word), use, err, errlen))
			return -1;
		t->match = default_match(t->expr.fetch->out);
		if (t->expr.fetch->fn == smp_fetch_http_auth_group)
			t->match = PAT_M_AUTH; /* its patterns are groups */
		return 0;
	}
	for (i = 0; derived_bases[i]; i++) {
		blen = strlen(derived_bases[i]);
		if (nlen > blen + 1 && !memcmp(word, derived_bases[i], blen) && word[blen] == '_' &&
		    !match_by_name(word + blen + 1, nlen - blen - 1, &t->match) && t->match >= PAT_M_LEN) {
			snprintf(text, sizeof(text), "%s%s", derived_bases[i], word + nlen);
			return smp_expr_parse(&t->expr, text, strlen(text), use, err, errlen);
		}
	}
	return err_set(err, errlen, "unknown fetch method '%.*s' in ACL expression", (int)nlen, word);
}

static int pat_int_parse(struct acl_pat *p, const char *s, const char *op)
{
	char *end;
	const char *colon = strchr(s, ':');

	p->lo = INT64_MIN;
	p->hi = INT64_MAX;
	if (colon && !op) {
		if (colon != s) {
			p->lo = strtoll(s, &end, 10);
			if (end != colon)
				return -1;
		}
		if (colon[1]) {
			p->hi = strtoll(colon + 1, &end, 10);
			if (*end)
				return -1;
		}
		return 0;
	}
	if (!*s)
		return -1;
	errno = 0;
	p->lo = p->hi = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	if (!op || !strcmp(op, "eq"))
		return 0;
	if (!strcmp(op, "ge"))
		p->hi = INT64_MAX;
	else if (!strcmp(op, "gt"))
		p->lo++, p->hi = INT64_MAX;
	else if (!strcmp(op, "le"))
		p->lo = INT64_MIN;
	else if (!strcmp(op, "lt"))
		p->hi--, p->lo = INT64_MIN;
	return 0;
}

static int pat_ip_parse(struct acl_pat *p, const char *s, char *err, size_t errlen)
{
	char ip[64], *slash;
	unsigned max;

	snprintf(ip, sizeof(ip), "%s", s);
	slash = strchr(ip, '/');
	if (slash)
		*slash = 0;
	if (addr_parse_ip(ip, &p->addr, err, errlen))
		return -1;
	max = p->addr.family == AF_INET ? 32 : 128;
	p->prefix = max;
	if (slash) {
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);

		if (*end || !slash[1] || n > max)
			return err_set(err, errlen, "bad network mask in '%s'", s);
		p->prefix = (unsigned)n;
		addr_mask(&p->addr, p->prefix);
	}
	return 0;
}

static int pat_add(struct acl_term *t, const char *s, const char *op, char *err, size_t errlen)
{
	struct acl_pat *np, *p;

	if (t->match == PAT_M_FOUND || t->match == PAT_M_BOOL)
		return err_set(err, errlen, "'-m %s' takes no pattern, got '%s'", pat_match_names[t->match], s);
	np = realloc(t->pats, (t->npats + 1) * sizeof(*np));
	if (!np)
		return err_set(err, errlen, "out of memory");
	t->pats = np;
	p = &np[t->npats];
	memset(p, 0, sizeof(*p));
	switch (t->match) {
	case PAT_M_INT:
	case PAT_M_LEN:
		if (pat_int_parse(p, s, op))
			return err_set(err, errlen, "'%s' is not an integer or a range", s);
		break;
	case PAT_M_IP:
		if (pat_ip_parse(p, s, err, errlen))
			return -1;
		break;
	case PAT_M_REG:
		p->re = http_re_compile(s, t->icase, err, errlen);
		if (!p->re)
			return -1;
		break;
	default:
		p->str = strdup(s);
		if (!p->str)
			return err_set(err, errlen, "out of memory");
		p->len = strlen(s);
		break;
	}
	t->npats++;
	return 0;
}

/* A pattern file is read whole at load; past this it is refused (and
 * /dev/zero cannot hold the reader forever). */
#define PAT_FILE_MAX (64u << 20)

/* -f FILE: one pattern per line; blank lines and '#' comments skipped,
 * surrounding blanks trimmed (haproxy's pat_ref_read_from_file). */
/* One line of a pattern file (NUL-ended, newline included or not). */
static int pat_line(struct acl_term *t, char *p, char *err, size_t errlen)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return *p && *p != '#' ? pat_add(t, p, NULL, err, errlen) : 0;
}

/* Read in blocks, split on newlines: bounded in memory and in length
 * whatever the file is (a line over PAT_LINE_MAX, or more than
 * PAT_FILE_MAX bytes, is refused). */
#define PAT_LINE_MAX 4096

static int pat_file(struct acl_term *t, const char *path, char *err, size_t errlen)
{
	char buf[PAT_LINE_MAX + 1];
	size_t have = 0, total = 0, n;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return err_set(err, errlen, "cannot read pattern file '%s': %s", path, strerror(errno));
	for (;;) {
		char *nl;

		n = fread(buf + have, 1, PAT_LINE_MAX - have, f);
		have += n;
		total += n;
		if (total > PAT_FILE_MAX) {
			ret = err_set(err, errlen, "pattern file '%s' is larger than %u MiB", path, PAT_FILE_MAX >> 20);
			break;
		}
		while (!ret && (nl = memchr(buf, '\n', have))) {
			size_t len = nl + 1 - buf;

			*nl = 0;
			ret = pat_line(t, buf, err, errlen);
			memmove(buf, buf + len, have - len);
			have -= len;
		}
		if (ret)
			break;
		if (!n) { /* end of file: a last line without a newline */
			buf[have] = 0;
			ret = have ? pat_line(t, buf, err, errlen) : 0;
			break;
		}
		if (have == PAT_LINE_MAX) {
			ret = err_set(err, errlen, "pattern file '%s' has a line over %d bytes", path, PAT_LINE_MAX);
			break;
		}
	}
	fclose(f);
	return ret;
}

void acl_term_free(struct acl_term *t)
{
	unsigned i;

	if (!t)
		return;
	smp_expr_free(&t->expr);
	for (i = 0; i < t->npats; i++) {
		free(t->pats[i].str);
		http_re_free(t->pats[i].re);
	}
	free(t->pats);
	free(t);
}

static int is_int_op(const char *s)
{
	return !strcmp(s, "eq") || !strcmp(s, "ge") || !strcmp(s, "gt") || !strcmp(s, "le") || !strcmp(s, "lt");
}

struct acl_term *acl_term_parse(char **args, int nargs, unsigned use, char *err, size_t errlen)
{
	struct acl_term *t;
	const char *files[8], *op = NULL;
	unsigned nfiles = 0, i;
	int a = 1;

	if (nargs < 1)
		return err_set(err, errlen, "missing ACL criterion"), NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return err_set(err, errlen, "out of memory"), NULL;
	if (criterion_parse(t, args[0], use, err, errlen))
		goto fail;
	for (; a < nargs && args[a][0] == '-'; a++) {
		const char *f = args[a];

		if (!strcmp(f, "--")) {
			a++;
			break;
		} else if (!strcmp(f, "-i")) {
			t->icase = 1;
		} else if (!strcmp(f, "-n")) {
			/* no DNS resolution: fulcrum never resolves patterns */
		} else if (!strcmp(f, "-m") || !strcmp(f, "-f")) {
			if (a + 1 >= nargs) {
				err_set(err, errlen, "'%s' expects an argument", f);
				goto fail;
			}
			a++;
			if (f[1] == 'f') {
				if (nfiles == sizeof(files) / sizeof(files[0])) {
					err_set(err, errlen, "too many '-f' files");
					goto fail;
				}
				files[nfiles++] = args[a];
			} else if (match_by_name(args[a], strlen(args[a]), &t->match)) {
				err_set(err, errlen, "unknown match method '%s' after '-m' (found, bool, int, ip, len, str, "
					"beg, end, sub, dir, dom, reg)", args[a]);
				goto fail;
			}
		} else {
			err_set(err, errlen, "unknown ACL flag '%s' (-i, -m, -f, -n, --)", f);
			goto fail;
		}
	}
	for (i = 0; i < nfiles; i++)
		if (pat_file(t, files[i], err, errlen))
			goto fail;
	for (; a < nargs; a++) {
		if ((t->match == PAT_M_INT || t->match == PAT_M_LEN) && is_int_op(args[a])) {
			op = args[a];
			continue;
		}
		if (pat_add(t, args[a], op, err, errlen))
			goto fail;
	}
	return t;
fail:
	acl_term_free(t);
	return NULL;
}

/* pattern found in s delimited (or at an end) by one of `delims` */
static int match_word(const char *s, size_t len, const struct acl_pat *p, int icase, const char *delims)
{
	size_t i;

	if (p->len > len)
		return 0;
	for (i = 0; i + p->len <= len; i++) {
		if (i && !strchr(delims, s[i - 1]))
			continue;
		if ((icase ? strncasecmp(s + i, p->str, p->len) : memcmp(s + i, p->str, p->len)))
			continue;
		if (i + p->len == len || strchr(delims, s[i + p->len]))
			return 1;
	}
	return 0;
}

static int str_eq(const char *a, const char *b, size_t n, int icase)
{
	return icase ? !strncasecmp(a, b, n) : !memcmp(a, b, n);
}

static int pat_match(const struct acl_term *t, const struct acl_pat *p, const struct sample *s)
{
	switch (t->match) {
	case PAT_M_INT:
		return s->sint >= p->lo && s->sint <= p->hi;
	case PAT_M_LEN:
		return (int64_t)s->len >= p->lo && (int64_t)s->len <= p->hi;
	case PAT_M_IP: {
		struct fc_addr a = s->addr;

		if (a.family != p->addr.family)
			return 0;
		addr_mask(&a, p->prefix);
		return addr_ip_equal(&a, &p->addr);
	}
	case PAT_M_STR:
		return s->len == p->len && str_eq(s->str, p->str, p->len, t->icase);
	case PAT_M_BEG:
		return s->len >= p->len && str_eq(s->str, p->str, p->len, t->icase);
	case PAT_M_END:
		return s->len >= p->len && str_eq(s->str + s->len - p->len, p->str, p->len, t->icase);
	case PAT_M_SUB: {
		size_t i;

		for (i = 0; i + p->len <= s->len; i++)
			if (str_eq(s->str + i, p->str, p->len, t->icase))
				return 1;
		return 0;
	}
	case PAT_M_DIR:
		return match_word(s->str, s->len, p, t->icase, "/?");
	case PAT_M_DOM:
		return match_word(s->str, s->len, p, t->icase, "/?.:");
	case PAT_M_REG:
		return http_re_match(p->re, s->str, s->len);
	default:
		return 0;
	}
}

static enum smp_type match_type(enum pat_match m)
{
	switch (m) {
	case PAT_M_BOOL:
		return SMP_T_BOOL;
	case PAT_M_INT:
		return SMP_T_SINT;
	case PAT_M_IP:
		return SMP_T_ADDR;
	default:
		return SMP_T_STR;
	}
}

/* Each value of the sample in turn (every occurrence of a header), at
 * most ACL_MAX_VALUES of them. */
#define ACL_MAX_VALUES 1024

static int term_eval(const struct acl_term *term, struct http_txn *t)
{
	struct smp_ctx c = {.t = t, .multi = 1};
	struct sample s;
	unsigned n, i;

	for (n = 0; n < ACL_MAX_VALUES; n++) {
		if (!smp_eval(&term->expr, &c, &s))
			return 0;
		if (term->match == PAT_M_FOUND)
			return 1;
		if (term->match == PAT_M_AUTH)
			return acl_auth_group_match(term, t, &s);
		if (smp_cast(&s, match_type(term->match))) {
			if (term->match == PAT_M_BOOL && s.sint)
				return 1;
			for (i = 0; i < term->npats; i++)
				if (pat_match(term, &term->pats[i], &s))
					return 1;
		}
		if (!c.more)
			return 0;
	}
	return 0;
}

int acl_eval(const struct acl *acl, struct http_txn *t)
{
	const struct acl_term *term;

	for (term = acl->terms; term; term = term->next)
		if (term_eval(term, t))
			return 1;
	return 0;
}

unsigned acl_use(const struct acl *a)
{
	const struct acl_term *t;
	unsigned use = 0;

	for (t = a->terms; t; t = t->next)
		use |= t->expr.fetch->use;
	return use;
}

void acl_free_list(struct acl *a)
{
	struct acl *next;
	struct acl_term *t, *tn;

	for (; a; a = next) {
		next = a->next;
		for (t = a->terms; t; t = tn) {
			tn = t->next;
			acl_term_free(t);
		}
		free(a->name);
		free(a);
	}
}

/* haproxy configuration.txt 7.4 */
static const struct {
	const char *name, *def;
} acl_predef[] = {
	{"FALSE", "always_false"},
	{"TRUE", "always_true"},
	{"HTTP", "always_true"},
	{"HTTP_1.0", "req.ver 1.0"},
	{"HTTP_1.1", "req.ver 1.1"},
	{"HTTP_2.0", "req.ver 2.0"},
	{"HTTP_CONTENT", "req.hdr_val(content-length) gt 0"},
	{"HTTP_URL_ABS", "url_reg ^[^/:]*://"},
	{"HTTP_URL_SLASH", "url_beg /"},
	{"HTTP_URL_STAR", "url *"},
	{"LOCALHOST", "src 127.0.0.1/8 ::1"},
	{"METH_CONNECT", "method CONNECT"},
	{"METH_DELETE", "method DELETE"},
	{"METH_GET", "method GET HEAD"},
	{"METH_HEAD", "method HEAD"},
	{"METH_OPTIONS", "method OPTIONS"},
	{"METH_POST", "method POST"},
	{"METH_PUT", "method PUT"},
	{"METH_TRACE", "method TRACE"},
};

const char *acl_predefined(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(acl_predef) / sizeof(acl_predef[0]); i++)
		if (!strcmp(acl_predef[i].name, name))
			return acl_predef[i].def;
	return NULL;
}
