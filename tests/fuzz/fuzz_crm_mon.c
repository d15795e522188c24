/* libFuzzer target for what the cluster watcher reads from other programs
 * (src/cluster/): crm_mon's XML (crm_view_parse, then the membership
 * computed from it), corosync.conf's nodelist (ring_map_parse) and a
 * real_server_script's lines.  Any bytes in: a view or an error out, never
 * a crash, an out-of-bounds read or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/members.h"
#include "model/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct pool_source *s = pool_source_new(SRC_PACEMAKER);
	struct member_list l;
	struct crm_view v;
	char err[256], *skipped;
	unsigned bad;

	if (!s)
		return 0;
	if (crm_view_parse(text, size, &v, err, sizeof(err)) == 0) {
		if (members_from_cluster(s, &v, NULL, 80, &l, &skipped, err, sizeof(err)) == 0) {
			member_list_free(&l);
			free(skipped);
		}
		s->resource = strdup("r");
		s->attr_name = strdup("a");
		s->attr_regex = strdup("^x|y");
		if (members_from_cluster(s, &v, NULL, 80, &l, &skipped, err, sizeof(err)) == 0) {
			member_list_free(&l);
			free(skipped);
		}
		crm_view_free(&v);
	}
	if (members_from_lines(text, size, 80, 1, &l, &bad, err, sizeof(err)) == 0)
		member_list_free(&l);
	if (!memchr(text, '\0', size)) { /* corosync.conf is read as a C string */
		char *conf = strndup(text, size);
		struct ring_map m;

		if (conf && ring_map_parse(conf, &m, err, sizeof(err)) == 0) {
			if (m.n)
				ring_map_host(&m, m.a[0].name);
			ring_map_free(&m);
		}
		free(conf);
	}
	pool_source_free(s);
	return 0;
}
