/* A bind's crt-list (src/conf/haproxy_crtlist.c) read from text: each
 * line's certificate (crt-base applied), its options over the bind's and
 * its SNI filters; comments and blank lines skipped; the refusals at the
 * list's FILE:LINE, with the reader's place given back after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/haproxy.h"

#define HARNESS_FILE "l.lst"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

static struct hp_read rd;
static struct hp_crtlist lst;

static int parse_n(const char *text, size_t len, const struct tls_bind_opts *bind)
{
	int rc;

	diag_reset();
	memset(&rd, 0, sizeof(rd));
	rd.d = &diag;
	rd.file = "h.cfg";
	rd.line = 7;
	snprintf(rd.crt_base, sizeof(rd.crt_base), "/certs");
	rc = hp_crtlist_parse(&rd, HARNESS_FILE, text, len, bind, &lst);
	assert_string_equal(rd.file, "h.cfg");
	assert_int_equal(rd.line, 7);
	return rc;
}

static int parse(const char *text, const struct tls_bind_opts *bind)
{
	return parse_n(text, strlen(text), bind);
}

static void test_lines(void **state)
{
	struct tls_bind_opts bind = {0};

	bind.verify = TLS_CV_OPTIONAL;
	snprintf(bind.ciphers, sizeof(bind.ciphers), "HIGH");
	assert_int_equal(parse("# list\n\n  a.pem\n/abs/b.pem [verify required ca-file /ca.pem alpn h2]"
			       " www.example.com\t*.example.org !secret.example.org\r\n"
			       "c.pem[no-ca-names]x.test\n   # indented comment\nd.pem", &bind), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(lst.n, 4);
	assert_string_equal(lst.crt[0].path, "/certs/a.pem");
	assert_null(lst.crt[0].o); /* the bind's own */
	assert_int_equal(lst.crt[0].nsni, 0);
	assert_string_equal(lst.crt[1].path, "/abs/b.pem");
	assert_non_null(lst.crt[1].o);
	assert_int_equal(lst.crt[1].o->verify, TLS_CV_REQUIRED);
	assert_string_equal(lst.crt[1].o->ca_file, "/ca.pem");
	assert_int_equal(lst.crt[1].o->alpn_len, 3);
	assert_string_equal(lst.crt[1].o->ciphers, "HIGH"); /* over the bind's */
	assert_int_equal(lst.crt[1].nsni, 3);
	assert_string_equal(lst.crt[1].sni[0], "www.example.com");
	assert_string_equal(lst.crt[1].sni[1], "*.example.org");
	assert_string_equal(lst.crt[1].sni[2], "!secret.example.org");
	assert_int_equal(lst.crt[2].o->no_ca_names, 1);
	assert_int_equal(lst.crt[2].o->verify, TLS_CV_OPTIONAL);
	assert_int_equal(lst.crt[2].nsni, 1);
	assert_string_equal(lst.crt[3].path, "/certs/d.pem"); /* no newline at the end */
	hp_crtlist_free(&lst);
	/* the versions and TLSv1.3's suites of a line (haproxy 2.6's) */
	assert_int_equal(parse("a.pem [ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256]\n",
			       &bind), 0);
	assert_int_equal(lst.crt[0].o->min_ver, TLS1_3_VERSION);
	assert_int_equal(lst.crt[0].o->max_ver, TLS1_3_VERSION);
	assert_string_equal(lst.crt[0].o->ciphersuites, "TLS_AES_128_GCM_SHA256");
	hp_crtlist_free(&lst);
	/* warnings only */
	assert_int_equal(parse("a.pem [curves X25519 ecdhe prime256v1]\n", &bind), 0);
	assert_true(said('W', 1, "'curves X25519' is accepted as haproxy 2.6 accepts it, and like haproxy's has no effect"));
	assert_true(said('W', 1, "'ecdhe prime256v1' is accepted"));
	hp_crtlist_free(&lst);
	assert_int_equal(parse("a.pem [npn h2 allow-0rtt]\n", &bind), 0);
	assert_true(said('W', 1, "'npn h2' is not used"));
	assert_true(said('W', 1, "'allow-0rtt' only tunes HAProxy"));
	hp_crtlist_free(&lst);
}

static void expect_refused_n(const char *text, size_t len, int line, const char *want)
{
	struct tls_bind_opts bind = {0};

	if (parse_n(text, len, &bind) == 0 || !said('E', line, want))
		fail_msg("wanted \"" HARNESS_FILE ":%d: ...%s\", got:\n%s", line, want, msgs);
	hp_crtlist_free(&lst);
}

static void expect_refused(const char *text, int line, const char *want)
{
	expect_refused_n(text, strlen(text), line, want);
}

static void test_refused(void **state)
{
	expect_refused("a.pem\nb.pem [verify required\n", 2, "'[' without ']'");
	expect_refused("a.pem ]\n", 1, "']' without '['");
	expect_refused("a.pem [alpn h2] [alpn h2]\n", 1, "a second '['");
	expect_refused("a.pem x [alpn h2]\n", 1, "come right after the certificate");
	expect_refused("[alpn h2]\n", 1, "come right after the certificate");
	expect_refused("a.pem\n [ ]\n", 2, "a line without a certificate");
	expect_refused("a.pem [verify]\n", 1, "'verify' needs a value");
	expect_refused("a.pem [verify sometimes]\n", 1, "verify 'sometimes': none, optional or required");
	expect_refused("a.pem [crt-ignore-err all]\n", 1, "unknown ssl option 'crt-ignore-err'");
	expect_refused("a.pem [ssl-min-ver TLSv1.4]\n", 1, "ssl-min-ver 'TLSv1.4': not a version");
	expect_refused("a.pem [no-tlsv12]\n", 1, "unknown ssl option 'no-tlsv12'"); /* the bind's only */
	expect_refused("a.pem [alpn ,]\n", 1, "alpn ','");
	expect_refused("a.pem !\n", 1, "an empty SNI filter");
	expect_refused_n("\n\na.pem\n\0b.pem\n", 13, 4, "a NUL byte");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
