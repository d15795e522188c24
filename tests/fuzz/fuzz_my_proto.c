/* libFuzzer target: bytes as a MySQL server sends them to MYSQL_CHECK.  The
 * input is framed into packets (my_frame); the first is read as a greeting,
 * every one as an ERR and as an auth switch request, and all of them are fed
 * to a result set in order, as the check does after a query.  None may crash
 * or read out of bounds; a complete result set must hold what it announced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/my_proto.h"
#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct my_rs rs;
	struct my_handshake h;
	struct my_pkt pk;
	struct my_err e;
	char err[ERRLEN], plugin[MY_NAME_MAX];
	uint8_t salt[MY_SALT_LEN], *copy;
	size_t off = 0, used;
	int first = 1, rs_r = 0;

	/* an exact-size copy, so that ASan sees any read past the input */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	my_rs_init(&rs);
	while (my_frame(copy + off, size - off, &pk, &used, err, sizeof(err)) == 1) {
		off += used;
		if (first)
			my_parse_handshake(pk.p, pk.len, &h, err, sizeof(err));
		first = 0;
		my_parse_err(pk.p, pk.len, &e);
		my_parse_auth_switch(pk.p, pk.len, plugin, sizeof(plugin), salt, err, sizeof(err));
		if (rs_r == 0)
			rs_r = my_rs_feed(&rs, pk.p, pk.len, &e, err, sizeof(err));
	}
	if (rs_r == 1 && (rs.st != MY_RS_DONE || rs.cols_seen != rs.ncols || !rs.ncols ||
			  rs.ncols > MY_COLS_MAX))
		abort(); /* "complete" without what it announced */
	free(copy);
	return 0;
}
