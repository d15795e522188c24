/* The PostgreSQL frontend/backend protocol (version 3.0), as much as a
 * health check needs: the client's messages are encoded into a caller's
 * buffer, the server's are cut out of a receive buffer and decoded in
 * place.  No allocation, every length checked against the buffer it claims
 * to fill; a message longer than PG_MSG_MAX is a protocol error, which is
 * what bounds a malicious server (check_pgsql.c).  SCRAM-SHA-256 (RFC 5802
 * / 7677, PostgreSQL's flavour: no channel binding, empty user name) and
 * md5 use libcrypto. */
#ifndef FC_CHECK_PG_PROTO_H
#define FC_CHECK_PG_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "check/pg_proto-t.h"

/* ---- the client's messages: the bytes written, 0 if cap is too small ---- */

/* SSLRequest: the server answers one byte, 'S' (TLS follows) or 'N'. */
size_t pg_put_ssl_request(uint8_t *out, size_t cap);
/* StartupMessage for user and database (application_name fulcrum). */
size_t pg_put_startup(uint8_t *out, size_t cap, const char *user, const char *dbname);
/* PasswordMessage ('p') with n bytes of data: a cleartext or md5 password
 * (NUL included by the caller), or a SASLResponse. */
size_t pg_put_password(uint8_t *out, size_t cap, const void *data, size_t n);
/* SASLInitialResponse: mechanism, then n bytes of client-first-message. */
size_t pg_put_sasl_initial(uint8_t *out, size_t cap, const char *mech, const void *data, size_t n);
/* Query ('Q'): one simple query. */
size_t pg_put_query(uint8_t *out, size_t cap, const char *sql);
/* Terminate ('X'). */
size_t pg_put_terminate(uint8_t *out, size_t cap);

/* ---- the server's messages ---- */

/* The next whole message at buf: 1 and *m filled (m->size bytes used), 0
 * when more bytes are needed, -1 when the header is impossible (length
 * under 4 or over PG_MSG_MAX) with a reason in err. */
int pg_msg_next(const uint8_t *buf, size_t len, struct pg_msg *m, char *err, size_t errlen);

/* An Authentication ('R') message: 0 and *a, or -1 (malformed). */
int pg_auth_parse(const struct pg_msg *m, struct pg_auth *a);
/* 1 if the SASL mechanism list of a (PG_AUTH_SASL) holds name. */
int pg_auth_has_mech(const struct pg_auth *a, const char *name);
/* A ParameterStatus ('S'): name and value point into m; 0 or -1. */
int pg_param_parse(const struct pg_msg *m, const char **name, const char **value);
/* An ErrorResponse or NoticeResponse: "SEVERITY CODE: message" (printable,
 * cut to outlen) into out; 0 or -1 (malformed). */
int pg_error_text(const struct pg_msg *m, char *out, size_t outlen);
/* A DataRow ('D'): up to max columns into cols (len -1 = NULL); the number
 * of columns the row has, or -1 (malformed). */
int pg_datarow_parse(const struct pg_msg *m, struct pg_col *cols, unsigned max);

/* ---- authentication ---- */

/* The md5 password: "md5" + md5hex(md5hex(password user) salt), NUL ended
 * (36 bytes with the NUL). */
void pg_md5_password(const char *user, const char *password, const uint8_t salt[4], char out[36]);

/* SCRAM-SHA-256, one exchange.  first: the client-first-message into out
 * (a new random nonce); its length, 0 on failure.  final: from the
 * server-first-message (sf, n bytes), the client-final-message into out;
 * its length, or 0 with a reason in err (bad nonce, iteration count out of
 * range...); the password is SASLprep'd first (saslprep.h), or used as
 * raw bytes when it is not UTF-8 or SASLprep refuses it, as libpq does.
 * verify: the server-final-message's signature; 0, or -1 with
 * a reason ("wrong server signature", or the server's e= error). */
size_t pg_scram_first(struct pg_scram *s, char *out, size_t cap);
size_t pg_scram_final(struct pg_scram *s, const char *password, const uint8_t *sf, size_t n,
		      char *out, size_t cap, char *err, size_t errlen);
int pg_scram_verify(const struct pg_scram *s, const uint8_t *sfin, size_t n, char *err,
		    size_t errlen);

/* How many SaltedPasswords (PBKDF2) pg_scram_final has derived since the
 * start; the others came from its cache (pg_proto.c): for tests. */
unsigned long pg_scram_derivations(void);

/* An LSN "XXXXXXXX/XXXXXXXX" (n bytes, not NUL ended): 0 and *lsn, or -1. */
int pg_lsn_parse(const char *s, size_t n, uint64_t *lsn);

#endif
