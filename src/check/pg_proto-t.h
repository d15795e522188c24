/* Types of the PostgreSQL protocol codec (pg_proto.c). */
#ifndef FC_CHECK_PG_PROTO_T_H
#define FC_CHECK_PG_PROTO_T_H

#include <stddef.h>
#include <stdint.h>

/* A server message over this is a protocol error: a check's replies are a
 * few hundred bytes, and the cap is what stops a server that announces
 * gigabytes from making fulcrum wait for them. */
#define PG_MSG_MAX 65536

/* One server message, pointing into the receive buffer. */
struct pg_msg {
	char type;	     /* 'R', 'S', 'K', 'Z', 'E', 'N', 'T', 'D', 'C'... */
	const uint8_t *body; /* after the 5-byte header */
	size_t len;	     /* of body */
	size_t size;	     /* of the whole message, header included */
};

/* Authentication request codes (the int32 after 'R'). */
enum pg_auth_code {
	PG_AUTH_OK = 0,
	PG_AUTH_CLEARTEXT = 3,
	PG_AUTH_MD5 = 5,
	PG_AUTH_SASL = 10,
	PG_AUTH_SASL_CONTINUE = 11,
	PG_AUTH_SASL_FINAL = 12,
};

struct pg_auth {
	int32_t code;
	const uint8_t *data; /* MD5: the 4-byte salt; SASL: the mechanism list;
			      * SASL_CONTINUE / FINAL: the server's message */
	size_t len;
};

struct pg_col {
	const char *data; /* into the message; NULL for SQL NULL */
	int32_t len;	  /* -1 for NULL */
};

/* One SCRAM-SHA-256 exchange's state, between its three steps. */
#define PG_SCRAM_NONCE 24  /* base64 characters of the client's nonce */
#define PG_SCRAM_MSG   512 /* the longest message kept (server-first) */
#define PG_SCRAM_ITER_MAX                                                                          \
	100000 /* more iterations than this is refused:                                            \
		* PBKDF2 runs on the loop (PostgreSQL's                                            \
		* default is 4096) */
struct pg_scram {
	char nonce[PG_SCRAM_NONCE + 1];
	char first_bare[64];	/* "n=,r=<nonce>" */
	uint8_t server_sig[32]; /* expected in server-final */
};

#endif
