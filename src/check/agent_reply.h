/* The agent-check reply line (agent_reply.c): pure, no I/O, for the
 * checker, its unit test and its fuzz target. */
#ifndef FC_CHECK_AGENT_REPLY_H
#define FC_CHECK_AGENT_REPLY_H

#include <stddef.h>

#include "check/check_agent-t.h"

/* Read the first line of buf[0..len) -- up to the first CR or LF -- into r,
 * as HAProxy 2.6 reads an agent's answer: words split by spaces, tabs and
 * commas, in any order, case-insensitive (`up`, `down`, `stopped`, `fail`;
 * `ready`, `drain`, `maint`; `NN%`; `maxconn:N`), a description after a
 * '#'.  Returns 1 with r filled when the line is complete, 0 when no line
 * end is there yet (a NUL byte counts as none: HAProxy's reader stops at
 * it), and never reads past len. */
int agent_reply_parse(const char *buf, size_t len, struct agent_reply *r);

#endif
