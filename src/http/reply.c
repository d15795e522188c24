/* Error answers: HAProxy's built-in messages, `errorfile`, `errorfiles`
 * and `http-errors` sections (reply.h, reply-t.h), and the answers the
 * rules prepare (struct http_reply) put on the wire. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/err.h"
#include "http/h1.h"
#include "http/reply-t.h"
#include "http/reply.h"
#include "http/rules.h"
#include "model/model-t.h"

/* An errorfile larger than this cannot be sent from one buffer (HAProxy
 * refuses it too: tune.bufsize). */
#define HERR_FILE_MAX 16384

/* HAProxy 2.6's built-in answers, byte for byte as it sends them (501's
 * stray dot included).  400 and 408 end the connection. */
#define HERR_HEAD(code, reason, clen)                                                              \
	"HTTP/1.1 " code " " reason "\r\ncontent-length: " clen                                    \
	"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n"
#define HERR_BODY(code, reason, text) "<html><body><h1>" code " " reason "</h1>\n" text "\n</body></html>\n"

static const struct {
	unsigned status;
	const char *msg;
} builtin[HERR_N] = {
    {200, HERR_HEAD("200", "OK", "58") "\r\n" HERR_BODY("200", "OK", "Service ready.")},
    {400, HERR_HEAD("400", "Bad request", "90") "connection: close\r\n\r\n" HERR_BODY(
	      "400", "Bad request", "Your browser sent an invalid request.")},
    {401, HERR_HEAD("401", "Unauthorized", "112") "\r\n" HERR_BODY(
	      "401", "Unauthorized", "You need a valid user and password to access this content.")},
    {403, HERR_HEAD("403", "Forbidden", "93") "\r\n" HERR_BODY(
	      "403", "Forbidden", "Request forbidden by administrative rules.")},
    {404, HERR_HEAD("404", "Not Found", "83") "\r\n" HERR_BODY("404", "Not Found",
							       "The resource could not be found.")},
    {405, HERR_HEAD("405", "Method Not Allowed", "146") "\r\n" HERR_BODY(
	      "405", "Method Not Allowed",
	      "A request was made of a resource using a request method not supported by that "
	      "resource")},
    {407, HERR_HEAD("407", "Unauthorized", "112") "\r\n" HERR_BODY(
	      "407", "Unauthorized", "You need a valid user and password to access this content.")},
    {408, HERR_HEAD("408", "Request Time-out", "110") "connection: close\r\n\r\n" HERR_BODY(
	      "408", "Request Time-out", "Your browser didn't send a complete request in time.")},
    {410, HERR_HEAD("410", "Gone", "114") "\r\n" HERR_BODY(
	      "410", "Gone",
	      "The resource is no longer available and will not be available again.")},
    {413, HERR_HEAD("413", "Payload Too Large", "106") "\r\n" HERR_BODY(
	      "413", "Payload Too Large", "The request entity exceeds the maximum allowed.")},
    {425, HERR_HEAD("425", "Too Early", "80") "\r\n" HERR_BODY("425", "Too Early",
							       "Your browser sent early data.")},
    {429, HERR_HEAD("429", "Too Many Requests", "117") "\r\n" HERR_BODY(
	      "429", "Too Many Requests",
	      "You have sent too many requests in a given amount of time.")},
    {500, HERR_HEAD("500", "Internal Server Error", "97") "\r\n" HERR_BODY(
	      "500", "Internal Server Error", "An internal server error occurred.")},
    {501, HERR_HEAD("501", "Not Implemented", "136") "\r\n" HERR_BODY(
	      "501", "Not Implemented",
	      ".The server does not support the functionality required to fulfill the request.")},
    {502, HERR_HEAD("502", "Bad Gateway", "107") "\r\n" HERR_BODY(
	      "502", "Bad Gateway", "The server returned an invalid or incomplete response.")},
    {503, HERR_HEAD("503", "Service Unavailable", "107") "\r\n" HERR_BODY(
	      "503", "Service Unavailable", "No server is available to handle this request.")},
    {504, HERR_HEAD("504", "Gateway Time-out", "92") "\r\n" HERR_BODY(
	      "504", "Gateway Time-out", "The server didn't respond in time.")},
};

/* The index of status in builtin[] (and in http_errors.table), or -1. */
static int herr_index(unsigned status)
{
	int i;

	for (i = 0; i < HERR_N; i++)
		if (builtin[i].status == status)
			return i;
	return -1;
}

int http_error_known(unsigned status)
{
	return herr_index(status) >= 0;
}

const char *http_error_msg(const struct http_proxy *px, unsigned status, size_t *len)
{
	int i = herr_index(status);

	if (i < 0)
		i = herr_index(500);
	if (px && px->errors && px->errors->has[i]) {
		*len = px->errors->table[i].len;
		return px->errors->table[i].raw ? px->errors->table[i].raw : "";
	}
	*len = strlen(builtin[i].msg);
	return builtin[i].msg;
}

/* ---- errorfile: read and normalise ---- */

static int parse_status(const char *s, unsigned *status, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || herr_index((unsigned)v) < 0)
		return err_set(err, errlen,
			       "status code '%s' cannot be replaced (one of 200, 400, 401, 403, 404, "
			       "405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504)",
			       s);
	*status = (unsigned)v;
	return 0;
}

/* Append n bytes to the growing message m (cap HERR_FILE_MAX + room for
 * the added header; the text stays NUL-ended for the reader's sake). */
static void put(struct herr_msg *m, const char *s, size_t n)
{
	memcpy(m->raw + m->len, s, n);
	m->len += n;
}

static int hdr_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && line[n] == ':' && !strncasecmp(line, name, n);
}

/* Whether a Connection header's value v[0..len) lists `close` (any
 * case, between blanks or commas). */
static int says_close(const char *v, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++)
		if (!strncasecmp(v + i, "close", 5) && (!i || strchr(" \t,", v[i - 1])) &&
		    (i + 5 == len || strchr(" \t,", v[i + 5])))
			return 1;
	return 0;
}

/* The file's text as the answer to send: the status line and headers as
 * written (bare LF or CRLF) but its Connection header, the body as is.
 * `connection: close` ends the head when the answer cannot leave the
 * connection usable: the file asked for a close, or says no length (its
 * body ends at the close).  Otherwise the connection stays open after it,
 * as HAProxy 2.6's does.  A Content-Length that does not match the body
 * is refused (HAProxy refuses it too). */
static int normalise(const char *text, size_t tlen, const char *path, struct herr_msg *out,
		     char *err, size_t errlen)
{
	const char *p = text, *end = text + tlen, *eol;
	int first = 1, has_cl = 0, closes = 0;
	unsigned long long cl = 0;

	out->raw = malloc(tlen * 2 + 64); /* every LF may become CRLF */
	out->len = 0;
	if (!out->raw)
		return err_set(err, errlen, "out of memory");
	for (;;) {
		size_t ll;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			goto bad;
		ll = (size_t)(eol - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (first) {
			if (ll < 12 || strncmp(p, "HTTP/1.", 7) || p[8] != ' ')
				goto bad;
			first = 0;
		} else if (!ll) {
			p = eol + 1;
			break;
		} else if (!memchr(p, ':', ll)) {
			goto bad;
		}
		if (hdr_is(p, ll, "connection")) {
			closes |= says_close(p + 11, ll - 11);
			p = eol + 1;
			continue;
		}
		if (hdr_is(p, ll, "content-length")) {
			has_cl = 1;
			cl = strtoull(p + 15, NULL, 10);
		}
		put(out, p, ll);
		put(out, "\r\n", 2);
		p = eol + 1;
	}
	if (has_cl && cl != (unsigned long long)(end - p)) {
		free(out->raw);
		out->raw = NULL;
		return err_set(err, errlen,
			       "errorfile '%s': the body is %zu bytes but Content-Length says %llu",
			       path, (size_t)(end - p), cl);
	}
	if (closes || !has_cl)
		put(out, "connection: close\r\n", 19);
	put(out, "\r\n", 2);
	put(out, p, (size_t)(end - p));
	out->raw[out->len] = 0;
	return 0;
bad:
	free(out->raw);
	out->raw = NULL;
	return err_set(err, errlen, "errorfile '%s': not an HTTP/1.x response (status line, headers, "
		       "empty line, body)", path);
}

int http_errorfile_load(const char *path, struct herr_msg *out, char *err, size_t errlen)
{
	char *text = malloc(HERR_FILE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd, r;

	memset(out, 0, sizeof(*out));
	if (!text)
		return err_set(err, errlen, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(text);
		return err_set(err, errlen, "errorfile '%s': %s", path, strerror(errno));
	}
	while ((n = read(fd, text + len, HERR_FILE_MAX + 1 - len)) > 0 && len + (size_t)n <= HERR_FILE_MAX)
		len += (size_t)n;
	close(fd);
	if (n > 0) {
		free(text);
		return err_set(err, errlen, "errorfile '%s': larger than %d bytes", path,
			       HERR_FILE_MAX);
	}
	if (n < 0) {
		free(text);
		return err_set(err, errlen, "errorfile '%s': %s", path, strerror(errno));
	}
	/* an empty file (/dev/null): the connection closes without an answer */
	r = len ? normalise(text, len, path, out, err, errlen) : 0;
	free(text);
	return r;
}

/* ---- the lines of a proxy or a section ---- */

static struct http_errors *errors_new(const char *name)
{
	struct http_errors *e = calloc(1, sizeof(*e));

	if (e && name && !(e->name = strdup(name))) {
		free(e);
		return NULL;
	}
	return e;
}

static struct herr_line *line_add(struct http_errors *e, const char *file, int line)
{
	struct herr_line *l = realloc(e->lines, (e->nlines + 1) * sizeof(*l));

	if (!l)
		return NULL;
	e->lines = l;
	l = &e->lines[e->nlines++];
	memset(l, 0, sizeof(*l));
	l->file = file;
	l->line = line;
	return l;
}

static int msg_copy(struct herr_msg *to, const struct herr_msg *from)
{
	to->len = from->len;
	to->raw = NULL;
	if (!from->len)
		return 0;
	to->raw = malloc(from->len + 1);
	if (!to->raw)
		return -1;
	memcpy(to->raw, from->raw, from->len + 1);
	return 0;
}

/* Set table entry `status` of e to a copy of m (the last one wins). */
static int table_set(struct http_errors *e, unsigned status, const struct herr_msg *m)
{
	int i = herr_index(status);
	struct herr_msg c;

	if (i < 0 || msg_copy(&c, m) < 0)
		return -1;
	free(e->table[i].raw);
	e->table[i] = c;
	e->has[i] = 1;
	return 0;
}

static void errors_free(struct http_errors *e)
{
	unsigned i;

	if (!e)
		return;
	for (i = 0; i < e->nlines; i++) {
		free(e->lines[i].msg.raw);
		free(e->lines[i].ref);
	}
	for (i = 0; i < HERR_N; i++)
		free(e->table[i].raw);
	free(e->lines);
	free(e->name);
	free(e);
}

/* `errorfile STATUS FILE` into e. */
static int errorfile_line(struct http_errors *e, char **args, int nargs, const char *file,
			  int line, char *err, size_t errlen)
{
	struct herr_msg m;
	struct herr_line *l;
	unsigned status;

	if (nargs != 3)
		return err_set(err, errlen, "'errorfile' expects a status code and a file name");
	if (parse_status(args[1], &status, err, errlen) < 0 ||
	    http_errorfile_load(args[2], &m, err, errlen) < 0)
		return -1;
	l = line_add(e, file, line);
	if (!l) {
		free(m.raw);
		return err_set(err, errlen, "out of memory");
	}
	l->status = status;
	l->msg = m;
	return 0;
}

static int errorfiles_line(struct http_errors *e, char **args, int nargs, const char *file,
			   int line, char *err, size_t errlen)
{
	struct herr_line *l;
	unsigned st[HERR_N], n = 0;
	int i;

	if (nargs < 2)
		return err_set(err, errlen, "'errorfiles' expects the name of an http-errors section");
	if (nargs - 2 > HERR_N)
		return err_set(err, errlen, "'errorfiles': too many status codes");
	for (i = 2; i < nargs; i++)
		if (parse_status(args[i], &st[n++], err, errlen) < 0)
			return -1;
	l = line_add(e, file, line);
	if (!l || !(l->ref = strdup(args[1]))) {
		if (l)
			e->nlines--;
		return err_set(err, errlen, "out of memory");
	}
	memcpy(l->statuses, st, n * sizeof(st[0]));
	l->nstatus = n;
	return 0;
}

static void proxy_errors_free(struct http_errors *e)
{
	errors_free(e);
}

int http_errors_parse(struct http_proxy *px, char **args, int nargs, const char *file, int line,
		      char *err, size_t errlen)
{
	if (!px->errors) {
		px->errors = errors_new(NULL);
		if (!px->errors)
			return err_set(err, errlen, "out of memory");
		px->errors_free = proxy_errors_free;
	}
	if (!strcmp(args[0], "errorfile"))
		return errorfile_line(px->errors, args, nargs, file, line, err, errlen);
	if (!strcmp(args[0], "errorfiles"))
		return errorfiles_line(px->errors, args, nargs, file, line, err, errlen);
	return err_set(err, errlen, "unknown keyword '%s'", args[0]);
}

static struct http_errors *section_find(struct config *cfg, const char *name)
{
	struct http_errors *s;

	for (s = cfg->hp_errsections; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

int http_errors_section_add(struct config *cfg, const char *section, char **args, int nargs,
			    const char *file, int line, char *err, size_t errlen)
{
	struct http_errors *s = section_find(cfg, section);
	struct herr_line *l;

	if (strcmp(args[0], "errorfile"))
		return err_set(err, errlen, "unknown keyword '%s' in http-errors section '%s'",
			       args[0], section);
	if (!s) {
		s = errors_new(section);
		if (!s)
			return err_set(err, errlen, "out of memory");
		s->next = cfg->hp_errsections;
		cfg->hp_errsections = s;
	}
	if (errorfile_line(s, args, nargs, file, line, err, errlen) < 0)
		return -1;
	l = &s->lines[s->nlines - 1];
	if (table_set(s, l->status, &l->msg) < 0)
		return err_set(err, errlen, "out of memory");
	return 0;
}

int http_errors_resolve(struct config *cfg, struct http_proxy *px, const char **file, int *line, char *err,
			size_t errlen)
{
	struct http_errors *e = px->errors;
	unsigned i, k;

	if (!e)
		return 0;
	for (i = 0; i < e->nlines; i++) {
		const struct herr_line *l = &e->lines[i];
		const struct http_errors *s;

		if (!l->ref) {
			if (table_set(e, l->status, &l->msg) < 0)
				return err_set(err, errlen, "out of memory");
			continue;
		}
		s = section_find(cfg, l->ref);
		if (!s) {
			if (l->file)
				*file = l->file;
			*line = l->line;
			return err_set(err, errlen, "errorfiles: unknown http-errors section '%s'", l->ref);
		}
		for (k = 0; k < (l->nstatus ? l->nstatus : HERR_N); k++) {
			int j = herr_index(l->nstatus ? l->statuses[k] : builtin[k].status);

			/* a status the section does not replace keeps what it had */
			if (!s->has[j])
				continue;
			if (table_set(e, builtin[j].status, &s->table[j]) < 0)
				return err_set(err, errlen, "out of memory");
		}
	}
	return 0;
}

void http_errors_sections_free(struct config *cfg)
{
	while (cfg->hp_errsections) {
		struct http_errors *s = cfg->hp_errsections;

		cfg->hp_errsections = s->next;
		errors_free(s);
	}
}

struct http_errors *http_errors_dup(const struct http_errors *from)
{
	struct http_errors *e;
	unsigned i;

	if (!from)
		return NULL;
	e = errors_new(from->name);
	if (!e)
		return NULL;
	for (i = 0; i < from->nlines; i++) {
		const struct herr_line *f = &from->lines[i];
		struct herr_line *l = line_add(e, f->file, f->line);

		if (!l)
			goto oom;
		*l = *f;
		l->ref = NULL;
		l->msg.raw = NULL;
		if (msg_copy(&l->msg, &f->msg) < 0 || (f->ref && !(l->ref = strdup(f->ref))))
			goto oom;
	}
	for (i = 0; i < HERR_N; i++)
		if (from->has[i] && table_set(e, builtin[i].status, &from->table[i]) < 0)
			goto oom;
	return e;
oom:
	errors_free(e);
	return NULL;
}

void http_errors_free(struct http_errors *e)
{
	errors_free(e);
}

/* ---- answers the rules prepared ---- */

static size_t append(char *out, size_t cap, size_t at, const char *s, size_t n)
{
	if (at >= cap || n > cap - at)
		return cap; /* saturate: the caller sees at == cap */
	memcpy(out + at, s, n);
	return at + n;
}

/* A redirect's status line says what HAProxy's says (its 302 is "Found",
 * where its other answers say "Moved Temporarily"). */
static const char *redirect_reason(unsigned status)
{
	return status == 302 ? "Found" : h1_reason(status);
}

/* http-request auth's answer: the proxy's 401 message (an errorfile's
 * too) with the challenge as the head's last header, where HAProxy adds
 * it.  A head without its end (an errorfile of a status line alone) gets
 * the header at its end. */
static size_t auth_challenge(const char *msg, size_t len, const char *realm, char *out, size_t cap)
{
	char hdr[300];
	size_t at, hlen, i;

	hlen = (size_t)snprintf(hdr, sizeof(hdr), "www-authenticate: Basic realm=\"%s\"\r\n", realm);
	if (hlen >= sizeof(hdr))
		return 0;
	for (i = 0; i + 1 < len; i++)
		if (msg[i] == '\n' && (msg[i + 1] == '\n' || (msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')))
			break;
	i = i + 1 < len ? i + 1 : len; /* after the last header's line end */
	at = append(out, cap, 0, msg, i);
	at = append(out, cap, at, hdr, hlen);
	at = append(out, cap, at, msg + i, len - i);
	return at >= cap ? 0 : at;
}

int http_reply_empty(const struct http_proxy *px, const struct http_reply *r)
{
	size_t len;

	if (r->errorfile)
		return !r->body_len;
	if (r->body || r->ctype || r->nhdrs)
		return 0;
	(void)http_error_msg(px, r->status, &len);
	return !len && !r->auth_realm;
}

size_t http_reply_build(const struct http_proxy *px, const struct http_reply *r, char *out,
			size_t cap)
{
	char line[128];
	size_t at = 0, len, clen;
	const char *msg;
	unsigned i;

	if (r->errorfile) {
		msg = r->body;
		len = r->body_len;
	} else if (!r->body && !r->ctype && !r->nhdrs) {
		/* a bare `deny [deny_status N]`: the proxy's message for N */
		msg = http_error_msg(px, r->status, &len);
	} else {
		msg = NULL;
		len = 0;
	}
	if (msg && r->auth_realm)
		return auth_challenge(msg, len, r->auth_realm, out, cap);
	if (msg)
		return len <= cap ? (memcpy(out, msg, len), len) : 0;

	/* HAProxy 2.6's order: a redirect says its length first, then where
	 * to go (and 302/303/307 that they are not to be cached); a return or
	 * deny its own headers, then the length and the type */
	len = (size_t)snprintf(line, sizeof(line), "HTTP/1.1 %u %s\r\n", r->status,
			       r->redirect ? redirect_reason(r->status) : h1_reason(r->status));
	at = append(out, cap, at, line, len);
	clen = (size_t)snprintf(line, sizeof(line), "content-length: %zu\r\n", r->body ? r->body_len : 0);
	if (r->redirect)
		at = append(out, cap, at, line, clen);
	for (i = 0; i < r->nhdrs && i < HTTP_REPLY_HDRS; i++) {
		at = append(out, cap, at, r->hdrs[i].name, r->hdrs[i].nlen);
		at = append(out, cap, at, ": ", 2);
		at = append(out, cap, at, r->hdrs[i].val, r->hdrs[i].vlen);
		at = append(out, cap, at, "\r\n", 2);
	}
	if (r->redirect && (r->status == 302 || r->status == 303 || r->status == 307))
		at = append(out, cap, at, "cache-control: no-cache\r\n", 25);
	if (!r->redirect)
		at = append(out, cap, at, line, clen);
	if (r->ctype) {
		at = append(out, cap, at, "content-type: ", 14);
		at = append(out, cap, at, r->ctype, r->ctype_len);
		at = append(out, cap, at, "\r\n", 2);
	}
	at = append(out, cap, at, "\r\n", 2);
	if (r->body)
		at = append(out, cap, at, r->body, r->body_len);
	return at >= cap ? 0 : at;
}

int http_reply_closes(const char *msg, size_t len)
{
	static const char needle[] = "\nconnection: close\r\n";
	size_t n = sizeof(needle) - 1, i;

	/* an empty answer closes; so does one that says it will */
	if (!len)
		return 1;
	for (i = 0; i + n <= len; i++) {
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n' && i + 3 < len &&
		    msg[i + 2] == '\r' && msg[i + 3] == '\n')
			return 0; /* end of the head */
		if (!strncasecmp(msg + i, needle, n))
			return 1;
	}
	return 0;
}
