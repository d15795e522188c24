/* Rate-limited log lines: for events that can come in floods (clients shed
 * when descriptors run out), one line per RATELOG_MS at most, saying how
 * many were held back since the last one.  The state is one small struct
 * per kind of event, owned by whoever logs it. */
#ifndef FC_CORE_RATELOG_H
#define FC_CORE_RATELOG_H

#include <stdint.h>

#define RATELOG_MS 1000

struct ratelog {
	uint64_t last_ms; /* when the last line was let through */
	unsigned held;	  /* events since then that were not logged */
	int used;	  /* a line was let through once */
};

/* One event at now_ms (loop_now()).  1: log it now, and append *held
 * ("N more since the last message") when non-zero; 0: counted, stay
 * quiet. */
int ratelog_take(struct ratelog *r, uint64_t now_ms, unsigned *held);

#endif
