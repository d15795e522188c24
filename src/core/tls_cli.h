/* The client side of TLS for the HTTP engine's servers (haproxy.cfg's
 * `server ... ssl [verify none|required] [ca-file F] [crt F] [sni EXPR]
 * ...`): one context per server, made when the configuration is read (so
 * `fulcrum -t` names an unreadable CA or certificate at its line), and the
 * server's last TLS session, offered again on the next connection
 * (resumption: a short handshake, as HAProxy's per-server cache).
 *
 * A struct tls_cli is shared by every worker and refcounted: the server
 * (struct real_server) holds one reference and each connection one while
 * its session lives, because OpenSSL's new-session callback points at it
 * and a reload may free the configuration under a connection. */
#ifndef FC_CORE_TLS_CLI_H
#define FC_CORE_TLS_CLI_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "core/tls_srv-t.h" /* struct tls_bind_opts */

enum tls_verify {
	TLS_VERIFY_UNSET,    /* as the global ssl-server-verify says (required) */
	TLS_VERIFY_NONE,
	TLS_VERIFY_REQUIRED,
};

/* A server's TLS options (the versions, ciphers and ALPN in o: the same
 * words as a bind's).  Fixed-size: default-server's copy is a struct
 * assignment. */
struct tls_cli_opts {
	struct tls_bind_opts o;
	enum tls_verify verify;
	char ca_file[1024];    /* "" none; "@system-ca": the system's */
	char crl_file[1024];   /* "" none */
	char crt[1024];        /* our certificate for the server, "" none */
	char verifyhost[256];  /* the name checked when no SNI is sent */
	int no_verifyhost;     /* no name checked at all */
	int no_reuse;          /* no-ssl-reuse: a full handshake every time */
};

struct tls_cli;

/* The context of a server: NULL with err (a CA or certificate that cannot
 * be read, verify required without a CA).  One reference. */
struct tls_cli *tls_cli_new(const struct tls_cli_opts *o, char *err, size_t errlen);
struct tls_cli *tls_cli_ref(struct tls_cli *t);
void tls_cli_put(struct tls_cli *t);

/* A client session on the connected socket fd, sending sni (NULL or ""
 * for none), checking the certificate's name (the SNI, else verifyhost)
 * when t verifies, resuming t's last session.  NULL out of memory. */
SSL *tls_cli_session(struct tls_cli *t, int fd, const char *sni);

/* The server line's `sni EXPR`, parsed by the layer that evaluates it
 * (owned by t from now on, freed by free_fn); NULL: none. */
void tls_cli_set_sni(struct tls_cli *t, void *expr, void (*free_fn)(void *));
const void *tls_cli_sni(const struct tls_cli *t);

#endif
