/* Error answers: HAProxy's built-in messages for 200/400/401/403/404/405/
 * 407/408/410/413/425/429/500/501/502/503/504, replaced per proxy by
 * `errorfile STATUS FILE` (a whole raw HTTP response read at load time),
 * `errorfiles NAME [STATUS...]` (from an `http-errors NAME` section) and
 * `http-errors NAME` + `errorfile` lines.
 *
 * Reading: the haproxy.cfg reader hands `errorfile` / `errorfiles` lines
 * of a proxy to http_errors_parse (builds px->errors, sets errors_free),
 * each `http-errors NAME` section's `errorfile` lines to
 * http_errors_section_add, and calls http_errors_resolve after the read. */
#ifndef FC_HTTP_REPLY_H
#define FC_HTTP_REPLY_H

#include <stddef.h>

#include "model/model-t.h"

struct http_errors;

/* args[0] is "errorfile" or "errorfiles".  0, or -1 with err. */
int http_errors_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		      char *err, size_t errlen);
/* An `errorfile STATUS FILE` line inside `http-errors NAME`.  0 or -1. */
int http_errors_section_add(struct config *cfg, const char *section, char **args, int nargs,
			    const char *file, int line, char *err, size_t errlen);
/* Resolve `errorfiles NAME` references of px (also inherited from
 * defaults).  0 or -1 with err. */
int http_errors_resolve(struct config *cfg, struct http_proxy *px, char *err, size_t errlen);
/* Sections read by http_errors_section_add live in config->hp_errsections
 * until the reader, after resolving every proxy (or failing), frees them
 * with this; proxies keep their own copies (or references counted by
 * this module). */
void http_errors_sections_free(struct config *cfg);

/* The raw response (head and body) px answers `status` with: its errorfile
 * if it has one, else HAProxy's built-in message.  Never NULL for the
 * statuses above; for another status, a built-in generic one. */
const char *http_error_msg(const struct http_proxy *px, unsigned status, size_t *len);

#endif
