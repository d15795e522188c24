/* libFuzzer target for a bind's crt-list (src/conf/haproxy_crtlist.c):
 * any bytes as the list's text, its lines read into certificates, options
 * and SNI filters or refused at a line, never a crash, an out-of-bounds
 * read or a leak.  The haproxy.cfg target (fuzz_haproxy_cfg.c) reaches
 * the `crt-list` word but not the file it names: the fuzz build never
 * opens files.  Seeds (tests/fuzz/corpus/crtlist): lists with options,
 * filters, negations, comments and the refused lines. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/haproxy.h"
#include "kw/diag-t.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_diag d = {0};
	struct hp_read r = {0};
	struct hp_crtlist l = {0};
	struct tls_bind_opts bind = {0};

	r.d = &d;
	r.file = "fuzz.cfg";
	r.line = 1;
	r.fuzz = 1;
	if (size && data[0] & 1)
		snprintf(r.crt_base, sizeof(r.crt_base), "/etc/ssl");
	(void)hp_crtlist_parse(&r, "fuzz.lst", (const char *)data, size, &bind, &l);
	if (r.file[0] != 'f' || r.line != 1)
		__builtin_trap(); /* the list's place is given back */
	hp_crtlist_free(&l);
	return 0;
}
