/* The soft stop: softstop.h.  The engines do the closing (engine op
 * soft_stop); this file only asks them again until they are done. */
#include <stddef.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/sdnotify.h"
#include "daemon/softstop.h"
#include "engine/engines.h"
#include "model/http_proxy-t.h"
#include "model/model-t.h"

/* Every engine's connections still open (the first call also stops them
 * taking new ones). */
static size_t open_conns(struct fulcrum *fc)
{
	const struct engine_ops *const *e;
	size_t n = 0;

	for (e = engines; *e; e++)
		if ((*e)->soft_stop)
			n += (*e)->soft_stop(fc);
	return n;
}

static void on_poll(struct loop *l, struct ev_timer *t)
{
	struct fulcrum *fc = t->data;
	size_t n = open_conns(fc);

	if (!n) {
		log_info("soft stop: no connection left, stopping");
		loop_stop(l);
		return;
	}
	if (fc->stop_deadline_ms && loop_now(l) >= fc->stop_deadline_ms) {
		log_info("soft stop: hard-stop-after reached with %zu connection%s open, stopping", n,
			 n == 1 ? "" : "s");
		loop_stop(l);
		return;
	}
	loop_timer_start(l, t, SOFTSTOP_POLL_MS);
}

void softstop_start(struct fulcrum *fc)
{
	const struct hp_global *g = fc->cfg ? fc->cfg->hp_global : NULL;
	unsigned hard = g ? g->hard_stop_ms : 0;

	if (fc->stopping)
		return;
	fc->stopping = 1;
	if (hard)
		fc->stop_deadline_ms = loop_now(fc->loop) + hard;
	log_info("soft stop: no new client; the open connections finish%s",
		 hard ? " (hard-stop-after set)" : "");
	sdn_notify("STOPPING=1");
	loop_timer_init(&fc->stop_timer, on_poll, fc);
	on_poll(fc->loop, &fc->stop_timer);
}
