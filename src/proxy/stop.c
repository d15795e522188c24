/* HAProxy's soft stop for the userspace proxy (engine op soft_stop; the
 * daemon calls it on SIGUSR1, which `haproxy -sf` sends the old process):
 * the TCP listeners close at once, so that a new process (bound beside
 * with SO_REUSEPORT, or handed the sockets) takes every new client; an
 * HTTP client idle between two requests is closed, one in a transaction
 * gets `connection: close` and is closed after it; L4 relays, HTTP/2
 * clients and UDP sessions run to their end.  The daemon polls the count
 * until it is 0 (or `hard-stop-after` passes), then stops. */
#include <netinet/in.h>

#include "proxy/h2_gw-t.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

/* One serving engine (a worker's, or the only one), workers parked. */
static size_t stop_px(struct proxy *px)
{
	const struct h2gw_conn *h;
	struct hstream *s, *next;
	struct pvs *p;
	size_t open = 0;

	px->stopping = 1;
	for (p = px->services; p; p = p->next) {
		/* UDP sessions answer from the service's socket: it stays */
		if (p->protocol == IPPROTO_TCP)
			pvs_close_listener(p);
		p->hold++; /* a stream closed here must not free p under us */
		for (s = p->hstreams; s; s = next) {
			next = s->next;
			hstream_soft_stop(s);
		}
		p->hold--;
		open += p->nconns + p->nhstreams + p->nsess;
		for (h = p->h2conns; h; h = h->next)
			open++;
	}
	return open;
}

size_t proxy_soft_stop(struct fulcrum *fc)
{
	struct proxy *px = fc->proxy;
	size_t open = 0;
	unsigned k;

	if (!px)
		return 0;
	proxy_pause(px);
	for (k = 0; k < proxy_nserve(px); k++)
		open += stop_px(proxy_serve(px, k));
	proxy_resume(px);
	return open;
}
