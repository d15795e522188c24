/* The client certificate's fetches (HAProxy's configuration.txt 7.3.4,
 * ssl_c_*): read from the facts the handshake left (struct htxn_tls, the
 * peer's X509 held there).  On a plain connection none gives a sample; on
 * TLS without a certificate only ssl_c_used, ssl_fc_has_crt,
 * ssl_c_verify, ssl_c_err and ssl_c_ca_err do.  Binary values
 * (ssl_c_serial, ssl_c_sha1) are the raw bytes: `,hex` writes them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "http/fetch_ssl.h"
#include "http/sample.h"
#include "http/txn-t.h"

static int put(struct sample *s, const void *p, size_t len)
{
	if (len > sizeof(s->buf))
		return 0; /* no sample rather than a cut one */
	memcpy(s->buf, p, len);
	s->type = SMP_T_STR;
	s->str = s->buf;
	s->len = len;
	return 1;
}

static X509 *peer(const struct smp_ctx *c)
{
	return c->t->ssl ? c->t->ssl->peer : NULL;
}

int smp_f_ssl_c_int(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct htxn_tls *t = c->t->ssl;
	const char *n = e->fetch->name;

	if (!t)
		return 0;
	s->type = SMP_T_SINT;
	if (!strcmp(n, "ssl_c_used") || !strcmp(n, "ssl_fc_has_crt")) {
		s->type = SMP_T_BOOL;
		s->sint = n[4] == 'c' ? t->peer != NULL : t->crt_sent;
	} else if (!strcmp(n, "ssl_c_verify"))
		s->sint = t->verify;
	else if (!strcmp(n, "ssl_c_err"))
		s->sint = t->crt_err;
	else if (!strcmp(n, "ssl_c_ca_err"))
		s->sint = t->ca_err;
	else { /* ssl_c_version */
		if (!t->peer)
			return 0;
		s->sint = X509_get_version(t->peer) + 1;
	}
	return 1;
}

/* The whole name, HAProxy's way: "/C=FR/O=Example/CN=name" (short names,
 * an OID's dotted form when OpenSSL has none). */
static int dn_oneline(const X509_NAME *name, struct sample *s)
{
	char tmp[sizeof(s->buf)], oid[80];
	size_t len = 0;

	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(ne);
		const ASN1_STRING *d = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(obj);
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		size_t dl = (size_t)ASN1_STRING_length(d);

		if (!sn) {
			OBJ_obj2txt(oid, sizeof(oid), obj, 1);
			sn = oid;
		}
		if (len + 2 + strlen(sn) + dl > sizeof(tmp))
			return 0;
		len += (size_t)snprintf(tmp + len, sizeof(tmp) - len, "/%s=", sn);
		memcpy(tmp + len, ASN1_STRING_get0_data(d), dl);
		len += dl;
	}
	return put(s, tmp, len);
}

/* The occ-th entry named entry (from the end when occ < 0). */
static int dn_entry(const X509_NAME *name, const char *entry, long occ, struct sample *s)
{
	int n = X509_NAME_entry_count(name), step = occ < 0 ? -1 : 1, i = occ < 0 ? n - 1 : 0;
	long seen = 0;
	char oid[80];

	for (; i >= 0 && i < n; i += step) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(ne);
		int nid = OBJ_obj2nid(obj);
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		const ASN1_STRING *d;

		if (!sn) {
			OBJ_obj2txt(oid, sizeof(oid), obj, 1);
			sn = oid;
		}
		if (strcasecmp(sn, entry) || (seen += step) != occ)
			continue;
		d = X509_NAME_ENTRY_get_data(ne);
		return put(s, ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
	}
	return 0;
}

static int dn_rfc2253(const X509_NAME *name, struct sample *s)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;
	int rc = 0;

	if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 && (len = BIO_get_mem_data(b, &p)) >= 0)
		rc = put(s, p, (size_t)len);
	BIO_free(b);
	return rc;
}

/* ssl_c_s_dn, ssl_c_i_dn ([entry[,occ[,format]]]) */
int smp_f_ssl_c_dn(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	X509 *x = peer(c);
	const X509_NAME *name;
	const char *entry = e->nargs > 0 ? e->args[0].str : "";

	if (!x)
		return 0;
	name = e->fetch->name[6] == 'i' ? X509_get_issuer_name(x) : X509_get_subject_name(x);
	if (*entry)
		return dn_entry(name, entry, e->nargs > 1 ? (long)e->args[1].num : 1, s);
	if (e->nargs > 2 && !strcmp(e->args[2].str, "rfc2253"))
		return dn_rfc2253(name, s);
	return e->nargs > 2 && e->args[2].str[0] ? 0 : dn_oneline(name, s);
}

/* "YYMMDDhhmmssZ" as HAProxy gives it: an UTCTime as it is, a
 * GeneralizedTime of the years 20xx without its century. */
static int asn1_time(const ASN1_TIME *tm, struct sample *s)
{
	const unsigned char *d = ASN1_STRING_get0_data(tm);
	int len = ASN1_STRING_length(tm);

	if (ASN1_STRING_type(tm) == V_ASN1_GENERALIZEDTIME) {
		if (len < 12 || d[0] != '2' || d[1] != '0')
			return 0;
		return put(s, d + 2, (size_t)len - 2);
	}
	return ASN1_STRING_type(tm) == V_ASN1_UTCTIME && put(s, d, (size_t)len);
}

/* ssl_c_serial, ssl_c_sha1, ssl_c_notbefore, ssl_c_notafter, ssl_c_sig_alg,
 * ssl_c_key_alg */
int smp_f_ssl_c_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	X509 *x = peer(c);
	const char *n = e->fetch->name + 6;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int nid;

	if (!x)
		return 0;
	if (!strcmp(n, "serial")) {
		const ASN1_INTEGER *i = X509_get0_serialNumber(x);

		return put(s, ASN1_STRING_get0_data(i), (size_t)ASN1_STRING_length(i));
	}
	if (!strcmp(n, "sha1"))
		return X509_digest(x, EVP_sha1(), md, &mdlen) && put(s, md, mdlen);
	if (!strcmp(n, "notbefore") || !strcmp(n, "notafter"))
		return asn1_time(n[3] == 'b' ? X509_get0_notBefore(x) : X509_get0_notAfter(x), s);
	if (!strcmp(n, "sig_alg"))
		nid = X509_get_signature_nid(x);
	else { /* key_alg */
		X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
		ASN1_OBJECT *alg = NULL;

		if (!pk || !X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pk))
			return 0;
		nid = OBJ_obj2nid(alg);
	}
	n = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
	return n && put(s, n, strlen(n));
}

/* ssl_c_der, ssl_f_der: the client's certificate, ours, in DER (binary:
 * `,hex` writes it); none larger than a sample holds. */
int smp_f_ssl_der(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct htxn_tls *t = c->t->ssl;
	X509 *x = !t ? NULL : e->fetch->name[4] == 'c' ? t->peer : t->local;
	unsigned char *p = (unsigned char *)s->buf;
	int len;

	if (!x || (len = i2d_X509(x, NULL)) <= 0 || (size_t)len > sizeof(s->buf) || i2d_X509(x, &p) != len)
		return 0;
	s->type = SMP_T_STR;
	s->str = s->buf;
	s->len = (size_t)len;
	return 1;
}
