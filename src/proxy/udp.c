/* UDP sessions, with IPVS semantics: the datagrams of one client
 * (address:port) go to one real server while the session lives; the
 * session ends udp_timeout after its last datagram (either way).
 *
 * Each session has its own UDP socket connected to the real server, so the
 * kernel sorts the replies per session; they go back to the client with
 * sendto() from the service's socket, so their source is VIP:port.
 * (A wildcard VIP would need IP_PKTINFO to answer from the address the
 * client used; the proxy binds the VIP itself, so the kernel's choice is
 * the VIP.)
 *
 * Both watchers are unlocked (loop.h): the session table is the worker's
 * own (the kernel keeps a client's datagrams on one worker's socket), and
 * the counters are per thread (model/ctr.h), so a datagram of a known
 * session is relayed and counted with no lock.  A new session is placed
 * and connected as an L4 TCP connection is (tcp.c), with no engine lock:
 * ppool_pick, the persistence table's own lock (persist.h), atomic counts
 * and references, its socket made inside the worker's descriptor gate.
 * A session that ends on a worker takes the lock only to free a service
 * that was removed; one that times out does under it (a timer). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/persist.h"
#include "proxy/proxy.h"

#define SESS_MIN_BUCKETS 64

static size_t sess_bucket(const struct pvs *p, const struct fc_addr *client)
{
	return addr_hash(client, 1) & (p->sess_nbuckets - 1);
}

static struct udp_sess *sess_find(struct pvs *p, const struct fc_addr *client)
{
	struct udp_sess *s;

	if (!p->sess_nbuckets)
		return NULL;
	for (s = p->sess_hash[sess_bucket(p, client)]; s; s = s->hnext)
		if (addr_equal(&s->client, client))
			return s;
	return NULL;
}

static int sess_grow(struct pvs *p)
{
	size_t n = p->sess_nbuckets ? p->sess_nbuckets * 2 : SESS_MIN_BUCKETS;
	struct udp_sess **h = calloc(n, sizeof(*h)), *s;

	if (!h)
		return -1;
	free(p->sess_hash);
	p->sess_hash = h;
	p->sess_nbuckets = n;
	for (s = p->sessions; s; s = s->next) {
		size_t b = sess_bucket(p, &s->client);

		s->hnext = h[b];
		h[b] = s;
	}
	return 0;
}

/* Put s in p's list and hash (p must have room: see sess_grow). */
static void sess_link(struct pvs *p, struct udp_sess *s)
{
	size_t b = sess_bucket(p, &s->client);

	s->pvs = p;
	s->hnext = p->sess_hash[b];
	p->sess_hash[b] = s;
	s->prev = NULL;
	s->next = p->sessions;
	if (p->sessions)
		p->sessions->prev = s;
	p->sessions = s;
	p->nsess++;
}

static void sess_unlink(struct udp_sess *s)
{
	struct pvs *p = s->pvs;
	struct udp_sess **pp = &p->sess_hash[sess_bucket(p, &s->client)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		p->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = s->hnext = NULL;
	p->nsess--;
}

void udp_sess_close(struct udp_sess *s)
{
	struct pvs *p = s->pvs;
	struct loop *l = p->px->loop;

	loop_timer_stop(l, &s->timer);
	loop_io_del(l, &s->io);
	close(s->fd);
	s->live->activeconns--;
	s->vsl->activeconns--;
	if (s->tpl)
		persist_release(s->tpl, loop_now(l));
	rs_live_unref(s->live);
	vs_live_unref(s->vsl);
	sess_unlink(s);
	if (loop_defer(l, free, s) < 0)
		log_err("proxy: out of memory, leaking a UDP session");
	proxy_fds_released(p->px);
	pvs_maybe_free(p);
}

/* A session ends on its worker, in an unlocked callback: the engine lock
 * only for the free of a removed service (pvs_maybe_free), as tcp.c. */
static void sess_end(struct udp_sess *s)
{
	struct proxy *px = s->pvs->px;
	int held = loop_lock_held(px->loop);

	if (!s->pvs->vs)
		proxy_relock(px);
	udp_sess_close(s);
	if (!held)
		proxy_unlock(px);
}

static void sess_on_timer(struct loop *l, struct ev_timer *t)
{
	struct udp_sess *s = t->data;
	uint64_t now = loop_now(l), to = s->pvs->udp_timeout_ms;

	if (now - s->last_ms >= to) {
		udp_sess_close(s);
		return;
	}
	loop_timer_start(l, &s->timer, to - (now - s->last_ms));
}

/* Replies from the real server go back to the client from VIP:port.
 * Unlocked: see the top of the file. */
static void sess_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct udp_sess *s = io->data;
	struct pvs *p = s->pvs;
	char *buf = p->px->udp_buf;
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(&s->client, &ss);
	int i;

	for (i = 0; i < PROXY_UDP_BATCH; i++) {
		ssize_t n = recv(s->fd, buf, PROXY_UDP_DGRAM, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			/* ICMP port unreachable and the like: the next datagram
			 * of this client starts a new session elsewhere */
			HCTR(&s->live->ctr, econ); /* show stat's econ */
			sess_end(s);
			return;
		}
		s->last_ms = loop_now(l);
		if (p->fd < 0)
			continue;
		if (sendto(p->fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&ss, sl) < 0)
			continue; /* UDP: a reply the client cannot take is dropped */
		ctr_out(&s->live->ctr, 1, (uint64_t)n);
		ctr_out(&s->vsl->ctr, 1, (uint64_t)n);
	}
}

static struct udp_sess *sess_new(struct pvs *p, const struct fc_addr *client)
{
	struct loop *l = p->px->loop;
	struct udp_sess *s;
	struct pvs_target t;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	if (p->nsess >= PROXY_UDP_MAX_SESS) {
		proxy_shed(p, PROXY_SHED_UDP_SESSIONS, client, 0);
		return NULL;
	}
	if (p->nsess >= p->sess_nbuckets && sess_grow(p) < 0 && !p->sess_nbuckets)
		return NULL;
	if (pvs_place(p, client, NULL, 0, &t) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	sl = addr_to_sockaddr(&t.addr, &ss);
	proxy_fd_enter(p->px); /* not while a sibling sheds (proxy.h) */
	fd = socket(t.addr.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	proxy_fd_leave(p->px);
	if (fd < 0) {
		if (proxy_out_of_fds(errno))
			proxy_shed(p, PROXY_SHED_UDP_SESSIONS, client, errno);
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    loop_io_add(l, &s->io, fd, EPOLLIN, sess_on_io, s) < 0) {
		close(fd);
		goto fail;
	}
	loop_io_unlocked(&s->io);
	s->fd = fd;
	s->client = *client;
	s->server = t.addr;
	s->live = t.live;
	s->vsl = vs_live_ref(p->vsl);
	s->tpl = t.tpl;
	s->last_ms = loop_now(l);
	loop_timer_init(&s->timer, sess_on_timer, s);
	loop_timer_start(l, &s->timer, p->udp_timeout_ms);
	sess_link(p, s);
	ctr_cur_up(&s->live->activeconns, &s->live->smax);
	ctr_conn(&s->live->ctr);
	ctr_cur_up(&s->vsl->activeconns, &s->vsl->smax);
	ctr_conn(&s->vsl->ctr);
	return s;
fail:
	free(s);
	pvs_target_release(&t, loop_now(l));
	return NULL;
}

/* The service's socket: datagrams from clients.  Unlocked (see the top
 * of the file); placing a new session takes the lock. */
void udp_on_vs_socket(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct pvs *p = io->data;
	char *buf = p->px->udp_buf;
	int i;

	for (i = 0; i < PROXY_UDP_BATCH && p->fd >= 0; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct fc_addr client;
		struct udp_sess *s;
		ssize_t n = recvfrom(p->fd, buf, PROXY_UDP_DGRAM, MSG_DONTWAIT,
				     (struct sockaddr *)&ss, &sl);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (addr_from_sockaddr(&client, (struct sockaddr *)&ss) < 0)
			continue;
		s = sess_find(p, &client);
		if (!s)
			s = sess_new(p, &client);
		if (!s)
			continue; /* no server, or too many sessions: dropped */
		s->last_ms = loop_now(l);
		if (send(s->fd, buf, (size_t)n, MSG_DONTWAIT) < 0) {
			if (errno == ECONNREFUSED) {
				HCTR(&s->live->ctr, econ); /* show stat's econ */
				sess_end(s);
			}
			continue;
		}
		ctr_in(&s->live->ctr, 1, (uint64_t)n);
		ctr_in(&s->vsl->ctr, 1, (uint64_t)n);
	}
}

void udp_adopt(struct pvs *to, struct pvs *from)
{
	while (from->sessions) {
		struct udp_sess *s = from->sessions;

		sess_unlink(s);
		if (to->nsess >= to->sess_nbuckets && sess_grow(to) < 0 && !to->sess_nbuckets) {
			/* no memory for the table: this session ends early */
			sess_link(from, s);
			from->hold++;
			udp_sess_close(s);
			from->hold--;
			continue;
		}
		sess_link(to, s);
	}
}
