/* The proxy's kernel fast path (bpf/fulcrum_sockmap.bpf.c) and the code that
 * drives it (src/proxy/sockmap.c): the maps both sides share.
 *
 * A relayed TCP connection is two sockets.  Userspace puts each one in
 * fsk_socks (SOCKHASH) under its socket cookie and writes, under the same
 * cookie in fsk_links, the cookie of its peer.  The stream-verdict program
 * runs for every chunk of data a socket of fsk_socks receives: it adds the
 * bytes to that socket's fsk_links entry and redirects the chunk to the
 * peer's send side.  A chunk of a socket without a link (a race at removal)
 * is dropped, so userspace removes the link only once it closes both. */
#ifndef FULCRUM_SOCKMAP_H
#define FULCRUM_SOCKMAP_H

#include <linux/types.h>

/* sockets in the fast path at once: two per connection */
#define FSK_MAX_SOCKS 131072

/* ---- fsk_links: HASH, __u64 cookie -> struct fsk_link ---- */
struct fsk_link {
	__u64 peer;  /* the peer socket's cookie: where this one's data goes */
	__u64 bytes; /* received by this socket and redirected (atomic add) */
	__u64 segs;  /* chunks redirected (the "packets" of the counters) */
};

#endif
