/* The client certificates of a TLS listener (tls_srv_verify.c): what
 * tls_srv.c sets on each of a bind's contexts, and what the session says
 * once its handshake is over. */
#ifndef FC_CORE_TLS_SRV_VERIFY_H
#define FC_CORE_TLS_SRV_VERIFY_H

#include <stddef.h>

#include <openssl/ssl.h>

struct tls_bind_opts;

/* ctx asks for and checks the client's certificate as o says (o must
 * outlive ctx: the verify callback reads its ignored errors): 0, or -1
 * with err (verify without a CA, a CA or CRL file that cannot be read). */
int tls_srv_verify_ctx(SSL_CTX *ctx, const struct tls_bind_opts *o, char *err, size_t errlen);

/* SNI chose ctx for ssl: its certificate and what it asks of the client. */
void tls_srv_verify_switch(SSL *ssl, SSL_CTX *ctx);

/* The first X509_V_ERR_* of the client's own certificate (0: none), and
 * in *ca_err the first of its CAs', met while verifying ssl's chain. */
int tls_srv_verify_errors(SSL *ssl, int *ca_err);

#endif
