/* The configuration API: lex everything, read it into a fresh model, and
 * hand back the model only if no error was reported. */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/kw.h"
#include "conf/lexer.h"
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
	ka_ctx_free(&c);
	cfg->n_warnings = d->warnings - warnings0;
	if (d->errors != errors0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *conf_load_file(const char *path, struct conf_diag *d)
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

struct config *conf_load_string(const char *name, const char *text, size_t len, struct conf_diag *d)
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
