/* Keyword tables: the machinery under every reader and checker.
 *
 * A block (global_defs, virtual_server, real_server, HTTP_GET, url...) is a
 * struct kw_block: its keywords as {name, parser, argument counts, block},
 * the keepalived keywords fulcrum knowingly ignores there, and optionally a
 * parser for lines that are not keywords (virtual_server_group entries).
 * The walker (kw.c) reads statements, checks argument counts and braces,
 * and calls the parser; a block keyword's parser walks its own body with
 * kw_body() so that it can create the object the body fills.
 *
 * A keyword that only stores its value in a field has no parser of its own:
 * its entry carries a slot (nginx's ngx_conf_set_*_slot): where the field is
 * (offset, optionally behind a pointer of the block's object), its type and
 * range, and the generic parser of that type (kw_slot.c) writes it, with the
 * messages the one-line parsers gave.
 */
#ifndef FC_KW_KW_T_H
#define FC_KW_KW_T_H

#include <stddef.h>

#include "kw/lexer-t.h"
#include "model/model-t.h"

#define KW_ANY	     255	 /* max_args: no limit */
#define KW_MAX_DEPTH 32		 /* nested blocks */
#define CHK_UNSET    0xffffffffu /* a checker timing not given at this level */

struct kw_ctx;

/* One statement: the keyword, the rest of its line, and whether a { block }
 * follows (if so, ctx->pos is just after the '{' when the parser runs). */
struct kw_stmt {
	const struct token *kw;
	const struct token *args; /* argc contiguous tokens */
	unsigned argc;
	int has_block;
};

/* Returns 0, or -1 with a sentence in err (the walker prefixes file:line of
 * the keyword; an empty err means the parser reported it already). */
typedef int (*kw_parse_fn)(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen);

enum kw_block_rule {
	KW_NOBLOCK,   /* a '{' after it is an error */
	KW_NEEDBLOCK, /* must be followed by a block */
	KW_OPTBLOCK,  /* the parser looks at st->has_block */
};

/* What a slot holds; the generic parsers and their messages are kw.h's
 * kw_uint(), kw_bool()... of the same name. */
enum kw_type {
	KW_T_NONE,    /* no slot: the entry's parser does everything */
	KW_T_UINT,    /* unsigned, uint16_t or uint8_t in min..max */
	KW_T_BOOL,    /* int: on|off|true|false|yes|no, no argument = 1 */
	KW_T_FLAG,    /* int set to 1 (a keyword without argument) */
	KW_T_STR,     /* char *, strdup'ed (the old value freed) */
	KW_T_SCRIPT,  /* char *: SCRIPT [USER [GROUP]], the user/group warned about */
	KW_T_SECS_MS, /* unsigned milliseconds from seconds ("1.5"), min..max ms */
	KW_T_SECS_NZ, /* the same, a 0 ignored with a warning; arg: what applies then */
	KW_T_ENUM,    /* an int/enum by name, case-insensitive; arg: struct kw_enum[] */
	KW_T_IP,      /* struct fc_addr: the address, the port untouched */
	KW_T_PORT,    /* uint16_t */
	KW_T_IFNAME,  /* char[]: an interface name that fits the array and IFNAMSIZ */
};

/* A KW_T_ENUM name, NULL-ended; a hidden one (an alias) is accepted but not
 * listed in the error ("'x' is not auto, native or generic"). */
struct kw_enum {
	const char *name;
	int value;
	int hidden;
};

#define KW_SELF (-1) /* kw_slot.via: the field is in the block's object itself */

struct kw_slot {
	signed char type;   /* enum kw_type */
	unsigned char size; /* sizeof the field */
	short via;	    /* KW_SELF, or the offset in the block's object of a pointer to
			       the struct that holds the field */
	unsigned off;	    /* offset of the field in that struct */
	unsigned min, max;  /* KW_T_UINT: the range; KW_T_SECS_*: in ms (max 0 = none) */
	const void *arg;    /* KW_T_ENUM: the names; KW_T_SECS_NZ: "the default (60 s)" */
};

/* Whether a field of `size` bytes (and type `ft`) can hold a `t`: a table
 * entry that points a slot at the wrong field does not compile. */
#define KW_SLOT_FITS(t, ft, size)                                                                  \
	((t) == KW_T_STR || (t) == KW_T_SCRIPT ? __builtin_types_compatible_p(ft, char *)          \
	 : (t) == KW_T_IP		       ? __builtin_types_compatible_p(ft, struct fc_addr)  \
	 : (t) == KW_T_PORT		       ? __builtin_types_compatible_p(ft, uint16_t)        \
	 : (t) == KW_T_IFNAME ? __builtin_types_compatible_p(ft, char[size]) && (size) < 256       \
	 : (t) == KW_T_UINT || (t) == KW_T_ENUM ? (size) == 1 || (size) == 2 || (size) == 4        \
						: (size) == sizeof(int))

/* The slot of field `f` of struct T, reached from the block's object through
 * the pointer at offset `via` (KW_SELF: the object is a T). */
#define KW_SLOT_X(via_, T, f, t, lo, hi, arg_)                                                     \
	{                                                                                          \
		.type = (t),                                                                       \
		.size =                                                                            \
		    sizeof(((T *)0)->f) +                                                          \
		    0 * sizeof(char[KW_SLOT_FITS(t, __typeof__(((T *)0)->f), sizeof(((T *)0)->f))  \
					? 1                                                        \
					: -1]),                                                    \
		.via = (via_), .off = offsetof(T, f), .min = (lo), .max = (hi), .arg = (arg_),     \
	}
/* The block's object is a T: KW_SLOT(struct vrrp_script, rise, KW_T_UINT, 1, 1000) */
#define KW_SLOT(T, f, t, lo, hi) KW_SLOT_X(KW_SELF, T, f, t, lo, hi, NULL)
/* The block's object is an S whose member p points to the T. */
#define KW_SLOT_IN(S, p, T, f, t, lo, hi) KW_SLOT_X(offsetof(S, p), T, f, t, lo, hi, NULL)

/* A table entry is {name, parser, min_args, max_args, block rule} for a
 * keyword with its own parser, or {name, NULL, min, max, rule, KW_SLOT(...)}
 * for one the generic parser of its slot type reads. */
struct kw {
	const char *name; /* NULL ends a table */
	kw_parse_fn parse;
	unsigned char min_args, max_args;
	unsigned char block; /* enum kw_block_rule */
	struct kw_slot slot; /* used when parse is NULL */
};

struct kw_block {
	const char *name;	    /* for messages: "virtual_server" */
	const struct kw *kws;	    /* may be NULL */
	const struct kw *kws2;	    /* a second table (checkers in real_server), or NULL */
	const char *const *ignored; /* keepalived keywords ignored here (warning), or NULL */
	kw_parse_fn other;	    /* statements not in the tables, or NULL */
};

/* A keyword that keepalived retired, renamed or deprecated (ignored.c,
 * doc/config.md "Retired and legacy keywords").  fulcrum's rule: what some
 * keepalived release documented is accepted, either served (the name is in
 * the block's keyword table, as the keyword that replaced it) or ignored
 * with a warning that says what is ignored and what replaced it.  Only a
 * keyword no keepalived knew is an error. */
struct kw_retired {
	const char *name;
	const char *block;   /* a struct kw_block name; "checker" = every checker block */
	const char *instead; /* what replaced it in keepalived, or NULL: nothing */
	const char *change;  /* "removed in keepalived 1.2.20", from keepalived's ChangeLog */
	const char *what;    /* what it did, and why fulcrum ignores it (ignored ones) */
	const char *example; /* arguments that keepalived took, for the tests and the doc */
	int served;	     /* 1: served as `instead` (an alias in the keyword table) */
};

struct kw_ctx {
	const struct token *tok; /* the lexer's tokens */
	size_t ntok, pos;
	struct config *cfg;
	struct conf_diag *d;
	int silent; /* re-walking a group body: diagnostics were given once */
	unsigned silent_errors;
	unsigned depth;
	int body_done; /* set by kw_body(): the parser consumed its block */
	void *reader;  /* the grammar's own reading state (keepalived.c: struct ka_state) */
};

#endif
