/* TLS server contexts of the HTTP engine's listeners (see tls_srv.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "core/tls.h"
#include "core/tls_srv.h"
#include "core/tls_srv_verify.h"

/* One certificate: its context, its options and the names SNI finds it
 * by (a crt-list line's positive filters, else its subjectAltName DNS
 * entries and its CN; "*.example.com" matches one label). */
struct tls_cert {
	SSL_CTX *ctx;
	const struct tls_bind_opts *o; /* own, else the bind's */
	struct tls_bind_opts *own;     /* a crt-list line's options (owned), or NULL */
	char **names;
	unsigned nnames;
};

struct tls_srv {
	unsigned refs; /* atomic: sessions on every worker */
	struct tls_bind_opts o;
	struct tls_cert *certs; /* certs[0]: the default */
	unsigned ncerts;
	char **neg; /* the crt-list's negative filters: names no wildcard picks */
	unsigned nneg;
};

static const struct {
	const char *name;
	int ver;
} versions[] = {
	{"SSLv3", SSL3_VERSION},     {"TLSv1.0", TLS1_VERSION},	  {"TLSv1.1", TLS1_1_VERSION},
	{"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
};

int tls_version_of(const char *name)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (!strcmp(versions[i].name, name))
			return versions[i].ver;
	return 0;
}

int tls_alpn_parse(struct tls_bind_opts *o, const char *list, char *err, size_t errlen)
{
	const char *p = list, *comma;
	unsigned len = 0;

	while (*p) {
		size_t n;

		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (!n || n > 255)
			return err_set(err, errlen, "alpn '%s': a protocol name is 1 to 255 characters",
				       list);
		if (len + 1 + n > sizeof(o->alpn))
			return err_set(err, errlen, "alpn '%s': the list is too long", list);
		o->alpn[len++] = (unsigned char)n;
		memcpy(o->alpn + len, p, n);
		len += (unsigned)n;
		p += n + (comma != NULL);
	}
	if (!len)
		return err_set(err, errlen, "alpn needs a list of protocols (h2,http/1.1)");
	o->alpn_len = len;
	return 0;
}

/* ---- SNI and ALPN, during a handshake ---- */

static int name_match(const char *pat, const char *name)
{
	const char *dot;

	if (!strcasecmp(pat, name))
		return 1;
	/* "*.example.com" stands for exactly one label */
	if (pat[0] != '*' || pat[1] != '.' || !(dot = strchr(name, '.')) || dot == name)
		return 0;
	return !strcasecmp(pat + 1, dot);
}

int tls_srv_pick(const struct tls_srv *t, const char *name)
{
	unsigned i, j;

	/* an exact name before a wildcard, in the order of the crt; a name
	 * a negative filter excludes is picked by no wildcard (HAProxy) */
	for (i = 0; i < t->ncerts; i++)
		for (j = 0; j < t->certs[i].nnames; j++)
			if (!strcasecmp(t->certs[i].names[j], name))
				return (int)i;
	for (i = 0; i < t->nneg; i++)
		if (!strcasecmp(t->neg[i], name))
			return -1;
	for (i = 0; i < t->ncerts; i++)
		for (j = 0; j < t->certs[i].nnames; j++)
			if (name_match(t->certs[i].names[j], name))
				return (int)i;
	return -1;
}

static int on_sni(SSL *ssl, int *alert, void *arg)
{
	const struct tls_srv *t = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	int i;

	if (!name || !*name)
		return t->o.strict_sni ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_OK;
	i = tls_srv_pick(t, name);
	if (i < 0) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return t->o.strict_sni ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_OK;
	}
	if (i > 0)
		tls_srv_verify_switch(ssl, t->certs[i].ctx);
	return SSL_TLSEXT_ERR_OK;
}

/* The host name of a server_name extension's body (RFC 6066 3: a
 * list's length, then entries type(1) length(2) name): the first
 * host_name entry into out, 0; -1 when there is none or it is malformed
 * (OpenSSL refuses the hello itself then) or holds a NUL. */
int tls_sni_of_ext(const unsigned char *p, size_t len, char *out, size_t cap)
{
	size_t list, at = 2;

	if (len < 2 || (list = (size_t)p[0] << 8 | p[1]) != len - 2)
		return -1;
	while (at + 3 <= len) {
		size_t n = (size_t)p[at + 1] << 8 | p[at + 2];

		if (n > len - at - 3)
			return -1;
		if (p[at] == TLSEXT_NAMETYPE_host_name) {
			if (!n || n >= cap || memchr(p + at + 3, 0, n))
				return -1;
			memcpy(out, p + at + 3, n);
			out[n] = 0;
			return 0;
		}
		at += 3 + n;
	}
	return -1;
}

/* The ClientHello, before OpenSSL chooses anything: the certificate its
 * SNI picks brings its crt-list line's context now, and the line's
 * versions (SSL_new copied the first context's), as haproxy 2.6 does;
 * the ciphers (TLSv1.2's and TLSv1.3's suites) come with the context.
 * The groups of the key exchange stay the first context's: haproxy's
 * do too (a line's curves / ecdhe have no effect there either). */
static int on_hello(SSL *ssl, int *alert, void *arg)
{
	const struct tls_srv *t = arg;
	const struct tls_bind_opts *o;
	const unsigned char *p;
	char name[256];
	size_t len;
	int i;

	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) ||
	    tls_sni_of_ext(p, len, name, sizeof(name)) < 0 || (i = tls_srv_pick(t, name)) <= 0)
		return SSL_CLIENT_HELLO_SUCCESS; /* the first certificate's, on_sni says the rest */
	o = t->certs[i].o;
	tls_srv_verify_switch(ssl, t->certs[i].ctx);
	if (!SSL_set_min_proto_version(ssl, o->min_ver ? o->min_ver : TLS1_2_VERSION) ||
	    !SSL_set_max_proto_version(ssl, o->max_ver)) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* The first of our protocols the client offers, in our order (HAProxy's
 * choice); none in common: no ALPN answered, the client goes on without. */
static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
		   unsigned inlen, void *arg)
{
	const struct tls_bind_opts *o = arg; /* the chosen certificate's */
	unsigned char *sel;

	if (SSL_select_next_proto(&sel, outlen, o->alpn, o->alpn_len, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* ---- loading ---- */

static void cert_free(struct tls_cert *c)
{
	for (unsigned i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->names);
	SSL_CTX_free(c->ctx);
	free(c->own);
}

void tls_srv_put(struct tls_srv *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < t->ncerts; i++)
		cert_free(&t->certs[i]);
	for (unsigned i = 0; i < t->nneg; i++)
		free(t->neg[i]);
	free(t->neg);
	free(t->certs);
	free(t);
}

/* s (len bytes) into the list names/n, once: 0, or -1 out of memory. */
static int add_name_to(char ***names, unsigned *n, const unsigned char *s, int len)
{
	char **grown, *dup;

	if (len <= 0 || memchr(s, 0, (size_t)len))
		return 0; /* not a host name */
	for (unsigned i = 0; i < *n; i++)
		if (strlen((*names)[i]) == (size_t)len && !strncasecmp((*names)[i], (const char *)s, (size_t)len))
			return 0;
	dup = strndup((const char *)s, (size_t)len);
	grown = dup ? realloc(*names, (*n + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(dup);
		return -1;
	}
	*names = grown;
	(*names)[(*n)++] = dup;
	return 0;
}

static int add_name(struct tls_cert *c, const unsigned char *s, int len)
{
	return add_name_to(&c->names, &c->nnames, s, len);
}

/* A crt-list line's filters: the positive ones name c, the negative
 * ones go to t's list. */
static int add_filters(struct tls_srv *t, struct tls_cert *c, const struct tls_crt *spec)
{
	for (unsigned i = 0; i < spec->nsni; i++) {
		const char *f = spec->sni[i];
		int rc = f[0] == '!' ? add_name_to(&t->neg, &t->nneg, (const unsigned char *)f + 1, (int)strlen(f + 1))
				     : add_name(c, (const unsigned char *)f, (int)strlen(f));

		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The names SNI finds c by: subjectAltName DNS entries, then the CN. */
static int cert_names(struct tls_cert *c)
{
	X509 *x = SSL_CTX_get0_certificate(c->ctx);
	GENERAL_NAMES *san;
	X509_NAME *subj;
	int i, rc = 0;

	if (!x)
		return 0;
	san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; san && i < sk_GENERAL_NAME_num(san); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(san, i);

		if (g->type == GEN_DNS && add_name(c, ASN1_STRING_get0_data(g->d.dNSName),
						   ASN1_STRING_length(g->d.dNSName)) < 0)
			rc = -1;
	}
	GENERAL_NAMES_free(san);
	subj = X509_get_subject_name(x);
	i = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1) : -1;
	if (i >= 0) {
		ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));

		if (add_name(c, ASN1_STRING_get0_data(cn), ASN1_STRING_length(cn)) < 0)
			rc = -1;
	}
	return rc;
}

int tls_ctx_common(SSL_CTX *ctx, const struct tls_bind_opts *o, char *err, size_t errlen)
{
	uint64_t op = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;
	int lo = o->min_ver ? o->min_ver : TLS1_2_VERSION, hi = o->max_ver;

#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* a peer that closes without close_notify has still said all */
	op |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
	if (o->no_tickets)
		op |= SSL_OP_NO_TICKET;
	op |= (o->no_ver & TLS_NO_SSLV3 ? SSL_OP_NO_SSLv3 : 0) | (o->no_ver & TLS_NO_TLSV10 ? SSL_OP_NO_TLSv1 : 0) |
	      (o->no_ver & TLS_NO_TLSV11 ? SSL_OP_NO_TLSv1_1 : 0) |
	      (o->no_ver & TLS_NO_TLSV12 ? SSL_OP_NO_TLSv1_2 : 0) |
	      (o->no_ver & TLS_NO_TLSV13 ? SSL_OP_NO_TLSv1_3 : 0);
	SSL_CTX_set_options(ctx, op);
	/* partial writes from a buffer that may move between tries; the
	 * record buffers given back while a connection is idle */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				      SSL_MODE_RELEASE_BUFFERS);
	if (!SSL_CTX_set_min_proto_version(ctx, lo) || (hi && !SSL_CTX_set_max_proto_version(ctx, hi)))
		return tls_error(0, "ssl-min-ver/ssl-max-ver", err, errlen);
	if (o->ciphers[0] && !SSL_CTX_set_cipher_list(ctx, o->ciphers))
		return err_set(err, errlen, "ciphers '%s': no cipher OpenSSL knows", o->ciphers);
	if (o->ciphersuites[0] && !SSL_CTX_set_ciphersuites(ctx, o->ciphersuites))
		return err_set(err, errlen, "ciphersuites '%s': not a TLSv1.3 suite list OpenSSL knows",
			       o->ciphersuites);
	if (o->curves[0] && !SSL_CTX_set1_curves_list(ctx, o->curves))
		return err_set(err, errlen, "curves '%s': not a curve list OpenSSL knows", o->curves);
	return 0;
}

/* A certificate's settings (the bind's, or its crt-list line's) on its
 * context. */
static int ctx_opts(SSL_CTX *ctx, struct tls_srv *t, const struct tls_bind_opts *o, char *err, size_t errlen)
{
	if (tls_ctx_common(ctx, o, err, errlen) < 0 || tls_srv_verify_ctx(ctx, o, err, errlen) < 0)
		return -1;
	if (!o->prefer_client_ciphers)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_client_hello_cb(ctx, on_hello, t);
	SSL_CTX_set_tlsext_servername_callback(ctx, on_sni);
	SSL_CTX_set_tlsext_servername_arg(ctx, t);
	if (o->alpn_len)
		SSL_CTX_set_alpn_select_cb(ctx, on_alpn, (void *)o);
	return 0;
}

/* The key just read is not the certificate's (OpenSSL's queue says so),
 * rather than missing or unreadable.  The queue is cleared. */
static int key_mismatch(void)
{
	unsigned long e;
	int mismatch = 0;

	while ((e = ERR_get_error()))
		if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			mismatch = 1;
	return mismatch;
}

int tls_ctx_use_crt(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	char key[4096], e[ERRLEN];

	ERR_clear_error();
	if (!SSL_CTX_use_certificate_chain_file(ctx, path)) {
		tls_error(0, "x", e, sizeof(e));
		return err_set(err, errlen, "crt '%s': no certificate could be read from it (%s)", path,
			       e + 3);
	}
	ERR_clear_error();
	if (!SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM)) {
		struct stat st;

		if (key_mismatch())
			return err_set(err, errlen, "crt '%s': the private key does not match the certificate",
				       path);
		snprintf(key, sizeof(key), "%s.key", path);
		if (stat(key, &st) < 0)
			return err_set(err, errlen, "crt '%s': no private key in it, nor in '%s'", path, key);
		if (!SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)) {
			if (key_mismatch())
				return err_set(err, errlen, "crt '%s': the private key '%s' does not match the "
							    "certificate", path, key);
			tls_error(0, "x", e, sizeof(e));
			return err_set(err, errlen, "crt '%s': the key '%s' cannot be read (%s)", path, key,
				       e + 3);
		}
	}
	if (!SSL_CTX_check_private_key(ctx)) {
		ERR_clear_error();
		return err_set(err, errlen, "crt '%s': the private key does not match the certificate",
			       path);
	}
	return 0;
}

/* One PEM file: certificate, chain, key (in it, else in FILE.key), with
 * spec's options and filters. */
static int load_file(struct tls_srv *t, const char *path, const struct tls_crt *spec, char *err, size_t errlen)
{
	struct tls_cert *grown, *c;

	grown = realloc(t->certs, (t->ncerts + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, errlen, "out of memory");
	t->certs = grown;
	c = &t->certs[t->ncerts];
	memset(c, 0, sizeof(*c));
	ERR_clear_error();
	c->ctx = SSL_CTX_new(TLS_server_method());
	if (!c->ctx)
		return tls_error(0, "TLS", err, errlen);
	t->ncerts++; /* freed with t from now on */
	c->o = &t->o;
	if (spec->o) {
		c->own = malloc(sizeof(*c->own));
		if (!c->own)
			return err_set(err, errlen, "out of memory");
		*c->own = *spec->o;
		c->o = c->own;
	}
	if (ctx_opts(c->ctx, t, c->o, err, errlen) < 0 || tls_ctx_use_crt(c->ctx, path, err, errlen) < 0)
		return -1;
	if ((spec->nsni ? add_filters(t, c, spec) : cert_names(c)) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

/* The files of a crt directory HAProxy loads: not hidden, not the
 * companions of a certificate (its key, OCSP answer, issuer, SCTs). */
static int cert_file_name(const char *n)
{
	static const char *const skip[] = {".key", ".ocsp", ".issuer", ".sctl", NULL};
	size_t len = strlen(n);

	if (n[0] == '.')
		return 0;
	for (unsigned i = 0; skip[i]; i++) {
		size_t k = strlen(skip[i]);

		if (len > k && !strcmp(n + len - k, skip[i]))
			return 0;
	}
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct tls_srv *t, const char *dir, const struct tls_crt *spec, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4096];
	unsigned n = 0, i;
	int rc = 0;

	if (!d)
		return err_set(err, errlen, "crt '%s': %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		char **grown;
		struct stat st;

		if (!cert_file_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*grown));
		if (!grown || !(grown[n] = strdup(path))) {
			names = grown ? grown : names;
			rc = err_set(err, errlen, "out of memory");
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (rc == 0 && !n)
		rc = err_set(err, errlen, "crt '%s': no certificate in this directory", dir);
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = load_file(t, names[i], spec, err, errlen);
		free(names[i]);
	}
	free(names);
	return rc;
}

struct tls_srv *tls_srv_new(const struct tls_bind_opts *o, const struct tls_crt *crt, unsigned ncrt,
			    char *err, size_t errlen)
{
	struct tls_srv *t = calloc(1, sizeof(*t));
	unsigned i;

	if (!t) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	t->refs = 1;
	t->o = *o;
	if (!ncrt)
		err_set(err, errlen, "ssl needs a certificate (crt FILE|DIR)");
	for (i = 0; i < ncrt; i++) {
		struct stat st;

		if (stat(crt[i].path, &st) < 0) {
			err_set(err, errlen, "crt '%s': %s", crt[i].path, strerror(errno));
			break;
		}
		if ((S_ISDIR(st.st_mode) ? load_dir(t, crt[i].path, &crt[i], err, errlen)
					 : load_file(t, crt[i].path, &crt[i], err, errlen)) < 0)
			break;
	}
	if (!ncrt || i < ncrt) {
		tls_srv_put(t);
		return NULL;
	}
	return t;
}

struct tls_srv *tls_srv_ref(struct tls_srv *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
	return t;
}

SSL *tls_srv_session(struct tls_srv *t, int fd)
{
	SSL *ssl = SSL_new(t->certs[0].ctx);

	if (!ssl)
		return NULL;
	if (!SSL_set_fd(ssl, fd)) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	tls_srv_ref(t);
	return ssl;
}

unsigned tls_srv_ncerts(const struct tls_srv *t)
{
	return t->ncerts;
}
