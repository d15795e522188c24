/* The server side of TLS for the HTTP engine's listeners (haproxy.cfg's
 * `bind ... ssl crt ...`): a context per certificate, loaded when the
 * configuration is read (so `fulcrum -t` names a missing file or a key
 * that does not match), the client's SNI choosing among them, ALPN
 * answered from the bind's list.  The sessions' I/O is core/tls.h's.
 *
 * A struct tls_srv is shared by every worker (OpenSSL's contexts are
 * thread-safe) and refcounted: the configuration holds one reference and
 * each session holds one until its handshake is over, because OpenSSL's
 * SNI and ALPN callbacks point at it and a reload may free the
 * configuration under a handshake in flight. */
#ifndef FC_CORE_TLS_SRV_H
#define FC_CORE_TLS_SRV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "core/tls_srv-t.h"

struct tls_srv;

/* "TLSv1.2" -> TLS1_2_VERSION (SSLv3, TLSv1.0...TLSv1.3); 0 if unknown. */
int tls_version_of(const char *name);
/* The settings a listener's and a server's contexts share (versions,
 * ciphers, suites, curves, tickets; no renegotiation, no compression;
 * partial writes from a moving buffer, buffers given back when idle): 0,
 * or -1 with err. */
int tls_ctx_common(SSL_CTX *ctx, const struct tls_bind_opts *o, char *err, size_t errlen);
/* The certificate, chain and key of PEM file path on ctx (the key in it,
 * else in path.key): 0, or -1 with err naming the file and what is
 * wrong (unreadable, no key, a key of another certificate). */
int tls_ctx_use_crt(SSL_CTX *ctx, const char *path, char *err, size_t errlen);
/* "h2,http/1.1" into o->alpn: 0, or -1 with err (an empty or too long name). */
int tls_alpn_parse(struct tls_bind_opts *o, const char *list, char *err, size_t errlen);

/* The contexts of a bind: one per certificate file of crt[] (a directory:
 * every file in it, in name order; a file's key is in it, else in
 * FILE.key); the first is the default.  A client's SNI picks the first
 * certificate one of whose names (or positive filters) is the name, else
 * the first whose wildcard matches it unless a negative filter of any
 * line names it (HAProxy's order).  NULL with err naming the file on
 * failure.  One reference. */
struct tls_srv *tls_srv_new(const struct tls_bind_opts *o, const struct tls_crt *crt, unsigned ncrt,
			    char *err, size_t errlen);
void tls_srv_put(struct tls_srv *t);
/* Another reference to t (returned). */
struct tls_srv *tls_srv_ref(struct tls_srv *t);

/* A server session on the accepted socket fd, holding a reference to t
 * until tls_srv_put(t) (the caller's, once the handshake is over or the
 * session freed).  NULL out of memory. */
SSL *tls_srv_session(struct tls_srv *t, int fd);

/* The first host name of a ClientHello's server_name extension body
 * (p, len: outside input), NUL-ended into out[0..cap): 0, or -1 (none,
 * malformed, a NUL in it, longer than cap - 1). */
int tls_sni_of_ext(const unsigned char *p, size_t len, char *out, size_t cap);

/* The certificates' names (tests, `fulcrum -t`): how many certificates,
 * and whether `name` would pick certificate i by SNI (-1: the default). */
unsigned tls_srv_ncerts(const struct tls_srv *t);
int tls_srv_pick(const struct tls_srv *t, const char *name);

#endif
