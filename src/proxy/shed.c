/* Clients the proxy turns away for lack of resources, logged at most once a
 * second per reason with the number held back: a flood of them must be
 * visible (issue 16: they were reset without a word) but must not flood
 * the log in turn. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/ratelog.h"
#include "proxy/proxy.h"

int proxy_out_of_fds(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

void proxy_shed(struct pvs *p, enum proxy_shed why, const struct fc_addr *client, int err)
{
	static struct ratelog rl[PROXY_SHED_N];
	char a[ADDR_STRLEN], more[64] = "";
	unsigned held;

	if (!ratelog_take(&rl[why], loop_now(p->px->loop), &held))
		return;
	if (held)
		snprintf(more, sizeof(more), " (%u more since the last message)", held);
	if (client)
		addr_format(client, a, sizeof(a), 1);
	switch (why) {
	case PROXY_SHED_ACCEPT:
		log_warn("proxy: %s: cannot accept clients: %s; pausing %d ms%s", p->name,
			 strerror(err), PROXY_ACCEPT_PAUSE_MS, more);
		break;
	case PROXY_SHED_FDS:
		log_warn("proxy: %s: client %s reset: no descriptor for the server side (%s)%s",
			 p->name, a, strerror(err), more);
		break;
	case PROXY_SHED_UDP_SESSIONS:
		if (err)
			log_warn("proxy: %s: datagram from %s dropped: no session (%s)%s",
				 p->name, a, strerror(err), more);
		else
			log_warn("proxy: %s: datagram from %s dropped: at the limit of %d "
				 "sessions%s",
				 p->name, a, PROXY_UDP_MAX_SESS, more);
		break;
	default:
		break;
	}
}
