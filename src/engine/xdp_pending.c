/* lb_kind DR and TUN are served by fulcrum's XDP engine, which comes with a
 * later piece of work.  Until then this engine only explains, at config
 * check time, why such a virtual server cannot be served. */
#include "core/err.h"
#include "engine/engine-t.h"
#include "engine/engines.h"
#include "model/model.h"

static int xdp_pending_check(const struct virtual_server *vs, char *err, size_t errlen)
{
	return err_set(err, errlen,
		       "lb_kind %s needs fulcrum's XDP engine, which this build does not have yet; "
		       "use lb_kind NAT or PROXY (userspace proxy) meanwhile",
		       fwd_keyword(vs->fwd));
}

const struct engine_ops xdp_pending_ops = {
	.name = "xdp",
	.check = xdp_pending_check,
};
