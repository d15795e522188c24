/* A non-blocking TLS client over an already connected socket, for SSL_GET
 * (and any later checker that speaks TLS).  Every call returns at once; a
 * TLS_WANT_* result says which readiness of the socket to wait for before
 * calling again.  As keepalived does, the server's certificate is not
 * verified: the check is about the service answering, not about trust. */
#ifndef FC_CHECK_TLS_H
#define FC_CHECK_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

enum {
	TLS_ERR = -1,	     /* failed: see err */
	TLS_WANT_READ = -2,  /* call again when the socket is readable */
	TLS_WANT_WRITE = -3, /* ... writable */
};

/* A client session on fd; sni (NULL or "" for none) is sent as the server
 * name.  NULL with err filled on failure.  The fd stays the caller's. */
SSL *tls_client_new(int fd, const char *sni, char *err, size_t errlen);

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

#endif
