/* ldirectord.cf's keys for a pool whose servers come from the cluster or a
 * script (issue 15, fulcrum extensions; doc/config.md "ldirectord.cf",
 * doc/pacemaker.md), inside a virtual= section:
 *
 *   pacemaker_resource = lvsdr-realsvr-clone
 *   pacemaker_attribute = pgsql-status "HS:sync|HS:potential|HS:async"
 *   pacemaker_weight = node1:2 node2:1        # NODE:W (or NODE,W), several
 *   pacemaker_default_weight = 1
 *   pacemaker_address = node1:192.168.0.11    # NODE:ADDR, several
 *   pacemaker_port = 5432
 *   pacemaker_interval = 1                    # also _timeout, _crm_mon,
 *                                             # _corosync_conf
 *   real_server_script = "/usr/local/bin/list-replicas -a" 5
 *   forward = gate       # their method (default: the real= lines', else masq)
 *
 * Each key is keepalived's pacemaker_real_servers keyword of the same name
 * (source_kw.c reads it: the same values, the same refusals), so the model
 * is the one keepalived.conf builds.  The source's servers are checked as
 * the section's real= lines are (checktype, service...): ld_source_finish. */
#include <stdlib.h>
#include <string.h>

#include "conf/ldirectord.h"
#include "conf/source_kw.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/model.h"
#include "model/source.h"

#define LD_PCMK_PREFIX "pacemaker_"
#define LD_SRC_WORDS 32 /* NODE:VALUE pairs on one line */

static const struct conf_source_words ld_words = {"a virtual section", "pacemaker_*",
						  "real_server_script"};

/* One keepalived-style statement `name words...` into s. */
static int ld_src_kw(struct kw_ctx *c, struct pool_source *s, const struct kw_stmt *at,
		     const char *name, char *const *words, unsigned n, char *err, size_t errlen)
{
	struct token toks[3];
	struct kw_stmt st;

	conf_source_stmt(&st, toks, at->kw->file, at->kw->line, name, words, n);
	return conf_source_kw(c, s, &st, err, errlen);
}

/* "a" or "a"-quoted: the quotes off, in place. */
static char *unquote(char *w)
{
	size_t n = strlen(w);

	if (n >= 2 && w[0] == '"' && w[n - 1] == '"') {
		w[n - 1] = 0;
		return w + 1;
	}
	return w;
}

/* NODE:VALUE NODE,VALUE ... (weight, address): one statement each.  The
 * first ':' or ',' splits: node names hold neither, IPv6 addresses may. */
static int ld_src_pairs(struct kw_ctx *c, struct pool_source *s, const struct kw_stmt *st,
			const char *name, char *v, char *err, size_t errlen)
{
	char *save = NULL, *item;
	unsigned n = 0;

	for (item = strtok_r(v, " \t", &save); item; item = strtok_r(NULL, " \t", &save)) {
		char *words[2], *sep = item + strcspn(item, ":,");

		if (!*sep || sep == item || !sep[1])
			return err_set(err, errlen,
				       "%s%s: '%s' is not NODE:%s", LD_PCMK_PREFIX, name, item,
				       strcmp(name, "weight") ? "ADDRESS" : "WEIGHT");
		*sep = 0;
		words[0] = item;
		words[1] = sep + 1;
		if (ld_src_kw(c, s, st, name, words, 2, err, errlen) < 0)
			return -1;
		n++;
	}
	if (!n)
		return err_set(err, errlen, "%s%s: empty value", LD_PCMK_PREFIX, name);
	return 0;
}

int ld_pacemaker_key(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	struct ld_virtual *v = obj;
	const char *name = st->kw->text + strlen(LD_PCMK_PREFIX);
	struct pool_source *s;
	char *copy, *words[2];
	int r;

	s = conf_source_open(c->cfg, &v->source, SRC_PACEMAKER, 1, &ld_words, st->kw->file,
			     st->kw->line, err, errlen);
	if (!s)
		return -1;
	copy = strdup(st->argc ? st->args[0].text : "");
	if (!copy)
		return err_set(err, errlen, "out of memory");
	if (!strcmp(name, "weight") || !strcmp(name, "address")) {
		r = ld_src_pairs(c, s, st, name, copy, err, errlen);
	} else if (!strcmp(name, "attribute")) {
		/* NAME REGEX: the regex is the rest, quoted or not */
		char *sp = copy + strcspn(copy, " \t");

		if (!*sp) {
			r = err_set(err, errlen, "pacemaker_attribute: NAME REGEX, not '%s'", copy);
		} else {
			*sp++ = 0;
			words[0] = copy;
			words[1] = unquote(sp + strspn(sp, " \t"));
			r = ld_src_kw(c, s, st, name, words, 2, err, errlen);
		}
	} else {
		words[0] = copy;
		r = ld_src_kw(c, s, st, name, words, 1, err, errlen);
	}
	free(copy);
	return r;
}

int ld_real_server_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	struct ld_virtual *v = obj;
	struct pool_source tmp = {0}, *s;
	char *copy = strdup(st->argc ? st->args[0].text : ""), *words[2], *p;
	struct token toks[3];
	struct kw_stmt one;
	unsigned n = 1;
	int r;

	if (!copy)
		return err_set(err, errlen, "out of memory");
	/* "CMD ARGS" [SECS], or CMD [SECS]; a value wholly in quotes is the
	 * command alone (the line reader took the quotes off) */
	words[0] = p = copy;
	if (st->argc && st->args[0].type != TOK_STRING) {
		if (*p == '"' && strchr(p + 1, '"')) {
			words[0] = p + 1;
			p = strchr(p + 1, '"');
			*p++ = 0;
		} else {
			p += strcspn(p, " \t");
			if (*p)
				*p++ = 0;
		}
		p += strspn(p, " \t");
		if (*p)
			words[n++] = p;
	}
	conf_source_stmt(&one, toks, st->kw->file, st->kw->line, st->kw->text, words, n);
	r = conf_source_script(&tmp, &one, err, errlen);
	free(copy);
	if (r < 0)
		return -1;
	s = conf_source_open(c->cfg, &v->source, SRC_SCRIPT, 0, &ld_words, st->kw->file,
			     st->kw->line, err, errlen);
	if (!s) {
		free(tmp.script);
		return -1;
	}
	s->script = tmp.script;
	s->interval_ms = tmp.interval_ms;
	return 0;
}

int ld_forward(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct ld_virtual *v = obj;

	if (ld_method(st->argc ? st->args[0].text : "", &v->forward) < 0)
		return err_set(err, errlen, "forward method must be gate, masq or ipip, not '%s'",
			       st->argc ? st->args[0].text : "");
	v->forward_line = st->kw->line;
	return 0;
}

void ld_source_finish(struct kw_ctx *c, struct ld_virtual *v, struct virtual_server *vs)
{
	struct real_server *tmpl;

	if (!v->source)
		return;
	vs->pool->source = v->source;
	v->source = NULL;
	if (v->checktype == LD_CT_EXTERNAL || v->checktype == LD_CT_EXTERNAL_PERL) {
		/* its command line names one real server; the source's servers
		 * share one check */
		conf_report(c->d, DIAG_ERROR, vs->pool->source->file, vs->pool->source->line,
			    "checktype=external is not served for servers from the cluster or "
			    "a script: the command is given the address of one real server "
			    "(use checktype=connect or negotiate)");
		return;
	}
	/* the checks a real= line of the section would get, on a server at
	 * the source's port: every server the source yields runs them */
	tmpl = rs_new();
	if (!tmpl) {
		conf_report(c->d, DIAG_ERROR, v->file, v->line, "out of memory");
		return;
	}
	tmpl->addr = vs->addr;
	if (vs->pool->source->port)
		tmpl->addr.port = vs->pool->source->port;
	tmpl->file = vs->pool->source->file;
	tmpl->line = vs->pool->source->line;
	ld_rs_checks(c, v, vs, tmpl, NULL, NULL);
	vs->pool->source->checks = tmpl->checks;
	tmpl->checks = NULL;
	rs_free(tmpl);
}
