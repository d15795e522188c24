/* Run-time control: the control socket (daemon side), the command table and
 * its dispatcher, and the generated help.  fulcrumctl (src/ctl/fulcrumctl.c)
 * is a thin client over the same table.  Protocol: see ctl-t.h. */
#ifndef FC_CTL_CTL_H
#define FC_CTL_CTL_H

#include <stddef.h>

#include "core/stats-t.h"
#include "ctl/ctl-t.h"

struct ctl_server;

/* The command table, terminated by an entry whose words[0] is NULL. */
extern const struct ctl_cmd ctl_cmds[];

/* The command named by the longest run of leading words of argv, with
 * *nwords set to that number; NULL if no command matches. */
const struct ctl_cmd *ctl_lookup(int argc, char **argv, int *nwords);

/* Find the command named by the first words of argv and check its argument
 * count.  Returns the entry and sets *nwords to the number of words that
 * name it (the arguments start at argv[*nwords]); or NULL with a precise
 * message ("unknown command 'x'...", "usage: set weight VS RS WEIGHT"). */
const struct ctl_cmd *ctl_resolve(int argc, char **argv, int *nwords, char *err, size_t errlen);

/* "set weight" into buf. */
const char *ctl_cmd_name(const struct ctl_cmd *c, char *buf, size_t len);

/* Dispatch one request through the table.  0 with output in out, or -1
 * with err set and nothing changed.  Used by the server and by tests. */
int ctl_execute(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen);

/* The same, for the control server: a streamed command (ctl_cmd.stream)
 * is started into *st (st->next non-NULL) instead of run to the end; out
 * then holds nothing yet.  The caller pulls it with st->next() and ends it
 * with st->done(). */
int ctl_execute_stream(struct fulcrum *fc, int argc, char **argv, struct sbuf *out,
		       struct ctl_stream *st, char *err, size_t errlen);

/* Split a request line (no '\n') in place into at most max words.  Refuses
 * control characters, an empty request and too many words. */
int ctl_split(char *line, char **argv, int max, char *err, size_t errlen);

/* Help generated from the table: the plain text (fulcrumctl help, the
 * daemon's `help`) and the markdown that doc/fulcrumctl.md holds. */
void ctl_help_text(struct sbuf *out);
void ctl_help_markdown(struct sbuf *out);

/* Start serving the control socket at path on fc->loop: creates the parent
 * directory if missing (0700; those above it 0755), refuses a directory
 * that anyone but root or the daemon's user can change (dirtrust.h),
 * removes a stale socket only if nobody answers on it, binds with mode
 * 0600 from the start (umask), listens.  NULL with err on failure (e.g.
 * another daemon answers there). */
struct ctl_server *ctl_server_start(struct fulcrum *fc, const char *path, char *err, size_t errlen);
/* The directory rule of ctl_server_start() for a control_socket a reload
 * brings (it is used from the next start): its directory, or where it
 * would be created, must be root's alone.  0, or -1 with err. */
int ctl_socket_dir_check(const char *path, char *err, size_t errlen);
/* Close the socket and every client, unlink the path (if it is still ours).
 * Safe to call from inside a command (the running client finishes). */
void ctl_server_stop(struct ctl_server *s);
/* Per-client deadline in ms (default CTL_TIMEOUT_MS); for tests. */
void ctl_server_set_timeout(struct ctl_server *s, unsigned ms);

/* The statistics fields of `list --json` (core/stats-t.h; the object is
 * the struct fulcrum): the services with their sorry servers and servers
 * (model/stats_fields.h), then the VRRP instances in brief. */
extern const struct stat_table ctl_list_stats;

#endif
