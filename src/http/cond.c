/* Conditions (haproxy configuration.txt 7.2): `if`/`unless` followed by
 * ACL names, `!` to negate one, `||` (or `or`) between AND-lists, and
 * anonymous ACLs written in place between `{` and `}`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/acl.h"

static struct acl *acl_find(struct acl *list, const char *name)
{
	for (; list; list = list->next)
		if (!strcmp(list->name, name))
			return list;
	return NULL;
}

static struct acl *acl_new_anon(struct acl **anon, const char *name, char **words, int n, unsigned use,
				const char *file, int line, char *err, size_t errlen)
{
	struct acl *a = calloc(1, sizeof(*a));

	if (!a || !(a->name = strdup(name))) {
		free(a);
		return err_set(err, errlen, "out of memory"), NULL;
	}
	a->terms = acl_term_parse(words, n, use, err, errlen);
	if (!a->terms) {
		free(a->name);
		free(a);
		return NULL;
	}
	a->file = file;
	a->line = line;
	a->next = *anon;
	*anon = a;
	return a;
}

/* A predefined ACL, built once per rule set on first use. */
static struct acl *acl_predef_get(struct acl **anon, const char *name, unsigned use, const char *file, int line,
				  char *err, size_t errlen)
{
	const char *def = acl_predefined(name);
	char buf[128], *words[8], *p, *save = NULL;
	int n = 0;
	struct acl *a = acl_find(*anon, name);

	if (a || !def)
		return a;
	snprintf(buf, sizeof(buf), "%s", def);
	for (p = strtok_r(buf, " ", &save); p && n < 8; p = strtok_r(NULL, " ", &save))
		words[n++] = p;
	return acl_new_anon(anon, name, words, n, use, file, line, err, errlen);
}

static int and_add(struct cond *c, const struct acl *acl, int neg, char *err, size_t errlen)
{
	struct cond_and *ca = &c->ors[c->n - 1];
	struct cond_term *nt = realloc(ca->terms, (ca->n + 1) * sizeof(*nt));

	if (!nt)
		return err_set(err, errlen, "out of memory");
	ca->terms = nt;
	nt[ca->n].acl = acl;
	nt[ca->n].neg = neg;
	ca->n++;
	return 0;
}

static int or_add(struct cond *c, char *err, size_t errlen)
{
	struct cond_and *no = realloc(c->ors, (c->n + 1) * sizeof(*no));

	if (!no)
		return err_set(err, errlen, "out of memory");
	c->ors = no;
	memset(&no[c->n], 0, sizeof(*no));
	c->n++;
	return 0;
}

struct cond *cond_parse(char **args, int nargs, struct acl **acls, struct acl **anon, unsigned use,
			const char *file, int line, char *err, size_t errlen)
{
	struct cond *c = calloc(1, sizeof(*c));
	int i;

	if (!c)
		return err_set(err, errlen, "out of memory"), NULL;
	c->unless = !strcmp(args[0], "unless");
	if (or_add(c, err, errlen))
		goto fail;
	for (i = 1; i < nargs; i++) {
		const char *w = args[i];
		const struct acl *acl;
		int neg = 0;

		if (!strcmp(w, "||") || !strcmp(w, "or")) {
			if (!c->ors[c->n - 1].n) {
				err_set(err, errlen, "'%s' without an ACL before it", w);
				goto fail;
			}
			if (or_add(c, err, errlen))
				goto fail;
			continue;
		}
		if (w[0] == '!') {
			neg = 1;
			w++;
			if (!*w) {
				if (++i == nargs) {
					err_set(err, errlen, "'!' at the end of the condition");
					goto fail;
				}
				w = args[i];
			}
		}
		if (!strcmp(w, "{")) {
			int start = ++i;

			while (i < nargs && strcmp(args[i], "}"))
				i++;
			if (i == nargs) {
				err_set(err, errlen, "missing '}' after '{' in the condition");
				goto fail;
			}
			if (i == start) {
				err_set(err, errlen, "empty anonymous ACL '{ }'");
				goto fail;
			}
			acl = acl_new_anon(anon, "{anonymous}", args + start, i - start, use, file, line, err, errlen);
		} else {
			acl = acl_find(*acls, w);
			if (!acl) {
				err[0] = 0;
				acl = acl_predef_get(anon, w, use, file, line, err, errlen);
				if (!acl && !err[0])
					err_set(err, errlen, "no such ACL '%s' (an ACL must be declared before the "
						"rule that uses it)", w);
			}
		}
		if (acl && (acl_use(acl) & ~use)) {
			err_set(err, errlen, "ACL '%s' needs the %s, which this rule does not see", acl->name,
				(acl_use(acl) & ~use & SMP_USE_RESP) ? "response" : "request headers");
			goto fail;
		}
		if (!acl || and_add(c, acl, neg, err, errlen))
			goto fail;
	}
	if (!c->ors[c->n - 1].n) {
		err_set(err, errlen, c->n > 1 ? "condition ends with '||'" : "missing condition after '%s'",
			args[0]);
		goto fail;
	}
	return c;
fail:
	cond_free(c);
	return NULL;
}

void cond_free(struct cond *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->ors[i].terms);
	free(c->ors);
	free(c);
}

int cond_eval(const struct cond *c, struct http_txn *t)
{
	unsigned i, j;
	int ok = 0;

	if (!c)
		return 1;
	for (i = 0; i < c->n && !ok; i++) {
		const struct cond_and *ca = &c->ors[i];

		ok = 1;
		for (j = 0; j < ca->n && ok; j++)
			ok = acl_eval(ca->terms[j].acl, t) != ca->terms[j].neg;
	}
	return c->unless ? !ok : ok;
}
