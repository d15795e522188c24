/* HTTP Basic authentication against haproxy.cfg's userlists: the
 * credentials of a request (HAProxy's get_http_auth), the check of a user
 * and password (crypt(3) hashes or insecure-password), group membership,
 * and the fetches of configuration.txt 7.3.6 built on them (http_auth,
 * http_auth_group, http_auth_pass, http_auth_type, http_auth_user).
 *
 * A check runs crypt_r: milliseconds for a yescrypt or SHA-512 hash.  It
 * runs where the rules run, in the worker and without the engine lock
 * (src/proxy/http_txn.c plan_req), so it slows the worker's own
 * connections only; nothing is cached, as in HAProxy. */
#ifndef FC_HTTP_AUTH_H
#define FC_HTTP_AUTH_H

#include <stddef.h>

#include "http/acl-t.h"
#include "http/h1-t.h"
#include "http/sample-t.h"
#include "model/http_proxy-t.h"

/* The longest decoded "user:password" read (HAProxy's is its buffer). */
#define HTTP_CRED_MAX 1024

enum http_auth_scheme { HAUTH_NONE, HAUTH_OTHER, HAUTH_BASIC, HAUTH_BEARER };

struct http_cred {
	enum http_auth_scheme scheme;
	const char *user, *pass; /* HAUTH_BASIC: NUL-ended, in buf */
	size_t ulen, plen;
	char buf[HTTP_CRED_MAX + 1];
};

/* One Authorization value: "SCHEME SP data" (blanks after the space
 * skipped), the scheme's case ignored.  A Basic one decodes into c->buf
 * and splits at the first ':'; base64 that is not strict, no ':' or a NUL
 * inside makes it HAUTH_NONE (no credentials), as a value without a
 * space does. */
enum http_auth_scheme http_cred_parse(const char *val, size_t len, struct http_cred *c);
/* The request's: its first Authorization header's first value. */
enum http_auth_scheme http_cred_of(const struct h1_msg *m, struct http_cred *c);

/* The userlist named `name` in the list, or NULL. */
const struct hp_userlist *userlist_find(const struct hp_userlist *list, const char *name);
/* 1 if user has password pass in ul. */
int userlist_check(const struct hp_userlist *ul, const char *user, const char *pass);
/* 1 if user belongs to group: `group G users ...` or `user U groups ...`. */
int userlist_in_group(const struct hp_userlist *ul, const char *user, const char *group);

/* The fetches (fetch.c's table points at them). */
int smp_fetch_http_auth(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
int smp_fetch_http_auth_group(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
int smp_fetch_http_auth_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
/* An ACL term on http_auth_group: does the user it gives belong to one of
 * the term's groups (its patterns)? */
int acl_auth_group_match(const struct acl_term *term, struct http_txn *t, const struct sample *s);
/* After the read: the userlists every ACL term of `acls` names exist, and
 * the groups of its http_auth_group patterns in them.  0, or -1 with err
 * and *line the ACL's. */
int http_auth_resolve(const struct hp_userlist *uls, const struct acl *acls, int *line, char *err,
		      size_t errlen);

#endif
