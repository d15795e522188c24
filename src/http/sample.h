/* Sample expressions: parsing "fetch(args),conv(args),..." and evaluating
 * it on a transaction (types in sample-t.h). */
#ifndef FC_HTTP_SAMPLE_H
#define FC_HTTP_SAMPLE_H

#include <stddef.h>

#include "http/h1-t.h"
#include "http/sample-t.h"

/* The tables (fetch.c, conv.c); NULL if unknown. */
const struct smp_fetch *smp_fetch_find(const char *name, size_t len);
const struct smp_conv *smp_conv_find(const char *name, size_t len);

/* Parse text[0..len) into *e (zeroed first).  `use` is what the context
 * offers (SMP_USE_REQ, | SMP_USE_RESP in http-response rules): a fetch
 * needing more is refused.  0, or -1 with err naming the culprit; *e then
 * holds nothing to free. */
int smp_expr_parse(struct smp_expr *e, const char *text, size_t len, unsigned use, char *err, size_t errlen);
void smp_expr_free(struct smp_expr *e);

/* Fetch, then apply the converters: 1 with *s, 0 if the sample is
 * missing.  With c->multi the caller loops while c->more. */
int smp_eval(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);

/* Cast in place (string <-> int <-> address <-> bool as haproxy does: a
 * string is the integer of its leading digits, 0 without any); 0 if the
 * value has no such form ("abc" as an address, IPv6 as an int). */
int smp_cast(struct sample *s, enum smp_type to);

/* Parse an argument list "a,b)" of a fetch or converter named `what`
 * into args (ints where int_mask says); the text between the
 * parentheses is text[0..len).  0 or -1 with err. */
int smp_args_parse(struct smp_arg *args, unsigned *nargs, const char *text, size_t len, const char *what,
		   unsigned min, unsigned max, unsigned int_mask, char *err, size_t errlen);
void smp_args_free(struct smp_arg *args, unsigned nargs);

/* The request's current URI (after set-uri / set-path edits) and its
 * parts: the path (absolute form: after scheme://authority; up to '?')
 * and the query (after '?'; absent: *q NULL). */
void http_req_uri(const struct h1_msg *m, const char **u, size_t *len);
void http_uri_path(const char *u, size_t len, const char **p, size_t *plen);
void http_uri_query(const char *u, size_t len, const char **q, size_t *qlen);
/* The request's current method text. */
void http_req_method(const struct h1_msg *m, const char **p, size_t *len);

#endif
