/* mkman: the man pages, generated.
 *
 *   mkman fulcrum.conf.5 man/fulcrum.conf.5.md            > fulcrum.conf.5
 *   mkman fulcrumctl.8   man/fulcrumctl.8.md              > fulcrumctl.8
 *   mkman fulcrum.8      man/fulcrum.8.md HELP.txt...     > fulcrum.8
 *
 * A page is a short hand-written header (markdown: NAME, DESCRIPTION, FILES,
 * SEE ALSO...) with the generated part put where the header has the line
 * "<!-- generated -->" (at the end if it has none):
 *   fulcrum.conf(5)  the keyword reference from the keyword tables
 *                    (kw_doc_markdown, src/conf/kw_doc.c);
 *   fulcrumctl(8)    doc/fulcrumctl.md's text, from the command table
 *                    (ctl_help_markdown, src/ctl/cmdtab.c);
 *   fulcrum(8)       the options, from `fulcrum --help` and
 *                    `fulcrum realserver --help` saved to HELP.txt files.
 * So one thing is written by hand once and the tables are the truth for the
 * rest.  The markdown the generators and headers use (headings, paragraphs,
 * pipe tables, indented code, `code`, **bold**, [links](url)) is turned into
 * man(7) roff here: nothing else needs to be installed to build the pages. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ka.h"
#include "core/sbuf.h"
#include "core/version.h"
#include "ctl/ctl.h"

#define GENERATED_MARK "<!-- generated -->"
#define LINE_MAX_LEN   8192

static int read_file(const char *path, struct sbuf *out)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "mkman: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(out, buf, n);
	fclose(f);
	return 0;
}

/* ---- --help text to markdown (fulcrum(8)) ---- */

static int indent_of(const char *l)
{
	int n = 0;

	while (l[n] == ' ')
		n++;
	return n;
}

/* "  -f, --use-file=FILE     text" or "      --control=PATH  text" */
static int is_option(const char *l)
{
	int i = indent_of(l);

	return i >= 2 && i <= 6 && l[i] == '-' && strstr(l + i, "  ");
}

/* A usage text: a "Usage: fulcrum ..." line is the SYNOPSIS's job and is
 * skipped, a "Usage:" line alone introduces usage lines (code), option lines
 * make a table (deeper lines continue them), a "word:" line a sub-heading
 * whose indented lines are its text, other indented lines are code, the
 * rest paragraphs. */
static void help_to_md(const char *text, struct sbuf *md)
{
	const char *l = text, *nl;
	int in_table = 0, in_usage = 0, in_sub = 0;

	for (; *l; l = nl ? nl + 1 : l + strlen(l)) {
		char line[LINE_MAX_LEN];
		int ind;
		size_t len;

		nl = strchr(l, '\n');
		len = nl ? (size_t)(nl - l) : strlen(l);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, l, len);
		line[len] = 0;
		ind = indent_of(line);
		if (in_table && (!len || ind <= 6 || is_option(line))) {
			sbuf_puts(md, " |\n");
			in_table = 0;
		}
		if (!len) {
			sbuf_puts(md, "\n");
			in_usage = in_sub = 0;
		} else if (!strncmp(line, "Usage:", 6)) {
			in_usage = !line[6];
		} else if (in_usage && ind >= 2) {
			sbuf_printf(md, "    %s\n", line + ind);
		} else if (is_option(line)) {
			char *gap = strstr(line + ind, "  ");

			*gap = 0;
			sbuf_printf(md, "%s| `%s` | %s", in_table ? "" : "\n| Option | Meaning |\n|---|---|\n",
				    line + ind, gap + 2 + indent_of(gap + 2));
			in_table = 1;
		} else if (in_table) {
			sbuf_printf(md, " %s", line + ind);
		} else if (!ind && line[len - 1] == ':' && !strchr(line, ' ')) {
			sbuf_printf(md, "\n### %.*s\n\n", (int)len - 1, line);
			in_sub = 1;
		} else if (ind && !in_sub) {
			sbuf_printf(md, "    %s\n", line + ind);
		} else {
			sbuf_printf(md, "%s\n", line + ind);
		}
	}
	if (in_table)
		sbuf_puts(md, " |\n");
	sbuf_puts(md, "\n");
}

/* ---- markdown to roff ---- */

/* Roff text: a backslash is \e, a line may not start with . or '. */
static void put_plain(struct sbuf *out, const char *s, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			sbuf_puts(out, "\\e");
		else if (s[i] == '-' && code)
			sbuf_puts(out, "\\-");
		else if ((s[i] == '.' || s[i] == '\'') && (!out->len || out->s[out->len - 1] == '\n'))
			sbuf_printf(out, "\\&%c", s[i]);
		else
			sbuf_add(out, s + i, 1);
	}
}

/* One line of markdown text: code spans and bold in \fB, links as their
 * text, backslash escapes resolved. */
static void put_inline(struct sbuf *out, const char *s)
{
	const char *p = s, *end;

	while (*p) {
		if (*p == '`' && (end = strchr(p + 1, '`'))) {
			sbuf_puts(out, "\\fB");
			put_plain(out, p + 1, (size_t)(end - p - 1), 1);
			sbuf_puts(out, "\\fR");
			p = end + 1;
		} else if (!strncmp(p, "**", 2) && (end = strstr(p + 2, "**"))) {
			sbuf_puts(out, "\\fB");
			put_plain(out, p + 2, (size_t)(end - p - 2), 0);
			sbuf_puts(out, "\\fR");
			p = end + 2;
		} else if (*p == '[' && (end = strstr(p, "](")) && strchr(end, ')')) {
			put_plain(out, p + 1, (size_t)(end - p - 1), 0);
			p = strchr(end, ')') + 1;
		} else if (*p == '*' && p[1] && p[1] != ' ' && p[1] != '*' &&
			   (end = strchr(p + 1, '*')) && end[-1] != ' ') {
			sbuf_puts(out, "\\fI");
			put_plain(out, p + 1, (size_t)(end - p - 1), 0);
			sbuf_puts(out, "\\fR");
			p = end + 1;
		} else if (p[0] == '\\' && p[1] == '-') {
			sbuf_puts(out, "\\-"); /* NAME's "page \- what it is" */
			p += 2;
		} else if (*p == '\\' && p[1] && ispunct((unsigned char)p[1])) {
			put_plain(out, p + 1, 1, 0);
			p += 2;
		} else {
			put_plain(out, p, 1, 0);
			p++;
		}
	}
}

/* Split a table row into cells at '|' not escaped by '\'. */
static int split_row(char *row, char **cells, int max)
{
	char *p = row, *start;
	int n = 0;

	while (*p == ' ')
		p++;
	if (*p == '|')
		p++;
	start = p;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p != '|')
			continue;
		*p = 0;
		if (n < max)
			cells[n++] = start;
		start = p + 1;
	}
	for (int i = 0; i < n; i++) {
		char *q;

		/* "\\|" is a '|' inside a cell, code spans included (GFM) */
		for (q = cells[i]; (q = strstr(q, "\\|"));)
			memmove(q, q + 1, strlen(q));
		while (*cells[i] == ' ')
			cells[i]++;
		for (p = cells[i] + strlen(cells[i]); p > cells[i] && p[-1] == ' ';)
			*--p = 0;
	}
	return n;
}

#define MAX_COLS 8

/* A table becomes one tagged paragraph per row: the first cell is the tag;
 * a third column onwards is "Header: cell". */
static void put_table_row(struct sbuf *out, char *line, char heads[MAX_COLS][64], int nheads)
{
	char *cells[MAX_COLS];
	int n = split_row(line, cells, MAX_COLS), i;

	if (!n)
		return;
	sbuf_puts(out, ".TP\n");
	put_inline(out, cells[0]);
	sbuf_puts(out, "\n");
	for (i = 1; i < n; i++) {
		if (i > 1 && !*cells[i])
			continue;
		if (i > 1)
			sbuf_printf(out, "%s%s: ", i > 1 ? "\n.br\n" : "", i < nheads ? heads[i] : "");
		put_inline(out, *cells[i] ? cells[i] : "");
	}
	sbuf_puts(out, "\n");
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static void md_to_roff(const char *md, struct sbuf *out)
{
	char *copy = strdup(md), *p, *l, *nl;
	char heads[MAX_COLS][64];
	int nheads = 0, in_comment = 0, in_code = 0, in_para = 0, table_row = 0;
	struct sbuf para;

	if (!copy)
		return;
	sbuf_init(&para);
	for (p = copy; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		l = p;
		if (in_comment || !strncmp(l, "<!--", 4)) {
			in_comment = !strstr(l, "-->");
			continue;
		}
		/* anything but a paragraph line ends the paragraph */
		if (in_para && (!*l || *l == '#' || *l == '|' || !strncmp(l, "    ", 4))) {
			sbuf_puts(out, ".PP\n");
			put_inline(out, sbuf_str(&para));
			sbuf_puts(out, "\n");
			sbuf_reset(&para);
			in_para = 0;
		}
		if (in_code && strncmp(l, "    ", 4)) {
			sbuf_puts(out, ".fi\n.RE\n");
			in_code = 0;
		}
		if (*l != '|')
			table_row = 0;
		if (!*l)
			continue;
		if (!strncmp(l, "# ", 2))
			continue; /* the page's title is .TH */
		if (!strncmp(l, "## ", 3)) {
			upper(l + 3);
			sbuf_puts(out, ".SH \"");
			put_inline(out, l + 3);
			sbuf_puts(out, "\"\n");
		} else if (!strncmp(l, "### ", 4)) {
			sbuf_puts(out, ".SS \"");
			put_inline(out, l + 4);
			sbuf_puts(out, "\"\n");
		} else if (*l == '|') {
			if (table_row == 0) { /* the header row */
				char *cells[MAX_COLS];
				int i;

				nheads = split_row(l, cells, MAX_COLS);
				for (i = 0; i < nheads; i++)
					snprintf(heads[i], sizeof(heads[i]), "%s", cells[i]);
			} else if (strncmp(l, "|---", 4) && strncmp(l, "| ---", 5)) {
				put_table_row(out, l, heads, nheads);
			}
			table_row++;
		} else if (!strncmp(l, "    ", 4) && !in_para) {
			if (!in_code)
				sbuf_puts(out, ".PP\n.RS 4\n.nf\n");
			in_code = 1;
			put_plain(out, l + 4, strlen(l + 4), 1);
			sbuf_puts(out, "\n");
		} else {
			sbuf_printf(&para, "%s%s", in_para ? " " : "", l);
			in_para = 1;
		}
	}
	if (in_para) {
		sbuf_puts(out, ".PP\n");
		put_inline(out, sbuf_str(&para));
		sbuf_puts(out, "\n");
	}
	if (in_code)
		sbuf_puts(out, ".fi\n.RE\n");
	sbuf_free(&para);
	free(copy);
}

int main(int argc, char **argv)
{
	struct sbuf head, gen, md, roff;
	char name[64], *dot, *mark;
	const char *section;
	int i, rc = 1;

	if (argc < 3) {
		fputs("usage: mkman NAME.SECTION HEADER.md [HELP.txt...]\n", stderr);
		return 2;
	}
	snprintf(name, sizeof(name), "%s", argv[1]);
	dot = strrchr(name, '.');
	if (!dot) {
		fprintf(stderr, "mkman: %s: no section\n", argv[1]);
		return 2;
	}
	*dot = 0;
	section = dot + 1;
	sbuf_init(&head);
	sbuf_init(&gen);
	sbuf_init(&md);
	sbuf_init(&roff);
	if (read_file(argv[2], &head) < 0)
		goto out;
	if (!strcmp(name, "fulcrum.conf")) {
		kw_doc_markdown(&gen);
	} else if (!strcmp(name, "fulcrumctl")) {
		ctl_help_markdown(&gen);
	} else if (!strcmp(name, "fulcrum")) {
		for (i = 3; i < argc; i++) {
			struct sbuf help;

			sbuf_init(&help);
			if (read_file(argv[i], &help) < 0) {
				sbuf_free(&help);
				goto out;
			}
			help_to_md(sbuf_str(&help), &gen);
			sbuf_free(&help);
		}
	} else {
		fprintf(stderr, "mkman: no generated part for '%s'\n", name);
		goto out;
	}
	mark = strstr(sbuf_str(&head), GENERATED_MARK);
	if (mark) {
		sbuf_add(&md, head.s, (size_t)(mark - head.s));
		sbuf_puts(&md, "\n");
		sbuf_puts(&md, sbuf_str(&gen));
		sbuf_puts(&md, "\n");
		sbuf_puts(&md, mark + strlen(GENERATED_MARK));
	} else {
		sbuf_printf(&md, "%s\n%s", sbuf_str(&head), sbuf_str(&gen));
	}
	for (dot = name; *dot; dot++)
		*dot = (char)toupper((unsigned char)*dot);
	sbuf_printf(&roff,
		    ".\\\" Generated by tools/mkman.c from %s and the tables; do not edit.\n"
		    ".TH %s %s \"\" \"fulcrum %s\" \"%s\"\n",
		    argv[2], name, section, FC_VERSION,
		    *section == '5' ? "File Formats" : "System Administration");
	md_to_roff(sbuf_str(&md), &roff);
	if (head.oom || gen.oom || md.oom || roff.oom) {
		fputs("mkman: out of memory\n", stderr);
		goto out;
	}
	fputs(sbuf_str(&roff), stdout);
	rc = fflush(stdout) ? 1 : 0;
out:
	sbuf_free(&head);
	sbuf_free(&gen);
	sbuf_free(&md);
	sbuf_free(&roff);
	return rc;
}
