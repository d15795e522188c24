/* The PostgreSQL protocol codec of PGSQL_CHECK (pg_proto.h says what it
 * covers).  Big-endian integers, NUL-ended strings; nothing is trusted
 * from the server: every string must end inside its message, every count
 * must fit in the bytes that remain. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "check/pg_proto.h"
#include "check/saslprep.h"
#include "core/err.h"

#define PG_PROTO_3_0	    196608   /* 3 << 16 */
#define PG_SSL_REQUEST_CODE 80877103 /* 1234 << 16 | 5679 */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- the client's messages ---- */

size_t pg_put_ssl_request(uint8_t *out, size_t cap)
{
	if (cap < 8)
		return 0;
	put32(out, 8);
	put32(out + 4, PG_SSL_REQUEST_CODE);
	return 8;
}

/* Append the string s with its NUL at *o; 0, or -1 when it does not fit. */
static int put_str(uint8_t *out, size_t cap, size_t *o, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > cap - *o)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

size_t pg_put_startup(uint8_t *out, size_t cap, const char *user, const char *dbname)
{
	size_t o = 8;

	if (cap < 9)
		return 0;
	if (put_str(out, cap, &o, "user") || put_str(out, cap, &o, user) ||
	    put_str(out, cap, &o, "database") || put_str(out, cap, &o, dbname) ||
	    put_str(out, cap, &o, "application_name") || put_str(out, cap, &o, "fulcrum") ||
	    o >= cap)
		return 0;
	out[o++] = 0;
	put32(out, (uint32_t)o);
	put32(out + 4, PG_PROTO_3_0);
	return o;
}

/* A typed message: type, length, then n bytes of body. */
static size_t put_typed(uint8_t *out, size_t cap, char type, const void *body, size_t n)
{
	if (cap < 5 || n > cap - 5)
		return 0;
	out[0] = (uint8_t)type;
	put32(out + 1, (uint32_t)(n + 4));
	if (n)
		memcpy(out + 5, body, n);
	return n + 5;
}

size_t pg_put_password(uint8_t *out, size_t cap, const void *data, size_t n)
{
	return put_typed(out, cap, 'p', data, n);
}

size_t pg_put_sasl_initial(uint8_t *out, size_t cap, const char *mech, const void *data, size_t n)
{
	size_t ml = strlen(mech) + 1, body = ml + 4 + n;

	if (cap < 5 || body > cap - 5)
		return 0;
	out[0] = 'p';
	put32(out + 1, (uint32_t)(body + 4));
	memcpy(out + 5, mech, ml);
	put32(out + 5 + ml, (uint32_t)n);
	memcpy(out + 9 + ml, data, n);
	return body + 5;
}

size_t pg_put_query(uint8_t *out, size_t cap, const char *sql)
{
	return put_typed(out, cap, 'Q', sql, strlen(sql) + 1);
}

size_t pg_put_terminate(uint8_t *out, size_t cap)
{
	return put_typed(out, cap, 'X', NULL, 0);
}

/* ---- the server's messages ---- */

int pg_msg_next(const uint8_t *buf, size_t len, struct pg_msg *m, char *err, size_t errlen)
{
	uint32_t l;

	if (len < 5)
		return 0;
	l = get32(buf + 1);
	if (l < 4)
		return err_set(err, errlen, "message '%c' with length %u",
			       buf[0] >= 0x20 && buf[0] < 0x7f ? buf[0] : '?', l);
	if (l > PG_MSG_MAX)
		return err_set(err, errlen, "message of %u bytes (over %d)", l, PG_MSG_MAX);
	if (len - 1 < l)
		return 0;
	m->type = (char)buf[0];
	m->body = buf + 5;
	m->len = l - 4;
	m->size = (size_t)l + 1;
	return 1;
}

int pg_auth_parse(const struct pg_msg *m, struct pg_auth *a)
{
	if (m->type != 'R' || m->len < 4)
		return -1;
	a->code = (int32_t)get32(m->body);
	a->data = m->body + 4;
	a->len = m->len - 4;
	if (a->code == PG_AUTH_MD5 && a->len != 4)
		return -1;
	if (a->code == PG_AUTH_SASL && (!a->len || a->data[a->len - 1]))
		return -1; /* the list ends with an empty name */
	return 0;
}

int pg_auth_has_mech(const struct pg_auth *a, const char *name)
{
	size_t o = 0;

	while (o < a->len) {
		const uint8_t *nul = memchr(a->data + o, 0, a->len - o);
		size_t n;

		if (!nul)
			return 0;
		n = (size_t)(nul - (a->data + o));
		if (!n)
			return 0;
		if (!strcmp((const char *)a->data + o, name))
			return 1;
		o += n + 1;
	}
	return 0;
}

int pg_param_parse(const struct pg_msg *m, const char **name, const char **value)
{
	const uint8_t *n1, *n2;

	if (m->type != 'S' || !m->len)
		return -1;
	n1 = memchr(m->body, 0, m->len);
	if (!n1)
		return -1;
	n2 = memchr(n1 + 1, 0, m->len - (size_t)(n1 + 1 - m->body));
	if (!n2)
		return -1;
	*name = (const char *)m->body;
	*value = (const char *)n1 + 1;
	return 0;
}

/* Printable copy of s (n bytes) into out at *o, cut at outlen. */
static void put_printable(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && *o + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[(*o)++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[*o] = 0;
}

int pg_error_text(const struct pg_msg *m, char *out, size_t outlen)
{
	const char *sev = NULL, *code = NULL, *msg = NULL;
	size_t o = 0, p = 0;

	if (!outlen)
		return -1;
	out[0] = 0;
	if (m->type != 'E' && m->type != 'N')
		return -1;
	while (p < m->len && m->body[p]) {
		char f = (char)m->body[p];
		const uint8_t *nul = memchr(m->body + p + 1, 0, m->len - p - 1);
		const char *v = (const char *)m->body + p + 1;

		if (!nul)
			return -1;
		if (f == 'S' && !sev)
			sev = v;
		else if (f == 'V')
			sev = v; /* not localised: preferred */
		else if (f == 'C')
			code = v;
		else if (f == 'M')
			msg = v;
		p = (size_t)(nul - m->body) + 1;
	}
	if (p >= m->len)
		return -1; /* no final NUL */
	if (sev) {
		put_printable(out, outlen, &o, sev, strlen(sev));
		put_printable(out, outlen, &o, " ", 1);
	}
	if (code) {
		put_printable(out, outlen, &o, code, strlen(code));
		put_printable(out, outlen, &o, ": ", 2);
	}
	if (msg)
		put_printable(out, outlen, &o, msg, strlen(msg));
	return 0;
}

int pg_datarow_parse(const struct pg_msg *m, struct pg_col *cols, unsigned max)
{
	size_t p = 2;
	unsigned n, i;

	if (m->type != 'D' || m->len < 2)
		return -1;
	n = get16(m->body);
	for (i = 0; i < n; i++) {
		int32_t l;

		if (m->len - p < 4)
			return -1;
		l = (int32_t)get32(m->body + p);
		p += 4;
		if (l < -1 || (l > 0 && (size_t)l > m->len - p))
			return -1;
		if (i < max) {
			cols[i].len = l;
			cols[i].data = l < 0 ? NULL : (const char *)m->body + p;
		}
		if (l > 0)
			p += (size_t)l;
	}
	return p == m->len ? (int)n : -1;
}

/* ---- md5 ---- */

static void hex(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
}

static void md5(const void *a, size_t an, const void *b, size_t bn, uint8_t out[16])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned len = 16;

	memset(out, 0, 16);
	if (!c)
		return;
	if (EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 && EVP_DigestUpdate(c, a, an) == 1 &&
	    EVP_DigestUpdate(c, b, bn) == 1)
		EVP_DigestFinal_ex(c, out, &len);
	EVP_MD_CTX_free(c);
}

void pg_md5_password(const char *user, const char *password, const uint8_t salt[4], char out[36])
{
	uint8_t d[16];
	char h[32];

	md5(password, strlen(password), user, strlen(user), d);
	hex(d, 16, h);
	md5(h, 32, salt, 4, d);
	memcpy(out, "md5", 3);
	hex(d, 16, out + 3);
	out[35] = 0;
}

/* ---- SCRAM-SHA-256 ---- */

size_t pg_scram_first(struct pg_scram *s, char *out, size_t cap)
{
	uint8_t raw[18];
	int n;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return 0;
	EVP_EncodeBlock((unsigned char *)s->nonce, raw, sizeof(raw)); /* 24 chars */
	s->nonce[PG_SCRAM_NONCE] = 0;
	snprintf(s->first_bare, sizeof(s->first_bare), "n=,r=%s", s->nonce);
	n = snprintf(out, cap, "n,,%s", s->first_bare);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The value of attribute `a=` in a SCRAM message (n bytes), its length in
 * *vl; NULL if absent. */
static const char *attr(const char *m, size_t n, char a, size_t *vl)
{
	size_t p = 0;

	while (p + 1 < n) {
		const char *comma = memchr(m + p, ',', n - p);
		size_t end = comma ? (size_t)(comma - m) : n;

		if (m[p] == a && m[p + 1] == '=') {
			*vl = end - p - 2;
			return m + p + 2;
		}
		p = end + 1;
	}
	return NULL;
}

/* base64 of n bytes at in (n <= 64) decoded into out; its length, or -1. */
static int b64dec(const char *in, size_t n, uint8_t *out, size_t cap)
{
	uint8_t tmp[96];
	int len;

	if (!n || n % 4 || n / 4 * 3 > sizeof(tmp) || n / 4 * 3 > cap)
		return -1;
	len = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)n);
	if (len < 0)
		return -1;
	if (in[n - 1] == '=')
		len--;
	if (in[n - 2] == '=')
		len--;
	memcpy(out, tmp, (size_t)len);
	return len;
}

static int hmac(const uint8_t *key, size_t kl, const void *d, size_t n, uint8_t out[32])
{
	unsigned len = 32;

	return HMAC(EVP_sha256(), key, (int)kl, d, n, out, &len) ? 0 : -1;
}

/* ---- SaltedPassword, derived once ---- */

/* PBKDF2 at PostgreSQL's 4,096 iterations costs milliseconds of CPU, a
 * hundred times the rest of an attempt: at 1,000 servers a second it would
 * take cores.  Its result depends only on the password, the salt and the
 * count, and a role's salt is the same on a primary and its standbys
 * (pg_authid is replicated) until its password changes: each derivation is
 * kept, keyed by a SHA-256 of the password (no second copy of it), in a few
 * entries replaced in turn.  A lock, as checks may run on several loops. */
#define SALTED_CACHE 16
struct salted {
	uint8_t pw[32]; /* SHA-256 of the (prepared) password */
	uint8_t salt[64];
	int saltlen;
	unsigned long iters;
	uint8_t key[32]; /* SaltedPassword */
	int used;
};
static struct salted salted_cache[SALTED_CACHE];
static unsigned salted_next;
static unsigned long salted_runs;
static pthread_mutex_t salted_lock = PTHREAD_MUTEX_INITIALIZER;

unsigned long pg_scram_derivations(void)
{
	unsigned long n;

	pthread_mutex_lock(&salted_lock);
	n = salted_runs;
	pthread_mutex_unlock(&salted_lock);
	return n;
}

static int salted_password(const char *pw, const uint8_t *salt, int saltlen, unsigned long iters,
			   uint8_t out[32])
{
	uint8_t h[32];
	struct salted *e;
	int i, hit = 0;

	if (!SHA256((const unsigned char *)pw, strlen(pw), h))
		return -1;
	pthread_mutex_lock(&salted_lock);
	for (i = 0; i < SALTED_CACHE && !hit; i++) {
		e = &salted_cache[i];
		hit = e->used && e->iters == iters && e->saltlen == saltlen &&
		      !memcmp(e->salt, salt, (size_t)saltlen) && !CRYPTO_memcmp(e->pw, h, 32);
		if (hit)
			memcpy(out, e->key, 32);
	}
	pthread_mutex_unlock(&salted_lock);
	if (hit)
		return 0;
	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, saltlen, (int)iters, EVP_sha256(), 32,
			      out) != 1)
		return -1;
	pthread_mutex_lock(&salted_lock);
	e = &salted_cache[salted_next++ % SALTED_CACHE];
	memcpy(e->pw, h, 32);
	memcpy(e->salt, salt, (size_t)saltlen);
	e->saltlen = saltlen;
	e->iters = iters;
	memcpy(e->key, out, 32);
	e->used = 1;
	salted_runs++;
	pthread_mutex_unlock(&salted_lock);
	OPENSSL_cleanse(h, sizeof(h));
	return 0;
}

size_t pg_scram_final(struct pg_scram *s, const char *password, const uint8_t *sf, size_t n,
		      char *out, size_t cap, char *err, size_t errlen)
{
	const char *m = (const char *)sf, *r, *salt64, *it;
	size_t rl, sl, il, i;
	uint8_t salt[64], salted[32], ckey[32], skey[32], stored[32], csig[32], proof[32];
	char auth[2 * PG_SCRAM_MSG], proof64[48], iter[12], *end;
	unsigned long iters;
	int saltlen, len, alen, rc;
	char *prepared;

	if (n > PG_SCRAM_MSG) {
		err_set(err, errlen, "SCRAM server-first-message of %zu bytes", n);
		return 0;
	}
	r = attr(m, n, 'r', &rl);
	salt64 = attr(m, n, 's', &sl);
	it = attr(m, n, 'i', &il);
	if (!r || !salt64 || !it || il == 0 || il >= sizeof(iter)) {
		err_set(err, errlen, "malformed SCRAM server-first-message");
		return 0;
	}
	if (rl <= PG_SCRAM_NONCE || memcmp(r, s->nonce, PG_SCRAM_NONCE)) {
		err_set(err, errlen, "SCRAM server nonce does not extend ours");
		return 0;
	}
	memcpy(iter, it, il);
	iter[il] = 0;
	iters = strtoul(iter, &end, 10);
	if (*end || iters < 1 || iters > PG_SCRAM_ITER_MAX) {
		err_set(err, errlen, "SCRAM iteration count '%s' (1..%d)", iter, PG_SCRAM_ITER_MAX);
		return 0;
	}
	saltlen = b64dec(salt64, sl, salt, sizeof(salt));
	if (saltlen <= 0) {
		err_set(err, errlen, "malformed SCRAM salt");
		return 0;
	}
	/* client-final-without-proof: "c=biws" is base64("n,,") */
	len = snprintf(out, cap, "c=biws,r=%.*s", (int)rl, r);
	if (len < 0 || (size_t)len >= cap) {
		err_set(err, errlen, "SCRAM message too long");
		return 0;
	}
	alen = snprintf(auth, sizeof(auth), "%s,%.*s,%s", s->first_bare, (int)n, m, out);
	if (alen < 0 || (size_t)alen >= sizeof(auth)) {
		err_set(err, errlen, "SCRAM message too long");
		return 0;
	}
	/* the password as the server stored it: SASLprep'd, or its raw bytes
	 * when it is not UTF-8 or SASLprep refuses it (libpq's rule) */
	if (saslprep(password, &prepared) == SASLPREP_NOMEM) {
		err_set(err, errlen, "SCRAM: out of memory");
		return 0;
	}
	if (prepared)
		password = prepared;
	rc = salted_password(password, salt, saltlen, iters, salted);
	if (prepared) {
		OPENSSL_cleanse(prepared, strlen(prepared));
		free(prepared);
	}
	if (rc < 0 ||
	    hmac(salted, 32, "Client Key", 10, ckey) || !SHA256(ckey, 32, stored) ||
	    hmac(stored, 32, auth, (size_t)alen, csig) ||
	    hmac(salted, 32, "Server Key", 10, skey) ||
	    hmac(skey, 32, auth, (size_t)alen, s->server_sig)) {
		err_set(err, errlen, "SCRAM: libcrypto failed");
		return 0;
	}
	for (i = 0; i < 32; i++)
		proof[i] = ckey[i] ^ csig[i];
	EVP_EncodeBlock((unsigned char *)proof64, proof, 32);
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(ckey, sizeof(ckey));
	len += snprintf(out + len, cap - (size_t)len, ",p=%s", proof64);
	if ((size_t)len >= cap) {
		err_set(err, errlen, "SCRAM message too long");
		return 0;
	}
	return (size_t)len;
}

int pg_scram_verify(const struct pg_scram *s, const uint8_t *sfin, size_t n, char *err,
		    size_t errlen)
{
	const char *m = (const char *)sfin, *v;
	uint8_t sig[64];
	size_t vl, o = 0;
	char e[64];

	v = attr(m, n, 'e', &vl);
	if (v) {
		put_printable(e, sizeof(e), &o, v, vl);
		return err_set(err, errlen, "SCRAM error from the server: %s", e);
	}
	v = attr(m, n, 'v', &vl);
	if (!v || b64dec(v, vl, sig, sizeof(sig)) != 32)
		return err_set(err, errlen, "malformed SCRAM server-final-message");
	if (CRYPTO_memcmp(sig, s->server_sig, 32))
		return err_set(err, errlen, "wrong SCRAM server signature");
	return 0;
}

/* ---- LSN ---- */

int pg_lsn_parse(const char *s, size_t n, uint64_t *lsn)
{
	uint64_t hi = 0, lo = 0, *cur = &hi;
	size_t i, digits = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];
		int d;

		if (c == '/' && cur == &hi && digits) {
			cur = &lo;
			digits = 0;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		if (++digits > 8)
			return -1;
		*cur = *cur << 4 | (uint64_t)d;
	}
	if (cur != &lo || !digits)
		return -1;
	*lsn = hi << 32 | lo;
	return 0;
}
