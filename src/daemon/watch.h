/* The daemon's file watcher: ldirectord's autoreload, callback and
 * maintenancedir; in keepalived.conf the global_defs extensions autoreload,
 * autoreload_callback and maintenance_dir (doc/config.md "Autoreload",
 * doc/health.md "Maintenance files").
 *
 * One inotify descriptor on the loop watches DIRECTORIES and matches names
 * in them: an editor that writes a new file and renames it over the old one
 * replaces the inode, which a watch on the file itself would lose.
 *
 *  - Configuration files: every file the running model read (cfg->files),
 *    while autoreload or a callback is set.  Events are debounced
 *    (WATCH_DEBOUNCE_MS after the last one, WATCH_SETTLE_MS if a writer
 *    may still be writing); then the files' contents are
 *    compared with what the model was read from: unchanged content (touch,
 *    an editor saving the same text) does nothing.  A change is reloaded
 *    through the hooks, the path SIGHUP takes, when autoreload is on (a bad
 *    edit is refused there, logged file:line, and the running model stays);
 *    then the callback, if set, runs with the configuration file's name, as
 *    ldirectord's does: on every change on disk, applied or refused.
 *  - The maintenance directory (watch_maint.c): a file named after a real
 *    server forces it down (health_set_maint) while it exists.
 *
 * daemon/ above apply: apply calls in here and installs the hooks, so this
 * file never includes apply.h.  One watcher per process. */
#ifndef FC_DAEMON_WATCH_H
#define FC_DAEMON_WATCH_H

#include <stddef.h>

#include "model/fulcrum-t.h"

/* After the last event on a configuration file: 200 ms once it was closed
 * or renamed into place, 1 s after any other (a write with the file still
 * open, the file moved away or removed: it may be coming back). */
#define WATCH_DEBOUNCE_MS 200
#define WATCH_SETTLE_MS 1000

/* What the watcher asks of apply; installed by watch_apply. */
struct watch_hooks {
	/* A configuration file changed on disk: reload it as SIGHUP does.  0
	 * applied, -1 refused (logged, the running model stays). */
	int (*reload)(struct fulcrum *fc);
	/* Maintenance changed the live state of vs's servers: apply vs. */
	int (*vs_changed)(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
};

/* Before newcfg goes into service (apply_config): its servers that the
 * running model does not have and that a file in newcfg's maintenance_dir
 * names are marked in maintenance (live state only), so that they never
 * enter an engine's table, not even for a moment. */
void watch_premark(struct fulcrum *fc, struct config *newcfg);

/* fc->cfg is a new model (the first one, or a reload): watch what it asks
 * for (a reload that turns autoreload off stops watching the files, one
 * that turns it on starts), remember the files' contents, and bring every
 * server's maintenance in line with its maintenance_dir (through
 * hooks->vs_changed). */
void watch_apply(struct fulcrum *fc, const struct watch_hooks *hooks);

/* vs changed in place (apply_vs): its servers not checked yet (added at
 * run time) are marked as the maintenance directory says.  Nothing is
 * applied here: the caller applies vs next. */
void watch_vs_added(struct fulcrum *fc, struct virtual_server *vs);

/* Daemon stop: every watch, timer and callback ends. */
void watch_stop(struct fulcrum *fc);

#endif
