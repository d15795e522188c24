/* libFuzzer target: what the stats page reads from a client (src/stats/
 * web.c, web_form.c) -- the admin form's body decoded and applied to a
 * small model, the words after the stats URI, the Basic credentials, and
 * h1_dechunk on the same bytes.  Nothing may crash or read out of bounds;
 * a body that is refused must not reach a command, and every command the
 * form makes names a server of the backend as "BACKEND/SERVER".
 *   make build-fuzz/fuzz_stats_form && build-fuzz/fuzz_stats_form tests/fuzz/corpus/stats_form */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"
#include "model/model.h"
#include "stats/web.h"

static struct config *cfg;
static unsigned cmds;

static int count_cmd(void *arg, int argc, char **argv)
{
	(void)arg;
	assert(argc == 3 || argc == 5);
	assert(strchr(argv[2], '/'));
	cmds++;
	return argc == 5 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *auth[] = {"admin:password"};
	struct hp_stats st = {.enabled = 1, .auth = auth, .n_auth = 1};
	struct stats_web_req q;
	struct stats_form f;
	const char *nl;
	char *copy;
	int rc;

	if (!cfg) {
		struct pool *p;
		struct real_server *rs;

		cfg = config_new();
		p = pool_new("b1");
		rs = rs_new();
		rs->name = strdup("srv1");
		pool_add_rs(p, rs);
		config_add_pool(cfg, p);
	}
	cmds = 0;
	rc = stats_form_parse((const char *)data, size, &f);
	if (rc == 0) {
		const char *st_code = stats_form_apply(cfg, &f, count_cmd, NULL);

		assert(st_code);
		assert(cmds <= f.n_srv);
	}
	stats_form_free(&f);

	nl = memchr(data, '\n', size);
	stats_web_parse((const char *)data, nl ? (size_t)(nl - (const char *)data) : size, &q);
	assert(strlen(q.scope) < sizeof(q.scope) && strlen(q.st) < sizeof(q.st));
	if (nl)
		(void)stats_web_auth_ok(&st, nl + 1, size - (size_t)(nl + 1 - (const char *)data));

	copy = malloc(size ? size : 1);
	if (copy) {
		memcpy(copy, data, size);
		assert(h1_dechunk(copy, size) <= size);
		free(copy);
	}
	return 0;
}
