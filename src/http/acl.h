/* ACLs and conditions: parsing and evaluation (types in acl-t.h). */
#ifndef FC_HTTP_ACL_H
#define FC_HTTP_ACL_H

#include <stddef.h>

#include "http/acl-t.h"

struct http_txn;

/* Parse `CRITERION [flags] VALUE...` (args[0..nargs)) into a new term;
 * `use` as in smp_expr_parse.  NULL with err. */
struct acl_term *acl_term_parse(char **args, int nargs, unsigned use, char *err, size_t errlen);
void acl_term_free(struct acl_term *t);
/* Does any term of `acl` match t? */
int acl_eval(const struct acl *acl, struct http_txn *t);
void acl_free_list(struct acl *a);
/* What the fetches of an ACL's terms need (SMP_USE_* or-ed). */
unsigned acl_use(const struct acl *a);
/* The definition of a predefined ACL (TRUE, METH_GET, LOCALHOST ...) as
 * `CRITERION VALUE...` text, or NULL. */
const char *acl_predefined(const char *name);

/* Parse a condition from args[0] ("if"/"unless") on, to the end of args.
 * Named ACLs are looked up in *acls (then the predefined ones, added to
 * *anon); anonymous `{ ... }` ACLs are added to *anon.  NULL with err. */
struct cond *cond_parse(char **args, int nargs, struct acl **acls, struct acl **anon, unsigned use,
			const char *file, int line, char *err, size_t errlen);
void cond_free(struct cond *c);
/* 1 if the condition holds (NULL: always). */
int cond_eval(const struct cond *c, struct http_txn *t);

#endif
