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

#define TLS_NO_SSLV3  0x01
#define TLS_NO_TLSV10 0x02
#define TLS_NO_TLSV11 0x04
#define TLS_NO_TLSV12 0x08
#define TLS_NO_TLSV13 0x10

/* What a bind asks of its clients' certificates (`verify`). */
enum tls_cverify {
	TLS_CV_NONE,	 /* none asked (the default) */
	TLS_CV_OPTIONAL, /* asked; a client without one gets in, a bad one does not */
	TLS_CV_REQUIRED, /* a client without a good one is refused at the handshake */
};

/* X509_V_ERR_* codes a bind may ignore (ca-ignore-err, crt-ignore-err):
 * OpenSSL's are below 128 */
#define TLS_IGNERR_MAX 128

/* A bind's TLS settings (haproxy.cfg's bind options, or the global
 * ssl-default-bind-* they start from).  Fixed-size on purpose: the
 * defaults' copy into a bind is a struct assignment. */
struct tls_bind_opts {
	int min_ver, max_ver;	    /* TLS1_2_VERSION...; 0 = not set (min: TLSv1.2, as HAProxy) */
	unsigned no_ver;	    /* TLS_NO_* */
	int no_tickets;		    /* no-tls-tickets */
	int prefer_client_ciphers;  /* else the server's order, as HAProxy */
	int strict_sni;		    /* a client naming no certificate of ours is refused */
	char ciphers[1024];	    /* "" = OpenSSL's default (TLSv1.2 and below) */
	char ciphersuites[512];	    /* "" = OpenSSL's default (TLSv1.3) */
	char curves[256];	    /* "" = OpenSSL's default */
	unsigned char alpn[256];    /* the protocols in ALPN's wire form (length-prefixed) */
	unsigned alpn_len;	    /* 0: no ALPN answered */
	/* the client's certificate (bind and crt-list only; a server's are
	 * in struct tls_cli_opts) */
	enum tls_cverify verify;
	char ca_file[1024];	    /* the CAs it chains to, named to the client; "" none */
	char ca_verify_file[1024];  /* more CAs it may chain to, not named; "" none */
	char crl_file[1024];	    /* revoked certificates (the whole chain is checked); "" none */
	int no_ca_names;	    /* the CAs are not named to the client */
	/* errors that do not refuse the handshake: bit e of the first set
	 * for the certificate's CAs (depth > 0), of the second for itself */
	uint64_t ca_ignore[TLS_IGNERR_MAX / 64], crt_ignore[TLS_IGNERR_MAX / 64];
};

/* One `crt` of a bind or line of its crt-list. */
struct tls_crt {
	char *path;		  /* a PEM file, or a directory of them */
	struct tls_bind_opts *o;  /* the crt-list line's own options; NULL: the bind's */
	char **sni;		  /* the crt-list line's SNI filters, "!NAME" excluding */
	unsigned nsni;		  /* 0: the certificate's own names */
};

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

/* The certificates' names (tests, `fulcrum -t`): how many certificates,
 * and whether `name` would pick certificate i by SNI (-1: the default). */
unsigned tls_srv_ncerts(const struct tls_srv *t);
int tls_srv_pick(const struct tls_srv *t, const char *name);

#endif
