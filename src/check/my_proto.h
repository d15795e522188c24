/* The part of the MySQL/MariaDB client/server protocol MYSQL_CHECK speaks:
 * packet framing, the server's HandshakeV10, the client's SSLRequest and
 * HandshakeResponse41, the auth switch and "more data" requests, the
 * mysql_native_password (SHA1) and caching_sha2_password (SHA256)
 * scrambles, OK/ERR/EOF, COM_QUERY and its text resultset.
 *
 * Pure functions on byte buffers, no I/O (check_mysql.c drives them on
 * the loop).  The decoders read what a server sent: every length is checked
 * against the bytes given, a packet is at most MY_PKT_MAX bytes, a result
 * set at most MY_COLS_MAX columns, and a value is kept to MY_VAL_MAX
 * bytes (truncated: a check compares numbers and short names). */
#ifndef FC_CHECK_MY_PROTO_H
#define FC_CHECK_MY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define MY_HDR_LEN  4
#define MY_PKT_MAX  262144 /* the longest packet accepted (a GTID set can be long) */
#define MY_COLS_MAX 256    /* SHOW REPLICA STATUS has about 60 */
#define MY_NAME_MAX 64
#define MY_VAL_MAX  64
#define MY_SALT_LEN 20

/* Capability flags (the protocol's CLIENT_*). */
#define MY_CAP_LONG_PASSWORD 0x00000001u
#define MY_CAP_CONNECT_DB    0x00000008u
#define MY_CAP_PROTOCOL_41   0x00000200u
#define MY_CAP_SSL	     0x00000800u
#define MY_CAP_TRANSACTIONS  0x00002000u
#define MY_CAP_SECURE_CONN   0x00008000u
#define MY_CAP_PLUGIN_AUTH   0x00080000u
#define MY_CAP_AUTH_LENENC   0x00200000u

#define MY_COM_QUIT  0x01
#define MY_COM_QUERY 0x03

/* The first byte of a reply packet. */
#define MY_OK	     0x00
#define MY_AUTH_MORE 0x01 /* caching_sha2_password: 0x03 fast auth ok, 0x04 full auth */
#define MY_EOF	     0xfe /* or an auth switch request during authentication */
#define MY_ERR	     0xff

/* One packet in a buffer: its sequence number and payload (pointing into
 * the buffer). */
struct my_pkt {
	uint8_t seq;
	const uint8_t *p;
	size_t len;
};

/* What the server's greeting says. */
struct my_handshake {
	char version[64];
	uint32_t conn_id;
	uint32_t caps;
	uint8_t salt[MY_SALT_LEN];
	char plugin[MY_NAME_MAX]; /* "" when the server names none */
};

/* An ERR packet: the server's code, SQLSTATE and message (printable,
 * truncated). */
struct my_err {
	unsigned code;
	char state[6];
	char msg[128];
};

/* A text resultset being read, packet after packet (my_rs_feed).  Keeps
 * the column names and the values of the FIRST row only (NULL is a flag). */
enum my_rs_state { MY_RS_COUNT, MY_RS_COLS, MY_RS_COLS_EOF, MY_RS_ROWS, MY_RS_DONE };

struct my_rs {
	enum my_rs_state st;
	unsigned ncols, cols_seen;
	unsigned nrows;
	char names[MY_COLS_MAX][MY_NAME_MAX];
	char vals[MY_COLS_MAX][MY_VAL_MAX];
	uint8_t null[MY_COLS_MAX];
};

/* The first complete packet at buf: 1 with *pkt and *used (header +
 * payload) set, 0 when more bytes are needed, -1 (err) when its length is
 * over MY_PKT_MAX. */
int my_frame(const uint8_t *buf, size_t len, struct my_pkt *pkt, size_t *used, char *err,
	     size_t errlen);

/* Write a header for a payload of len bytes with sequence seq before it
 * (out has MY_HDR_LEN bytes of room). */
void my_put_hdr(uint8_t *out, size_t len, uint8_t seq);

/* The server's first packet: HandshakeV10 (or an ERR, e.g. "Host is
 * blocked"), into *h.  0, or -1 with err. */
int my_parse_handshake(const uint8_t *p, size_t len, struct my_handshake *h, char *err,
		       size_t errlen);

/* An ERR packet's fields (p[0] is 0xff).  0, or -1 when malformed. */
int my_parse_err(const uint8_t *p, size_t len, struct my_err *e);

/* An auth switch request (p[0] 0xfe during authentication): the plugin
 * and its 20-byte salt.  0, or -1 with err. */
int my_parse_auth_switch(const uint8_t *p, size_t len, char *plugin, size_t pluginlen,
			 uint8_t salt[MY_SALT_LEN], char *err, size_t errlen);

/* The scramble for password and salt: mysql_native_password's 20 bytes
 * SHA1(pw) ^ SHA1(salt, SHA1(SHA1(pw))), or caching_sha2_password's 32
 * bytes SHA256(pw) ^ SHA256(SHA256(SHA256(pw)), salt).  Empty password:
 * an empty answer.  Returns its length (0, 20 or 32); out has 32 bytes. */
size_t my_scramble_native(const char *pw, const uint8_t salt[MY_SALT_LEN], uint8_t *out);
size_t my_scramble_sha2(const char *pw, const uint8_t salt[MY_SALT_LEN], uint8_t *out);

/* The payload of the SSLRequest (32 bytes) and of HandshakeResponse41
 * for caps, user, the auth answer, db (NULL: none) and plugin.  The
 * payload length, or 0 if it would not fit cap. */
size_t my_build_ssl_request(uint8_t *out, size_t cap, uint32_t caps);
size_t my_build_response(uint8_t *out, size_t cap, uint32_t caps, const char *user,
			 const uint8_t *auth, size_t authlen, const char *db, const char *plugin);

/* Start a result set (zeroes *rs), then feed it each packet of the reply
 * to a COM_QUERY: 0 = more packets, 1 = complete, -1 with err (an ERR
 * packet as the first answer fills *e and says so: err then holds the
 * server's message). */
void my_rs_init(struct my_rs *rs);
int my_rs_feed(struct my_rs *rs, const uint8_t *p, size_t len, struct my_err *e, char *err,
	       size_t errlen);

/* The column named name (case-insensitive) of a complete result set, or
 * -1. */
int my_rs_col(const struct my_rs *rs, const char *name);

#endif
