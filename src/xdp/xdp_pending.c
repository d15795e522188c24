/* Servers waiting for their next hop's MAC (contract: xdp_pending.h). */
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_pending.h"

/* A server the ring would take if its MAC were known: in the table, with
 * a route (nh_ok; without one only the refresh can help), its neighbour
 * entry not resolved. */
static int waiting(const struct xdp_srv *s)
{
	return s->in_table && s->nh_ok && !s->nh.resolved;
}

static int any_waiting(const struct xdp_engine *x)
{
	const struct xdp_vs *xv;
	size_t i;

	for (xv = x->services; xv; xv = xv->next)
		if (xv->vs && xv->committed)
			for (i = 0; i < xv->n; i++)
				if (waiting(&xv->srv[i]))
					return 1;
	return 0;
}

/* Look up again the waiting servers whose next hop is dst on ifindex (all
 * of them when dst is NULL); a service where one got its MAC is rewritten. */
static void recheck(struct xdp_engine *x, const struct fc_addr *dst, int ifindex)
{
	struct xdp_vs *xv;
	char err[ERRLEN];
	size_t i;

	for (xv = x->services; xv; xv = xv->next) {
		int got = 0;

		if (!xv->vs || !xv->committed)
			continue;
		for (i = 0; i < xv->n; i++) {
			struct xdp_srv *s = &xv->srv[i];

			if (!waiting(s) ||
			    (dst && (s->nh.ifindex != ifindex || !addr_ip_equal(&s->nh.hop, dst))))
				continue;
			if (xdp_srv_resolve(xv, s, 1, err, sizeof(err)) < 0)
				log_warn("xdp: %s: %s", xv->name, err);
			if (s->nh_ok && s->nh.resolved) {
				char a[ADDR_STRLEN];

				log_info("xdp: %s: real server %s: next hop resolved, it takes "
					 "new flows",
					 xv->name, addr_format(&s->addr, a, sizeof(a), 0));
				got = 1;
			}
		}
		if (got)
			(void)xdp_vs_write(xv);
	}
}

static void on_neigh(const struct fc_addr *dst, int ifindex, void *arg)
{
	recheck(arg, dst, ifindex);
}

static void pending_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct xdp_engine *x = io->data;
	char err[ERRLEN];
	int r;

	if (!x->pend_on)
		return;
	r = xdp_neigh_sub_read(x->pend_fd, on_neigh, x, err, sizeof(err));
	if (r < 0)
		log_warn("xdp: %s; servers without a MAC are looked up again every %d ms", err,
			 XDP_NEIGH_FAST_MS);
	if (r == 1)
		recheck(x, NULL, 0);
	if (r < 0 || !any_waiting(x))
		xdp_pending_stop(x);
}

static void catch_up(struct loop *l, struct ev_timer *t)
{
	struct xdp_engine *x = t->data;

	recheck(x, NULL, 0);
	if (!any_waiting(x))
		xdp_pending_stop(x);
}

void xdp_pending_stop(struct xdp_engine *x)
{
	if (!x->loop)
		return;
	if (loop_timer_armed(&x->pend_catch_up))
		loop_timer_stop(x->loop, &x->pend_catch_up);
	if (!x->pend_on)
		return;
	loop_io_del(x->loop, &x->pend_io);
	close(x->pend_fd);
	x->pend_on = 0;
}

void xdp_pending_arm(struct xdp_engine *x)
{
	char err[ERRLEN];

	if (!x->loop)
		return;
	if (!any_waiting(x)) {
		xdp_pending_stop(x);
		return;
	}
	if (!x->pend_on) {
		x->pend_fd = xdp_neigh_sub_open(err, sizeof(err));
		if (x->pend_fd >= 0 &&
		    loop_io_add(x->loop, &x->pend_io, x->pend_fd, EPOLLIN, pending_io, x) < 0) {
			err_set(err, sizeof(err), "cannot watch neighbour events");
			close(x->pend_fd);
			x->pend_fd = -1;
		}
		x->pend_on = x->pend_fd >= 0;
		if (!x->pend_on)
			log_warn("xdp: %s; servers without a MAC are looked up again every %d ms",
				 err, XDP_NEIGH_FAST_MS);
	}
	/* the lookup that started the resolution ran before the subscription:
	 * an answer in between sent its event to nobody */
	if (!loop_timer_armed(&x->pend_catch_up)) {
		loop_timer_init(&x->pend_catch_up, catch_up, x);
		loop_timer_start(x->loop, &x->pend_catch_up, 0);
	}
}
