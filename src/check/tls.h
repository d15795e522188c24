/* A non-blocking TLS client over an already connected socket, for SSL_GET
 * (and any later checker that speaks TLS).  Every call returns at once; a
 * TLS_WANT_* result says which readiness of the socket to wait for before
 * calling again.  As keepalived does, the server's certificate is not
 * verified: the check is about the service answering, not about trust. */
#ifndef FC_CHECK_TLS_H
#define FC_CHECK_TLS_H

#include <stddef.h>

#include "core/tls.h" /* the session's I/O */

/* A client session on fd; sni (NULL or "" for none) is sent as the server
 * name.  NULL with err filled on failure.  The fd stays the caller's. */
SSL *tls_client_new(int fd, const char *sni, char *err, size_t errlen);

#endif
