/* MySQL/MariaDB protocol pieces for MYSQL_CHECK (my_proto.h).  Facts from
 * the protocol's documentation (HandshakeV10, HandshakeResponse41,
 * AuthSwitchRequest, OK/ERR/EOF packets, Text Resultset); the code is
 * fulcrum's own. */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "check/my_proto.h"
#include "core/err.h"

/* ---- reading ---- */

/* A bounded reader over one payload. */
struct rd {
	const uint8_t *p, *end;
};

static int rd_left(const struct rd *r, size_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

static int rd_skip(struct rd *r, size_t n)
{
	if (!rd_left(r, n))
		return -1;
	r->p += n;
	return 0;
}

static int rd_int(struct rd *r, size_t n, uint64_t *v)
{
	size_t i;

	if (!rd_left(r, n))
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return 0;
}

/* A length-encoded integer; *null for 0xfb (a NULL value in a row). */
static int rd_lenenc(struct rd *r, uint64_t *v, int *null)
{
	uint8_t b;

	*null = 0;
	if (!rd_left(r, 1))
		return -1;
	b = *r->p++;
	if (b < 0xfb) {
		*v = b;
		return 0;
	}
	if (b == 0xfb) {
		*null = 1;
		*v = 0;
		return 0;
	}
	if (b == 0xfc)
		return rd_int(r, 2, v);
	if (b == 0xfd)
		return rd_int(r, 3, v);
	if (b == 0xfe)
		return rd_int(r, 8, v);
	return -1; /* 0xff is not a length */
}

/* Copy n bytes as printable text (truncated to outlen - 1). */
static void text_copy(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t i;

	if (n > outlen - 1)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[n] = 0;
}

/* A length-encoded string into out (NULL: into nothing); *null as above. */
static int rd_lenstr(struct rd *r, char *out, size_t outlen, int *null)
{
	uint64_t n;

	if (rd_lenenc(r, &n, null) < 0 || !rd_left(r, n))
		return -1;
	if (out)
		text_copy(out, outlen, r->p, (size_t)n);
	r->p += n;
	return 0;
}

/* A NUL-terminated string (or, if end_ok, one that runs to the end of the
 * payload, as some servers send the plugin name). */
static int rd_cstr(struct rd *r, char *out, size_t outlen, int end_ok)
{
	const uint8_t *nul = memchr(r->p, 0, (size_t)(r->end - r->p));
	size_t n;

	if (!nul && !end_ok)
		return -1;
	n = nul ? (size_t)(nul - r->p) : (size_t)(r->end - r->p);
	text_copy(out, outlen, r->p, n);
	r->p += n + (nul ? 1 : 0);
	return 0;
}

int my_frame(const uint8_t *buf, size_t len, struct my_pkt *pkt, size_t *used, char *err,
	     size_t errlen)
{
	size_t n;

	if (len < MY_HDR_LEN)
		return 0;
	n = (size_t)buf[0] | (size_t)buf[1] << 8 | (size_t)buf[2] << 16;
	if (n > MY_PKT_MAX)
		return err_set(err, errlen, "a packet of %zu bytes (at most %d taken)", n,
			       MY_PKT_MAX);
	if (len - MY_HDR_LEN < n)
		return 0;
	pkt->seq = buf[3];
	pkt->p = buf + MY_HDR_LEN;
	pkt->len = n;
	*used = MY_HDR_LEN + n;
	return 1;
}

void my_put_hdr(uint8_t *out, size_t len, uint8_t seq)
{
	out[0] = (uint8_t)len;
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)(len >> 16);
	out[3] = seq;
}

int my_parse_err(const uint8_t *p, size_t len, struct my_err *e)
{
	struct rd r = {p, p + len};
	uint64_t code;

	memset(e, 0, sizeof(*e));
	if (rd_skip(&r, 1) < 0 || p[0] != MY_ERR || rd_int(&r, 2, &code) < 0)
		return -1;
	e->code = (unsigned)code;
	if (rd_left(&r, 6) && r.p[0] == '#') {
		text_copy(e->state, sizeof(e->state), r.p + 1, 5);
		r.p += 6;
	}
	text_copy(e->msg, sizeof(e->msg), r.p, (size_t)(r.end - r.p));
	return 0;
}

int my_parse_handshake(const uint8_t *p, size_t len, struct my_handshake *h, char *err,
		       size_t errlen)
{
	struct rd r = {p, p + len};
	uint64_t v, caps_lo, caps_hi = 0, salt_len = 0;
	struct my_err e;

	memset(h, 0, sizeof(*h));
	if (len && p[0] == MY_ERR) {
		if (my_parse_err(p, len, &e) < 0)
			return err_set(err, errlen, "a malformed error instead of the greeting");
		return err_set(err, errlen, "server error %u: %s", e.code, e.msg);
	}
	if (!len || p[0] != 10)
		return err_set(err, errlen, "not a MySQL greeting (protocol %d, want 10)",
			       len ? p[0] : -1);
	r.p++;
	if (rd_cstr(&r, h->version, sizeof(h->version), 0) < 0 || rd_int(&r, 4, &v) < 0)
		return err_set(err, errlen, "truncated greeting");
	h->conn_id = (uint32_t)v;
	if (!rd_left(&r, 8))
		return err_set(err, errlen, "truncated greeting");
	memcpy(h->salt, r.p, 8);
	r.p += 8;
	if (rd_skip(&r, 1) < 0 || rd_int(&r, 2, &caps_lo) < 0)
		return err_set(err, errlen, "truncated greeting");
	h->caps = (uint32_t)caps_lo;
	if (!rd_left(&r, 1))
		return err_set(err, errlen, "an old greeting without a 20-byte salt (pre-4.1 server)");
	/* charset 1, status 2, upper capabilities 2, salt length 1, reserved 10 */
	if (rd_skip(&r, 3) < 0 || rd_int(&r, 2, &caps_hi) < 0 || rd_int(&r, 1, &salt_len) < 0 ||
	    rd_skip(&r, 10) < 0)
		return err_set(err, errlen, "truncated greeting");
	h->caps |= (uint32_t)caps_hi << 16;
	if (!(h->caps & MY_CAP_PROTOCOL_41) || !(h->caps & MY_CAP_SECURE_CONN))
		return err_set(err, errlen, "server without protocol 4.1 authentication");
	/* the salt's second part: max(13, salt_len - 8), its last byte a NUL */
	v = salt_len > 21 ? salt_len - 8 : 13;
	if (!rd_left(&r, v))
		return err_set(err, errlen, "truncated greeting");
	memcpy(h->salt + 8, r.p, 12);
	r.p += v;
	if ((h->caps & MY_CAP_PLUGIN_AUTH) && r.p < r.end &&
	    rd_cstr(&r, h->plugin, sizeof(h->plugin), 1) < 0)
		return err_set(err, errlen, "truncated greeting");
	return 0;
}

int my_parse_auth_switch(const uint8_t *p, size_t len, char *plugin, size_t pluginlen,
			 uint8_t salt[MY_SALT_LEN], char *err, size_t errlen)
{
	struct rd r = {p, p + len};
	size_t n;

	if (!len || p[0] != MY_EOF)
		return err_set(err, errlen, "not an auth switch request");
	r.p++;
	if (rd_cstr(&r, plugin, pluginlen, 0) < 0)
		return err_set(err, errlen, "truncated auth switch request");
	n = (size_t)(r.end - r.p);
	if (n && r.p[n - 1] == 0)
		n--;
	if (n < MY_SALT_LEN && strcmp(plugin, "mysql_clear_password"))
		return err_set(err, errlen, "auth switch to %s with a %zu-byte salt", plugin, n);
	memset(salt, 0, MY_SALT_LEN);
	memcpy(salt, r.p, n < MY_SALT_LEN ? n : MY_SALT_LEN);
	return 0;
}

/* ---- scrambles ---- */

static void digest(const EVP_MD *md, const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n;

	if (!c || !EVP_DigestInit_ex(c, md, NULL) || !EVP_DigestUpdate(c, a, alen) ||
	    (blen && !EVP_DigestUpdate(c, b, blen)) || !EVP_DigestFinal_ex(c, out, &n))
		memset(out, 0, (size_t)EVP_MD_size(md)); /* a wrong answer, refused by the server */
	EVP_MD_CTX_free(c);
}

size_t my_scramble_native(const char *pw, const uint8_t salt[MY_SALT_LEN], uint8_t *out)
{
	uint8_t s1[20], s2[20], s3[20];
	size_t i;

	if (!pw || !*pw)
		return 0;
	digest(EVP_sha1(), (const uint8_t *)pw, strlen(pw), NULL, 0, s1);
	digest(EVP_sha1(), s1, 20, NULL, 0, s2);
	digest(EVP_sha1(), salt, MY_SALT_LEN, s2, 20, s3);
	for (i = 0; i < 20; i++)
		out[i] = s1[i] ^ s3[i];
	return 20;
}

size_t my_scramble_sha2(const char *pw, const uint8_t salt[MY_SALT_LEN], uint8_t *out)
{
	uint8_t s1[32], s2[32], s3[32];
	size_t i;

	if (!pw || !*pw)
		return 0;
	digest(EVP_sha256(), (const uint8_t *)pw, strlen(pw), NULL, 0, s1);
	digest(EVP_sha256(), s1, 32, NULL, 0, s2);
	digest(EVP_sha256(), s2, 32, salt, MY_SALT_LEN, s3);
	for (i = 0; i < 32; i++)
		out[i] = s1[i] ^ s3[i];
	return 32;
}

/* ---- writing ---- */

#define MY_CHARSET_UTF8 33 /* utf8_general_ci: every server knows it */

static size_t put_head(uint8_t *out, uint32_t caps)
{
	memset(out, 0, 32);
	out[0] = (uint8_t)caps;
	out[1] = (uint8_t)(caps >> 8);
	out[2] = (uint8_t)(caps >> 16);
	out[3] = (uint8_t)(caps >> 24);
	out[7] = 0x01; /* max packet 16 MiB: 0x01000000, little-endian */
	out[8] = MY_CHARSET_UTF8;
	return 32; /* + 23 bytes of filler */
}

size_t my_build_ssl_request(uint8_t *out, size_t cap, uint32_t caps)
{
	return cap < 32 ? 0 : put_head(out, caps | MY_CAP_SSL);
}

size_t my_build_response(uint8_t *out, size_t cap, uint32_t caps, const char *user,
			 const uint8_t *auth, size_t authlen, const char *db, const char *plugin)
{
	size_t ul = strlen(user), dl = db ? strlen(db) : 0, pl = strlen(plugin), o;

	if (authlen > 250 || cap < 32 + ul + 1 + 1 + authlen + dl + 1 + pl + 1)
		return 0;
	o = put_head(out, caps);
	memcpy(out + o, user, ul + 1);
	o += ul + 1;
	out[o++] = (uint8_t)authlen; /* CLIENT_SECURE_CONNECTION: one length byte */
	memcpy(out + o, auth, authlen);
	o += authlen;
	if (caps & MY_CAP_CONNECT_DB) {
		memcpy(out + o, db ? db : "", dl + 1);
		o += dl + 1;
	}
	memcpy(out + o, plugin, pl + 1);
	return o + pl + 1;
}

/* ---- result sets ---- */

void my_rs_init(struct my_rs *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static int is_eof(const uint8_t *p, size_t len)
{
	return len && len < 9 && p[0] == MY_EOF;
}

static int rs_coldef(struct my_rs *rs, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	struct rd r = {p, p + len};
	int null, i;

	/* catalog, schema, table, org_table, then the name */
	for (i = 0; i < 4; i++)
		if (rd_lenstr(&r, NULL, 0, &null) < 0)
			return err_set(err, errlen, "malformed column definition");
	if (rd_lenstr(&r, rs->names[rs->cols_seen], MY_NAME_MAX, &null) < 0 || null)
		return err_set(err, errlen, "malformed column definition");
	rs->cols_seen++;
	return 0;
}

static int rs_row(struct my_rs *rs, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	struct rd r = {p, p + len};
	unsigned i;
	int null;

	for (i = 0; i < rs->ncols; i++) {
		char *v = rs->nrows ? NULL : rs->vals[i];

		if (rd_lenstr(&r, v, MY_VAL_MAX, &null) < 0)
			return err_set(err, errlen, "malformed row");
		if (!rs->nrows)
			rs->null[i] = (uint8_t)null;
	}
	if (r.p != r.end)
		return err_set(err, errlen, "a row longer than its %u columns", rs->ncols);
	rs->nrows++;
	return 0;
}

int my_rs_feed(struct my_rs *rs, const uint8_t *p, size_t len, struct my_err *e, char *err,
	       size_t errlen)
{
	struct rd r = {p, p + len};
	uint64_t n;
	int null;

	if (!len)
		return err_set(err, errlen, "an empty packet in a result set");
	if (p[0] == MY_ERR) {
		if (my_parse_err(p, len, e) < 0)
			return err_set(err, errlen, "a malformed error packet");
		return err_set(err, errlen, "server error %u: %s", e->code, e->msg);
	}
	switch (rs->st) {
	case MY_RS_COUNT:
		if (p[0] == MY_OK)
			return err_set(err, errlen, "an OK where a result set was expected");
		if (rd_lenenc(&r, &n, &null) < 0 || null || r.p != r.end || !n)
			return err_set(err, errlen, "a malformed column count");
		if (n > MY_COLS_MAX)
			return err_set(err, errlen, "%llu columns (at most %d taken)",
				       (unsigned long long)n, MY_COLS_MAX);
		rs->ncols = (unsigned)n;
		rs->st = MY_RS_COLS;
		return 0;
	case MY_RS_COLS:
		if (rs_coldef(rs, p, len, err, errlen) < 0)
			return -1;
		if (rs->cols_seen == rs->ncols)
			rs->st = MY_RS_COLS_EOF;
		return 0;
	case MY_RS_COLS_EOF:
		if (!is_eof(p, len))
			return err_set(err, errlen, "more column definitions than announced");
		rs->st = MY_RS_ROWS;
		return 0;
	case MY_RS_ROWS:
		if (is_eof(p, len)) {
			rs->st = MY_RS_DONE;
			return 1;
		}
		return rs_row(rs, p, len, err, errlen);
	case MY_RS_DONE:
		break;
	}
	return err_set(err, errlen, "a packet after the end of the result set");
}

int my_rs_col(const struct my_rs *rs, const char *name)
{
	unsigned i;

	for (i = 0; i < rs->ncols && i < rs->cols_seen; i++)
		if (!strcasecmp(rs->names[i], name))
			return (int)i;
	return -1;
}
