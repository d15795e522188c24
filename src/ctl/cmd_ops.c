/* What the commands ask of the daemon, through the ops it installed in
 * struct fulcrum (model/fulcrum-t.h): ctl/ never includes daemon/. */
#include "core/err.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"

int ctl_apply_vs(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	if (!fc->ops || !fc->ops->apply_vs)
		return err_set(err, errlen, "no daemon to apply the change to");
	return fc->ops->apply_vs(fc, vs, err, errlen);
}

int ctl_reload(struct fulcrum *fc, char *err, size_t errlen)
{
	if (!fc->ops || !fc->ops->reload)
		return err_set(err, errlen, "no daemon to reload");
	return fc->ops->reload(fc, err, errlen);
}

void ctl_sync(struct fulcrum *fc, int conns)
{
	if (fc->ops && fc->ops->sync)
		fc->ops->sync(fc, conns);
}
