/* Placeholder until the rules module lands (src/http/rules.h): no rule
 * keyword is known, so the reader refuses them with file:line. */
#include <stdio.h>

#include "http/rules.h"

const char *const http_rules_keywords[] = {NULL};

int http_rules_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		     char *err, size_t errlen)
{
	snprintf(err, errlen, "'%s' is not supported yet", nargs ? args[0] : "");
	return -1;
}

int http_rules_resolve(struct config *cfg, struct http_proxy *px, char *err, size_t errlen)
{
	return 0;
}

enum http_verdict http_req_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply)
{
	return HTTP_V_CONTINUE;
}

const struct http_proxy *http_pick_backend(const struct http_proxy *fe, struct http_txn *t)
{
	return fe->default_be;
}

enum http_verdict http_resp_rules(const struct http_proxy *px, struct http_txn *t, struct http_reply *reply)
{
	return HTTP_V_CONTINUE;
}
