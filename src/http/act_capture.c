/* http-request capture EXPR len N | id N, http-response capture EXPR id
 * N (haproxy configuration.txt 4.2): parsing and running.  The slots are
 * capture.c's; the reader declares a `len` rule's slot (rules.c). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/act.h"
#include "http/capture.h"
#include "http/sample.h"
#include "model/http_proxy-t.h"

int act_parse_capture(struct http_act *a, const struct act_pctx *pc)
{
	int resp = pc->where == ACT_W_RESP;
	const char *what = pc->nargs > 1 ? pc->args[1] : "";
	char *end;
	long long v;
	int clean;

	if (pc->nargs < 3)
		return err_set(pc->err, pc->errlen, "expects <expression> %s",
			       resp ? "id <idx>" : "[ 'len' <length> | id <idx> ]");
	if (pc->nargs > 3)
		return err_set(pc->err, pc->errlen, "unexpected '%s' (only 'if' or 'unless' may follow)", pc->args[3]);
	if (strcmp(what, "id") && (resp || strcmp(what, "len")))
		return err_set(pc->err, pc->errlen, "expects %s, found '%s'", resp ? "'id'" : "'len' or 'id'", what);
	if (smp_expr_parse(&a->expr, pc->args[0], strlen(pc->args[0]), pc->use, pc->err, pc->errlen))
		return -1;
	if (resp)
		a->kind = ACT_CAPTURE_RESP;
	if (!strcmp(what, "len")) {
		/* haproxy's atol: "12abc" is 12; into an int, so that
		 * 3000000000 is no length either */
		v = capture_len(pc->args[2], &clean);
		if (v <= 0 || v > HP_CAPTURE_MAX)
			return err_set(pc->err, pc->errlen, "length must be > 0");
		a->cap_len = (unsigned)v;
		a->cap_id = -1; /* the reader declares its slot */
		return 0;
	}
	v = strtoll(pc->args[2], &end, 10);
	if (!*pc->args[2] || *end || v < -HP_CAPTURE_MAX || v > HP_CAPTURE_MAX)
		return err_set(pc->err, pc->errlen, "cannot parse id '%s'", pc->args[2]);
	a->cap_id = (int)v;
	return 0;
}

void act_run_capture(const struct http_act *a, struct http_txn *t)
{
	struct smp_ctx c = {.t = t};
	struct sample s;

	if (smp_eval(&a->expr, &c, &s) && smp_cast(&s, SMP_T_STR))
		capture_set(t, a->kind == ACT_CAPTURE_RESP, a->cap_id, s.str, s.len);
}
