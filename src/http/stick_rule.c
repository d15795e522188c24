/* haproxy.cfg's `stick` rules of a backend: `stick match|on|store-request
 * EXPR [table T] [{if|unless} COND]` and `stick store-response EXPR ...`
 * (configuration.txt 4.2), read into http_rules.stick; the tables they
 * name are resolved once the file is read.  src/proxy/http_stick.c runs
 * them. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/acl.h"
#include "http/rules.h"
#include "http/sample.h"
#include "model/http_proxy.h"
#include "model/model.h"

static const struct {
	const char *name;
	unsigned kind;
} stick_kinds[] = {
    {"match", STICK_MATCH},
    {"on", STICK_ON},
    {"store-request", STICK_STORE_REQ},
    {"store-response", STICK_STORE_RESP},
};

void stick_rules_free(struct stick_rule *s)
{
	struct stick_rule *next;

	for (; s; s = next) {
		next = s->next;
		smp_expr_free(&s->expr);
		cond_free(s->cond);
		free(s->table);
		free((char *)s->file);
		free(s);
	}
}

int stick_rule_parse(struct http_rules *r, char **args, int nargs, const char *file, int line, char *err,
		     size_t errlen)
{
	struct stick_rule *s, **pp;
	unsigned i, kind = 0;
	int c = 3;

	for (i = 0; nargs > 1 && i < sizeof(stick_kinds) / sizeof(stick_kinds[0]); i++)
		if (!strcmp(args[1], stick_kinds[i].name))
			kind = stick_kinds[i].kind;
	if (!kind || nargs < 3)
		return err_set(err, errlen, "usage: stick match|on|store-request|store-response EXPR "
					    "[table T] [{if|unless} COND]");
	s = calloc(1, sizeof(*s));
	if (!s || !(s->file = strdup(file ? file : ""))) {
		free(s);
		return err_set(err, errlen, "out of memory");
	}
	s->kind = kind;
	s->line = line;
	if (smp_expr_parse(&s->expr, args[2], strlen(args[2]),
			   kind == STICK_STORE_RESP ? SMP_USE_RESP | SMP_USE_REQ : SMP_USE_REQ, err, errlen) < 0)
		goto fail_expr;
	if (c < nargs && !strcmp(args[c], "table")) {
		if (c + 1 >= nargs || !(s->table = strdup(args[c + 1]))) {
			err_set(err, errlen, "stick %s: 'table' needs a name", args[1]);
			goto fail;
		}
		c += 2;
	}
	if (c < nargs) {
		if (strcmp(args[c], "if") && strcmp(args[c], "unless")) {
			err_set(err, errlen, "stick %s: unexpected '%s'", args[1], args[c]);
			goto fail;
		}
		s->cond = cond_parse(args + c, nargs - c, &r->acls, &r->anon,
				     kind == STICK_STORE_RESP ? SMP_USE_RESP | SMP_USE_REQ : SMP_USE_REQ, file,
				     line, err, errlen);
		if (!s->cond)
			goto fail;
	}
	for (pp = &r->stick; *pp; pp = &(*pp)->next)
		;
	*pp = s;
	return 0;
fail:
	smp_expr_free(&s->expr);
fail_expr:
	free(s->table);
	free((char *)s->file);
	free(s);
	return -1;
}

int stick_rules_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
			size_t errlen)
{
	struct stick_rule *s;

	for (s = px->rules ? px->rules->stick : NULL; s; s = s->next) {
		*file = s->file;
		*line = s->line;
		s->tpx = s->table ? config_find_http_proxy(cfg, s->table, HP_CAP_FE | HP_CAP_BE) : px;
		if (!s->tpx)
			return err_set(err, errlen, "stick: no table named '%s'", s->table);
		if (s->tpx->stick.type == HP_ST_NONE)
			return err_set(err, errlen, "stick: '%s' has no stick-table", s->tpx->name);
	}
	return 0;
}
