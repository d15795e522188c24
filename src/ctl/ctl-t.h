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

/* A command handler.  argv holds the arguments after the command's words
 * (argc already checked against the table's min/max).  On success returns 0
 * with the output appended to out; on failure returns -1 with err set and
 * must have changed nothing (invariant 2). */
typedef int (*ctl_fn)(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen);

/* CTL_LOCAL: fulcrumctl answers the command itself, without a daemon. */
#define CTL_LOCAL 0x1

/* One line of the command table (src/ctl/cmdtab.c).  Help text, the
 * client's argument check and doc/fulcrumctl.md are all generated from it. */
struct ctl_cmd {
	const char *words[CTL_CMD_WORDS + 1]; /* NULL-terminated, e.g. {"set", "weight"} */
	const char *usage; /* arguments after the words, e.g. "VS RS WEIGHT"; "" if none */
	const char *help;  /* one line, lower case, no final period */
	const char *doc;   /* longer markdown paragraph for doc/fulcrumctl.md, or NULL */
	int min_args;	   /* arguments after the words */
	int max_args;
	unsigned flags; /* CTL_LOCAL */
	ctl_fn fn;
};

#endif
