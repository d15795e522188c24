/* The keyword reference generated from the keyword tables: the body of
 * fulcrum.conf(5) (tools/mkman.c).  Each block is printed once, where the
 * walk from the top level first meets it, with its keywords, their
 * argument counts, the blocks they open and the keepalived keywords that
 * block ignores.  What each keyword does is doc/config.md's job; what is
 * accepted where is the tables', so it is read from them and cannot go
 * stale. */
#include <string.h>

#include "conf/ka.h"
#include "core/sbuf.h"

/* Every named block of the reader, by file (each file lists its own). */
static const struct kw_block *const *const doc_lists[] = {
    kw_doc_global,
    kw_doc_ka,
    kw_doc_check,
    kw_doc_vrrp,
};

#define DOC_MAX_BLOCKS 64

/* The block a keyword opens: the one of that name. */
static const struct kw_block *block_named(const char *name)
{
	const struct kw_block *const *b;
	size_t i;

	for (i = 0; i < sizeof(doc_lists) / sizeof(doc_lists[0]); i++)
		for (b = doc_lists[i]; *b; b++)
			if (!strcmp((*b)->name, name))
				return *b;
	return NULL;
}

static void put_args(struct sbuf *out, const struct kw *k)
{
	unsigned lo = k->min_args, hi = k->max_args;

	if (hi == KW_ANY)
		sbuf_printf(out, "%u or more arguments", lo);
	else if (!hi)
		sbuf_puts(out, "no argument");
	else if (lo == hi)
		sbuf_printf(out, "%u argument%s", lo, lo == 1 ? "" : "s");
	else if (!lo && hi == 1)
		sbuf_puts(out, "an optional argument");
	else if (hi == lo + 1)
		sbuf_printf(out, "%u or %u arguments", lo, hi);
	else
		sbuf_printf(out, "%u to %u arguments", lo, hi);
	if (k->block == KW_NEEDBLOCK)
		sbuf_puts(out, ", then a `{ }` block");
	else if (k->block == KW_OPTBLOCK)
		sbuf_puts(out, ", then a `{ }` block or not");
}

static void put_table(struct sbuf *out, const struct kw *kws)
{
	const struct kw *k;

	for (k = kws; k && k->name; k++) {
		sbuf_printf(out, "| `%s` | ", k->name);
		put_args(out, k);
		sbuf_puts(out, " |\n");
	}
}

static int in_table(const struct kw *kws, const char *name)
{
	for (; kws && kws->name; kws++)
		if (!strcmp(kws->name, name))
			return 1;
	return 0;
}

struct doc_walk {
	const struct kw_block *seen[DOC_MAX_BLOCKS];
	size_t n;
};

static int seen(struct doc_walk *w, const struct kw_block *b)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->seen[i] == b)
			return 1;
	if (w->n < DOC_MAX_BLOCKS)
		w->seen[w->n++] = b;
	return 0;
}

static void put_block(struct sbuf *out, struct doc_walk *w, const struct kw_block *b,
		      const char *parent);

/* keepalived's retired names in this block (ignored.c, kw_retired): the
 * ignored ones with what replaced them, the served ones as aliases. */
static void put_retired(struct sbuf *out, const struct kw_block *b)
{
	const struct kw_retired *r;
	unsigned n = 0;

	for (r = kw_retired; r->name; r++) {
		if (r->served || !kw_retired_in(r, b))
			continue;
		sbuf_printf(out, "%s `%s` (%s; %s%s)",
			    n++ ? "," : "Retired in keepalived, ignored with a warning:", r->name,
			    r->change, r->instead ? "use " : "nothing replaced it",
			    r->instead ? r->instead : "");
	}
	if (n)
		sbuf_puts(out, ".\n\n");
	for (n = 0, r = kw_retired; r->name; r++) {
		if (!r->served || !kw_retired_in(r, b))
			continue;
		sbuf_printf(out, "%s `%s` (now %s)",
			    n++ ? "," : "Older keepalived names, served:", r->name, r->instead);
	}
	if (n)
		sbuf_puts(out, ".\n\n");
}

static void put_children(struct sbuf *out, struct doc_walk *w, const struct kw *kws,
			 const char *parent)
{
	const struct kw_block *sub;
	const struct kw *k;

	for (k = kws; k && k->name; k++) {
		if (k->block == KW_NOBLOCK)
			continue;
		sub = block_named(k->name);
		if (sub)
			put_block(out, w, sub, parent);
	}
}

static void put_block(struct sbuf *out, struct doc_walk *w, const struct kw_block *b,
		      const char *parent)
{
	const char *const *ig;
	unsigned n;

	if (seen(w, b))
		return;
	sbuf_printf(out, "### %s\n\n", b == &kw_top ? "Top level" : b->name);
	if (parent)
		sbuf_printf(out, "Inside `%s`.\n\n", parent);
	if (b->kws || b->kws2) {
		sbuf_puts(out, "| Keyword | Arguments |\n|---|---|\n");
		put_table(out, b->kws);
		put_table(out, b->kws2);
		sbuf_puts(out, "\n");
	}
	if (b->other && b != &kw_top)
		sbuf_puts(out, "Each line of the block is an entry (not a keyword).\n\n");
	/* a name both served and listed as ignored is served (the top level
	 * lists the VRRP blocks for a build without them) */
	for (n = 0, ig = b->ignored; ig && *ig; ig++) {
		if (in_table(b->kws, *ig) || in_table(b->kws2, *ig))
			continue;
		sbuf_printf(out, "%s `%s`", n++ ? "," : "Read from keepalived.conf and ignored with a warning:", *ig);
	}
	if (n)
		sbuf_puts(out, ".\n\n");
	put_retired(out, b);
	put_children(out, w, b->kws, b == &kw_top ? NULL : b->name);
	put_children(out, w, b->kws2, b == &kw_top ? NULL : b->name);
}

void kw_doc_markdown(struct sbuf *out)
{
	struct doc_walk w = {.n = 0};

	sbuf_puts(out, "## Keywords\n\n"
		       "Every block and keyword fulcrum reads, from its keyword tables.  "
		       "The arguments are the words after the keyword on its line.  A block is "
		       "described once, where it first appears.\n\n");
	put_block(out, &w, &kw_top, NULL);
}
