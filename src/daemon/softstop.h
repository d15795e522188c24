/* HAProxy's soft stop (SIGUSR1; `haproxy -sf PID` sends it to the old
 * process): stop listening at once, let the open connections finish, exit
 * when none is left or after the global `hard-stop-after`.  Only a daemon
 * started as `haproxy` watches SIGUSR1 (main.c). */
#ifndef FC_DAEMON_SOFTSTOP_H
#define FC_DAEMON_SOFTSTOP_H

#include "model/fulcrum-t.h"

/* Start it (a second call does nothing): every engine's soft_stop, then a
 * poll every SOFTSTOP_POLL_MS until no connection is open or the deadline
 * passed, then loop_stop.  From then on a reload is refused. */
void softstop_start(struct fulcrum *fc);

#define SOFTSTOP_POLL_MS 100

#endif
