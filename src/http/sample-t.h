/* Sample expressions (haproxy configuration.txt section 7.3): a fetch
 * ("path", "hdr(host)", "src") followed by converters (",lower",
 * ",field(2,/)"), compiled once at load and evaluated per transaction.
 *
 * A sample is one typed value.  Strings point into the message (no copy)
 * or, once a converter rewrote them, into the sample's own buffer, so an
 * evaluation allocates nothing. */
#ifndef FC_HTTP_SAMPLE_T_H
#define FC_HTTP_SAMPLE_T_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define SMP_MAX_ARGS 3 /* hdr(NAME,OCC), field(N,DELIM), ssl_c_s_dn(ENTRY,OCC,FORMAT) */
#define SMP_MAX_CONV 8
#define SMP_BUF      4096 /* a converted string (lower, upper, an int as text), a
			   * certificate in DER (ssl_c_der) */

enum smp_type {
	SMP_T_BOOL,
	SMP_T_SINT,
	SMP_T_ADDR,
	SMP_T_STR,
};

struct sample {
	enum smp_type type;
	int64_t sint;	    /* BOOL (0/1), SINT */
	struct fc_addr addr; /* ADDR (port unused) */
	const char *str;    /* STR, not NUL-ended */
	size_t len;
	char buf[SMP_BUF];  /* storage when str is built rather than pointed at */
};

/* An argument as written; `num` is its value when the keyword wants an
 * integer there (checked at load). */
struct smp_arg {
	char *str; /* owned */
	int64_t num;
};

struct http_txn;
struct smp_expr;

/* Evaluation state: the transaction and, for the fetches that may yield
 * several values (every occurrence of a header), where the last one
 * stopped.  In an ACL every value is tried (haproxy's SMP_F_NOT_LAST); in
 * a sample expression the fetch gives the one haproxy documents (a
 * header's last occurrence). */
struct smp_ctx {
	struct http_txn *t;
	int multi;     /* iterate: set by the ACL matcher */
	uint64_t iter; /* fetch's cursor, 0 at the first call */
	int more;      /* set by the fetch: call again for the next value */
};

/* Fetch: 1 and *s filled, or 0 when the sample does not exist (no such
 * header, no response yet). */
typedef int (*smp_fetch_fn)(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);

#define SMP_USE_REQ  0x1 /* needs the request headers: refused in http-response rules (haproxy too) */
#define SMP_USE_RESP 0x2 /* needs the response: refused in http-request rules */

struct smp_fetch {
	const char *name;
	smp_fetch_fn fn;
	unsigned min_args, max_args;
	unsigned int_args; /* bit i: argument i is an integer */
	enum smp_type out;
	unsigned use;	   /* SMP_USE_* */
};

/* Converter: 1 and *s rewritten, or 0 (the sample is then missing). */
struct smp_conv;
struct smp_conv_call {
	const struct smp_conv *conv;
	struct smp_arg args[SMP_MAX_ARGS];
	unsigned nargs;
};

struct smp_conv {
	const char *name;
	int (*fn)(const struct smp_conv_call *cc, struct sample *s);
	unsigned min_args, max_args;
	unsigned int_args;
	enum smp_type in; /* the input is cast to this first */
	enum smp_type out;
};

struct smp_expr {
	const struct smp_fetch *fetch;
	struct smp_arg args[SMP_MAX_ARGS];
	unsigned nargs;
	struct smp_conv_call conv[SMP_MAX_CONV];
	unsigned nconv;
};

#endif
