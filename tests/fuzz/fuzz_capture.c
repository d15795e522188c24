/* libFuzzer target: captured values in the log (src/http/capture.c), the
 * bytes a client or a server sent written by %hr %hrl %hs %hsl.  The first
 * byte picks the first slot's length; then each value is a length byte
 * and its bytes, put in turn into the request's 3 slots and the response's
 * 2 (ids out of range included).  Each slot keeps its value cut at its
 * length and at a NUL (capture.req.hdr reads it back); every text
 * capture_format writes, into an exact-size buffer of any size, is
 * NUL-ended within it; the braces form whole is printable, its only
 * '{', '|', '}' and '"' are its own, and its fields decode (#XX) back to
 * the slots' values.
 *   make build-fuzz/fuzz_capture && build-fuzz/fuzz_capture -max_total_time=60 tests/fuzz/corpus/capture */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/capture.h"
#include "http/sample-t.h"
#include "model/http_proxy-t.h"

#define NREQ  3
#define NRESP 2
#define VMAX  256 /* a value's most bytes: its length byte's */

struct want {
	char v[VMAX];
	size_t n;
	int found;
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The braces form: "{f0|f1...}" ("\"{...}\"" quoted), each field decodes
 * to its slot's value. */
static void check_braces(const char *s, size_t n, int q, const struct want *w, unsigned nw)
{
	const char *p, *end;
	unsigned f;

	if (q && (n < 2 || s[0] != '"' || s[n - 1] != '"'))
		abort();
	if (q)
		s++, n -= 2;
	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		abort();
	p = s + 1;
	end = s + n - 1;
	for (f = 0;; f++) {
		const char *bar = memchr(p, '|', (size_t)(end - p)), *fend = bar ? bar : end;
		char v[VMAX];
		size_t vn = 0;
		int hi, lo;

		if (f >= nw)
			abort();
		while (p < fend) {
			if (*p == '{' || *p == '}' || *p == '"' || *p < 32 || *p > 126 || vn == sizeof(v))
				abort();
			if (*p != '#') {
				v[vn++] = *p++;
				continue;
			}
			if (fend - p < 3 || (hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
				abort();
			v[vn++] = (char)(hi << 4 | lo);
			p += 3;
		}
		if (vn != w[f].n || memcmp(v, w[f].v, vn))
			abort();
		if (!bar)
			break;
		p = bar + 1;
	}
	if (f + 1 != nw)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {1, 2, 7, 64, 8192};
	static struct http_proxy fe;
	static struct hp_capture creq[NREQ], cresp[NRESP];
	struct want w[NREQ + NRESP];
	struct http_txn *t;
	size_t at = 1, i;
	unsigned slot = 0;

	if (!size)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return 0;
	memset(&fe, 0, sizeof(fe));
	memset(w, 0, sizeof(w));
	fe.n_cap_req = NREQ;
	fe.n_cap_resp = NRESP;
	fe.cap_req = creq;
	fe.cap_resp = cresp;
	/* names "": slots rules fill (no header to take) */
	creq[0] = (struct hp_capture){"", 1 + data[0] % 40};
	creq[1] = (struct hp_capture){"", 0}; /* len 0: captures "" */
	creq[2] = (struct hp_capture){"", HP_CAPTURE_MAX};
	cresp[0] = (struct hp_capture){"", 3};
	cresp[1] = (struct hp_capture){"", 200};
	t->fe = &fe;
	if (capture_req(t, &fe) < 0) {
		free(t);
		return 0;
	}
	/* each value to the next slot, the 6th and 7th to none (ids 3, -1) */
	while (at < size) {
		size_t n = data[at++], len;
		unsigned id = slot % (NREQ + NRESP + 2);
		int resp = id >= NREQ && id < NREQ + NRESP;
		const char *v = (const char *)data + at, *nul;

		if (n > size - at)
			n = size - at;
		at += n;
		slot++;
		if (id >= NREQ + NRESP) {
			capture_set(t, 0, id == NREQ + NRESP ? NREQ : -1, v, n);
			continue;
		}
		capture_set(t, resp, resp ? id - NREQ : id, v, n);
		len = resp ? fe.cap_resp[id - NREQ].len : fe.cap_req[id].len;
		nul = memchr(v, 0, n);
		if (nul)
			n = (size_t)(nul - v);
		w[id].n = n < len ? n : len;
		memcpy(w[id].v, v, w[id].n);
		w[id].found = 1;
	}
	/* capture.req.hdr(N) / capture.res.hdr(N) read the values back */
	for (i = 0; i < NREQ + NRESP; i++) {
		struct smp_expr e = {.nargs = 1};
		struct smp_ctx c = {.t = t};
		struct sample s;
		int resp = i >= NREQ, got;

		e.args[0].num = resp ? (int64_t)(i - NREQ) : (int64_t)i;
		got = (resp ? capture_f_resp : capture_f_req)(&e, &c, &s);
		if (got != w[i].found || (got && (s.len != w[i].n || memcmp(s.str, w[i].v, s.len))))
			abort();
	}
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]) * 2 * 2 * 4; i++) {
		size_t cap = caps[i / 16], n;
		int resp = (i >> 3) & 1, list = (i >> 2) & 1;
		unsigned flags = i & 3;
		char *out = malloc(cap);

		if (!out)
			break;
		n = capture_format(t, resp, list, flags, out, cap);
		if (n >= cap || out[n] || strlen(out) != n)
			abort();
		if (cap == 8192 && !list && !(flags & CAPTURE_F_ESC))
			check_braces(out, n, flags & CAPTURE_F_QUOTE, w + (resp ? NREQ : 0), resp ? NRESP : NREQ);
		free(out);
	}
	capture_free(t);
	free(t);
	return 0;
}
