/* Checker blocks inside real_server: one per checker of the registry
 * (CHECK_REGISTRY, src/check/check.h; BFD_CHECK is ignored with a warning).
 * Each becomes a struct check_conf on the real server.  This file reads the
 * keywords every checker has; the checker's own keywords are its table
 * (check_<id>_kw, in src/check/check_<id>.c), parsed into its spec.
 * Timings not given in the block are inherited from the real_server, then
 * the virtual_server, then keepalived's defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "conf/ka.h"
#include "core/err.h"
#include "model/model.h"

#define CHK(obj) ((struct check_conf *)(obj))

/* The checkers' sub-blocks, for the keyword reference (check_http.c: url,
 * check_smtp.c: host). */
extern const struct kw_block check_http_url_block, check_smtp_host_block;

/* ---- keywords every checker has ---- */

static int p_bind_if(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	if (strlen(st->args[0].text) >= 16)
		return err_set(err, errlen, "bind_if: '%s' is not an interface name",
			       st->args[0].text);
	return kw_str(st, 0, &CHK(obj)->bind_if, err, errlen);
}

#define CHK_SLOT(f, t, lo, hi) KW_SLOT(struct check_conf, f, t, lo, hi)
#define CHK_SECS_NZ(f, max, what)                                                                  \
	KW_SLOT_X(KW_SELF, struct check_conf, f, KW_T_SECS_NZ, 0, max, what)

static const struct kw kw_generic[] = {
    {"connect_ip", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(connect, KW_T_IP, 0, 0)},
    {"connect_port", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(connect.port, KW_T_PORT, 0, 0)},
    {"bindto", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(bindto, KW_T_IP, 0, 0)},
    {"bind_port", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(bindto.port, KW_T_PORT, 0, 0)},
    {"bind_if", p_bind_if, 1, 1, KW_NOBLOCK},
    {"connect_timeout", NULL, 1, 1, KW_NOBLOCK,
     CHK_SECS_NZ(connect_timeout_ms, 3600000,
		 "the real_server's, the virtual_server's or the default (5 s)")},
    {"retry", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(retry, KW_T_UINT, 0, 1000)},
    {"nb_get_retry", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(retry, KW_T_UINT, 0, 1000)},
    {"delay_before_retry", NULL, 1, 1, KW_NOBLOCK,
     CHK_SLOT(delay_before_retry_ms, KW_T_SECS_MS, 0, 3600000)},
    {"warmup", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(warmup_ms, KW_T_SECS_MS, 0, 3600000)},
    {"delay_loop", NULL, 1, 1, KW_NOBLOCK,
     CHK_SECS_NZ(delay_loop_ms, 86400000, "the real_server's or the virtual_server's")},
    /* fulcrum extensions */
    {"rise", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(rise, KW_T_UINT, 1, 1000)},
    {"fall", NULL, 1, 1, KW_NOBLOCK, CHK_SLOT(fall, KW_T_UINT, 1, 1000)},
    {NULL},
};

/* ---- the checker keyword itself ---- */

/* One block per checker of the registry: the common keywords, then its own. */
#define CHECK_KW_DECL(id, word, rule) extern const struct kw check_##id##_kw[];
CHECK_REGISTRY(CHECK_KW_DECL)
#define CHECK_BLOCK(id, word, rule)                                                                 \
	static const struct kw_block blk_##id = {word, kw_generic, check_##id##_kw, ign_check, NULL};
CHECK_REGISTRY(CHECK_BLOCK)
#define CHECK_BLOCK_PTR(id, word, rule) &blk_##id,
static const struct kw_block *const blk_check[] = {CHECK_REGISTRY(CHECK_BLOCK_PTR) NULL};

static const struct kw_block *block_of(const struct check_ops *ops)
{
	unsigned i;

	for (i = 0; blk_check[i]; i++)
		if (!strcmp(blk_check[i]->name, ops->name))
			return blk_check[i];
	return NULL;
}

int chk_read(struct kw_ctx *c, const struct kw_stmt *st, struct check_conf **list, char *err,
	     size_t errlen)
{
	const struct check_ops *ops = check_ops_named(st->kw->text);
	const struct kw_block *blk = ops ? block_of(ops) : NULL;
	struct check_conf *k, **kp;
	unsigned e0 = kw_errors(c);

	if (!blk) {
		kw_warn(c, st->kw, "BFD_CHECK is ignored by fulcrum (BFD is not served yet)");
		return 0; /* the walker skips the block */
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return err_set(err, errlen, "out of memory");
	k->type = ops->type;
	k->file = config_intern_file(c->cfg, st->kw->file);
	k->line = st->kw->line;
	k->retry = k->delay_before_retry_ms = k->connect_timeout_ms = CHK_UNSET;
	k->warmup_ms = CHK_UNSET;
	if (ops->conf_new) {
		k->spec = ops->conf_new();
		if (!k->spec) {
			free(k);
			return err_set(err, errlen, "out of memory");
		}
		k->spec_free = ops->conf_free;
	}
	if (st->has_block)
		kw_body(c, blk, k, st->kw);
	if (ops->conf_finish && ops->conf_finish(k, err, errlen) < 0) {
		check_conf_free(k);
		if (kw_errors(c) != e0)
			err[0] = 0; /* already explained by an error inside */
		return -1;
	}
	for (kp = list; *kp; kp = &(*kp)->next)
		;
	*kp = k; /* with what conf_finish appended (SMTP_CHECK host { }) */
	return 0;
}

static int p_check(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct rs_state *rss = obj;

	return chk_read(c, st, &rss->rs->checks, err, errlen);
}

#define CHECK_KW_ROW(id, word, rule) {word, p_check, 0, 0, rule},
const struct kw kw_checkers[] = {
    CHECK_REGISTRY(CHECK_KW_ROW)
    {"BFD_CHECK", p_check, 0, KW_ANY, KW_OPTBLOCK},
    {NULL},
};

/* ---- inheritance of checker timings ---- */

static void inherit(unsigned *field, unsigned from)
{
	if (*field == CHK_UNSET && from != CHK_UNSET)
		*field = from;
}

/* The level's virtualhost for the checkers that take one. */
static void inherit_vhost(struct check_conf *k, const char *vhost)
{
	const struct check_ops *ops = check_ops_for(k->type);

	if (ops && ops->conf_inherit)
		ops->conf_inherit(k, vhost);
}

void chk_inherit_rs(struct rs_state *rss)
{
	struct check_conf *k;

	for (k = rss->rs->checks; k; k = k->next) {
		inherit(&k->retry, rss->retry);
		inherit(&k->delay_before_retry_ms, rss->delay_before_retry_ms);
		inherit(&k->connect_timeout_ms, rss->connect_timeout_ms);
		inherit(&k->warmup_ms, rss->warmup_ms);
		if (!k->delay_loop_ms)
			k->delay_loop_ms = rss->delay_loop_ms;
		inherit_vhost(k, rss->virtualhost);
	}
}

static void inherit_vs_one(struct vs_state *vss, struct check_conf *k)
{
	const struct check_ops *ops = check_ops_for(k->type);

	inherit(&k->retry, vss->retry);
	inherit(&k->delay_before_retry_ms, vss->delay_before_retry_ms);
	inherit(&k->connect_timeout_ms, vss->connect_timeout_ms);
	inherit(&k->warmup_ms, vss->warmup_ms);
	/* keepalived's defaults: retry 1 (DNS 3, MISC 0), 1 s between tries,
	 * 5 s to connect */
	inherit(&k->retry, ops ? ops->retry_default : 1);
	inherit(&k->delay_before_retry_ms, 1000);
	inherit(&k->connect_timeout_ms, 5000);
	inherit(&k->warmup_ms, 0);
	inherit_vhost(k, vss->vs->pool->virtualhost);
}

void chk_inherit_vs(struct vs_state *vss)
{
	struct real_server *rs;
	struct check_conf *k;

	for (rs = vss->vs->pool->rs; rs; rs = rs->next)
		for (k = rs->checks; k; k = k->next)
			inherit_vs_one(vss, k);
	/* the checks every server of the pool's source gets */
	for (k = vss->vs->pool->source ? vss->vs->pool->source->checks : NULL; k; k = k->next)
		inherit_vs_one(vss, k);
}

/* For the generated keyword reference (kw_doc.c): the checkers' blocks,
 * then their sub-blocks (defined in their files). */
const struct kw_block *const kw_doc_check[] = {
    CHECK_REGISTRY(CHECK_BLOCK_PTR) &check_http_url_block, &check_smtp_host_block, NULL,
};
