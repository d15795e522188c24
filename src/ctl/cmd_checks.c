/* `show checks [--json]`: the health core's view of every checker. */
#include <string.h>

#include "check/health.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"

int cmd_show_checks(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		    size_t errlen)
{
	int json = 0;

	if (argc == 1) {
		if (strcmp(argv[0], "--json"))
			return err_set(err, errlen, "unknown option '%s' for show checks (--json)",
				       argv[0]);
		json = 1;
	}
	health_show(fc, out, json);
	return 0;
}
