/* Internal to the file watcher (watch.c: inotify, configuration files,
 * callback; watch_maint.c: the maintenance directory). */
#ifndef FC_DAEMON_WATCH_INT_H
#define FC_DAEMON_WATCH_INT_H

#include <stdint.h>

#include "core/addr.h"
#include "daemon/watch.h"

/* What one inotify watch on a directory reports: a name was created,
 * written, renamed in or out, removed. */
#define WATCH_DIR_EVENTS                                                                           \
	(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |        \
	 IN_DELETE_SELF | IN_MOVE_SELF)

/* watch.c */
struct fulcrum *watch_fc(void);
const struct watch_hooks *watch_hooks(void);
/* An inotify watch on dir (the descriptor opened on first use): its wd,
 * or -1 with errno (ENOENT: no such directory). */
int watch_dir_add(const char *dir);
/* Drop a wd that no other part still uses (see watch.c). */
void watch_dir_release(int wd);

/* One entry of the maintenance directory that names servers. */
struct maint_entry {
	char *name;               /* as in the directory */
	int host;                 /* a host name, not an address */
	int has_port;
	uint16_t port;
	struct fc_addr addr;      /* !host: the address */
	struct fc_addr *resolved; /* host: what it resolved to (owned), if it did */
	unsigned n_resolved;
};

/* watch_maint.c: the maintenance directory of fc->cfg, its entries and
 * the servers they name. */
void maint_apply(struct fulcrum *fc);
/* An inotify event on wd (wd -1: events were lost, look again); 1 if it
 * was the maintenance directory's. */
int maint_event(int wd, uint32_t mask, const char *name);
void maint_stop(void);
/* The host names' addresses changed (watch_resolve.c): fill them in again
 * and bring the servers in line. */
void maint_resolved(void);

/* watch_resolve.c: fill the host entries of e with what their names
 * resolved to last, and ask for them again off the loop (maint_resolved
 * when the answer is there). */
void maint_resolve(struct maint_entry *e, unsigned n);
/* Fill only, from what is known. */
void maint_resolve_fill(struct maint_entry *e, unsigned n);
void maint_resolve_stop(void);

#endif
