/* Commands about the daemon itself: reload, help, version, show config. */
#include <string.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/version.h"
#include "ctl/cmd.h"
#include "ctl/ctl.h"
#include "model/fulcrum-t.h"

int cmd_reload(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
	       size_t errlen)
{
	if (!fc->conf_path)
		return err_set(err, errlen, "no configuration file to reload");
	/* daemon_reload keeps the running model on any error and says why;
	 * fc->cfg is a new object afterwards */
	if (ctl_reload(fc, err, errlen) < 0)
		return -1;
	sbuf_printf(out, "reloaded %s: %u virtual server%s\n", fc->conf_path,
		    fc->cfg ? fc->cfg->n_vs : 0, fc->cfg && fc->cfg->n_vs == 1 ? "" : "s");
	return 0;
}

int cmd_help(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err, size_t errlen)
{
	if (argc == 0) {
		ctl_help_text(out);
		return 0;
	}
	if (strcmp(argv[0], "--markdown"))
		return err_set(err, errlen, "unknown option '%s' for help (--markdown)", argv[0]);
	ctl_help_markdown(out);
	return 0;
}

int cmd_version(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen)
{
	sbuf_puts(out, "fulcrum " FC_VERSION "\n");
	return 0;
}

int cmd_show_config(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		    size_t errlen)
{
	uint64_t up = 0;

	if (fc->loop && fc->started_ms && loop_now(fc->loop) >= fc->started_ms)
		up = (loop_now(fc->loop) - fc->started_ms) / 1000;
	sbuf_printf(out,
		    "config file:      %s\n"
		    "control socket:   %s\n"
		    "virtual servers:  %u\n"
		    "reloads:          %u\n"
		    "uptime:           %llus\n",
		    fc->conf_path ? fc->conf_path : "-", fc->control_path ? fc->control_path : "-",
		    fc->cfg ? fc->cfg->n_vs : 0, fc->reloads, (unsigned long long)up);
	return 0;
}
