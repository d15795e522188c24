/* Non-blocking TLS client (see tls.h).  One SSL_CTX for the process,
 * made at first use; the session's I/O is core/tls.c's. */
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

SSL *tls_client_new(int fd, const char *sni, char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_get(err, errlen);
	SSL *ssl;

	if (!ctx)
		return NULL;
	ERR_clear_error();
	ssl = SSL_new(ctx);
	if (!ssl) {
		tls_error(0, "TLS", err, errlen);
		return NULL;
	}
	if (!SSL_set_fd(ssl, fd) || (sni && *sni && !SSL_set_tlsext_host_name(ssl, sni))) {
		tls_error(0, "TLS", err, errlen);
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}
