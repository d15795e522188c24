/* libFuzzer target: bytes as a PostgreSQL server sends them to PGSQL_CHECK.
 * Every message pg_msg_next cuts out is decoded the way check_pgsql.c
 * would (authentication, ParameterStatus, errors, data rows), and the
 * input is also taken as SCRAM server-first and server-final messages;
 * nothing may crash or read out of bounds, and a cut message must lie
 * inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/pg_proto.h"
#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_scram s = {.nonce = "abcdefghijklmnopqrstuvwx",
			     .first_bare = "n=,r=abcdefghijklmnopqrstuvwx"};
	char err[ERRLEN], text[160], out[512];
	struct pg_col cols[4];
	struct pg_auth a;
	struct pg_msg m;
	const char *n, *v;
	uint8_t *copy;
	size_t off = 0;

	/* an exact-size copy, so that ASan sees any read past the input */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while (pg_msg_next(copy + off, size - off, &m, err, sizeof(err)) == 1) {
		if (m.size > size - off || m.body + m.len != copy + off + m.size)
			abort();
		switch (m.type) {
		case 'R':
			if (pg_auth_parse(&m, &a) == 0 && a.code == PG_AUTH_SASL)
				pg_auth_has_mech(&a, "SCRAM-SHA-256");
			break;
		case 'S':
			if (pg_param_parse(&m, &n, &v) == 0 && (strlen(n) >= m.len || !v))
				abort();
			break;
		case 'E':
		case 'N':
			pg_error_text(&m, text, sizeof(text));
			break;
		case 'D':
			pg_datarow_parse(&m, cols, 4);
			break;
		}
		off += m.size;
	}
	/* SCRAM with an iteration count the fuzzer cannot make expensive */
	if (size < 64 && !memchr(copy, 'i', size))
		pg_scram_final(&s, "pw", copy, size, out, sizeof(out), err, sizeof(err));
	pg_scram_verify(&s, copy, size, err, sizeof(err));
	{
		uint64_t lsn;

		pg_lsn_parse((const char *)copy, size, &lsn);
	}
	free(copy);
	return 0;
}
