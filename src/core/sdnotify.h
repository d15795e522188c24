/* systemd's readiness protocol (sd_notify(3)) without libsystemd.
 *
 * A service of Type=notify is started with $NOTIFY_SOCKET naming a Unix
 * datagram socket: an absolute path, or "@name" for an abstract socket.
 * The daemon sends it newline-separated VAR=value lines: READY=1 once it
 * serves, RELOADING=1 (with MONOTONIC_USEC) when a reload starts and
 * READY=1 again when it ends, STOPPING=1 when it stops, STATUS=text for
 * `systemctl status`.  Without $NOTIFY_SOCKET every call is a no-op, so
 * the daemon calls them unconditionally. */
#ifndef FC_CORE_SDNOTIFY_H
#define FC_CORE_SDNOTIFY_H

#include <stddef.h>

/* Send msg as one datagram to addr ("/path" or "@abstract").  0 sent, or
 * -1 with err set (bad address, socket gone, ...). */
int sdn_send_to(const char *addr, const char *msg, char *err, size_t errlen);

/* Take $NOTIFY_SOCKET, remove it from the environment (scripts the daemon
 * runs cannot speak for it) and connect to it, so that messages still get
 * there after a chroot or a change of user.  Call it at start, before any
 * script is forked; the first sdn_notify() does it otherwise.  A socket
 * that cannot be reached is logged once, as a warning. */
void sdn_init(void);

/* The first call takes $NOTIFY_SOCKET and removes it from the environment,
 * so scripts the daemon runs cannot speak for it.  printf-like.  Returns 1
 * sent, 0 no socket set (not under systemd), -1 not sent: that is logged
 * as a warning here, since the daemon serves either way. */
int sdn_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with MONOTONIC_USEC (CLOCK_MONOTONIC now, in µs): systemd
 * uses the timestamp to tell this reload from an older one.  Returns as
 * sdn_notify. */
int sdn_reloading(void);

#endif
