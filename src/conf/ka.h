/* The keepalived reader's keyword tables and the functions that share them
 * across conf/ (the walker they are written for is kw/kw.h). */
#ifndef FC_CONF_KA_H
#define FC_CONF_KA_H

#include "conf/ka-t.h"
#include "kw/kw.h"

/* Tables (keepalived.c, check_kw.c, ignored.c). */
extern const struct kw_block kw_top;
extern const struct kw kw_checkers[]; /* TCP_CHECK, HTTP_GET... inside real_server */
extern const char *const ign_top[];   /* top-level blocks fulcrum ignores */
extern const char *const ign_global[];
extern const struct kw proc_kw_global[]; /* src/conf/proc_kw.c */
/* the global_defs block (src/conf/global_kw.c) */
int conf_global_defs(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen);
/* stats_kw.c: stats_listen, stats_uri, stats_auth, stats_realm,
 * stats_refresh, stats_admin and metrics_uri, for global_defs and
 * ldirectord.cf's globals alike (their object: the struct global_defs);
 * conf_stats_finish(), once the file is read, makes the stats listener
 * they describe (or warns that stats_listen is missing). */
int conf_stats_kw(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		  size_t errlen);
#define CONF_STATS_KW(name) {name, conf_stats_kw, 1, 1, KW_NOBLOCK}
#define CONF_STATS_KWS                                                                             \
	CONF_STATS_KW("stats_listen"), CONF_STATS_KW("stats_uri"), CONF_STATS_KW("stats_auth"),    \
	    CONF_STATS_KW("stats_realm"), CONF_STATS_KW("stats_refresh"),                          \
	    CONF_STATS_KW("stats_admin"), CONF_STATS_KW("metrics_uri")
void conf_stats_finish(struct kw_ctx *c);
extern const char *const ign_vs[];
extern const char *const ign_rs[];
/* Why a top-level block is ignored ("not supported by fulcrum's VRRP"). */
const char *ign_top_reason(const char *kw);
/* keepalived's retired and legacy keywords, NULL-terminated (ignored.c). */
extern const struct kw_retired kw_retired[];
/* Whether row r belongs to block b. */
int kw_retired_in(const struct kw_retired *r, const struct kw_block *b);

/* keepalived.c: scheduler names fulcrum knows. */
int conf_sched_known(const char *name);
/* check_kw.c: one checker block (st: TCP_CHECK { ... }) appended to *list
 * (a real_server's checks, a pool source's).  0, or -1 with err. */
int chk_read(struct kw_ctx *c, const struct kw_stmt *st, struct check_conf **list, char *err,
	     size_t errlen);
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
