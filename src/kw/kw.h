/* The keyword walker and argument helpers (the tables are the readers'
 * and checkers', e.g. conf/ka.h). */
#ifndef FC_KW_KW_H
#define FC_KW_KW_H

#include "kw/kw-t.h"

/* Walk statements until EOF (top level). */
void kw_walk_top(struct kw_ctx *c, const struct kw_block *b, void *obj);
/* Walk a block body: ctx->pos is after '{'; stops after the matching '}'. */
void kw_body(struct kw_ctx *c, const struct kw_block *b, void *obj, const struct token *open);

/* Diagnostics at a token's position (silenced while re-walking a group). */
void kw_error(struct kw_ctx *c, const struct token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kw_warn(struct kw_ctx *c, const struct token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Errors so far (silent ones included): a block that had errors inside
 * does not add "incomplete block" errors on top. */
unsigned kw_errors(const struct kw_ctx *c);

/* Argument parsers: 0, or -1 with err naming the keyword and the value. */
int kw_uint(const struct kw_stmt *st, unsigned i, unsigned min, unsigned max, unsigned *out,
	    char *err, size_t errlen);
/* Seconds, fractions allowed ("1.5"), into milliseconds (<= max_ms). */
int kw_secs_ms(const struct kw_stmt *st, unsigned i, unsigned max_ms, unsigned *out, char *err,
	       size_t errlen);
/* The same, for a timer keepalived wants above 0: a zero is ignored with a
 * warning (keepalived logs and ignores it too), *out keeps what it had and
 * `fallback` says what applies ("the default (60 s)"). */
int kw_secs_nonzero(struct kw_ctx *c, const struct kw_stmt *st, unsigned max_ms, unsigned *out,
		    const char *fallback, char *err, size_t errlen);
/* <BOOL>: on|off|true|false|yes|no; no argument = true. */
int kw_bool(const struct kw_stmt *st, unsigned i, int *out, char *err, size_t errlen);
/* strdup of argument i into *dst (freeing the old value). */
int kw_str(const struct kw_stmt *st, unsigned i, char **dst, char *err, size_t errlen);
int kw_ip(const struct kw_stmt *st, unsigned i, struct fc_addr *a, char *err, size_t errlen);
int kw_port(const struct kw_stmt *st, unsigned i, uint16_t *port, char *err, size_t errlen);
/* An interface (or label) name that fits dst and the kernel's IFNAMSIZ;
 * `kw` names it in the error. */
int kw_ifname(const char *kw, const char *s, char *dst, size_t dstlen, char *err, size_t errlen);
/* SCRIPT [USER [GROUP]] into *dst: the script runs as script_user
 * (doc/security.md), so a user/group given here is ignored with a warning. */
int kw_script(struct kw_ctx *c, const struct kw_stmt *st, char **dst, char *err, size_t errlen);
/* Argument i by name among names (case-insensitive) into *out. */
int kw_enum(const struct kw_stmt *st, unsigned i, const struct kw_enum *names, int *out, char *err,
	    size_t errlen);

/* The generic parser of a table entry without its own (kw_slot.c): the
 * slot's type read from argument 0 into obj's field, as the helpers above. */
int kw_slot_set(struct kw_ctx *c, void *obj, const struct kw *k, const struct kw_stmt *st,
		char *err, size_t errlen);

/* The nearest name (Levenshtein distance <= 2) among the block's keywords
 * and ignored keywords, or NULL. */
const char *kw_nearest(const struct kw_block *b, const char *word);
int kw_in_list(const char *const *list, const char *word);

/* The retired keyword `word` of block b that fulcrum ignores, or NULL.
 * Defined by the reader that owns the table of retired keywords
 * (conf/ignored.c): the walker's one call upward, made at link time. */
const struct kw_retired *kw_retired_ignored(const struct kw_block *b, const char *word);
/* If `t` names an ignored retired keyword of b: warn at t's file:line
 * (what is ignored, what replaced it) and return 1; else 0. */
int kw_retired_warn(struct kw_ctx *c, const struct kw_block *b, const struct token *t);

#endif
