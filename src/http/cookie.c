/* Cookie and Set-Cookie values (contract in cookie.h). */
#include <string.h>

#include "http/cookie.h"

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The pair in v[from..to): name up to '=', value after it, blanks trimmed. */
static void split(const char *v, size_t from, size_t to, struct ck_pair *p)
{
	size_t i, e;

	while (from < to && blank(v[from]))
		from++;
	while (to > from && blank(v[to - 1]))
		to--;
	p->beg = p->name = from;
	p->end = to;
	for (i = from; i < to && v[i] != '='; i++)
		;
	p->has_eq = i < to;
	for (e = i; e > from && blank(v[e - 1]); e--)
		;
	p->nlen = e - from;
	if (!p->has_eq) {
		p->val = to;
		p->vlen = 0;
		return;
	}
	for (i++; i < to && blank(v[i]); i++)
		;
	p->val = i;
	p->vlen = to - i;
}

int ck_next(const char *v, size_t len, size_t *pos, struct ck_pair *p)
{
	size_t i = *pos, semi;

	while (i < len) {
		const char *s = memchr(v + i, ';', len - i);

		semi = s ? (size_t)(s - v) : len;
		split(v, i, semi, p);
		i = semi < len ? semi + 1 : len;
		if (p->end > p->beg) {
			p->next = i;
			*pos = i;
			return 1;
		}
	}
	*pos = len;
	return 0;
}

int ck_set_cookie(const char *v, size_t len, struct ck_pair *p)
{
	const char *s = memchr(v, ';', len);
	size_t semi = s ? (size_t)(s - v) : len;

	split(v, 0, semi, p);
	p->next = semi < len ? semi + 1 : len;
	return p->nlen > 0;
}

size_t ck_drop(char *v, size_t len, const struct ck_pair *p)
{
	size_t from = p->beg, to = p->next;

	if (to >= len) {
		/* the last pair: the separator before it goes with it */
		to = len;
		while (from > 0 && blank(v[from - 1]))
			from--;
		if (from > 0 && v[from - 1] == ';')
			from--;
		while (from > 0 && blank(v[from - 1]))
			from--;
	} else {
		while (to < len && blank(v[to]))
			to++;
	}
	memmove(v + from, v + to, len - to);
	return len - (to - from);
}

size_t ck_cut_value(char *v, size_t len, const struct ck_pair *p, size_t n)
{
	if (n > p->vlen)
		n = p->vlen;
	memmove(v + p->val, v + p->val + n, len - (p->val + n));
	return len - n;
}
