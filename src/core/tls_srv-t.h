/* The types of a TLS listener's options (tls_srv.h): a bind's TLS words
 * as read, and its certificates.  Apart from the functions so that
 * tls_srv_verify.c and tls_cli.h, which read the options, need not include
 * tls_srv.h (which includes them). */
#ifndef FC_CORE_TLS_SRV_T_H
#define FC_CORE_TLS_SRV_T_H

#include <stdint.h>

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

#endif
