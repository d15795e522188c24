/* libFuzzer target: Cookie and Set-Cookie values (src/http/cookie.c).  The
 * input is one header value.  Every pair ck_next finds lies inside it, in
 * order, without blanks at its ends; dropping each pair named in turn and
 * cutting values (as cookie persistence does in place) keeps the value
 * within its length and leaves the other pairs as they were.
 *   make build-fuzz/fuzz_cookie && build-fuzz/fuzz_cookie -max_total_time=60 tests/fuzz/corpus/cookie */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"

#define MAXP 64

static void check_pair(const char *v, size_t len, const struct ck_pair *p, size_t last_end)
{
	if (p->beg < last_end || p->end > len || p->beg >= p->end || p->next > len)
		abort();
	if (p->name != p->beg || p->name + p->nlen > p->end || p->val + p->vlen != p->end ||
	    (p->vlen && p->val < p->name + p->nlen))
		abort();
	if (v[p->beg] == ' ' || v[p->beg] == '\t' || v[p->end - 1] == ' ' || v[p->end - 1] == '\t')
		abort();
	if (memchr(v + p->beg, ';', p->end - p->beg))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1), *w;
	struct ck_pair p[MAXP], q;
	size_t pos = 0, n = 0, last = 0, len, i, k;

	if (!v)
		return 0;
	memcpy(v, data, size);
	while (n < MAXP && ck_next(v, size, &pos, &p[n])) {
		check_pair(v, size, &p[n], last);
		last = p[n].end;
		n++;
	}
	if (ck_set_cookie(v, size, &q))
		check_pair(v, size, &q, 0);
	/* drop pair i: the others are found again, unchanged */
	w = malloc(size + 1);
	for (i = 0; w && i < n && n < MAXP; i++) {
		memcpy(w, v, size);
		len = ck_drop(w, size, &p[i]);
		if (len > size)
			abort();
		for (pos = 0, k = 0; ck_next(w, len, &pos, &q); k++) {
			const struct ck_pair *o = &p[k < i ? k : k + 1];

			if (k + 1 >= n || q.end - q.beg != o->end - o->beg ||
			    memcmp(w + q.beg, v + o->beg, q.end - q.beg))
				abort();
		}
		if (k != n - 1)
			abort();
		memcpy(w, v, size);
		len = ck_cut_value(w, size, &p[i], 1 + p[i].vlen / 2);
		if (len > size || len + p[i].vlen < size)
			abort();
	}
	free(w);
	free(v);
	return 0;
}
