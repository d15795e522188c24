/* HTTP Basic authentication against userlists (auth.h). */
#include <crypt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"
#include "core/err.h"
#include "http/auth.h"
#include "http/h1.h"
#include "http/txn-t.h"

/* ---- the request's credentials ---- */

enum http_auth_scheme http_cred_parse(const char *val, size_t len, struct http_cred *c)
{
	const char *sp = val ? memchr(val, ' ', len) : NULL;
	size_t slen, dlen;
	const char *d, *colon;
	int n;

	c->scheme = HAUTH_NONE;
	c->user = c->pass = NULL;
	c->ulen = c->plen = 0;
	if (!sp || sp == val)
		return HAUTH_NONE; /* HAProxy: no space, or one at the start */
	slen = (size_t)(sp - val);
	for (d = sp; d < val + len && *d == ' '; d++)
		;
	dlen = (size_t)(val + len - d);
	if (slen == 6 && !strncasecmp(val, "Bearer", 6))
		return c->scheme = HAUTH_BEARER;
	if (slen != 5 || strncasecmp(val, "Basic", 5)) {
		c->scheme = HAUTH_OTHER;
		return HAUTH_NONE;
	}
	n = b64_decode(d, dlen, c->buf, HTTP_CRED_MAX);
	if (n < 0)
		return HAUTH_NONE;
	c->buf[n] = 0;
	colon = memchr(c->buf, ':', (size_t)n);
	/* a NUL would cut the name or the password short for crypt(3) and
	 * the lookup: such credentials are refused whole */
	if (!colon || memchr(c->buf, 0, (size_t)n))
		return HAUTH_NONE;
	c->buf[colon - c->buf] = 0;
	c->user = c->buf;
	c->ulen = (size_t)(colon - c->buf);
	c->pass = colon + 1;
	c->plen = (size_t)n - c->ulen - 1;
	return c->scheme = HAUTH_BASIC;
}

enum http_auth_scheme http_cred_of(const struct h1_msg *m, struct http_cred *c)
{
	uint64_t st = 0;
	const char *v = NULL;
	size_t vlen = 0;

	if (!m || !h1_hdr_next_value(m, "authorization", 13, &st, &v, &vlen))
		v = NULL;
	return http_cred_parse(v, vlen, c);
}

/* ---- userlists ---- */

const struct hp_userlist *userlist_find(const struct hp_userlist *list, const char *name)
{
	for (; list; list = list->next)
		if (!strcmp(list->name, name))
			return list;
	return NULL;
}

static const struct hp_user *user_find(const struct hp_userlist *ul, const char *name)
{
	const struct hp_user *u;

	for (u = ul ? ul->users : NULL; u; u = u->next)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

/* Equal strings, in a time that does not tell where they differ. */
static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* crypt_r's work area: 32 KiB, one per thread (the rules run in every
 * worker at once). */
static __thread struct crypt_data crypt_area;

int userlist_check(const struct hp_userlist *ul, const char *user, const char *pass)
{
	const struct hp_user *u = user_find(ul, user);
	const char *h;

	if (!u || !u->password)
		return 0;
	if (u->insecure)
		return same(pass, u->password);
	h = crypt_r(pass, u->password, &crypt_area);
	/* a setting crypt does not know gives NULL or "*0"/"*1", which no
	 * stored hash equals */
	return h && h[0] != '*' && same(h, u->password);
}

/* name is an item of the comma-separated list csv */
static int in_csv(const char *csv, const char *name)
{
	size_t n = strlen(name);
	const char *p = csv;

	while (p && *p) {
		size_t l = strcspn(p, ",");

		if (l == n && !memcmp(p, name, n))
			return 1;
		p += l + (p[l] == ',');
	}
	return 0;
}

int userlist_in_group(const struct hp_userlist *ul, const char *user, const char *group)
{
	const struct hp_user *u = user_find(ul, user);
	const struct hp_ugroup *g;

	if (!u)
		return 0;
	if (u->groups && in_csv(u->groups, group))
		return 1;
	for (g = ul->groups; g; g = g->next)
		if (!strcmp(g->name, group) && g->users && in_csv(g->users, user))
			return 1;
	return 0;
}

static int group_exists(const struct hp_userlist *ul, const char *group)
{
	const struct hp_ugroup *g;

	for (g = ul->groups; g; g = g->next)
		if (!strcmp(g->name, group))
			return 1;
	return 0;
}

/* ---- fetches ---- */

static const struct hp_userlist *txn_userlist(const struct smp_expr *e, const struct http_txn *t)
{
	return t->fe ? userlist_find(t->fe->userlists, e->args[0].str) : NULL;
}

/* http_auth(UL): a boolean, true when the credentials are UL's */
int smp_fetch_http_auth(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct hp_userlist *ul = txn_userlist(e, c->t);
	struct http_cred cr;

	if (!ul)
		return 0;
	s->type = SMP_T_BOOL;
	s->sint = http_cred_of(c->t->req, &cr) == HAUTH_BASIC && userlist_check(ul, cr.user, cr.pass);
	return 1;
}

/* http_auth_group(UL): the user's name when the credentials are UL's (an
 * ACL then matches its groups: acl_auth_group_match) */
int smp_fetch_http_auth_group(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct hp_userlist *ul = txn_userlist(e, c->t);
	struct http_cred cr;

	if (!ul || http_cred_of(c->t->req, &cr) != HAUTH_BASIC || !userlist_check(ul, cr.user, cr.pass) ||
	    cr.ulen >= sizeof(s->buf))
		return 0;
	memcpy(s->buf, cr.user, cr.ulen + 1);
	s->type = SMP_T_STR;
	s->str = s->buf;
	s->len = cr.ulen;
	return 1;
}

/* http_auth_user, http_auth_pass (as sent, checked against nothing),
 * http_auth_type ("Basic", "Bearer") */
int smp_fetch_http_auth_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	struct http_cred cr;
	enum http_auth_scheme sch = http_cred_of(c->t->req, &cr);
	char which = e->fetch->name[10]; /* http_auth_[u]ser, [p]ass, [t]ype */
	const char *v;
	size_t n;

	if (which == 't') {
		if (sch == HAUTH_NONE)
			return 0;
		v = sch == HAUTH_BASIC ? "Basic" : "Bearer";
		n = strlen(v);
	} else {
		if (sch != HAUTH_BASIC)
			return 0;
		v = which == 'u' ? cr.user : cr.pass;
		n = which == 'u' ? cr.ulen : cr.plen;
	}
	if (n >= sizeof(s->buf))
		return 0;
	memcpy(s->buf, v, n);
	s->type = SMP_T_STR;
	s->str = s->buf;
	s->len = n;
	return 1;
}

int acl_auth_group_match(const struct acl_term *term, struct http_txn *t, const struct sample *s)
{
	const struct hp_userlist *ul = txn_userlist(&term->expr, t);
	char user[SMP_BUF];
	unsigned i;

	if (!ul || s->type != SMP_T_STR || s->len >= sizeof(user))
		return 0;
	memcpy(user, s->str, s->len);
	user[s->len] = 0;
	for (i = 0; i < term->npats; i++)
		if (userlist_in_group(ul, user, term->pats[i].str))
			return 1;
	return 0;
}

static int wants_userlist(const struct smp_fetch *f)
{
	return f->fn == smp_fetch_http_auth || f->fn == smp_fetch_http_auth_group;
}

int http_auth_resolve(const struct hp_userlist *uls, const struct acl *acls, int *line, char *err,
		      size_t errlen)
{
	const struct acl_term *t;
	const struct hp_userlist *ul;
	unsigned i;

	for (; acls; acls = acls->next)
		for (t = acls->terms; t; t = t->next) {
			if (!wants_userlist(t->expr.fetch))
				continue;
			*line = acls->line;
			ul = userlist_find(uls, t->expr.args[0].str);
			if (!ul)
				return err_set(err, errlen, "%s(%s): no userlist named '%s'", t->expr.fetch->name,
					       t->expr.args[0].str, t->expr.args[0].str);
			for (i = 0; t->match == PAT_M_AUTH && i < t->npats; i++)
				if (!group_exists(ul, t->pats[i].str))
					return err_set(err, errlen, "%s(%s): userlist '%s' has no group '%s'",
						       t->expr.fetch->name, ul->name, ul->name, t->pats[i].str);
		}
	return 0;
}
