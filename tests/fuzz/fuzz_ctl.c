/* libFuzzer target: one control request, as the daemon reads it from its
 * socket, split and dispatched against a small model.  A refused request
 * must leave the model as it was; none may crash or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "model/fulcrum-t.h"
#include "model/model.h"

static struct fulcrum fc;
static unsigned runs;

static void add_vs(const char *vip, int proto, const char *const *rips)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	addr_parse_hostport(vip, &vs->addr, err, sizeof(err));
	vs->protocol = proto;
	for (; *rips; rips++) {
		struct real_server *rs = rs_new();

		addr_parse_hostport(*rips, &rs->addr, err, sizeof(err));
		vs_add_rs(vs, rs);
	}
	config_add_vs(fc.cfg, vs);
}

static void model_reset(void)
{
	static const char *const a[] = {"127.0.0.1:9001", "127.0.0.1:9002", NULL};
	static const char *const b[] = {"[::1]:53", NULL};

	config_free(fc.cfg);
	fc.cfg = config_new();
	add_vs("127.0.0.1:80", IPPROTO_TCP, a);
	add_vs("127.0.0.1:80", IPPROTO_UDP, a);
	add_vs("[::1]:53", IPPROTO_UDP, b);
	fc.conf_path = "/nonexistent/fulcrum-fuzz.conf"; /* reload fails, harmlessly */
	fc.ops = &apply_ops; /* the commands reach apply as in the daemon */
}

static void snapshot(struct sbuf *s)
{
	char *argv[] = {"list", "--json"};
	char err[ERRLEN];

	sbuf_reset(s);
	ctl_execute(&fc, 2, argv, s, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[4096], *argv[64], err[ERRLEN];
	struct sbuf out, before, after;
	int argc;

	if (!fc.cfg || ++runs % 1000 == 0)
		model_reset();
	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (memchr(data, 0, size))
		return 0; /* the daemon reads a line; NUL is refused before split */

	sbuf_init(&out);
	sbuf_init(&before);
	sbuf_init(&after);
	argc = ctl_split(line, argv, 64, err, sizeof(err));
	if (argc > 0) {
		snapshot(&before);
		if (ctl_execute(&fc, argc, argv, &out, err, sizeof(err)) < 0) {
			snapshot(&after);
			if (strcmp(sbuf_str(&before), sbuf_str(&after)))
				abort(); /* a refused command changed the model */
		}
	}
	sbuf_free(&out);
	sbuf_free(&before);
	sbuf_free(&after);
	return 0;
}
