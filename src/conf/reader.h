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
/* "keepalived" or "keepalived, ldirectord": for messages and --help. */
void conf_reader_names(char *buf, size_t len);

#endif
