/* A bind's `crt-list FILE` (HAProxy's configuration.txt 5.1): one
 * certificate a line,
 *
 *	CERT [ '[' SSL-OPTIONS ']' ] [ [!]SNI-FILTER ... ]
 *
 * blank lines and lines starting with '#' skipped.  CERT is relative to
 * crt-base; the options are the bind's (verify, ca-file, ca-verify-file,
 * crl-file, no-ca-names, alpn, ciphers, ciphersuites, ssl-min-ver,
 * ssl-max-ver; curves and ecdhe taken without effect, as haproxy 2.6's)
 * for this certificate only, over the bind's own: the ClientHello's SNI
 * picks the line before the version and the suite are chosen; the filters are the names the client's SNI picks the certificate
 * by instead of its own (a wildcard `*.example.com` matches one label), a
 * `!NAME` filter keeping NAME from every wildcard.  A bad line is an error
 * at FILE:LINE.  The list is read when the bind's line is over, so the
 * bind's options written after `crt-list` count too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"

#define CRTLIST_MAX (16u << 20) /* a file larger than this is no crt-list */

int hp_crtlist_add(struct hp_read *r, struct hp_crtlist *l, const char *path, const struct tls_bind_opts *o,
		   char *const *sni, unsigned nsni)
{
	struct tls_crt *grown = realloc(l->crt, (l->n + 1) * sizeof(*grown)), *c;

	if (!grown) {
		hp_error(r, "out of memory");
		return -1;
	}
	l->crt = grown;
	c = &l->crt[l->n];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (o && (c->o = malloc(sizeof(*c->o))))
		*c->o = *o;
	if (nsni && (c->sni = calloc(nsni, sizeof(*c->sni))))
		for (c->nsni = 0; c->nsni < nsni && (c->sni[c->nsni] = strdup(sni[c->nsni])); c->nsni++)
			;
	l->n++; /* freed with l from now on */
	if (!c->path || (o && !c->o) || c->nsni != nsni) {
		hp_error(r, "out of memory");
		return -1;
	}
	return 0;
}

void hp_crtlist_free(struct hp_crtlist *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		struct tls_crt *c = &l->crt[i];

		free(c->path);
		free(c->o);
		for (unsigned j = 0; j < c->nsni; j++)
			free(c->sni[j]);
		free(c->sni);
	}
	free(l->crt);
	l->crt = NULL;
	l->n = 0;
}

/* The ssl options of a line between '[' and ']' into o (the bind's
 * options on entry): 0, or -1 reported.  What haproxy 2.6 takes on a
 * line, no more (no-tlsv*, strict-sni... are the bind's only). */
static int line_opts(struct hp_read *r, struct hp_words *w, struct tls_bind_opts *o)
{
	/* through the bind's parser; the versions and TLSv1.3's suites are
	 * the line's from the ClientHello on (core/tls_srv.c) */
	static const char *const ssl_words[] = {"alpn", "ciphers", "ciphersuites", "ssl-min-ver", "ssl-max-ver",
						"curves", "ecdhe", NULL};
	int k, n, i;

	for (k = 0; k < w->n; k += n) {
		const char *kw = w->args[k];

		n = hp_verify_word(r, w, k, o, 0);
		if (n < 0)
			return -1;
		if (n)
			continue;
		for (i = 0; ssl_words[i] && strcmp(kw, ssl_words[i]); i++)
			;
		if (ssl_words[i]) {
			n = hp_ssl_opt_word(r, w, k, o);
			if (n < 0)
				return -1;
			/* haproxy 2.6 takes them, then negotiates the key
			 * exchange with the bind's groups all the same: the
			 * client's groups are matched before the certificate
			 * is picked (compared side by side) */
			if (!strcmp(kw, "curves") || !strcmp(kw, "ecdhe"))
				hp_warn(r, "crt-list: '%s %s' is accepted as haproxy 2.6 accepts it, and like "
					   "haproxy's has no effect (the bind's curves are the ones negotiated)",
					kw, w->args[k + 1]);
			continue;
		}
		if (!strcmp(kw, "allow-0rtt")) {
			hp_warn(r, "crt-list: '%s' only tunes HAProxy: ignored", kw);
			n = 1;
			continue;
		}
		if (!strcmp(kw, "npn")) {
			if (k + 1 >= w->n) {
				hp_error(r, "'npn' needs a value");
				return -1;
			}
			hp_warn(r, "crt-list: 'npn %s' is not used by fulcrum", w->args[k + 1]);
			n = 2;
			continue;
		}
		hp_error(r, "crt-list: unknown ssl option '%s' (verify, ca-file, ca-verify-file, crl-file, "
			    "no-ca-names, alpn, npn, allow-0rtt, ciphers, ciphersuites, curves, ecdhe, ssl-min-ver, "
			    "ssl-max-ver)",
			 kw);
		return -1;
	}
	return 0;
}

/* One line's words: the separators are blanks, '[' and ']' (which stand
 * alone, as HAProxy reads them: "[alpn h2]" is three words); *open and
 * *close the number of words before '[' and ']' (-1: none). */
static int line_words(struct hp_read *r, char *p, struct hp_words *w, int *open, int *close)
{
	w->n = 0;
	*open = *close = -1;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			return 0;
		if (*p == '[' || *p == ']') {
			int *at = *p == '[' ? open : close;

			if (*at >= 0) {
				hp_error(r, "crt-list: a second '%c'", *p);
				return -1;
			}
			if (*p == ']' && *open < 0) {
				hp_error(r, "crt-list: ']' without '['");
				return -1;
			}
			*at = w->n;
			*p++ = 0;
			continue;
		}
		if (w->n == HP_MAX_ARGS) {
			hp_error(r, "crt-list: more than %d words on a line", HP_MAX_ARGS);
			return -1;
		}
		w->args[w->n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '[' && *p != ']')
			p++;
		if (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = 0;
	}
}

/* One line (NUL-ended, writable) into l: 0, or -1 reported. */
static int parse_line(struct hp_read *r, char *line, const struct tls_bind_opts *bind, struct hp_crtlist *l)
{
	struct tls_bind_opts *o = NULL;
	struct hp_words w = {0}, opts = {0};
	char path[2048];
	int open, close, first_sni, i, rc = -1;

	if (line_words(r, line, &w, &open, &close) < 0)
		return -1;
	if (!w.n) {
		if (open >= 0)
			hp_error(r, "crt-list: a line without a certificate");
		return open >= 0 ? -1 : 0;
	}
	if (open >= 0 && close < 0) {
		hp_error(r, "crt-list: '[' without ']'");
		return -1;
	}
	if (open >= 0 && open != 1) {
		hp_error(r, "crt-list: the ssl options '[...]' come right after the certificate");
		return -1;
	}
	first_sni = open >= 0 ? close : 1;
	for (i = first_sni; i < w.n; i++)
		if (!w.args[i][0] || (w.args[i][0] == '!' && !w.args[i][1])) {
			hp_error(r, "crt-list: '%s': an empty SNI filter", w.args[i]);
			return -1;
		}
	if (open >= 0 && close > open) {
		o = malloc(sizeof(*o));
		if (!o) {
			hp_error(r, "out of memory");
			return -1;
		}
		*o = *bind;
		for (i = open; i < close; i++)
			opts.args[opts.n++] = w.args[i];
		if (line_opts(r, &opts, o) < 0)
			goto out;
	}
	if (w.args[0][0] != '/' && r->crt_base[0])
		snprintf(path, sizeof(path), "%s/%s", r->crt_base, w.args[0]);
	else
		snprintf(path, sizeof(path), "%s", w.args[0]);
	rc = hp_crtlist_add(r, l, path, o, w.args + first_sni, (unsigned)(w.n - first_sni));
out:
	free(o);
	return rc;
}

int hp_crtlist_parse(struct hp_read *r, const char *name, const char *text, size_t len,
		     const struct tls_bind_opts *bind, struct hp_crtlist *l)
{
	const char *file = r->file;
	int line = r->line, n = 0, rc = 0;
	size_t pos = 0;

	r->file = name; /* the errors are at the list's lines */
	while (pos < len && rc == 0) {
		const char *end = memchr(text + pos, '\n', len - pos);
		size_t ll = (end ? (size_t)(end - text) : len) - pos;
		char *copy;

		r->line = ++n;
		copy = strndup(text + pos, ll);
		if (!copy) {
			hp_error(r, "out of memory");
			rc = -1;
			break;
		}
		if (strlen(copy) != ll) {
			hp_error(r, "crt-list: a NUL byte in the line");
			rc = -1;
		} else {
			const char *p = copy + strspn(copy, " \t\r");

			if (*p && *p != '#')
				rc = parse_line(r, copy, bind, l);
		}
		free(copy);
		pos += ll + 1;
	}
	r->file = file;
	r->line = line;
	return rc;
}

int hp_crtlist_load(struct hp_read *r, const char *path, const struct tls_bind_opts *bind, struct hp_crtlist *l)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	if (r->fuzz)
		return 0; /* the file system is not touched (tests/fuzz/fuzz_crtlist.c reads lists) */
	f = fopen(path, "r");
	if (!f) {
		hp_error(r, "bind: crt-list '%s': %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			char *grown = cap < CRTLIST_MAX ? realloc(text, cap ? cap * 2 : 4096) : NULL;

			if (!grown) {
				hp_error(r, "bind: crt-list '%s': %s", path,
					 cap < CRTLIST_MAX ? "out of memory" : "larger than 16 MiB");
				free(text);
				fclose(f);
				return -1;
			}
			text = grown;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	if (rc < 0)
		hp_error(r, "bind: crt-list '%s': cannot be read", path);
	else
		rc = hp_crtlist_parse(r, path, text, len, bind, l);
	free(text);
	return rc;
}
