/* What the HTTP/1.1 parser's fuzz targets (fuzz_h1_req.c, fuzz_h1_resp.c)
 * share.  The first input byte picks the options: the buffer's size (the
 * whole input or a smaller cap), a prefix length for the incremental
 * check and, for a response, the request's method; the rest is the
 * message.  The head is parsed from a heap copy of its exact size (ASan
 * sees any read past len), then:
 *   - the result's invariants: head_len <= len, every span inside the
 *     head (or the extra arena), the framing agrees with the flags;
 *   - a prefix gives 0 or the same result (a refusal may come early);
 *   - what h1_emit_head writes parses again to the same framing, before
 *     and after a few edits (so no edit or rewrite makes a head the next
 *     hop would read differently);
 *   - a chunked body is scanned whole and split in two: same answer. */
#ifndef FC_TESTS_FUZZ_H1_H
#define FC_TESTS_FUZZ_H1_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"

#define FUZZ_H1_OUT 32768

static struct h1_msg fuzz_h1_m, fuzz_h1_m2, fuzz_h1_m3;
static char fuzz_h1_out[FUZZ_H1_OUT];

static int fuzz_h1_parse(struct h1_msg *m, int is_req, const char *buf, size_t len, size_t cap,
			 enum h1_meth rm)
{
	return is_req ? h1_parse_req(m, buf, len, cap) : h1_parse_resp(m, buf, len, cap, rm);
}

static void fuzz_h1_span_in(const struct h1_msg *m, struct h1_span s)
{
	if (s.off & H1_SPAN_EXTRA) {
		if ((s.off & ~H1_SPAN_EXTRA) + (uint64_t)s.len > m->extra_len)
			abort();
	} else if ((uint64_t)s.off + s.len > m->head_len) {
		abort();
	}
}

static void fuzz_h1_invariants(const struct h1_msg *m, int rc, size_t len)
{
	unsigned i;

	if (rc <= 0)
		return;
	if ((size_t)rc != m->head_len || m->head_len > len)
		abort();
	if (m->is_req) {
		fuzz_h1_span_in(m, m->method);
		fuzz_h1_span_in(m, m->uri);
		if (!m->method.len || !m->uri.len)
			abort();
	} else {
		fuzz_h1_span_in(m, m->reason);
		if (m->status < 100 || m->status > 999)
			abort();
	}
	if (m->vmajor != 1 || m->vminor > 1 || m->nhdrs > H1_MAX_HDRS + H1_MAX_ADDED)
		abort();
	for (i = 0; i < m->nhdrs; i++) {
		fuzz_h1_span_in(m, m->hdrs[i].name);
		fuzz_h1_span_in(m, m->hdrs[i].value);
		if (!m->hdrs[i].name.len)
			abort();
	}
	if (m->body == H1_BODY_CL && (!(m->flags & H1_F_HAS_CL) || !m->clen))
		abort();
	if (m->body == H1_BODY_CHUNKED && !(m->flags & H1_F_HAS_TE))
		abort();
	if ((m->flags & H1_F_HAS_TE) && (m->flags & H1_F_HAS_CL))
		abort(); /* Transfer-Encoding wins, Content-Length goes */
	if ((m->flags & H1_F_TE_CL) && h1_hdr_find(m, "content-length", 14, 0) >= 0)
		abort();
	if ((m->flags & H1_F_CONN_CLOSE) && (m->flags & H1_F_CONN_KAL))
		abort();
}

/* Headers not deleted. */
static unsigned fuzz_h1_live(const struct h1_msg *m)
{
	unsigned i, n = 0;

	for (i = 0; i < m->nhdrs; i++)
		n += !(m->hdrs[i].flags & H1_HDR_DELETED);
	return n;
}

/* Emit m, parse what was written: it must be taken, with the same framing. */
static void fuzz_h1_reemit(const struct h1_msg *m, enum h1_meth rm)
{
	size_t n = h1_emit_head(m, fuzz_h1_out, sizeof(fuzz_h1_out));
	char *copy;
	int rc;

	if (!n)
		abort(); /* a parsed head always fits twice its size plus the arena */
	copy = malloc(n);
	memcpy(copy, fuzz_h1_out, n);
	rc = fuzz_h1_parse(&fuzz_h1_m3, m->is_req, copy, n, n, rm);
	if (rc != (int)n)
		abort();
	fuzz_h1_invariants(&fuzz_h1_m3, rc, n);
	if (fuzz_h1_m3.body != m->body || fuzz_h1_m3.clen != m->clen || fuzz_h1_m3.meth != m->meth ||
	    fuzz_h1_m3.status != m->status)
		abort();
	free(copy);
}

/* Edits that leave the framing as it was (no Content-Length, Transfer-
 * Encoding or Host is added or removed), so the head written after them
 * must read as the received one did. */
static void fuzz_h1_edit(struct h1_msg *m, const uint8_t *data, size_t size)
{
	size_t k = size < 16 ? size : 16;
	int i;

	/* fuzzer-chosen text: taken only if valid (no CR, LF, NUL) */
	h1_hdr_add(m, "X-Fuzz", 6, (const char *)data, size < 64 ? size : 64);
	h1_hdr_add(m, "X-Forwarded-For", 15, "192.0.2.1", 9);
	h1_hdr_set(m, "Via", 3, "1.1 fulcrum", 11);
	h1_hdr_del_all(m, "cookie", 6);
	if ((i = h1_hdr_find(m, "x-fuzz", 6, 0)) >= 0 && (data[0] & 1))
		h1_hdr_del(m, i);
	if (m->is_req) {
		/* (CONNECT keeps its authority: it must match the Host) */
		if (m->meth != H1_METH_CONNECT) {
			h1_set_uri(m, (const char *)data, k); /* any text: overwritten */
			h1_set_uri(m, "/rewritten?x=1", 14);
		}
	} else {
		h1_set_status(m, 200 + (data[0] % 100));
	}
}

/* A name chosen by the fuzzer: refused unless a token, and then nothing
 * changes; what is taken is found again. */
static void fuzz_h1_add_name(struct h1_msg *m, const uint8_t *data, size_t size)
{
	size_t k = size < 16 ? size : 16;
	unsigned n = m->nhdrs, x = m->extra_len;

	if (h1_hdr_add(m, (const char *)data, k, "v", 1) < 0) {
		if (m->nhdrs != n || m->extra_len != x)
			abort();
	} else if (h1_hdr_find(m, (const char *)data, k, 0) < 0) {
		abort();
	}
}

/* The chunked body after the head: scanned whole, then split at `at`. */
static void fuzz_h1_chunks(const uint8_t *body, size_t n, size_t at)
{
	struct h1_chunk c1, c2;
	ssize_t r1, ra, rb = 0;
	char *a, *b;

	if (at > n)
		at = n;
	a = malloc(at ? at : 1);
	b = malloc(n - at ? n - at : 1);
	memcpy(a, body, at);
	memcpy(b, body + at, n - at);
	h1_chunk_init(&c1);
	{
		char *w = malloc(n ? n : 1);

		memcpy(w, body, n);
		r1 = h1_chunk_scan(&c1, w, n);
		free(w);
	}
	h1_chunk_init(&c2);
	ra = h1_chunk_scan(&c2, a, at);
	if (ra >= 0 && c2.st != H1_CK_DONE) {
		if ((size_t)ra != at)
			abort(); /* short of the end only once done */
		rb = h1_chunk_scan(&c2, b, n - at);
	}
	if (r1 > (ssize_t)n || (r1 >= 0 && c1.st != H1_CK_DONE && (size_t)r1 != n))
		abort();
	if ((r1 < 0) != (ra < 0 || rb < 0))
		abort();
	if (r1 >= 0 && (r1 != ra + rb || c1.st != c2.st))
		abort();
	free(a);
	free(b);
}

static int fuzz_h1_one(int is_req, const uint8_t *data, size_t size)
{
	size_t len, cap, pre;
	enum h1_meth rm;
	char *buf;
	int rc, rc2;

	if (size < 2 || size > 16384)
		return 0; /* emitted heads fit fuzz_h1_out */
	/* options: bit 0 a cap below the size, bits 1-3 the method a
	 * response answers, the byte as a whole the prefix and the split */
	rm = (enum h1_meth)((data[0] >> 1) % 10);
	len = size - 1;
	cap = (data[0] & 1) ? len * 3 / 4 + 1 : len + (data[0] & 16 ? 0 : 1);
	pre = len * data[0] / 256;
	buf = malloc(len);
	memcpy(buf, data + 1, len);

	rc = fuzz_h1_parse(&fuzz_h1_m, is_req, buf, len, cap, rm);
	fuzz_h1_invariants(&fuzz_h1_m, rc, len < cap ? len : cap);
	if (rc == 0 && len >= cap)
		abort(); /* a full buffer is an answer */
	if (rc > 0 && fuzz_h1_m.nhdrs >= H1_MAX_HDRS)
		abort();

	/* a prefix: 0 or the same answer */
	rc2 = fuzz_h1_parse(&fuzz_h1_m2, is_req, buf, pre, cap, rm);
	if (rc2 != 0 && rc2 != rc && !(rc2 == H1_ERR_TOO_BIG && pre >= cap))
		abort();
	if (rc > 0 && pre >= (size_t)rc && rc2 != rc)
		abort();

	if (rc > 0) {
		fuzz_h1_reemit(&fuzz_h1_m, rm);
		if (fuzz_h1_m.body == H1_BODY_CHUNKED)
			fuzz_h1_chunks(data + 1 + rc, len - (size_t)rc, (len - (size_t)rc) / 2 + (data[0] & 7));
		fuzz_h1_edit(&fuzz_h1_m, data + 1, len);
		fuzz_h1_invariants(&fuzz_h1_m, rc, len);
		/* framing after edits: a rewritten method may frame a response
		 * differently, so only a request is re-read here */
		if (is_req && fuzz_h1_live(&fuzz_h1_m) < H1_MAX_HDRS)
			fuzz_h1_reemit(&fuzz_h1_m, rm); /* (more would be refused as too many) */
		else if (!h1_emit_head(&fuzz_h1_m, fuzz_h1_out, sizeof(fuzz_h1_out)))
			abort();
		fuzz_h1_add_name(&fuzz_h1_m, data + 1, len);
	}
	free(buf);
	return 0;
}

#endif
