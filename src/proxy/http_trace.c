/* The HTTP engine's traffic in the detailed log (-D; `haproxy -d` asks
 * for it, as HAProxy's -d prints its own trace): each client connection
 * accepted, each request line, each answer the engine makes itself, each
 * close and whether it was a FIN or a reset.  For reading afterwards what
 * a client saw, e.g. in varnishtest's -v log of a failing vtc case
 * (tests/system/test_vtc.py keeps it).  Nothing is done unless detailed
 * logging is on. */
#include <stddef.h>

#include "core/addr.h"
#include "core/log.h"
#include "http/h1.h"
#include "proxy/http.h"

void htrace_accept(const struct hstream *s)
{
	char a[ADDR_STRLEN];

	if (!log_detailed())
		return;
	addr_format(&s->client, a, sizeof(a), 1);
	log_debug("http %s.accept(fd=%d) from %s", s->fe->name, s->cfd, a);
}

void htrace_request(const struct hstream *s)
{
	const struct h1_msg *m = &s->x->req;

	if (!log_detailed())
		return;
	log_debug("http %s.clireq(fd=%d): %.*s %.*s", s->fe->name, s->cfd, (int)m->method.len,
		  h1_ptr(m, m->method), (int)m->uri.len, h1_ptr(m, m->uri));
}

void htrace_answer(const struct hstream *s, unsigned status, size_t len)
{
	if (!log_detailed())
		return;
	log_debug("http %s.answer(fd=%d): %u, %zu bytes of ours, then %s", s->fe->name, s->cfd, status,
		  len, s->close_client ? "close" : "the next request");
}

void htrace_close(const struct hstream *s, int rst)
{
	if (!log_detailed() || s->cfd < 0)
		return;
	log_debug("http %s.closed(fd=%d): %s%s", s->fe->name, s->cfd, rst ? "reset" : "fin",
		  s->lingering ? " after lingering" : "");
}
