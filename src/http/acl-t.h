/* ACLs and conditions (haproxy configuration.txt 7.1, 7.2): the types.
 *
 * `acl NAME CRITERION [flags] [operator] VALUE...` is one acl_term; lines
 * with the same NAME are terms of one struct acl, true when any term
 * matches.  A condition (`if a b || !c` / `unless ...`) is an OR of
 * AND-lists of possibly negated ACLs; `{ CRITERION VALUE... }` in a
 * condition is an anonymous ACL owned by the rules. */
#ifndef FC_HTTP_ACL_T_H
#define FC_HTTP_ACL_T_H

#include <stdint.h>

#include "core/addr.h"
#include "http/sample-t.h"

/* -m METHOD: how a sample is compared with the patterns */
enum pat_match {
	PAT_M_FOUND, /* the sample exists (no pattern) */
	PAT_M_BOOL,  /* the sample is true (no pattern) */
	PAT_M_INT,   /* integer or range "lo:hi", operators eq/ge/gt/le/lt */
	PAT_M_IP,    /* address or network "10.0.0.0/8" */
	PAT_M_LEN,   /* the string's length as an integer */
	PAT_M_STR,   /* exact */
	PAT_M_BEG,
	PAT_M_END,
	PAT_M_SUB,
	PAT_M_DIR,   /* a '/'-delimited part */
	PAT_M_DOM,   /* a '.'/'/'-delimited part */
	PAT_M_REG,   /* PCRE2 */
	PAT_M_AUTH,  /* http_auth_group: the user is in one of the groups (no -m name) */
};

struct http_re;

struct acl_pat {
	char *str; /* owned: STR..DOM */
	size_t len;
	int64_t lo, hi;		/* INT, LEN: inclusive bounds */
	struct fc_addr addr;	/* IP */
	unsigned prefix;
	struct http_re *re;	/* REG, owned */
};

struct acl_term {
	struct smp_expr expr;
	enum pat_match match;
	int icase;		/* -i */
	struct acl_pat *pats;	/* owned */
	unsigned npats;
	struct acl_term *next;
};

struct acl {
	char *name; /* owned; "{anonymous}" or the predefined name */
	struct acl_term *terms;
	const char *file;
	int line;
	struct acl *next;
};

struct cond_term {
	const struct acl *acl;
	int neg; /* `!` */
};

struct cond_and {
	struct cond_term *terms; /* owned */
	unsigned n;
};

struct cond {
	int unless;
	struct cond_and *ors; /* owned */
	unsigned n;
};

#endif
