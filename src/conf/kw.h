/* The keyword walker, argument helpers and the keyword tables. */
#ifndef FC_CONF_KW_H
#define FC_CONF_KW_H

#include "conf/kw-t.h"

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

/* Tables (keepalived.c, check_kw.c, ignored.c). */
extern const struct kw_block kw_top;
extern const struct kw kw_checkers[]; /* TCP_CHECK, HTTP_GET... inside real_server */
extern const char *const ign_top[];   /* top-level blocks fulcrum ignores */
extern const char *const ign_global[];
extern const struct kw proc_kw_global[]; /* src/conf/proc_kw.c */
/* the global_defs block (src/conf/global_kw.c) */
int conf_global_defs(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen);
extern const char *const ign_vs[];
extern const char *const ign_rs[];
extern const char *const ign_check[];
extern const char *const ign_url[];
/* Why a top-level block is ignored ("not supported by fulcrum's VRRP"). */
const char *ign_top_reason(const char *kw);
/* keepalived's retired and legacy keywords, NULL-terminated (ignored.c). */
extern const struct kw_retired kw_retired[];
/* Whether row r belongs to block b. */
int kw_retired_in(const struct kw_retired *r, const struct kw_block *b);
/* The retired keyword `word` of block b that fulcrum ignores, or NULL. */
const struct kw_retired *kw_retired_ignored(const struct kw_block *b, const char *word);
/* If `t` names an ignored retired keyword of b: warn at t's file:line
 * (what is ignored, what replaced it) and return 1; else 0. */
int kw_retired_warn(struct kw_ctx *c, const struct kw_block *b, const struct token *t);

/* keepalived.c: scheduler names fulcrum knows. */
int conf_sched_known(const char *name);
/* Apply the checker defaults of a real_server / virtual_server level. */
void chk_inherit_rs(struct rs_state *rss);
void chk_inherit_vs(struct vs_state *vss);

/* vrrp_kw.c: vrrp_instance, vrrp_script, vrrp_sync_group (top level);
 * global_defs vrrp_version; vrrp_kw_finish.c: the checks that need the
 * whole file, run by ka_read() after the walk. */
extern const struct kw kw_vrrp_top[];
/* global_defs vrrp_garp_interval and vrrp_gna_interval */
int vrrp_kw_global_garp(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen);
int vrrp_kw_global_version(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen);
void vrrp_kw_finish(struct kw_ctx *c);

/* Every named block of each file, NULL-terminated, for the generated
 * keyword reference; kw_doc.c: that reference, as markdown. */
extern const struct kw_block *const kw_doc_global[];
extern const struct kw_block *const kw_doc_ka[];
extern const struct kw_block *const kw_doc_check[];
extern const struct kw_block *const kw_doc_vrrp[];
struct sbuf;
void kw_doc_markdown(struct sbuf *out);

/* keepalived.c: read the whole token stream into c->cfg. */
void ka_read(struct kw_ctx *c);

#endif
