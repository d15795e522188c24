/* The real-server state file: what `start` changed, so that `stop` can put
 * back exactly that and `status` knows what was asked for.
 *
 * Text, one item a line, '#' comments:
 *     vip ADDR added|present      a VIP asked for; added = start put it on lo
 *     sysctl DEV KEY PREVIOUS     net.ipv4.conf.DEV.KEY was PREVIOUS before start
 *     decap DEV native|generic    start attached the decapsulator to DEV
 * Written whole to PATH.tmp, then renamed over PATH, so a reader sees the
 * old file or the new one, never half of one. */
#ifndef FC_REALSERVER_RS_STATE_H
#define FC_REALSERVER_RS_STATE_H

#include <stddef.h>

#include "realserver/rs-t.h"

/* Reads path into st.  A missing file is an empty state (*exists = 0).  A
 * malformed one is an error naming file:line, and st is left empty. */
int rs_state_load(const char *path, struct rs_state *st, int *exists, char *err, size_t errlen);
/* Parses the text of a state file (name is only for messages). */
int rs_state_parse(const char *text, const char *name, struct rs_state *st, char *err,
		   size_t errlen);
/* Writes st to path atomically (creating path's directory if it is missing);
 * an empty st removes the file. */
int rs_state_save(const char *path, const struct rs_state *st, char *err, size_t errlen);

/* Index of the matching item, or -1. */
int rs_state_find_vip(const struct rs_state *st, const struct fc_addr *vip);
int rs_state_find_sysctl(const struct rs_state *st, const char *dev, const char *key);
int rs_state_find_decap(const struct rs_state *st, const char *dev);
/* Appends a copy of it; -1 when the state is full. */
int rs_state_add(struct rs_state *st, const struct rs_item *it, char *err, size_t errlen);
/* Removes item i, keeping the order of the others. */
void rs_state_del(struct rs_state *st, unsigned i);
/* Number of items of that kind. */
unsigned rs_state_count(const struct rs_state *st, enum rs_kind kind);

#endif
