/* The kernel fast path of the TCP proxy (proxy_relay sockmap): once a
 * connection is established, both sockets go into a BPF SOCKHASH and the
 * stream-verdict program of bpf/fulcrum_sockmap.bpf.c moves every byte a
 * socket receives to its peer's send queue.  fulcrum is then woken only by
 * a FIN (EPOLLRDHUP), an error or a reset, never by data.
 *
 * What userspace still does, and how (doc/internals/sockmap.md):
 *   - counters: the program adds each socket's bytes to its fsk_links
 *     entry; psk_collect takes the growth since the last look;
 *   - the idle timeout: a connection whose counters did not grow is idle;
 *   - half-close: a FIN read on one socket must become shutdown(SHUT_WR)
 *     on the peer, but only once the bytes the kernel redirected before the
 *     FIN are in the peer's send queue, or the FIN would overtake them.
 *     psk_pending compares what the program redirected with what the peer
 *     socket was given (TCP_INFO), both counted from the moment it entered.
 *
 * Data a socket received before it entered the map sits in its receive
 * queue, where the verdict program runs only at the next arrival: psk_enter
 * sets SO_RCVLOWAT once more afterwards, which runs the socket's data_ready
 * (the program) over what is queued, in order. */
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "fulcrum_sockmap.h"
#include "fulcrum_sockmap.skel.h"
#include "proxy/proxy.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static int psk_load(struct proxy *px)
{
	struct fulcrum_sockmap *s;
	int prog;

	if (px->sk_skel)
		return 0;
	if (px->sk_failed)
		return -1;
	s = fulcrum_sockmap__open_and_load();
	if (!s) {
		px->sk_failed = 1;
		log_warn("proxy: proxy_relay sockmap: cannot load the BPF program (%s; it needs "
			 "CAP_BPF and CAP_NET_ADMIN): relaying in userspace (auto) instead",
			 strerror(errno));
		return -1;
	}
	prog = bpf_program__fd(s->progs.fulcrum_sockmap);
	if (bpf_prog_attach(prog, bpf_map__fd(s->maps.fsk_socks), BPF_SK_SKB_STREAM_VERDICT, 0) <
	    0) {
		px->sk_failed = 1;
		log_warn("proxy: proxy_relay sockmap: cannot attach the stream verdict program "
			 "(%s): relaying in userspace (auto) instead",
			 strerror(errno));
		fulcrum_sockmap__destroy(s);
		return -1;
	}
	px->sk_skel = s;
	px->sk_socks = bpf_map__fd(s->maps.fsk_socks);
	px->sk_links = bpf_map__fd(s->maps.fsk_links);
	log_info("proxy: proxy_relay sockmap: the kernel relays established TCP connections");
	return 0;
}

void psk_unload(struct proxy *px)
{
	if (px->sk_skel)
		fulcrum_sockmap__destroy(px->sk_skel);
	px->sk_skel = NULL;
	px->sk_failed = 0;
}

/* Bytes the application ever gave fd (sent, or queued and not sent yet),
 * and fd's TCP state. */
static int written(int fd, uint64_t *out, int *state)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	*out = ti.tcpi_bytes_sent - ti.tcpi_bytes_retrans + ti.tcpi_notsent_bytes;
	*state = ti.tcpi_state;
	return 0;
}

/* The map takes only ESTABLISHED sockets: -1 for another. */
static int side_init(struct psk_side *s, int fd)
{
	socklen_t len = sizeof(s->cookie);
	int state;

	s->bytes = s->segs = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &s->cookie, &len) < 0)
		return -1;
	if (written(fd, &s->sent0, &state) < 0)
		return -1;
	return state == BPF_TCP_ESTABLISHED ? 0 : -1;
}

static void link_del(struct proxy *px, struct psk_side *s)
{
	(void)bpf_map_delete_elem(px->sk_links, &s->cookie);
}

static int link_add(struct proxy *px, const struct psk_side *s, const struct psk_side *peer)
{
	struct fsk_link l = {.peer = peer->cookie};

	return bpf_map_update_elem(px->sk_links, &s->cookie, &l, BPF_NOEXIST);
}

/* Run the socket's data_ready over what it queued before it entered. */
/* The program and its maps are loaded once for the process: the main
 * thread's engine holds them for every worker (under the engine lock). */
static struct proxy *sk_owner(const struct pconn *c)
{
	struct proxy *px = c->pvs->px;

	return px->main ? px->main : px;
}

static void kick(int fd)
{
	int lowat = 1;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
}

int psk_enter(struct pconn *c)
{
	struct proxy *px = sk_owner(c);
	int cfd = c->cfd, sfd = c->sfd;

	if (px->relay != FC_RELAY_SOCKMAP || psk_load(px) < 0)
		return -1;
	/* a direction with bytes in flight in userspace stays there */
	if (c->c2s.len || c->s2c.len || c->c2s.eof || c->s2c.eof)
		return -1;
	if (side_init(&c->cside, cfd) < 0 || side_init(&c->sside, sfd) < 0)
		return -1;
	if (link_add(px, &c->cside, &c->sside) < 0)
		return -1;
	if (link_add(px, &c->sside, &c->cside) < 0)
		goto unlink;
	/* Both were ESTABLISHED (side_init) an instant ago.  Should a FIN come
	 * in between, the second insert fails and the first socket leaves the
	 * map again: a chunk it received in that instant went to a peer not in
	 * the map, and is lost (doc/internals/sockmap.md, known limits) */
	if (bpf_map_update_elem(px->sk_socks, &c->sside.cookie, &sfd, BPF_NOEXIST) < 0)
		goto unlink;
	if (bpf_map_update_elem(px->sk_socks, &c->cside.cookie, &cfd, BPF_NOEXIST) < 0) {
		(void)bpf_map_delete_elem(px->sk_socks, &c->sside.cookie);
		goto unlink;
	}
	c->sk = 1;
	/* FIONREAD cannot tell: in the map it counts what waits for recv() */
	kick(cfd);
	kick(sfd);
	return 0;
unlink:
	{
		char a[ADDR_STRLEN];

		log_debug("proxy: %s: client %s relayed in userspace: sockmap: %s", c->pvs->name,
			  addr_format(&c->client, a, sizeof(a), 1), strerror(errno));
	}
	link_del(px, &c->cside);
	link_del(px, &c->sside);
	return -1;
}

int psk_collect(struct pconn *c, int client_side, uint64_t *bytes, uint64_t *segs)
{
	struct proxy *px = sk_owner(c);
	struct psk_side *s = client_side ? &c->cside : &c->sside;
	struct fsk_link l;

	*bytes = *segs = 0;
	if (!c->sk || bpf_map_lookup_elem(px->sk_links, &s->cookie, &l) < 0)
		return -1;
	*bytes = l.bytes - s->bytes;
	*segs = l.segs - s->segs;
	s->bytes = l.bytes;
	s->segs = l.segs;
	return 0;
}

int psk_pending(struct pconn *c, int client_side)
{
	const struct psk_side *from = client_side ? &c->cside : &c->sside;
	const struct psk_side *to = client_side ? &c->sside : &c->cside;
	int tofd = client_side ? c->sfd : c->cfd;
	struct fsk_link l;
	uint64_t w;
	int state;

	if (bpf_map_lookup_elem(sk_owner(c)->sk_links, &from->cookie, &l) < 0 ||
	    written(tofd, &w, &state) < 0)
		return 0; /* cannot tell: do not hold the FIN for ever */
	return w - to->sent0 < l.bytes;
}

void psk_leave(struct pconn *c)
{
	if (!c->sk)
		return;
	/* the sockets left the SOCKHASH when they were closed */
	link_del(sk_owner(c), &c->cside);
	link_del(sk_owner(c), &c->sside);
	c->sk = 0;
}
