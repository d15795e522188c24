/* show pools: every pool, where its servers come from, and -- for a pool
 * that follows the cluster or a script -- whether that source could be read
 * last time (a stale source keeps its last list: src/cluster/cluster.h). */
#include <string.h>

#include "cluster/cluster.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"

static void count(const struct pool *p, unsigned *file, unsigned *source)
{
	const struct real_server *rs;

	*file = *source = 0;
	for (rs = p->rs; rs; rs = rs->next)
		(*(rs->from_source ? source : file))++;
}

int cmd_show_pools(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	const struct pool *p;
	int json = 0;
	unsigned file, source;

	if (argc == 1) {
		if (strcmp(argv[0], "--json"))
			return err_set(err, errlen, "unknown option '%s' for show pools (--json)",
				       argv[0]);
		json = 1;
	}
	if (json)
		sbuf_puts(out, "{\"pools\":[");
	for (p = fc->cfg ? fc->cfg->pools : NULL; p; p = p->next) {
		count(p, &file, &source);
		if (json) {
			sbuf_puts(out, p == fc->cfg->pools ? "{\"name\":" : ",{\"name\":");
			sbuf_json_str(out, p->name ? p->name : "");
			sbuf_printf(out,
				    ",\"scheduler\":\"%s\",\"servers\":%u,\"from_file\":%u,"
				    "\"from_source\":%u,\"source\":",
				    p->sched, file + source, file, source);
			cluster_show_pool(p, out, 1);
			sbuf_puts(out, "}");
			continue;
		}
		sbuf_printf(out, "%s: %s, %u server%s (%u from the file)", p->name ? p->name : "?",
			    p->sched, file + source, file + source == 1 ? "" : "s", file);
		if (p->source) {
			sbuf_puts(out, "; ");
			cluster_show_pool(p, out, 0);
		}
		sbuf_puts(out, "\n");
	}
	if (json)
		sbuf_puts(out, "]}\n");
	return 0;
}
