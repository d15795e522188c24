/* Error answers (src/http/reply.c): HAProxy's built-in messages byte for
 * byte, errorfile normalisation, `errorfiles` from http-errors sections
 * with the last line naming a status winning (as http_errors.vtc), an
 * empty errorfile closing silently, refusals, and answers built from a
 * rule's struct http_reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "http/reply.h"
#include "http/rules.h"
#include "model/http_proxy.h"
#include "model/model.h"

/* the place a resolve names with its error */
static const char *at_file;
static int at_line;

static char dir[] = "/tmp/test_http_reply.XXXXXX";

/* Write text to dir/name; the path in a static buffer per call slot. */
static const char *file(const char *name, const char *text)
{
	static char paths[8][256];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int parse(struct http_proxy *px, const char *kw, const char *a1, const char *a2,
		 const char *a3, char *err)
{
	char *args[4] = {(char *)kw, (char *)a1, (char *)a2, (char *)a3};
	int n = a3 ? 4 : a2 ? 3 : 2;

	return http_errors_parse(px, args, n, "t.cfg", 7, err, ERRLEN);
}

static void test_builtin(void **state)
{
	size_t len;
	const char *m = http_error_msg(NULL, 503, &len);
	const char *body = strstr(m, "\r\n\r\n") + 4;

	assert_true(!strncmp(m, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\n", 55));
	assert_int_equal(strlen(body), 107);
	assert_int_equal(len, strlen(m));
	/* every built-in's content-length is its body's */
	for (unsigned s = 100; s < 600; s++) {
		const char *cl, *b;

		if (!http_error_known(s))
			continue;
		m = http_error_msg(NULL, s, &len);
		cl = strstr(m, "content-length: ");
		b = strstr(m, "\r\n\r\n");
		assert_non_null(cl);
		assert_int_equal(strtoul(cl + 16, NULL, 10), len - (size_t)(b + 4 - m));
	}
	assert_true(http_reply_closes(http_error_msg(NULL, 400, &len), len));
	assert_false(http_reply_closes(http_error_msg(NULL, 403, &len), len));
	/* a status without a message gets 500's */
	assert_true(!strncmp(http_error_msg(NULL, 418, &len), "HTTP/1.1 500 ", 13));
}

static void test_errorfile(void **state)
{
	struct http_proxy *px = http_proxy_new("fe", HP_CAP_FE);
	struct config *cfg = config_new();
	char err[ERRLEN];
	const char *m;
	size_t len;

	assert_int_equal(parse(px, "errorfile", "403",
			       file("403", "HTTP/1.0 403 Forbidden\nConnection: keep-alive\nX-T: 1\n\nno\n"),
			       NULL, err),
			 0);
	assert_int_equal(parse(px, "errorfile", "408", "/dev/null", NULL, err), 0);
	assert_int_equal(http_errors_resolve(cfg, px, &at_file, &at_line, err, sizeof(err)), 0);
	m = http_error_msg(px, 403, &len);
	assert_int_equal(len, strlen(m));
	assert_string_equal(m, "HTTP/1.0 403 Forbidden\r\nX-T: 1\r\nconnection: close\r\n\r\nno\n");
	http_error_msg(px, 408, &len);
	assert_int_equal(len, 0);
	assert_true(http_reply_closes("", 0));
	/* a length and no close asked: the connection stays (haproxy 2.6) */
	assert_int_equal(parse(px, "errorfile", "503",
			       file("503", "HTTP/1.1 503 X\nConnection: keep-alive\nContent-Length: 2\n\nno"),
			       NULL, err),
			 0);
	assert_int_equal(parse(px, "errorfile", "504",
			       file("504", "HTTP/1.1 504 X\nConnection: te, Close\nContent-Length: 2\n\nno"),
			       NULL, err),
			 0);
	assert_int_equal(http_errors_resolve(cfg, px, &at_file, &at_line, err, sizeof(err)), 0);
	m = http_error_msg(px, 503, &len);
	assert_string_equal(m, "HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\nno");
	assert_false(http_reply_closes(m, len));
	m = http_error_msg(px, 504, &len);
	assert_string_equal(m, "HTTP/1.1 504 X\r\nContent-Length: 2\r\nconnection: close\r\n\r\nno");
	assert_true(http_reply_closes(m, len));
	/* others stay built-in */
	assert_true(!strncmp(http_error_msg(px, 404, &len), "HTTP/1.1 404 Not Found\r\n", 24));

	/* refusals name what is wrong */
	assert_int_equal(parse(px, "errorfile", "418", "/dev/null", NULL, err), -1);
	assert_non_null(strstr(err, "'418'"));
	assert_int_equal(parse(px, "errorfile", "500", "/nonexistent/x", NULL, err), -1);
	assert_non_null(strstr(err, "/nonexistent/x"));
	assert_int_equal(parse(px, "errorfile", "500", file("bad", "hello\n\n"), NULL, err), -1);
	assert_non_null(strstr(err, "not an HTTP/1.x response"));
	assert_int_equal(parse(px, "errorfile", "500",
			       file("cl", "HTTP/1.1 500 X\r\nContent-Length: 3\r\n\r\nabcdef"), NULL,
			       err),
			 -1);
	assert_non_null(strstr(err, "Content-Length says 3"));
	assert_int_equal(parse(px, "errorfile", "500", NULL, NULL, err), -1);
	http_proxy_free(px);
	config_free(cfg);
}

/* `errorfile STATUS F` where F's answer says x-err-type: default. */
static void errorfile_default(struct http_proxy *px, const char *status)
{
	char name[32], text[96], err[ERRLEN];

	snprintf(name, sizeof(name), "%s-default-%s", px->name, status);
	snprintf(text, sizeof(text), "HTTP/1.1 %s X\r\nx-err-type: default\r\n\r\n", status);
	assert_int_equal(parse(px, "errorfile", status, file(name, text), NULL, err), 0);
}

/* A frontend that starts with a copy of defs' lines, as the reader makes it. */
static struct http_proxy *inherit(const char *name, const struct http_proxy *defs)
{
	struct http_proxy *px = http_proxy_new(name, HP_CAP_FE);

	px->errors = http_errors_dup(defs->errors);
	px->errors_free = http_errors_free;
	return px;
}

/* The frontends of http_errors.vtc: defaults `errorfiles errors-2`,
 * `errorfile 400 default`, `errorfile 404 default`, then each frontend's
 * own lines; the last line naming a status wins. */
static void test_sections_order(void **state)
{
	struct config *cfg = config_new();
	struct http_proxy *defs = http_proxy_new("defaults", 0), *fe2, *fe3, *fe4;
	char *a400_1[] = {"errorfile", "400", NULL}, err[ERRLEN];
	const char *names[] = {"errors-1", "errors-2", "errors-3"};
	size_t len;
	unsigned i;

	for (i = 0; i < 3; i++) {
		char fn[32], text[128];
		unsigned st[] = {400, 403, 404, 500};

		for (unsigned k = 0; k < (i == 2 ? 1 : 4); k++) {
			snprintf(fn, sizeof(fn), "%u-%u", st[k], i + 1);
			snprintf(text, sizeof(text), "HTTP/1.1 %u X\r\nx-err-type: %s\r\n\r\n", st[k],
				 names[i]);
			a400_1[1] = (char *)(k == 0 ? "400" : k == 1 ? "403" : k == 2 ? "404" : "500");
			a400_1[2] = (char *)file(fn, text);
			assert_int_equal(http_errors_section_add(cfg, names[i], a400_1, 3, "t.cfg", 1,
								 err, sizeof(err)),
					 0);
		}
	}
	assert_int_equal(parse(defs, "errorfiles", "errors-2", NULL, NULL, err), 0);
	errorfile_default(defs, "400");
	errorfile_default(defs, "500");

	fe2 = inherit("fe2", defs);
	assert_int_equal(parse(fe2, "errorfiles", "errors-1", NULL, NULL, err), 0);
	errorfile_default(fe2, "500");

	fe3 = inherit("fe3", defs);
	errorfile_default(fe3, "500");
	assert_int_equal(parse(fe3, "errorfiles", "errors-1", "500", NULL, err), 0);
	assert_int_equal(parse(fe3, "errorfiles", "errors-3", "400", NULL, err), 0);

	assert_int_equal(http_errors_resolve(cfg, fe2, &at_file, &at_line, err, sizeof(err)), 0);
	assert_int_equal(http_errors_resolve(cfg, fe3, &at_file, &at_line, err, sizeof(err)), 0);
	/* an unknown section is named with the line that wants it */
	fe4 = http_proxy_new("fe4", HP_CAP_FE);
	assert_int_equal(parse(fe4, "errorfiles", "nope", NULL, NULL, err), 0);
	assert_int_equal(http_errors_resolve(cfg, fe4, &at_file, &at_line, err, sizeof(err)), -1);
	assert_string_equal(err, "errorfiles: unknown http-errors section 'nope'");
	assert_string_equal(at_file, "t.cfg");
	assert_int_equal(at_line, 7);
	http_errors_sections_free(cfg); /* the proxies keep their copies */
	assert_non_null(strstr(http_error_msg(fe2, 400, &len), "errors-1"));
	assert_non_null(strstr(http_error_msg(fe2, 403, &len), "errors-1"));
	assert_non_null(strstr(http_error_msg(fe2, 500, &len), "default"));
	assert_non_null(strstr(http_error_msg(fe3, 400, &len), "errors-3"));
	assert_non_null(strstr(http_error_msg(fe3, 403, &len), "errors-2"));
	assert_non_null(strstr(http_error_msg(fe3, 500, &len), "errors-1"));
	http_proxy_free(defs);
	http_proxy_free(fe2);
	http_proxy_free(fe3);
	http_proxy_free(fe4);
	config_free(cfg);
}

static void test_reply_build(void **state)
{
	struct http_reply r = {.status = 200, .ctype = "text/plain", .ctype_len = 10,
			       .body = "hello", .body_len = 5};
	char out[512];
	size_t n;

	r.hdrs[0].name = "x-a";
	r.hdrs[0].nlen = 3;
	r.hdrs[0].val = "1";
	r.hdrs[0].vlen = 1;
	r.nhdrs = 1;
	n = http_reply_build(NULL, &r, out, sizeof(out));
	out[n] = 0;
	/* haproxy 2.6's order: the rule's headers, then length and type */
	assert_string_equal(out, "HTTP/1.1 200 OK\r\nx-a: 1\r\ncontent-length: 5\r\n"
				 "content-type: text/plain\r\n\r\nhello");
	assert_int_equal(http_reply_build(NULL, &r, out, 20), 0);
	/* a bare deny: the built-in message of its status */
	memset(&r, 0, sizeof(r));
	r.status = 403;
	n = http_reply_build(NULL, &r, out, sizeof(out));
	assert_true(n > 0 && !strncmp(out, "HTTP/1.1 403 Forbidden\r\n", 24));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin),
	    cmocka_unit_test(test_errorfile),
	    cmocka_unit_test(test_sections_order),
	    cmocka_unit_test(test_reply_build),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
