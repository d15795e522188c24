/* HAProxy's read commands on the control socket: show stat, show info,
 * show servers state, show backend, and `metrics` (Prometheus).  The
 * writers are src/stats/'s; these check the arguments and bring the live
 * figures up to date first, as `list` does. */
#include <string.h>

#include "core/err.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"
#include "model/model-t.h"
#include "stats/hastat.h"
#include "stats/stats.h"

/* An optional proxy name: it must exist (a typo is not an empty answer);
 * a frontend is one too for show stat (proxies: 1). */
static int check_backend(struct fulcrum *fc, const char *name, int proxies, char *err,
			 size_t errlen)
{
	const struct http_proxy *hp;

	if (hs_find_pool(fc->cfg, name))
		return 0;
	for (hp = fc->cfg && proxies ? fc->cfg->http_proxies : NULL; hp; hp = hp->next)
		if (!strcmp(hp->name, name))
			return 0;
	return err_set(err, errlen, "no such %s '%s' (show backend lists the backends)",
		       proxies ? "proxy" : "backend", name);
}

int cmd_show_stat(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen)
{
	const char *be = NULL;
	int json = 0, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "json"))
			json = 1;
		else if (!be)
			be = argv[i];
		else
			return err_set(err, errlen, "unexpected '%s' (usage: show stat [BACKEND] [json])",
				       argv[i]);
	}
	if (be && check_backend(fc, be, 1, err, errlen) < 0)
		return -1;
	ctl_sync(fc, 1);
	if (json)
		stats_json(fc, be, out);
	else
		stats_csv(fc, be, out);
	return 0;
}

int cmd_show_info(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen)
{
	ctl_sync(fc, 1);
	stats_info(fc, out);
	return 0;
}

int cmd_show_servers_state(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
			   size_t errlen)
{
	if (argc && check_backend(fc, argv[0], 0, err, errlen) < 0)
		return -1;
	stats_servers_state(fc, argc ? argv[0] : NULL, out);
	return 0;
}

int cmd_show_backend(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		     size_t errlen)
{
	stats_backends(fc, out);
	return 0;
}

int cmd_metrics(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen)
{
	ctl_sync(fc, 1);
	if (stats_prometheus(fc, out) < 0)
		return err_set(err, errlen, "out of memory while building the metrics");
	return 0;
}
