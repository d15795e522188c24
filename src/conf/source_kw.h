/* virtual_server's pacemaker_real_servers { } and real_server_script
 * (source_kw.c): a pool's servers from outside the file. */
#ifndef FC_CONF_SOURCE_KW_H
#define FC_CONF_SOURCE_KW_H

#include "kw/kw-t.h"
#include "model/source-t.h"

struct config;
struct token;

/* The blocks' keywords, for the generated reference: pacemaker_real_servers
 * { } and real_server_script's optional block (its servers' checkers). */
extern const struct kw_block conf_blk_pcmk, conf_blk_script;

/* Parsers of the two keywords in keepalived.c's virtual_server table (obj:
 * its struct vs_state). */
int conf_pacemaker_real_servers(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
				size_t errlen);
int conf_real_server_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen);

/* The words a grammar uses in the "one source" refusal: its service
 * ("a virtual_server", "a backend") and its keywords for both kinds. */
struct conf_source_words {
	const char *noun, *pcmk, *script;
};
extern const struct conf_source_words conf_source_ka;

/* The source in *slot (a pool's, or a reader's until its pool is made),
 * made of `kind` at file:line if *slot is NULL; with `reuse`, a source of
 * the same kind already there is returned (a grammar giving its keywords
 * on several lines).  NULL with err: another source is there already. */
struct pool_source *conf_source_open(struct config *cfg, struct pool_source **slot,
				     enum pool_source_kind kind, int reuse,
				     const struct conf_source_words *w, const char *file, int line,
				     char *err, size_t errlen);
/* One keyword of pacemaker_real_servers { } -- st->kw->text "resource",
 * "weight"..., its arguments -- into s, as keepalived.conf reads it: the
 * other grammars map theirs to these.  0, or -1 with err. */
int conf_source_kw(struct kw_ctx *c, struct pool_source *s, const struct kw_stmt *st, char *err,
		   size_t errlen);
/* How many arguments keyword `name` of pacemaker_real_servers takes, or -1
 * for no such keyword (a grammar that writes them all on one line). */
int conf_source_nargs(const char *name);
/* real_server_script's COMMAND [SECS] (st's arguments) into s. */
int conf_source_script(struct pool_source *s, const struct kw_stmt *st, char *err, size_t errlen);
/* A statement `name words...` at file:line for the two above, from a
 * grammar that has no keepalived tokens: toks holds n + 1 tokens, which
 * point at name and words (not copied). */
void conf_source_stmt(struct kw_stmt *st, struct token *toks, const char *file, int line,
		      const char *name, char *const *words, unsigned n);

/* After a reader's walk: a DR or TUN service whose source gives its
 * servers another port than the service's gets a warning at that `port`
 * line (the packets keep the service's port; only checks use the other). */
void conf_sources_finish(struct kw_ctx *c);

#endif
