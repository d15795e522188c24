/* TLS client contexts of the HTTP engine's servers (see tls_cli.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "core/tls.h"
#include "core/tls_cli.h"
#include "core/tls_srv.h"

struct tls_cli {
	unsigned refs; /* atomic */
	SSL_CTX *ctx;
	int verify;
	char verifyhost[256];
	int no_verifyhost;
	int no_reuse;
	pthread_mutex_t lock; /* sess: the workers' handshakes end in parallel */
	SSL_SESSION *sess;    /* the last session the server gave, or NULL */
	char sess_sni[256];   /* the SNI it was made with: offered to that one only */
	void *sni;	      /* the sni expression (tls_cli_set_sni), or NULL */
	void (*sni_free)(void *);
};

void tls_cli_set_sni(struct tls_cli *t, void *expr, void (*free_fn)(void *))
{
	t->sni = expr;
	t->sni_free = free_fn;
}

const void *tls_cli_sni(const struct tls_cli *t)
{
	return t->sni;
}

/* OpenSSL's new-session callback: the server gave a session (during the
 * handshake, or a TLS 1.3 ticket after it): kept for the next connection
 * with the same SNI (a resumed session skips the certificate's checks, so
 * one made for another name must not stand for this one).  1: we own it
 * now. */
static int on_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_cli *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	SSL_SESSION *old;

	if (!t || t->no_reuse || !SSL_SESSION_is_resumable(sess) || (sni && strlen(sni) >= sizeof(t->sess_sni)))
		return 0;
	pthread_mutex_lock(&t->lock);
	old = t->sess;
	t->sess = sess;
	snprintf(t->sess_sni, sizeof(t->sess_sni), "%s", sni ? sni : "");
	pthread_mutex_unlock(&t->lock);
	SSL_SESSION_free(old);
	return 1;
}

void tls_cli_put(struct tls_cli *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	SSL_SESSION_free(t->sess);
	SSL_CTX_free(t->ctx);
	if (t->sni && t->sni_free)
		t->sni_free(t->sni);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

struct tls_cli *tls_cli_ref(struct tls_cli *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
	return t;
}

static int cli_ctx(struct tls_cli *t, const struct tls_cli_opts *o, char *err, size_t errlen)
{
	ERR_clear_error();
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx)
		return tls_error(0, "TLS", err, errlen);
	SSL_CTX_set_app_data(t->ctx, t);
	if (tls_ctx_common(t->ctx, &o->o, err, errlen) < 0)
		return -1;
	if (o->o.alpn_len && SSL_CTX_set_alpn_protos(t->ctx, o->o.alpn, o->o.alpn_len))
		return err_set(err, errlen, "alpn: OpenSSL refused the list");
	if (t->verify == TLS_VERIFY_REQUIRED && !o->ca_file[0])
		return err_set(err, errlen, "verify is enabled by default but no CA file specified "
					    "(ca-file FILE, or 'verify none' on the server line, or "
					    "'ssl-server-verify none' in global)");
	if (tls_ctx_load_ca(t->ctx, o->ca_file, o->crl_file, err, errlen) < 0)
		return -1;
	SSL_CTX_set_verify(t->ctx, t->verify == TLS_VERIFY_REQUIRED ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (o->crt[0] && tls_ctx_use_crt(t->ctx, o->crt, err, errlen) < 0)
		return -1;
	/* sessions are kept by on_session, one per server, not in OpenSSL's
	 * cache (whose lookup is by session id, a server's business) */
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(t->ctx, on_session);
	return 0;
}

struct tls_cli *tls_cli_new(const struct tls_cli_opts *o, char *err, size_t errlen)
{
	struct tls_cli *t = calloc(1, sizeof(*t));

	if (!t) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	t->refs = 1;
	pthread_mutex_init(&t->lock, NULL);
	t->verify = o->verify == TLS_VERIFY_NONE ? TLS_VERIFY_NONE : TLS_VERIFY_REQUIRED;
	snprintf(t->verifyhost, sizeof(t->verifyhost), "%s", o->verifyhost);
	t->no_verifyhost = o->no_verifyhost;
	t->no_reuse = o->no_reuse;
	if (cli_ctx(t, o, err, errlen) < 0) {
		tls_cli_put(t);
		return NULL;
	}
	return t;
}

SSL *tls_cli_session(struct tls_cli *t, int fd, const char *sni)
{
	const char *host = sni && *sni ? sni : t->verifyhost;
	SSL *ssl;

	ERR_clear_error();
	ssl = SSL_new(t->ctx);
	if (!ssl)
		return NULL;
	if (!SSL_set_fd(ssl, fd) || (sni && *sni && !SSL_set_tlsext_host_name(ssl, sni)) ||
	    (t->verify == TLS_VERIFY_REQUIRED && !t->no_verifyhost && *host && !SSL_set1_host(ssl, host))) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	if (!t->no_reuse) {
		pthread_mutex_lock(&t->lock);
		if (t->sess && !strcmp(t->sess_sni, sni ? sni : ""))
			(void)SSL_set_session(ssl, t->sess);
		pthread_mutex_unlock(&t->lock);
	}
	SSL_set_connect_state(ssl);
	return ssl;
}
