/* Non-blocking TLS I/O on either side (see tls.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "core/err.h"
#include "core/tls.h"

int tls_error(int sslerr, const char *what, char *err, size_t errlen)
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
		return err_set(err, errlen, "%s: connection closed by the peer", what);
	return err_set(err, errlen, "%s: TLS error %d", what, sslerr);
}

static int want(SSL *ssl, int rc, const char *what, char *err, size_t errlen)
{
	int e = SSL_get_error(ssl, rc);

	if (e == SSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	return tls_error(e, what, err, errlen);
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

int tls_ctx_load_ca(SSL_CTX *ctx, const char *ca_file, const char *crl_file, char *err, size_t errlen)
{
	char e[ERRLEN];
	struct stat st;

	ERR_clear_error();
	if (ca_file && *ca_file && strcmp(ca_file, "@system-ca") && stat(ca_file, &st) < 0)
		return err_set(err, errlen, "ca-file '%s': %s", ca_file, strerror(errno));
	if (crl_file && *crl_file && stat(crl_file, &st) < 0)
		return err_set(err, errlen, "crl-file '%s': %s", crl_file, strerror(errno));
	if (ca_file && !strcmp(ca_file, "@system-ca")) {
		if (!SSL_CTX_set_default_verify_paths(ctx))
			return tls_error(0, "ca-file @system-ca", err, errlen);
	} else if (ca_file && *ca_file && !SSL_CTX_load_verify_locations(ctx, ca_file, NULL)) {
		tls_error(0, "x", e, sizeof(e));
		return err_set(err, errlen, "ca-file '%s': no CA certificate could be read from it (%s)",
			       ca_file, e + 3);
	}
	if (crl_file && *crl_file) {
		X509_STORE *st = SSL_CTX_get_cert_store(ctx);
		X509_LOOKUP *lu = st ? X509_STORE_add_lookup(st, X509_LOOKUP_file()) : NULL;

		if (!lu || X509_load_crl_file(lu, crl_file, X509_FILETYPE_PEM) <= 0) {
			tls_error(0, "x", e, sizeof(e));
			return err_set(err, errlen, "crl-file '%s': no CRL could be read from it (%s)",
				       crl_file, e + 3);
		}
		/* the whole chain is checked against the lists, as HAProxy */
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	return 0;
}
