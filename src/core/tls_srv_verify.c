/* The client certificates of a TLS listener (haproxy.cfg's bind `verify
 * optional|required`, `ca-file`, `ca-verify-file`, `crl-file`,
 * `ca-ignore-err`, `crt-ignore-err`, `no-ca-names`; see tls_srv.h).
 *
 * OpenSSL checks the chain; our callback decides, as HAProxy's does, which
 * failures refuse the handshake: any, unless the bind ignores that error
 * code at that place (the client's own certificate at depth 0, its CAs
 * above).  The first error of each place is kept on the session for the
 * ssl_c_err and ssl_c_ca_err fetches; SSL_get_verify_result gives the last
 * (ssl_c_verify), which is 0 only when the chain was good. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "core/err.h"
#include "core/tls.h"
#include "core/tls_srv-t.h"
#include "core/tls_srv_verify.h"

/* SSL ex_data: the first errors, (crt << 16) | ca, as an integer */
static int first_idx = -1;
static pthread_once_t first_once = PTHREAD_ONCE_INIT;

static void first_idx_make(void)
{
	first_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int ignored(const uint64_t *bits, int e)
{
	return e >= 0 && e < TLS_IGNERR_MAX && (bits[e / 64] >> (e % 64) & 1);
}

static int on_verify(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	const struct tls_bind_opts *o = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
	int depth, e;
	uintptr_t first;

	if (ok || !o)
		return ok;
	depth = X509_STORE_CTX_get_error_depth(x);
	e = X509_STORE_CTX_get_error(x);
	first = (uintptr_t)SSL_get_ex_data(ssl, first_idx);
	if (depth > 0 && !(first & 0xffff))
		first |= (uintptr_t)(e & 0xffff);
	else if (depth == 0 && !(first >> 16))
		first |= (uintptr_t)(e & 0xffff) << 16;
	SSL_set_ex_data(ssl, first_idx, (void *)first);
	if (!ignored(depth > 0 ? o->ca_ignore : o->crt_ignore, e))
		return 0; /* the handshake fails: OpenSSL sends its alert */
	ERR_clear_error();
	return 1;
}

int tls_srv_verify_ctx(SSL_CTX *ctx, const struct tls_bind_opts *o, char *err, size_t errlen)
{
	static const unsigned char sid[] = "fulcrum";
	char e[ERRLEN];

	pthread_once(&first_once, first_idx_make);
	SSL_CTX_set_app_data(ctx, (void *)o);
	if (o->verify == TLS_CV_NONE)
		return 0;
	if (!o->ca_file[0] && !o->ca_verify_file[0])
		return err_set(err, errlen, "verify %s needs the CAs the clients' certificates chain to "
					    "(ca-file FILE)",
			       o->verify == TLS_CV_REQUIRED ? "required" : "optional");
	if (tls_ctx_load_ca(ctx, o->ca_file, o->crl_file, err, errlen) < 0)
		return -1;
	if (o->ca_verify_file[0] && tls_ctx_load_ca(ctx, o->ca_verify_file, NULL, e, sizeof(e)) < 0)
		return err_set(err, errlen, "ca-verify-%s", e + 3); /* e: "ca-file '...': ..." */
	if (o->ca_file[0] && !o->no_ca_names) {
		STACK_OF(X509_NAME) *names;

		ERR_clear_error();
		names = SSL_load_client_CA_file(o->ca_file);
		ERR_clear_error();
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (o->verify == TLS_CV_REQUIRED ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
			   on_verify);
	/* a session resumed where certificates are verified must come from
	 * this listener: OpenSSL refuses to resume without an id context */
	if (!SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1))
		return tls_error(0, "session id context", err, errlen);
	return 0;
}

void tls_srv_verify_switch(SSL *ssl, SSL_CTX *ctx)
{
	SSL_set_SSL_CTX(ssl, ctx);
	/* what SSL_new copied from the first context: asked of the client
	 * after this callback (the CertificateRequest is not sent yet) */
	SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), SSL_CTX_get_verify_callback(ctx));
	SSL_set_client_CA_list(ssl, NULL); /* then the context's list is the one sent */
}

int tls_srv_verify_errors(SSL *ssl, int *ca_err)
{
	uintptr_t first = first_idx < 0 ? 0 : (uintptr_t)SSL_get_ex_data(ssl, first_idx);

	*ca_err = (int)(first & 0xffff);
	return (int)(first >> 16);
}
