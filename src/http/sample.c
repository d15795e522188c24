/* Sample expressions: parsing, casting, evaluation; the URI helpers the
 * fetches and the rewrite actions share. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/h1.h"
#include "http/sample.h"
#include "http/txn-t.h"

void smp_args_free(struct smp_arg *args, unsigned nargs)
{
	unsigned i;

	for (i = 0; i < nargs; i++) {
		free(args[i].str);
		args[i].str = NULL;
	}
}

/* "123", "-5": the whole text must be an integer. */
static int parse_int(const char *s, int64_t *v)
{
	char *end;

	if (!*s)
		return -1;
	*v = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

int smp_args_parse(struct smp_arg *args, unsigned *nargs, const char *text, size_t len, const char *what,
		   unsigned min, unsigned max, unsigned int_mask, char *err, size_t errlen)
{
	size_t i = 0, start;
	unsigned n = 0;

	*nargs = 0;
	while (len && i <= len) {
		start = i;
		while (i < len && text[i] != ',')
			i++;
		if (n == max) {
			smp_args_free(args, n);
			return err_set(err, errlen, "'%s' takes at most %u argument%s", what, max, max == 1 ? "" : "s");
		}
		args[n].str = strndup(text + start, i - start);
		if (!args[n].str) {
			smp_args_free(args, n);
			return err_set(err, errlen, "out of memory");
		}
		if ((int_mask & (1u << n)) && parse_int(args[n].str, &args[n].num)) {
			err_set(err, errlen, "'%s': argument %u must be an integer, not '%s'", what, n + 1, args[n].str);
			smp_args_free(args, n + 1);
			return -1;
		}
		n++;
		i++;
	}
	if (n < min) {
		smp_args_free(args, n);
		return err_set(err, errlen, "'%s' expects %u argument%s", what, min, min == 1 ? "" : "s");
	}
	*nargs = n;
	return 0;
}

/* One "name(args)" word of an expression, from text[*pos] up to the next
 * top-level ',' or the end.  Sets name/len and the argument text. */
static int next_term(const char *text, size_t len, size_t *pos, const char **name, size_t *nlen, const char **args,
		     size_t *alen, int *has_args, char *err, size_t errlen)
{
	size_t i = *pos;

	*name = text + i;
	while (i < len && text[i] != '(' && text[i] != ',')
		i++;
	*nlen = text + i - *name;
	*has_args = 0;
	if (i < len && text[i] == '(') {
		size_t a = ++i;

		while (i < len && text[i] != ')')
			i++;
		if (i == len)
			return err_set(err, errlen, "missing ')' in '%.*s'", (int)len, text);
		*args = text + a;
		*alen = i - a;
		*has_args = 1;
		i++;
		if (i < len && text[i] != ',')
			return err_set(err, errlen, "unexpected '%c' after ')' in '%.*s'", text[i], (int)len, text);
	}
	*pos = i;
	return 0;
}

int smp_expr_parse(struct smp_expr *e, const char *text, size_t len, unsigned use, char *err, size_t errlen)
{
	const char *name, *args = NULL;
	size_t nlen, alen = 0, pos = 0;
	int has_args;
	char what[64];

	memset(e, 0, sizeof(*e));
	if (next_term(text, len, &pos, &name, &nlen, &args, &alen, &has_args, err, errlen))
		return -1;
	e->fetch = smp_fetch_find(name, nlen);
	if (!e->fetch)
		return err_set(err, errlen, "unknown fetch method '%.*s'", (int)nlen, name);
	if (e->fetch->use & ~use)
		return err_set(err, errlen, (e->fetch->use & SMP_USE_RESP)
				   ? "fetch method '%s' needs the response: not available here"
				   : "fetch method '%s' needs the request headers, which http-response rules do not "
				     "see (as in haproxy: keep the value with http-request set-var)", e->fetch->name);
	snprintf(what, sizeof(what), "%s", e->fetch->name);
	if (smp_args_parse(e->args, &e->nargs, args, has_args ? alen : 0, what, e->fetch->min_args,
			   e->fetch->max_args, e->fetch->int_args, err, errlen))
		return -1;
	while (pos < len) {
		struct smp_conv_call *cc;

		pos++; /* the ',' */
		if (e->nconv == SMP_MAX_CONV) {
			err_set(err, errlen, "more than %d converters in '%.*s'", SMP_MAX_CONV, (int)len, text);
			goto fail;
		}
		args = NULL;
		alen = 0;
		if (next_term(text, len, &pos, &name, &nlen, &args, &alen, &has_args, err, errlen))
			goto fail;
		cc = &e->conv[e->nconv];
		cc->conv = smp_conv_find(name, nlen);
		if (!cc->conv) {
			err_set(err, errlen, "unknown converter '%.*s'", (int)nlen, name);
			goto fail;
		}
		if (smp_args_parse(cc->args, &cc->nargs, args, has_args ? alen : 0, cc->conv->name,
				   cc->conv->min_args, cc->conv->max_args, cc->conv->int_args, err, errlen))
			goto fail;
		e->nconv++;
	}
	return 0;
fail:
	smp_expr_free(e);
	return -1;
}

void smp_expr_free(struct smp_expr *e)
{
	unsigned i;

	smp_args_free(e->args, e->nargs);
	for (i = 0; i < e->nconv; i++)
		smp_args_free(e->conv[i].args, e->conv[i].nargs);
	memset(e, 0, sizeof(*e));
}

/* Leading digits with an optional sign, 0 when there are none: haproxy's
 * string-to-integer cast (read_int64) never fails. */
static int64_t str_to_int(const char *p, size_t len)
{
	size_t i = 0;
	int neg = 0;
	uint64_t n = 0;

	if (i < len && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
		n = n * 10 + (uint64_t)(p[i] - '0');
	return neg ? -(int64_t)n : (int64_t)n;
}

int smp_cast(struct sample *s, enum smp_type to)
{
	char tmp[64], err[ERRLEN];

	if (s->type == to)
		return 1;
	switch (to) {
	case SMP_T_STR:
		if (s->type == SMP_T_ADDR)
			addr_format(&s->addr, s->buf, sizeof(s->buf), 0);
		else
			snprintf(s->buf, sizeof(s->buf), "%" PRId64, s->sint);
		s->str = s->buf;
		s->len = strlen(s->buf);
		break;
	case SMP_T_SINT:
	case SMP_T_BOOL:
		if (s->type == SMP_T_STR) {
			s->sint = str_to_int(s->str, s->len);
		} else if (s->type == SMP_T_ADDR) {
			if (s->addr.family != AF_INET)
				return 0;
			s->sint = ntohl(s->addr.u.v4.s_addr);
		}
		if (to == SMP_T_BOOL)
			s->sint = s->sint != 0;
		break;
	case SMP_T_ADDR:
		if (s->type != SMP_T_STR || s->len >= sizeof(tmp))
			return 0;
		memcpy(tmp, s->str, s->len);
		tmp[s->len] = 0;
		if (addr_parse_ip(tmp, &s->addr, err, sizeof(err)))
			return 0;
		break;
	}
	s->type = to;
	return 1;
}

int smp_eval(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	unsigned i;

	c->more = 0;
	/* the request a fetch reads, which a transaction of mode tcp (its
	 * captures, its log) lacks: no value (the response's fetches see to
	 * a missing response themselves) */
	if ((e->fetch->use & SMP_USE_REQ) && !c->t->req)
		return 0;
	if (!e->fetch->fn(e, c, s))
		return 0;
	for (i = 0; i < e->nconv; i++) {
		const struct smp_conv *cv = e->conv[i].conv;

		if (!smp_cast(s, cv->in) || !cv->fn(&e->conv[i], s))
			return 0;
		s->type = cv->out;
	}
	return 1;
}

void http_req_uri(const struct h1_msg *m, const char **u, size_t *len)
{
	struct h1_span sp = m->new_uri.len ? m->new_uri : m->uri;

	*u = h1_ptr(m, sp);
	*len = sp.len;
}

void http_req_method(const struct h1_msg *m, const char **p, size_t *len)
{
	struct h1_span sp = m->new_method.len ? m->new_method : m->method;

	*p = h1_ptr(m, sp);
	*len = sp.len;
}

/* haproxy's http_parse_path: an absolute URI's path starts at the first
 * '/' after "scheme://authority"; none there: empty. */
void http_uri_path(const char *u, size_t len, const char **p, size_t *plen)
{
	const char *end = u + len, *q;

	if (len && *u != '/' && *u != '*') {
		const char *ss = memmem(u, len, "://", 3);

		if (ss) {
			u = ss + 3;
			while (u < end && *u != '/')
				u++;
		}
	}
	q = memchr(u, '?', end - u);
	*p = u;
	*plen = (q ? q : end) - u;
}

void http_uri_query(const char *u, size_t len, const char **q, size_t *qlen)
{
	const char *m = memchr(u, '?', len);

	*q = m ? m + 1 : NULL;
	*qlen = m ? (size_t)(u + len - (m + 1)) : 0;
}
