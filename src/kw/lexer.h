/* The lexer of keepalived.conf's grammar.
 *
 * Line-oriented, as keepalived's: `!` and `#` start a comment anywhere
 * outside quotes; `{` and `}` are tokens of their own; "..." is one token
 * (the quotes removed, \" kept as a quote); a statement is a keyword and the
 * rest of its line, and a block's `{` may stand on the next line.
 *
 * Done here, before any keyword is seen, as keepalived does in its reader:
 *  - `include PATTERN`: glob(3) relative to the including file's directory,
 *    nested up to LEX_MAX_INCLUDE_DEPTH, a file including itself refused;
 *  - `@NAME line` / `@^NAME line`: conditional lines; fulcrum has no
 *    config-id, so @NAME lines are dropped (one warning) and @^NAME kept;
 *  - `$NAME=value` definitions and $NAME / ${NAME} substitution.
 *
 * Problems are reported through the diag as "file:line: message"; lexing
 * goes on after an error so that every problem is shown.
 */
#ifndef FC_KW_LEXER_H
#define FC_KW_LEXER_H

#include "kw/lexer-t.h"

void lexer_init(struct lexer *lx, struct conf_diag *d);
void lexer_free(struct lexer *lx);

/* Append the tokens of a file (and its includes). */
void lexer_read_file(struct lexer *lx, const char *path);
/* Append the tokens of a buffer named `name`; includes are relative to ".". */
void lexer_read_string(struct lexer *lx, const char *name, const char *text, size_t len);

/* Report "file:line: message" (or "file: message" when line <= 0) and count
 * it in d->errors / d->warnings.  d may be NULL. */
void conf_report(struct conf_diag *d, int severity, const char *file, int line, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));

#endif
