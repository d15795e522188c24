/* Non-blocking TLS over an already connected socket, either side: the
 * health checks' client (check/tls.h) and the HTTP engine's listeners
 * (core/tls_srv.h) drive their sessions through these.  Every call returns
 * at once; a TLS_WANT_* result says which readiness of the socket to wait
 * for before calling again.  OpenSSL's error queue is cleared before each
 * call, so a message always belongs to the call that failed. */
#ifndef FC_CORE_TLS_H
#define FC_CORE_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

enum {
	TLS_ERR = -1,	     /* failed: see err */
	TLS_WANT_READ = -2,  /* call again when the socket is readable */
	TLS_WANT_WRITE = -3, /* ... writable */
};

/* Drive the handshake: 1 when done, TLS_WANT_* or TLS_ERR. */
int tls_handshake(SSL *ssl, char *err, size_t errlen);

/* Bytes written (> 0), TLS_WANT_* or TLS_ERR. */
ssize_t tls_write(SSL *ssl, const void *buf, size_t n, char *err, size_t errlen);

/* Bytes read (> 0), 0 at the end of the stream (close_notify, or the peer
 * closing the socket without one, as many HTTP servers do), TLS_WANT_* or
 * TLS_ERR. */
ssize_t tls_read(SSL *ssl, void *buf, size_t n, char *err, size_t errlen);

/* Free the session without waiting for the peer (no blocking shutdown). */
void tls_free(SSL *ssl);

/* TLS_ERR, with err saying why `what` failed: OpenSSL's queue, else
 * errno, else the SSL_get_error() code sslerr. */
int tls_error(int sslerr, const char *what, char *err, size_t errlen);

/* ca-file and crl-file on ctx, as a client (server ssl) and a listener (client
 * certificates) load them; "@system-ca" is the system store: 0, or -1 with err
 * naming the file. */
int tls_ctx_load_ca(SSL_CTX *ctx, const char *ca_file, const char *crl_file, char *err, size_t errlen);

#endif
