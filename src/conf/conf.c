/* The configuration API (conf.h) and the keepalived.conf reader's entry
 * points: lex everything, read it into a fresh model, and hand back the
 * model only if no error was reported.  Which reader reads a file is the
 * registry's choice (reader.c). */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ka.h"
#include "conf/reader.h"
#include "kw/lexer.h"
#include "model/model.h"

static struct config *read_tokens(struct lexer *lx, struct conf_diag *d, unsigned errors0,
				  unsigned warnings0)
{
	struct kw_ctx c;
	struct config *cfg = config_new();

	if (!cfg) {
		conf_report(d, DIAG_ERROR, lx->nfiles ? lx->files[0] : "?", 0, "out of memory");
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.tok = lx->tok;
	c.ntok = lx->ntok;
	c.cfg = cfg;
	c.d = d;
	ka_read(&c);
	cfg->n_warnings = d->warnings - warnings0;
	if (d->errors != errors0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

static struct config *ka_load(const char *path, struct conf_diag *d)
{
	struct conf_diag quiet = {0};
	struct config *cfg;
	struct lexer lx;
	unsigned e0, w0;

	if (!d)
		d = &quiet;
	e0 = d->errors;
	w0 = d->warnings;
	lexer_init(&lx, d);
	lexer_read_file(&lx, path);
	cfg = read_tokens(&lx, d, e0, w0);
	lexer_free(&lx);
	return cfg;
}

static struct config *ka_load_string(const char *name, const char *text, size_t len,
				     struct conf_diag *d)
{
	struct conf_diag quiet = {0};
	struct config *cfg;
	struct lexer lx;
	unsigned e0, w0;

	if (!d)
		d = &quiet;
	e0 = d->errors;
	w0 = d->warnings;
	lexer_init(&lx, d);
	lexer_read_string(&lx, name ? name : "<string>", text ? text : "", text ? len : 0);
	cfg = read_tokens(&lx, d, e0, w0);
	lexer_free(&lx);
	return cfg;
}

static int ka_top_keyword(const char *w)
{
	const struct kw *k;

	for (k = kw_top.kws; k && k->name; k++)
		if (!strcmp(k->name, w))
			return 1;
	for (k = kw_top.kws2; k && k->name; k++)
		if (!strcmp(k->name, w))
			return 1;
	return kw_in_list(kw_top.ignored, w);
}

/* keepalived.conf: a line that starts with one of its top-level block
 * keywords (global_defs, virtual_server, vrrp_instance, static_ipaddress...)
 * and opens a '{' on that line or the next.  A file of includes only is
 * claimed by nobody, and so read as keepalived anyway. */
static int ka_probe(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int pending = 0; /* the last line was a top-level keyword without its '{' */

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *w;
		char word[64];
		size_t n;

		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (pending && p < eol && *p == '{')
			return 100;
		pending = 0;
		w = p;
		while (p < eol && *p != ' ' && *p != '\t' && *p != '{' && *p != '\r')
			p++;
		n = (size_t)(p - w);
		if (n && n < sizeof(word) && *w != '!' && *w != '#') {
			memcpy(word, w, n);
			word[n] = 0;
			if (ka_top_keyword(word)) {
				if (memchr(p, '{', (size_t)(eol - p)))
					return 100;
				pending = 1;
			}
		}
		p = eol + 1;
	}
	return 0;
}

const struct conf_reader conf_reader_keepalived = {
    .name = "keepalived",
    .probe = ka_probe,
    .load = ka_load,
    .load_string = ka_load_string,
};

struct config *conf_load_file(const char *path, struct conf_diag *d)
{
	return conf_reader_for_file(path)->load(path, d);
}

struct config *conf_load_string(const char *name, const char *text, size_t len, struct conf_diag *d)
{
	const struct conf_reader *r = conf_reader_forced();
	size_t n = len < CONF_PROBE_LEN ? len : CONF_PROBE_LEN;

	if (!r)
		r = conf_reader_probe(text ? text : "", text ? n : 0);
	return r->load_string(name, text, len, d);
}
