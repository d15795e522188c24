/* Rate-limited log lines (see ratelog.h). */
#include "core/ratelog.h"

int ratelog_take(struct ratelog *r, uint64_t now_ms, unsigned *held)
{
	if (r->used && now_ms - r->last_ms < RATELOG_MS) {
		r->held++;
		return 0;
	}
	*held = r->held;
	r->held = 0;
	r->last_ms = now_ms;
	r->used = 1;
	return 1;
}
