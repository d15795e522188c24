/* Reading configuration files into the model.
 *
 * The native grammar is keepalived.conf's; the reader registry (reader.h)
 * is where others are added.  Every problem is reported as
 * "file:line: message" through the diag callback; reading goes on after an
 * error so that all of them are reported, and the result is NULL if there
 * was any error.  Warnings (keywords keepalived knows that fulcrum ignores)
 * never fail a read. */
#ifndef FC_CONF_CONF_H
#define FC_CONF_CONF_H

#include <stddef.h>

#include "kw/diag-t.h"
#include "model/model-t.h"

/* Read path in the grammar --format forced, else in the one its content
 * shows (reader.h: keepalived.conf unless another reader claims it). */
struct config *conf_load_file(const char *path, struct conf_diag *d);
/* The same from memory; `name` is used as the file name in messages.
 * include directives are resolved relative to the current directory. */
struct config *conf_load_string(const char *name, const char *text, size_t len,
				struct conf_diag *d);

#endif
