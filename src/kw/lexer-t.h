/* Lexer types: the token stream of a keepalived.conf-style file.
 *
 * The whole input (main file plus every include) is turned into one flat
 * array of tokens before any keyword is looked at; readers walk the array by
 * index, so a block body can be walked twice (virtual_server group expansion).
 */
#ifndef FC_KW_LEXER_T_H
#define FC_KW_LEXER_T_H

#include <stddef.h>

#include "kw/diag-t.h"

#define LEX_MAX_TOKEN	      4096	  /* longest word or quoted string */
#define LEX_MAX_FILE	      (16u << 20) /* largest file read (16 MiB) */
#define LEX_MAX_TOTAL	      (64u << 20) /* all files together */
#define LEX_MAX_TOKENS	      (1u << 20)  /* tokens in the whole input */
#define LEX_MAX_INCLUDE_DEPTH 16	  /* include nesting */
#define LEX_MAX_PARAMS	      256	  /* $NAME=value definitions */
#define LEX_MAX_SUBST	      (64u << 10) /* a line after parameter substitution */

enum tok_type {
	TOK_WORD,   /* bare word */
	TOK_STRING, /* "quoted string", quotes removed */
	TOK_LBRACE,
	TOK_RBRACE,
};

struct token {
	enum tok_type type;
	int bol; /* first token of its line: statements end before it */
	int line;
	const char *file; /* owned by the lexer's file table */
	char *text;	  /* owned, NUL-terminated; "{" / "}" for braces */
};

struct lex_param {
	char *name;
	char *value; /* may hold '\n' (multi-line definition) */
};

struct lexer {
	struct token *tok; /* owned array */
	size_t ntok, cap;
	char **files; /* interned file names for messages */
	unsigned nfiles;
	struct lex_param params[LEX_MAX_PARAMS];
	unsigned nparams;
	char *stack[LEX_MAX_INCLUDE_DEPTH + 1]; /* real paths being read (loop guard) */
	unsigned depth;
	size_t total; /* bytes read so far */
	int cond_warned;
	int too_many;	/* LEX_MAX_TOKENS reached, reported once */
	int no_include; /* fuzzing: never touch the file system */
	struct conf_diag *d;
};

#endif
