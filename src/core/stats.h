/* The statistics-field walker: JSON from a table (core/stats-t.h). */
#ifndef FC_CORE_STATS_H
#define FC_CORE_STATS_H

#include "core/sbuf.h"
#include "core/stats-t.h"

/* obj as a JSON object: "{" every field of t "}". */
void stat_json(struct sbuf *out, const struct stat_table *t, const void *obj, struct stat_ctx *c);

/* A document written piece by piece (a listing of thousands of servers):
 * stat_json_head writes "{", the fields before t's first `stream` LIST
 * and that field's "name":[ ; the caller writes the items (stat_json of the
 * field's sub, comma-separated); stat_json_tail writes "]", the fields
 * after it and "}".  Returns the stream field (NULL: t has none, and head
 * wrote the whole object). */
const struct stat_field *stat_json_head(struct sbuf *out, const struct stat_table *t,
					const void *obj, struct stat_ctx *c);
void stat_json_tail(struct sbuf *out, const struct stat_table *t, const void *obj,
		    struct stat_ctx *c);

/* Read one scalar field of obj (a getter or a load).  For exporters and tests. */
enum stat_got stat_read(const struct stat_field *f, const void *obj, struct stat_ctx *c,
			union stat_val *v);

/* The name of a type ("counter", "gauge"...), NULL if t is not one. */
const char *stat_type_name(enum stat_type t);
/* A number field (COUNTER, GAUGE, CONFIG, FLOAT) as every text output
 * writes it: 1 if f is one and v was written, else 0 and nothing. */
int stat_number(struct sbuf *out, const struct stat_field *f, const union stat_val *v);

/* Shared tables: an address and its port, inlined by every kind of object
 * that has one ({"address":"10.0.0.1","port":80}; the object is a struct
 * fc_addr). */
extern const struct stat_table stat_endpoint;

/* For getters: src (a char[size] that may lack its terminator) copied
 * into c->buf, bounded and terminated; returns c->buf. */
const char *stat_chars(struct stat_ctx *c, const char *src, size_t size);

/* Shared getters */
enum stat_got stat_get_self(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			    union stat_val *v); /* v->p = obj: a sub-object of the same object */

#endif
