/* `show vrrp [--json]`: the VRRP instances as the daemon runs them. */
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"
#include "vrrp/vrrp_run.h"

int cmd_show_vrrp(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen)
{
	int json = 0;

	if (argc == 1) {
		if (strcmp(argv[0], "--json"))
			return err_set(err, errlen, "unknown option '%s' for show vrrp (--json)",
				       argv[0]);
		json = 1;
	}
	vrrp_run_show(fc, out, json);
	return 0;
}
