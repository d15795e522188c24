/* HAProxy's stats socket: the `stats socket PATH` lines of haproxy.cfg's
 * global section served with HAProxy's CLI line protocol, over the
 * control socket's command table (ctl_execute): one line of commands
 * separated by ';', each answer followed by an empty line, the connection
 * closed after the line unless `prompt` made it interactive ("> " before
 * each line); `quit` closes it, `help` lists the commands.  Words are
 * separated by spaces; a word may be quoted ("TCP 10.0.0.1:80/10.0.0.2:80")
 * or hold a backslash-escaped character. */
#ifndef FC_CTL_HASOCK_H
#define FC_CTL_HASOCK_H

#include <stddef.h>

struct fulcrum;
struct hasock;

/* A listener per path of fc->cfg->hp_global->stats_sockets (none: *out
 * NULL).  A path that cannot be listened on (no such directory, in use by
 * another process) is logged and left out.  0, or -1 with err (out of
 * memory) and nothing left listening. */
int hasock_start_all(struct fulcrum *fc, struct hasock **out, char *err, size_t errlen);

/* Close every listener and client of the list and remove their sockets. */
void hasock_stop_all(struct hasock *list);

/* Split one command of a line into words, in place (quotes and backslash
 * escapes resolved).  Returns the number of words, or -1 with err. */
int hasock_words(char *cmd, char **argv, int max, char *err, size_t errlen);

#endif
