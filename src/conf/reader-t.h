/* Types of the reader registry: one struct conf_reader per configuration
 * grammar (keepalived.conf now; ldirectord.cf and haproxy.cfg later), each
 * building the same model (src/model/model-t.h). */
#ifndef FC_CONF_READER_T_H
#define FC_CONF_READER_T_H

#include <stddef.h>

struct config;
struct conf_diag;

#define CONF_PROBE_LEN (64u << 10) /* bytes of a file its probe sees */

struct conf_reader {
	const char *name; /* --format NAME, and fulcrum -t's "(NAME grammar)" */
	/* How surely `text` (the first CONF_PROBE_LEN bytes of a file, not
	 * NUL-terminated) is in this grammar: 0 not at all, up to 100.  Only
	 * looks; never reports. */
	int (*probe)(const char *text, size_t len);
	/* The whole file (and what it includes) into a new model, or NULL with
	 * every problem reported through d as "file:line: message". */
	struct config *(*load)(const char *path, struct conf_diag *d);
	/* The same from memory; `name` stands for the file in messages. */
	struct config *(*load_string)(const char *name, const char *text, size_t len,
				      struct conf_diag *d);
};

#endif
