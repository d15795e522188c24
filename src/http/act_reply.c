/* The answers rules give themselves: deny, tarpit and return, with
 * haproxy 2.6's reply options (configuration.txt 4.2 "http-request
 * return"): [status N] [content-type T] [string S | lf-string F | file P |
 * lf-file P | errorfile P | default-errorfiles] [hdr NAME FMT]... */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http/act.h"
#include "http/h1.h"
#include "http/logfmt.h"
#include "http/reply-t.h"
#include "http/reply.h"
#include "http/txn-t.h"

/* A body must fit one buffer with its head, as in haproxy (tune.bufsize). */
#define REPLY_BODY_MAX 15360

int act_read_file(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return err_set(err, errlen, "cannot read '%s': %s", path, strerror(errno));
	buf = malloc(max + 2);
	if (!buf) {
		fclose(f);
		return err_set(err, errlen, "out of memory");
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		return err_set(err, errlen, "'%s' is larger than %zu bytes", path, max);
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

void act_reply_free(struct act_reply *r)
{
	unsigned i;

	if (!r)
		return;
	free(r->ctype);
	free(r->body);
	logfmt_free(r->body_lf);
	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		logfmt_free(r->hdrs[i].val);
	}
	free(r);
}

static int parse_status(const char *s, unsigned *status, char *err, size_t errlen)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || v < 200 || v > 599)
		return err_set(err, errlen, "status '%s' is not between 200 and 599", s);
	*status = (unsigned)v;
	return 0;
}

/* A body option and its argument: 1 if w was one, 0 if not, -1 on error. */
static int parse_body(struct act_reply *r, const char *w, const char *arg, const struct act_pctx *pc)
{
	char *data;
	size_t len;
	int lf = !strcmp(w, "lf-string") || !strcmp(w, "lf-file");

	if (strcmp(w, "string") && strcmp(w, "file") && strcmp(w, "errorfile") && !lf)
		return 0;
	if (r->body || r->body_lf)
		return err_set(pc->err, pc->errlen, "'%s': only one body (string, lf-string, file, lf-file, "
			       "errorfile)", w);
	if (!arg)
		return err_set(pc->err, pc->errlen, "'%s' expects an argument", w);
	if (!strcmp(w, "string") || !strcmp(w, "lf-string")) {
		data = strdup(arg);
		len = strlen(arg);
		if (!data)
			return err_set(pc->err, pc->errlen, "out of memory");
	} else if (!strcmp(w, "errorfile")) {
		/* a whole answer, read as `errorfile` reads it: what it says
		 * of the connection and its length decide the close */
		struct herr_msg m;

		if (http_errorfile_load(arg, &m, pc->err, pc->errlen) < 0)
			return -1;
		data = m.raw ? m.raw : strdup("");
		len = m.len;
		if (!data)
			return err_set(pc->err, pc->errlen, "out of memory");
	} else if (act_read_file(arg, REPLY_BODY_MAX, &data, &len, pc->err, pc->errlen)) {
		return -1;
	}
	r->errorfile = !strcmp(w, "errorfile");
	if (lf) {
		r->body_lf = logfmt_compile_use(data, pc->use, 0, pc->err, pc->errlen);
		free(data);
		return r->body_lf ? 1 : -1;
	}
	r->body = data;
	r->body_len = len;
	return 1;
}

int act_parse_reply(struct http_act *a, const struct act_pctx *pc)
{
	struct act_reply *r = calloc(1, sizeof(*r));
	int i, b;

	if (!r)
		return err_set(pc->err, pc->errlen, "out of memory");
	a->reply = r;
	r->status = a->kind == ACT_RETURN ? 200 : a->kind == ACT_TARPIT ? 500 : (pc->where & ACT_W_RESP) ? 502 : 403;
	for (i = 0; i < pc->nargs; i++) {
		const char *w = pc->args[i], *arg = i + 1 < pc->nargs ? pc->args[i + 1] : NULL;

		if (!strcmp(w, "status") || (!strcmp(w, "deny_status") && a->kind != ACT_RETURN)) {
			if (!arg)
				return err_set(pc->err, pc->errlen, "'%s' expects a status code", w);
			if (parse_status(arg, &r->status, pc->err, pc->errlen))
				return -1;
			i++;
		} else if (!strcmp(w, "content-type")) {
			if (!arg)
				return err_set(pc->err, pc->errlen, "'content-type' expects a type");
			free(r->ctype);
			r->ctype = strdup(arg);
			if (!r->ctype)
				return err_set(pc->err, pc->errlen, "out of memory");
			i++;
		} else if (!strcmp(w, "hdr")) {
			if (i + 2 >= pc->nargs)
				return err_set(pc->err, pc->errlen, "'hdr' expects NAME FORMAT");
			if (r->nhdrs == ACT_REPLY_HDRS)
				return err_set(pc->err, pc->errlen, "more than %d 'hdr'", ACT_REPLY_HDRS);
			if (!h1_is_token(pc->args[i + 1], strlen(pc->args[i + 1])))
				return err_set(pc->err, pc->errlen, "'%s' is not a valid header name", pc->args[i + 1]);
			if (!strcasecmp(pc->args[i + 1], "content-length")) {
				/* the answer's length is ours to say: haproxy
				 * ignores it too (a second one would frame it
				 * twice) */
				i += 2;
				continue;
			}
			r->hdrs[r->nhdrs].name = strdup(pc->args[i + 1]);
			if (!r->hdrs[r->nhdrs].name)
				return err_set(pc->err, pc->errlen, "out of memory");
			r->hdrs[r->nhdrs].val = logfmt_compile_use(pc->args[i + 2], pc->use, 0, pc->err, pc->errlen);
			r->nhdrs++;
			if (!r->hdrs[r->nhdrs - 1].val)
				return -1;
			i += 2;
		} else if (!strcmp(w, "default-errorfiles")) {
			continue;
		} else if ((b = parse_body(r, w, arg, pc)) != 0) {
			if (b < 0)
				return -1;
			i++;
		} else {
			return err_set(pc->err, pc->errlen, "unknown argument '%s' (status, content-type, string, "
				       "lf-string, file, lf-file, errorfile, hdr)", w);
		}
	}
	/* as haproxy 2.6: a content-type without a body and the headers of a
	 * whole errorfile are ignored (it warns); a body needs a type */
	if ((!r->body_lf && !r->body_len) || r->errorfile) {
		free(r->ctype);
		r->ctype = NULL;
	}
	if (!r->ctype && !r->errorfile && (r->body_lf || r->body_len))
		return err_set(pc->err, pc->errlen, "a content-type must be given with a non-empty body");
	return 0;
}

/* Fill *reply for t: expanded texts go into reply->buf, one after the
 * other; a header whose value comes out empty is left out, as haproxy
 * does. */
void act_build_reply(const struct act_reply *r, struct http_txn *t, struct http_reply *reply)
{
	size_t used = 0, n;
	unsigned i;

	memset(reply, 0, offsetof(struct http_reply, buf));
	reply->status = r->status;
	t->status = r->status; /* %ST in the reply's own texts, as haproxy */
	reply->ctype = r->ctype;
	reply->ctype_len = r->ctype ? strlen(r->ctype) : 0;
	reply->errorfile = r->errorfile;
	reply->body = r->body;
	reply->body_len = r->body_len;
	for (i = 0; !r->errorfile && i < r->nhdrs && used < sizeof(reply->buf) - 1; i++) {
		n = logfmt_build(r->hdrs[i].val, t, reply->buf + used, sizeof(reply->buf) - used);
		if (!n)
			continue;
		reply->hdrs[reply->nhdrs].name = r->hdrs[i].name;
		reply->hdrs[reply->nhdrs].nlen = strlen(r->hdrs[i].name);
		reply->hdrs[reply->nhdrs].val = reply->buf + used;
		reply->hdrs[reply->nhdrs].vlen = n;
		reply->nhdrs++;
		used += n + 1;
	}
	if (r->body_lf && used < sizeof(reply->buf) - 1) {
		reply->body = reply->buf + used;
		reply->body_len = logfmt_build(r->body_lf, t, reply->buf + used, sizeof(reply->buf) - used);
	}
}
