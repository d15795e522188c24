/* Non-blocking TLS client (see tls.h).  One SSL_CTX for the process,
 * made at first use; OpenSSL's error queue is cleared before each call so
 * a message always belongs to the call that failed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "check/tls.h"
#include "core/err.h"

static SSL_CTX *client_ctx;

static SSL_CTX *ctx_get(char *err, size_t errlen)
{
	if (client_ctx)
		return client_ctx;
	client_ctx = SSL_CTX_new(TLS_client_method());
	if (!client_ctx) {
		err_set(err, errlen, "TLS: cannot create a context");
		return NULL;
	}
	SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);
	/* a server that closes the socket after its reply without a
	 * close_notify has still answered: that is an end of stream */
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	SSL_CTX_set_options(client_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	/* one attempt per connection: no session to resume */
	SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_OFF);
	return client_ctx;
}

/* The reason of the last failure: OpenSSL's queue, else errno, else the
 * SSL_get_error() code. */
static int tls_fail(int sslerr, const char *what, char *err, size_t errlen)
{
	unsigned long e = ERR_peek_last_error();
	const char *msg;
	char buf[160];

	if (e) {
		/* "error:0A00010B:SSL routines::wrong version number": keep the
		 * words after the last colon */
		ERR_error_string_n(e, buf, sizeof(buf));
		msg = strrchr(buf, ':');
		ERR_clear_error();
		return err_set(err, errlen, "%s: %s", what, msg && msg[1] ? msg + 1 : buf);
	}
	if (sslerr == SSL_ERROR_SYSCALL && errno)
		return err_set(err, errlen, "%s: %s", what, strerror(errno));
	if (sslerr == SSL_ERROR_SYSCALL || sslerr == SSL_ERROR_ZERO_RETURN)
		return err_set(err, errlen, "%s: connection closed by the server", what);
	return err_set(err, errlen, "%s: TLS error %d", what, sslerr);
}

SSL *tls_client_new(int fd, const char *sni, char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_get(err, errlen);
	SSL *ssl;

	if (!ctx)
		return NULL;
	ERR_clear_error();
	ssl = SSL_new(ctx);
	if (!ssl) {
		tls_fail(0, "TLS", err, errlen);
		return NULL;
	}
	if (!SSL_set_fd(ssl, fd) || (sni && *sni && !SSL_set_tlsext_host_name(ssl, sni))) {
		tls_fail(0, "TLS", err, errlen);
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

static int want(SSL *ssl, int rc, const char *what, char *err, size_t errlen)
{
	int e = SSL_get_error(ssl, rc);

	if (e == SSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	return tls_fail(e, what, err, errlen);
}

int tls_handshake(SSL *ssl, char *err, size_t errlen)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(ssl);
	if (rc == 1)
		return 1;
	return want(ssl, rc, "TLS handshake failed", err, errlen);
}

ssize_t tls_write(SSL *ssl, const void *buf, size_t n, char *err, size_t errlen)
{
	size_t done = 0;
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_write_ex(ssl, buf, n, &done);
	if (rc == 1)
		return (ssize_t)done;
	return want(ssl, rc, "TLS write", err, errlen);
}

ssize_t tls_read(SSL *ssl, void *buf, size_t n, char *err, size_t errlen)
{
	size_t done = 0;
	int rc, e;

	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(ssl, buf, n, &done);
	if (rc == 1)
		return (ssize_t)done;
	e = SSL_get_error(ssl, rc);
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0; /* close_notify */
	if (e == SSL_ERROR_SYSCALL && !ERR_peek_last_error() && !errno)
		return 0; /* socket closed without close_notify */
	return want(ssl, rc, "TLS read", err, errlen);
}

void tls_free(SSL *ssl)
{
	if (ssl)
		SSL_free(ssl);
}
