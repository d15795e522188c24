/* Clients the proxy turns away for lack of resources, logged at most once a
 * second per reason with the number held back: a flood of them must be
 * visible (issue 16: they were reset without a word) but must not flood
 * the log in turn. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/ratelog.h"
#include "proxy/proxy.h"

int proxy_out_of_fds(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/* Called by any worker, with or without the engine lock (an L4 client is
 * placed without it, tcp.c): the rate limits are the process's, under
 * their own lock, so "once a second" stays once a second whatever the
 * number of workers.  A shed is rare: the lock costs nothing that counts. */
void proxy_shed(struct pvs *p, enum proxy_shed why, const struct fc_addr *client, int err)
{
	static struct ratelog rl[PROXY_SHED_N];
	static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
	char a[ADDR_STRLEN], more[64] = "";
	unsigned held;
	int take;

	pthread_mutex_lock(&rl_lock);
	take = ratelog_take(&rl[why], loop_now(p->px->loop), &held);
	pthread_mutex_unlock(&rl_lock);
	if (!take)
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
	case PROXY_SHED_QUEUED:
		log_warn("proxy: %s: client %s reset: out of descriptors for %d ms or more%s",
			 p->name, a, PROXY_FD_WAIT_MS, more);
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

/* Every worker's gate, in their order (two sheds at once take them in
 * the same order), or none without workers: no other worker makes a
 * descriptor until gates_open (proxy.h). */
static void gates_close(struct proxy *px)
{
	unsigned k;

	if (px->main)
		for (k = 0; k < px->main->thr->n; k++)
			pthread_mutex_lock(&px->main->thr->w[k]->fd_gate);
}

static void gates_open(struct proxy *px)
{
	unsigned k;

	if (px->main)
		for (k = px->main->thr->n; k-- > 0;)
			pthread_mutex_unlock(&px->main->thr->w[k]->fd_gate);
}

static void spare_open(struct proxy *px)
{
	px->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	px->spare_held = px->spare_fd >= 0;
}

/* Called at every close (proxy_fds_released): the gates only when the
 * reserve is missing, which is rare. */
void proxy_spare_hold(struct proxy *px)
{
	if (px->spare_held)
		return;
	gates_close(px);
	spare_open(px);
	gates_open(px);
}

void proxy_spare_drop(struct proxy *px)
{
	if (px->spare_held)
		close(px->spare_fd);
	px->spare_held = 0;
}

unsigned proxy_shed_queued(struct pvs *p)
{
	struct proxy *px = p->px;
	unsigned n = 0;

	while (n < PROXY_SHED_BATCH && p->fd >= 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct fc_addr client;
		int fd;

		/* no other worker can take the slot between the reserve's
		 * close and the accept4, nor between the client's close and
		 * the reserve's open (proxy.h); a reserve the main thread's
		 * descriptor took for a moment is opened again here */
		gates_close(px);
		if (!px->spare_held)
			spare_open(px);
		if (!px->spare_held) {
			gates_open(px);
			break;
		}
		proxy_spare_drop(px);
		fd = accept4(p->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd >= 0) {
			sock_set_rst(fd);
			close(fd);
		}
		spare_open(px);
		gates_open(px);
		/* queue empty, or the descriptor went elsewhere (ENFILE) */
		if (fd < 0)
			break;
		n++;
		if (addr_from_sockaddr(&client, (struct sockaddr *)&ss) == 0)
			proxy_shed(p, PROXY_SHED_QUEUED, &client, 0);
	}
	return n;
}

void proxy_fds_released(struct proxy *px)
{
	struct pvs *p;

	proxy_spare_hold(px);
	if (!px->listeners_short)
		return;
	px->listeners_short = 0;
	for (p = px->services; p; p = p->next)
		tcp_accept_resume(p);
}
