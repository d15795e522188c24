/* http-response / http-after-response actions of their own: set-status
 * (the header and variable actions are shared, in act.c). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/act.h"

/* set-status N [reason TEXT] */
int act_parse_status(struct http_act *a, const struct act_pctx *pc)
{
	char *end;
	unsigned long v;

	if (pc->nargs != 1 && !(pc->nargs == 3 && !strcmp(pc->args[1], "reason")))
		return err_set(pc->err, pc->errlen, "expects STATUS [reason TEXT]");
	v = strtoul(pc->args[0], &end, 10);
	if (*end || v < 100 || v > 999)
		return err_set(pc->err, pc->errlen, "status '%s' is not between 100 and 999", pc->args[0]);
	a->code = (unsigned)v;
	if (pc->nargs == 3 && !(a->reason = strdup(pc->args[2])))
		return err_set(pc->err, pc->errlen, "out of memory");
	return 0;
}
