/* `show xdp [--json]`: the XDP engine (lb_kind DR/TUN) as it runs. */
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"
#include "xdp/xdp_stats.h"

int cmd_show_xdp(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		 size_t errlen)
{
	int json = 0;

	if (argc == 1) {
		if (strcmp(argv[0], "--json"))
			return err_set(err, errlen, "unknown option '%s' for show xdp (--json)",
				       argv[0]);
		json = 1;
	}
	xdp_show(fc, out, json);
	return 0;
}
