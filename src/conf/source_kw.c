/* keepalived.conf's virtual_server keywords for a pool's outside source of
 * servers (issue 15, fulcrum extensions, doc/config.md "Servers from the
 * cluster"):
 *
 *   pacemaker_real_servers {
 *       resource lvsdr-realsvr-clone        # nodes where it is active
 *       attribute pgsql-status "HS:sync|HS:potential|HS:async"
 *       default_weight 1
 *       weight node1 2
 *       address node1 192.168.0.11
 *       port 5432
 *       interval 1
 *       corosync_conf /etc/corosync/corosync.conf
 *       resolve_ttl 30                     # node names' addresses kept 30 s
 *       PGSQL_CHECK { role standby }       # every server it yields
 *   }
 *   real_server_script "/usr/local/bin/list-replicas --all" 5 {
 *       TCP_CHECK { connect_timeout 2 }    # the same, for a script's servers
 *   }
 *
 * One source per virtual_server.  Its checker blocks are read as a
 * real_server's (check_kw.c) into pool_source.checks: every server the
 * source yields runs them, and they inherit the virtual_server's timings.  The regex is compiled here once to refuse
 * a bad one at file:line; src/cluster/ compiles it again when it runs. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "conf/ka.h"
#include "conf/source_kw.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"
#include "model/source.h"

#define SRC_WEIGHT_MAX 65535
#define SRC_INTERVAL_MAX_MS 3600000u

static int p_attribute(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct pool_source *s = obj;
	const char *re = st->args[1].text;
	PCRE2_SIZE off;
	pcre2_code *code;
	int ecode;

	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ecode, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(ecode, msg, sizeof(msg));
		return err_set(err, errlen, "attribute: bad regex '%s' at offset %zu: %s", re,
			       (size_t)off, (char *)msg);
	}
	pcre2_code_free(code);
	if (kw_str(st, 0, &s->attr_name, err, errlen) < 0)
		return -1;
	return kw_str(st, 1, &s->attr_regex, err, errlen);
}

static int p_weight(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		    size_t errlen)
{
	struct pool_source *s = obj;
	struct src_weight *grown;
	unsigned w, i;

	if (kw_uint(st, 1, 0, SRC_WEIGHT_MAX, &w, err, errlen) < 0)
		return -1;
	for (i = 0; i < s->n_weights; i++)
		if (!strcmp(s->weights[i].node, st->args[0].text))
			return err_set(err, errlen, "weight: node %s given twice", st->args[0].text);
	grown = realloc(s->weights, (s->n_weights + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, errlen, "out of memory");
	s->weights = grown;
	grown[s->n_weights].node = strdup(st->args[0].text);
	if (!grown[s->n_weights].node)
		return err_set(err, errlen, "out of memory");
	grown[s->n_weights++].weight = (int)w;
	return 0;
}

static int p_address(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct pool_source *s = obj;
	struct src_addr *grown;
	struct fc_addr a;
	unsigned i;

	memset(&a, 0, sizeof(a)); /* port 0 (addr_parse_ip leaves it) */
	if (kw_ip(st, 1, &a, err, errlen) < 0)
		return -1;
	for (i = 0; i < s->n_addrs; i++)
		if (!strcmp(s->addrs[i].node, st->args[0].text))
			return err_set(err, errlen, "address: node %s given twice",
				       st->args[0].text);
	grown = realloc(s->addrs, (s->n_addrs + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, errlen, "out of memory");
	s->addrs = grown;
	grown[s->n_addrs].node = strdup(st->args[0].text);
	if (!grown[s->n_addrs].node)
		return err_set(err, errlen, "out of memory");
	grown[s->n_addrs++].addr = a;
	return 0;
}

static int p_port(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		  size_t errlen)
{
	struct pool_source *s = obj;
	char e[ERRLEN];

	if (addr_parse_port(st->args[0].text, &s->port, 0, e, sizeof(e)) < 0)
		return err_set(err, errlen, "port: %s", e);
	s->port_line = st->kw->line;
	return 0;
}

#define SRC(f, t, lo, hi) KW_SLOT(struct pool_source, f, t, lo, hi)

static const struct kw kw_pcmk[] = {
    {"resource", NULL, 1, 1, KW_NOBLOCK, SRC(resource, KW_T_STR, 0, 0)},
    {"attribute", p_attribute, 2, 2, KW_NOBLOCK},
    {"default_weight", NULL, 1, 1, KW_NOBLOCK, SRC(default_weight, KW_T_UINT, 0, SRC_WEIGHT_MAX)},
    {"weight", p_weight, 2, 2, KW_NOBLOCK},
    {"address", p_address, 2, 2, KW_NOBLOCK},
    {"port", p_port, 1, 1, KW_NOBLOCK},
    {"interval", NULL, 1, 1, KW_NOBLOCK, SRC(interval_ms, KW_T_SECS_MS, 100, SRC_INTERVAL_MAX_MS)},
    {"timeout", NULL, 1, 1, KW_NOBLOCK, SRC(timeout_ms, KW_T_SECS_MS, 100, SRC_INTERVAL_MAX_MS)},
    {"crm_mon", NULL, 1, 1, KW_NOBLOCK, SRC(crm_mon, KW_T_STR, 0, 0)},
    {"corosync_conf", NULL, 1, 1, KW_NOBLOCK, SRC(corosync_conf, KW_T_STR, 0, 0)},
    {"resolve_ttl", NULL, 1, 1, KW_NOBLOCK, SRC(resolve_ttl_ms, KW_T_SECS_MS, 100, SRC_INTERVAL_MAX_MS)},
    {NULL},
};

/* The checker blocks (TCP_CHECK ... MYSQL_CHECK) of a source: the servers
 * it yields get them (obj: the struct pool_source). */
static int p_src_check(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct pool_source *s = obj;

	return chk_read(c, st, &s->checks, err, errlen);
}

#define SRC_CHECK_ROW(id, word, rule) {word, p_src_check, 0, 0, rule},
static const struct kw kw_src_checkers[] = {CHECK_REGISTRY(SRC_CHECK_ROW){NULL}};

const struct kw_block conf_blk_pcmk = {"pacemaker_real_servers", kw_pcmk, kw_src_checkers, NULL,
				       NULL};
const struct kw_block conf_blk_script = {"real_server_script", NULL, kw_src_checkers, NULL, NULL};

const struct conf_source_words conf_source_ka = {"a virtual_server", "pacemaker_real_servers",
						   "real_server_script"};

struct pool_source *conf_source_open(struct config *cfg, struct pool_source **slot,
				     enum pool_source_kind kind, int reuse,
				     const struct conf_source_words *w, const char *file, int line,
				     char *err, size_t errlen)
{
	struct pool_source *have = *slot;

	if (have && reuse && have->kind == kind)
		return have;
	if (have) {
		err_set(err, errlen, "%s takes one source of servers: %s given at %s:%d already",
			w->noun, have->kind == SRC_PACEMAKER ? w->pcmk : w->script, have->file,
			have->line);
		return NULL;
	}
	have = pool_source_new(kind);
	if (!have) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	have->file = config_intern_file(cfg, file);
	have->line = line;
	*slot = have;
	return have;
}

int conf_source_kw(struct kw_ctx *c, struct pool_source *s, const struct kw_stmt *st, char *err,
		   size_t errlen)
{
	const struct kw *k;

	for (k = kw_pcmk; k->name && strcmp(k->name, st->kw->text); k++)
		;
	if (!k->name)
		return err_set(err, errlen, "unknown keyword '%s'", st->kw->text);
	if (st->argc < k->min_args || st->argc > k->max_args)
		return err_set(err, errlen, "%s takes %u argument%s, not %u", k->name, k->min_args,
			       k->min_args == 1 ? "" : "s", st->argc);
	return k->parse ? k->parse(c, s, st, err, errlen) : kw_slot_set(c, s, k, st, err, errlen);
}

int conf_source_nargs(const char *name)
{
	const struct kw *k;

	for (k = kw_pcmk; k->name && strcmp(k->name, name); k++)
		;
	return k->name ? k->min_args : -1;
}

int conf_source_script(struct pool_source *s, const struct kw_stmt *st, char *err, size_t errlen)
{
	unsigned ms = SRC_DEFAULT_INTERVAL_MS;

	if (!st->argc || !st->args[0].text[0])
		return err_set(err, errlen, "%s: empty command", st->kw->text);
	if (st->argc == 2 && kw_secs_ms(st, 1, SRC_INTERVAL_MAX_MS, &ms, err, errlen) < 0)
		return -1;
	if (ms < 100)
		return err_set(err, errlen, "%s: interval %s is below 0.1 s", st->kw->text,
			       st->args[1].text);
	s->interval_ms = ms;
	return kw_str(st, 0, &s->script, err, errlen);
}

void conf_source_stmt(struct kw_stmt *st, struct token *toks, const char *file, int line,
		      const char *name, char *const *words, unsigned n)
{
	unsigned i;

	memset(st, 0, sizeof(*st));
	memset(toks, 0, (n + 1) * sizeof(*toks));
	for (i = 0; i <= n; i++) {
		toks[i].type = TOK_WORD;
		toks[i].file = file;
		toks[i].line = line;
		toks[i].text = (char *)(i ? words[i - 1] : name);
	}
	st->kw = &toks[0];
	st->args = &toks[1];
	st->argc = n;
}

int conf_pacemaker_real_servers(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
				size_t errlen)
{
	struct vs_state *vss = obj;
	struct pool_source *s;

	s = conf_source_open(c->cfg, &vss->pool->source, SRC_PACEMAKER, 0, &conf_source_ka,
			     st->kw->file, st->kw->line, err, errlen);
	if (!s)
		return -1;
	kw_body(c, &conf_blk_pcmk, s, st->kw);
	return 0;
}

int conf_real_server_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	struct vs_state *vss = obj;
	struct pool_source tmp = {0}, *s;

	/* the values first: a refused one leaves no source behind */
	if (conf_source_script(&tmp, st, err, errlen) < 0)
		return -1;
	s = conf_source_open(c->cfg, &vss->pool->source, SRC_SCRIPT, 0, &conf_source_ka,
			     st->kw->file, st->kw->line, err, errlen);
	if (!s) {
		free(tmp.script);
		return -1;
	}
	s->script = tmp.script;
	s->interval_ms = tmp.interval_ms;
	if (st->has_block)
		kw_body(c, &conf_blk_script, s, st->kw);
	return 0;
}

void conf_sources_finish(struct kw_ctx *c)
{
	const struct virtual_server *vs;

	for (vs = c->cfg->vs; vs; vs = vs->next) {
		const struct pool_source *s = vs->pool->source;

		if (!s || !s->port || !s->port_line || vs->fwmark || s->port == vs->addr.port ||
		    (vs->fwd != FWD_DR && vs->fwd != FWD_TUN))
			continue;
		conf_report(c->d, DIAG_WARNING, s->file, s->port_line,
			    "%s port %u differs from the virtual server's %u: with lb_kind %s "
			    "packets keep the virtual server's port (LVS-%s cannot change it), so "
			    "the servers must listen on %u; only their health checks go to %u",
			    s->kind == SRC_PACEMAKER ? "pacemaker_real_servers" : "real_server_script",
			    s->port, vs->addr.port, fwd_keyword(vs->fwd), fwd_keyword(vs->fwd),
			    vs->addr.port, s->port);
	}
}
