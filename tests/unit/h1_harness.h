/* What the HTTP/1.1 parser's tests share (test_h1.c, test_h1_msg.c): a
 * message parsed from a heap copy of its exact length, so ASan sees any
 * read past `len`, and small accessors on the result.
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_H1_HARNESS_H
#define FC_TESTS_H1_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/h1.h"

#define CAP 16384

/* A parsed message and the heap copy it points into. */
struct pm {
	struct h1_msg m;
	char *buf;
	int rc;
};

static inline struct pm *parse_n(const char *s, size_t len, size_t cap, int is_req, enum h1_meth req_meth)
{
	struct pm *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->buf = malloc(len ? len : 1);
	assert_non_null(p->buf);
	memcpy(p->buf, s, len);
	p->rc = is_req ? h1_parse_req(&p->m, p->buf, len, cap)
		       : h1_parse_resp(&p->m, p->buf, len, cap, req_meth);
	return p;
}

static inline struct pm *req(const char *s)
{
	return parse_n(s, strlen(s), CAP, 1, H1_METH_OTHER);
}

static inline struct pm *resp(const char *s, enum h1_meth req_meth)
{
	return parse_n(s, strlen(s), CAP, 0, req_meth);
}

static inline void pm_free(struct pm *p)
{
	free(p->buf);
	free(p);
}

/* The request's parse result, the message freed. */
static inline int req_rc(const char *s)
{
	struct pm *p = req(s);
	int rc = p->rc;

	pm_free(p);
	return rc;
}

static inline int resp_rc(const char *s, enum h1_meth req_meth)
{
	struct pm *p = resp(s, req_meth);
	int rc = p->rc;

	pm_free(p);
	return rc;
}

/* The head as emitted, NUL-terminated in a static buffer. */
static inline const char *emit(const struct h1_msg *m)
{
	static char out[CAP + 1];
	size_t n = h1_emit_head(m, out, CAP);

	assert_true(n > 0);
	out[n] = 0;
	return out;
}

/* The value of the first header `name`, NUL-terminated (static), or NULL. */
static inline const char *hval(const struct h1_msg *m, const char *name)
{
	static char v[1024];
	int i = h1_hdr_find(m, name, strlen(name), 0);

	if (i < 0)
		return NULL;
	assert_true(m->hdrs[i].value.len < sizeof(v));
	memcpy(v, h1_ptr(m, m->hdrs[i].value), m->hdrs[i].value.len);
	v[m->hdrs[i].value.len] = 0;
	return v;
}

static inline int span_eq(const struct h1_msg *m, struct h1_span s, const char *want)
{
	return s.len == strlen(want) && !memcmp(h1_ptr(m, s), want, s.len);
}

#define GET_HEAD "GET / HTTP/1.1\r\nHost: a\r\n"
#define POST_HEAD "POST / HTTP/1.1\r\nHost: a\r\n"

#endif
