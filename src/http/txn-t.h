/* One HTTP transaction as the rules, the sample fetches and the log see
 * it.  The HTTP engine (src/proxy/http_*.c) owns it and fills it; src/http
 * reads it and edits the messages through h1.h. */
#ifndef FC_HTTP_TXN_T_H
#define FC_HTTP_TXN_T_H

#include <stdint.h>

#include "core/addr.h"
#include "http/h1-t.h"
#include "model/http_proxy-t.h"

#define HTXN_VARS 16 /* set-var variables per transaction */

struct htxn_var {
	char name[48]; /* "txn.foo", "req.bar", "sess.baz" as written */
	char val[256];
	uint32_t len;
	int is_int;
	int64_t ival;
};

struct capture_vals; /* src/http/capture.c */

/* The client's TLS session as the fetches and the log see it (ssl_fc_*,
 * %sslv, %sslc): filled once the handshake is over. */
struct x509_st; /* OpenSSL's X509 */
struct htxn_tls {
	const char *version; /* "TLSv1.3" (OpenSSL's static names) */
	const char *cipher;  /* "TLS_AES_256_GCM_SHA384" */
	char sni[256];	     /* the server name the client sent, "" none */
	char alpn[64];	     /* the protocol ALPN chose, "" none */
	/* the client's certificate (ssl_c_*): the peer's X509, one reference
	 * held by whoever holds these facts (http_tls.c), NULL: none */
	struct x509_st *peer;
	struct x509_st *local; /* ours the client got (ssl_f_der), a reference as peer's; NULL none */
	long verify;	     /* SSL_get_verify_result: 0 a good chain, or none asked */
	int crt_err, ca_err; /* the first X509_V_ERR_* at depth 0, above it (ignored ones) */
	int crt_sent;	     /* sent in this handshake (not a resumed session's) */
};

struct http_txn {
	struct h1_msg *req;  /* parsed request head (may be edited) */
	struct h1_msg *resp; /* parsed response head, NULL before it */
	struct fc_addr src;  /* client (http-request set-src may change it) */
	struct fc_addr dst;  /* the address the client reached */
	const struct htxn_tls *ssl; /* the client's TLS (ssl_fc), NULL plain */
	const struct http_proxy *fe; /* frontend */
	const struct http_proxy *be; /* backend once chosen, else NULL */
	const char *srv_name;	     /* server once chosen, else NULL */
	unsigned status;	     /* status sent to the client (logs) */
	/* the frontend's captures (src/http/capture.h): a block that says
	 * its own layout (a reload may change the frontend's), owned, or
	 * NULL when it captures nothing */
	struct capture_vals *caps;

	/* timings for the log (milliseconds; -1 when the step did not happen),
	 * HAProxy's TR/Tw/Tc/Tr/Ta of option httplog */
	int64_t t_req, t_queue, t_connect, t_resp, t_active;
	int64_t t_idle;	        /* %Ti: waiting for the head's first byte (keep-alive's
				 * idle time), before t_req and t_active */
	int64_t t_hs;		/* %Th: the accept to the end of the TLS handshake, on
				 * a connection's first request (0 after, and plain),
				 * before t_idle */
	uint64_t accept_ms;     /* wall clock of the accept (for the date) */
	uint64_t bytes_in, bytes_out;
	char term[4];	        /* termination state, "--" ... */
	char ck[2];	        /* its cookie characters (HAProxy's %tsc): the client's
				 * cookie, what the server's answer got; 0: '-' */
	/* `capture cookie` (capture.h): the request's and the response's
	 * "name=value", for %CC / %CS; "" = none captured */
	char cli_cookie[64], srv_cookie[64];
	unsigned retries;	/* connection retries of this transaction (%rc) */
	int redispatched;	/* one of them went to another server ('+' in %rc) */
	unsigned fe_conn, be_conn, srv_conn, act_conn; /* concurrent counts at log time */
	/* %sq / %bq: the requests the server's / the backend's queue gave a
	 * slot to from this one's arrival to its own turn, itself included
	 * (HAProxy's srv_queue / backend_queue); 0 when it did not wait */
	unsigned srv_queue, be_queue;

	/* last, so that a transaction without variables touches none of
	 * their 5 KiB (the engine clears the rest only, http_txn.c) */
	unsigned nvars;
	struct htxn_var vars[HTXN_VARS];
};

#endif
