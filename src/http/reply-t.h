/* Error answers of a proxy (reply.h): what `errorfile`, `errorfiles` and
 * `http-errors` sections configure, as data.
 *
 * A proxy's lines are kept in the order they were written (defaults' first,
 * when the reader copies them with http_errors_dup) and applied in that
 * order by http_errors_resolve, so that the last line naming a status wins
 * -- `errorfile 500 X` then `errorfiles errors-1 500` answers errors-1's,
 * the other way round X, as HAProxy does. */
#ifndef FC_HTTP_REPLY_T_H
#define FC_HTTP_REPLY_T_H

#include <stddef.h>

/* The statuses HAProxy has a built-in message for (and so the only ones an
 * errorfile may replace). */
#define HERR_N 17

/* A message ready to send: the raw response, head normalised to CRLF
 * without the file's Connection header, `connection: close` at the head's
 * end when the answer ends the connection (the file asked for it, or its
 * body has no length: reply.c's normalise).  len 0 = an empty file: close
 * without answering. */
struct herr_msg {
	char *raw; /* owned, NUL-ended (not counted in len) */
	size_t len;
};

/* One `errorfile STATUS FILE` (ref NULL) or `errorfiles NAME [STATUS...]`
 * line (nstatus 0 = every status the section has). */
struct herr_line {
	unsigned status;   /* errorfile */
	struct herr_msg msg;
	char *ref;         /* errorfiles: the section's name, owned */
	unsigned statuses[HERR_N];
	unsigned nstatus;
	const char *file;  /* the config's file table owns it */
	int line;
};

struct http_errors {
	char *name;              /* an `http-errors NAME` section; NULL for a proxy's */
	struct herr_line *lines; /* owned, in file order */
	unsigned nlines;
	/* after http_errors_resolve (a section: as it is read): per status
	 * index, has[i] set = table[i] replaces the built-in message; owned
	 * copies, so that the sections may be freed after the read */
	struct herr_msg table[HERR_N];
	int has[HERR_N];
	struct http_errors *next; /* config->hp_errsections */
};

#endif
