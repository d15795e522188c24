/* Control types: the command table entry and the protocol limits.
 *
 * Protocol (one request per connection):
 *   client -> daemon   the command's words separated by spaces, then '\n'
 *                      (at most CTL_MAX_REQUEST bytes, newline included)
 *   daemon -> client   "OK\n" followed by the output, or "ERROR <message>\n";
 *                      then the daemon closes the connection.
 */
#ifndef FC_CTL_CTL_T_H
#define FC_CTL_CTL_T_H

#include <stddef.h>

struct fulcrum;
struct sbuf;

#define CTL_MAX_REQUEST 4096 /* bytes of one request line, '\n' included */
#define CTL_MAX_WORDS	16   /* words of one request (command + arguments) */
#define CTL_CMD_WORDS	3    /* words naming a command ("set weight") */
#define CTL_TIMEOUT_MS	5000 /* a client's whole exchange must fit in this */
#define CTL_MAX_CLIENTS 256  /* connected at once; more are refused */
/* Replies: a listing is produced CTL_CHUNK bytes at a time, the next piece
 * only once the client has taken the last one, so a client that does not
 * read costs the daemon one piece and other clients wait for one piece
 * per client at most.  Any other reply is built whole and may not exceed
 * CTL_MAX_REPLY (else the client gets an ERROR). */
#define CTL_CHUNK     (16u << 10)
#define CTL_MAX_REPLY (4u << 20)
#define CTL_MAX_REPLY_TEXT "4 MiB"
/* Bytes of whole replies not yet taken by their clients, all clients
 * together: once over it, a CTL_BULKY request is refused unrun ("busy,
 * try again"); 256 clients that do not read a 200 KB `show checks` would
 * otherwise hold 50 MB.  Small replies are always served. */
#define CTL_MAX_PENDING	     (8u << 20)
#define CTL_MAX_PENDING_TEXT "8 MiB"

/* A command handler.  argv holds the arguments after the command's words
 * (argc already checked against the table's min/max).  On success returns 0
 * with the output appended to out; on failure returns -1 with err set and
 * must have changed nothing (invariant 2). */
typedef int (*ctl_fn)(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen);

/* A reply produced piece by piece (ctl_stream_fn starts one).  next()
 * appends about CTL_CHUNK bytes or less to out and returns 1 while more
 * follows, 0 when the reply is complete, or -1 with err when it cannot go
 * on (the running model changed under it): the reply is then cut short
 * with a final "ERROR <message>" line.  done() frees state, whether the
 * reply was finished or not. */
struct ctl_stream {
	int (*next)(struct fulcrum *fc, void *state, struct sbuf *out, char *err, size_t errlen);
	void (*done)(void *state);
	void *state;
};

/* A streamed command: checks its arguments like ctl_fn (-1 with err,
 * nothing started), else fills st and returns 0. */
typedef int (*ctl_stream_fn)(struct fulcrum *fc, int argc, char **argv, struct ctl_stream *st,
			     char *err, size_t errlen);

/* CTL_LOCAL: fulcrumctl answers the command itself, without a daemon.
 * CTL_BULKY: a whole reply that grows with the number of servers: refused
 * unrun while CTL_MAX_PENDING bytes of replies wait for their clients. */
#define CTL_LOCAL 0x1
#define CTL_BULKY 0x2

/* One line of the command table (src/ctl/cmdtab.c).  Help text, the
 * client's argument check and doc/fulcrumctl.md are all generated from it. */
struct ctl_cmd {
	const char *words[CTL_CMD_WORDS + 1]; /* NULL-terminated, e.g. {"set", "weight"} */
	const char *usage; /* arguments after the words, e.g. "VS RS WEIGHT"; "" if none */
	const char *help;  /* one line, lower case, no final period */
	const char *doc;   /* longer markdown paragraph for doc/fulcrumctl.md, or NULL */
	int min_args;	   /* arguments after the words */
	int max_args;
	unsigned flags; /* CTL_LOCAL, CTL_BULKY */
	ctl_fn fn;	/* one of fn and stream */
	ctl_stream_fn stream;
};

#endif
