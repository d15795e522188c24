/* The HTTP engine's TLS I/O (proxy/http_tls.c's hs_tls_io, hs_tls_events,
 * hs_tls_wake) on real OpenSSL sessions over a real socket pair: a write
 * that wants read (the side that started a TLS 1.2 renegotiation waits
 * for the peer's answer inside SSL_write) makes the socket wait for
 * readability, not writability, which the socket has at once (waiting for
 * EPOLLOUT there woke the stream round after round: a spin); once the peer
 * answers, the write goes through.  The certificate is made in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proxy/http.h"

/* A self-signed P-256 certificate and its key on a server context. */
static SSL_CTX *server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;

	assert_non_null(ctx);
	assert_non_null(key);
	assert_non_null(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"t.test", -1, -1, 0);
	X509_set_issuer_name(x, n);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

/* TLS 1.2 (renegotiation exists there only), renegotiation allowed
 * (OpenSSL 3 servers refuse a client's by default). */
static void tls12(SSL_CTX *ctx)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_clear_options(ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* The events epoll reports on fd for ev within ms. */
static uint32_t ready(int fd, uint32_t ev, int ms)
{
	struct epoll_event e = {.events = ev}, got = {0};
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e), 0);
	n = epoll_wait(ep, &got, 1, ms);
	close(ep);
	return n > 0 ? got.events : 0;
}

static void test_write_wanting_read_waits_for_readable(void **state)
{
	SSL_CTX *sctx = server_ctx(), *cctx = SSL_CTX_new(TLS_client_method());
	struct hs_tls t = {0};
	SSL *srv, *cli;
	int sv[2], i, done_c = 0, done_s = 0;
	char buf[64];
	ssize_t n = -1;

	assert_non_null(cctx);
	tls12(sctx);
	tls12(cctx);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	SSL_set_fd(srv, sv[0]);
	SSL_set_fd(cli, sv[1]);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	for (i = 0; i < 50 && !(done_c && done_s); i++) {
		done_c = done_c || SSL_do_handshake(cli) == 1;
		done_s = done_s || SSL_do_handshake(srv) == 1;
	}
	assert_true(done_c && done_s);
	assert_string_equal(SSL_get_version(cli), "TLSv1.2");

	/* the client starts a renegotiation: its ClientHello goes out, and a
	 * write must now wait for the server's answer */
	assert_int_equal(SSL_renegotiate(cli), 1);
	(void)SSL_do_handshake(cli);
	t.ssl = cli;
	assert_int_equal(hs_tls_io(&t, "hello", 5, 1), -1);
	assert_int_equal(t.wr_want, EPOLLIN);
	assert_int_equal(t.rd_want, 0);
	/* what the stream waits for, reading and writing (or writing only):
	 * readability, never the writability the socket already has */
	assert_int_equal(hs_tls_events(&t, EPOLLIN | EPOLLOUT), EPOLLIN);
	assert_int_equal(hs_tls_events(&t, EPOLLOUT), EPOLLIN);
	assert_int_equal(ready(sv[1], EPOLLOUT, 0), EPOLLOUT); /* what old code woke on, at once */
	assert_int_equal(ready(sv[1], hs_tls_events(&t, EPOLLOUT), 0), 0);
	assert_int_equal(hs_tls_wake(&t, EPOLLIN), EPOLLIN);

	/* the server reads: it answers the ClientHello; the client's socket
	 * becomes readable, and the write, tried again on each wake, ends
	 * the renegotiation and goes through */
	for (i = 0; i < 50 && n != 5; i++) {
		ERR_clear_error();
		(void)SSL_read(srv, buf, sizeof(buf));
		if (ready(sv[1], hs_tls_events(&t, EPOLLOUT), 1000))
			n = hs_tls_io(&t, "hello", 5, 1);
	}
	assert_int_equal(n, 5);
	assert_int_equal(t.wr_want, 0);
	assert_int_equal(hs_tls_events(&t, EPOLLOUT), EPOLLOUT);
	for (i = 0, n = 0; i < 50 && n <= 0; i++) {
		ERR_clear_error();
		n = SSL_read(srv, buf, sizeof(buf));
		if (n <= 0)
			(void)ready(sv[0], EPOLLIN, 1000);
	}
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(SSL_renegotiate_pending(cli), 0);

	/* a plain socket (no session) waits for what it asked */
	assert_int_equal(hs_tls_events(NULL, EPOLLOUT), EPOLLOUT);
	SSL_free(cli);
	SSL_free(srv);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	close(sv[0]);
	close(sv[1]);
}

/* A read that wants write waits for EPOLLOUT as well, and that event
 * wakes the read. */
static void test_read_wanting_write_waits_for_writable(void **state)
{
	SSL *fake = (SSL *)1; /* never called: the flags alone decide */
	struct hs_tls t = {.ssl = fake, .rd_want = EPOLLOUT};

	assert_int_equal(hs_tls_events(&t, EPOLLIN), EPOLLIN | EPOLLOUT);
	assert_int_equal(hs_tls_events(&t, 0), 0);
	assert_int_equal(hs_tls_wake(&t, EPOLLOUT), EPOLLOUT | EPOLLIN);
	t.rd_want = 0;
	assert_int_equal(hs_tls_wake(&t, EPOLLOUT), EPOLLOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_wanting_read_waits_for_readable),
		cmocka_unit_test(test_read_wanting_write_waits_for_writable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
