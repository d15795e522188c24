/* The reader registry: which grammar a configuration file is read in.
 *
 * `fulcrum -f FILE` probes the file's content with every reader and takes
 * the surest; a file no reader claims is read as keepalived.conf (the first
 * reader), so that its errors are the ones fulcrum always gave.
 * `--format NAME` forces a reader for every read of the process (reloads
 * included). */
#ifndef FC_CONF_READER_H
#define FC_CONF_READER_H

#include "conf/reader-t.h"

/* Every reader, NULL-terminated; the first is the default. */
extern const struct conf_reader *const conf_readers[];
extern const struct conf_reader conf_reader_keepalived; /* src/conf/conf.c */
extern const struct conf_reader conf_reader_ldirectord; /* src/conf/ldirectord.c */
extern const struct conf_reader conf_reader_haproxy;    /* src/conf/haproxy.c */

const struct conf_reader *conf_reader_find(const char *name);
/* The reader whose probe is surest about text (the first of equals), or
 * the default if none claims it. */
const struct conf_reader *conf_reader_probe(const char *text, size_t len);
/* The forced reader, else the one probing the start of `path` picks (an
 * unreadable file: the default, whose load reports it). */
const struct conf_reader *conf_reader_for_file(const char *path);
/* Force the reader NAME (NULL: probe again): 0, or -1 with err naming the
 * grammars fulcrum knows. */
int conf_reader_force(const char *name, char *err, size_t errlen);
/* The reader --format forced, or NULL. */
const struct conf_reader *conf_reader_forced(void);
/* Read the whole file at path (at most LEX_MAX_FILE bytes) and hand it to
 * load_text (a reader's load_string); an unreadable file is reported
 * through d as "path:0: ...".  For the readers' load. */
struct config *conf_reader_load_file(const char *path, struct conf_diag *d,
				     struct config *(*load_text)(const char *name, const char *text,
								 size_t len, struct conf_diag *d));
/* "keepalived" or "keepalived, ldirectord, haproxy": for messages and --help. */
void conf_reader_names(char *buf, size_t len);

#endif
