/* The statistics fields of the health core (core/stats-t.h): what `show
 * checks --json` is written from.  doc/internals/stats.md. */
#ifndef FC_CHECK_HEALTH_STATS_H
#define FC_CHECK_HEALTH_STATS_H

#include "core/stats-t.h"

/* {"virtual_servers":[...]}: per service its quorum and sorry server, per
 * server its health, per checker its attempts.  The object is the struct
 * fulcrum. */
extern const struct stat_table health_stats;

/* A sorry server's "active" (the object is its struct virtual_server):
 * for other tables that show a sorry server (list --json). */
enum stat_got health_stat_sorry_active(const void *obj, const struct stat_field *f,
				       struct stat_ctx *c, union stat_val *v);

#endif
