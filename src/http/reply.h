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
struct http_reply;

/* args[0] is "errorfile" or "errorfiles".  0, or -1 with err. */
int http_errors_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		      char *err, size_t errlen);
/* An `errorfile STATUS FILE` line inside `http-errors NAME`.  0 or -1. */
int http_errors_section_add(struct config *cfg, const char *section, char **args, int nargs,
			    const char *file, int line, char *err, size_t errlen);
/* Resolve `errorfiles NAME` references of px (also inherited from
 * defaults).  0, or -1 with err and *file, *line set to the offending
 * line's place (the reader prefixes it, once). */
int http_errors_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
			size_t errlen);
/* Sections read by http_errors_section_add live in config->hp_errsections
 * until the reader, after resolving every proxy (or failing), frees them
 * with this; proxies keep their own copies (or references counted by
 * this module). */
void http_errors_sections_free(struct config *cfg);

/* The raw response (head and body) px answers `status` with: its errorfile
 * if it has one, else HAProxy's built-in message.  Never NULL for the
 * statuses above; for another status, a built-in generic one. */
const char *http_error_msg(const struct http_proxy *px, unsigned status, size_t *len);

/* An errorfile (`errorfile`, and `http-request return ... errorfile`) read
 * as the answer to send (struct herr_msg): 0, or -1 with err set. */
struct herr_msg;
int http_errorfile_load(const char *path, struct herr_msg *out, char *err, size_t errlen);

/* 1 if HAProxy has a built-in message for status (so errorfile and
 * deny_status may name it). */
int http_error_known(unsigned status);
/* A copy of a proxy's lines (for a section that inherits a `defaults`
 * section's errorfile lines: copy, then add its own), NULL if none or out
 * of memory; and its release (the proxy's errors_free does the same). */
struct http_errors *http_errors_dup(const struct http_errors *e);
void http_errors_free(struct http_errors *e);

/* Write the answer a rule prepared into out[0..cap): an errorfile's raw
 * bytes, a bare deny's px message for its status, else a status line,
 * content-length, content-type, the headers and the body.  Its length, or
 * 0 if it does not fit. */
/* 1 if what r answers is an empty message (an errorfile of /dev/null,
 * its own or the proxy's for its status): http_reply_build's 0 is then
 * that answer, a close without a byte, and no failure. */
int http_reply_empty(const struct http_proxy *px, const struct http_reply *r);
size_t http_reply_build(const struct http_proxy *px, const struct http_reply *r, char *out,
			size_t cap);
/* 1 if the raw answer ends the connection (empty, or `connection: close`
 * in its head). */
int http_reply_closes(const char *msg, size_t len);

#endif
