/* libFuzzer target: the real-server state file parser
 * (src/realserver/rs_state.c, rs_state_parse) on arbitrary text.
 *
 * The input is cut at its first NUL (a state file is text: rs_state_load
 * refuses NULs) and parsed from an exact-size heap copy, so ASan sees any
 * read past it.  Then:
 *   - failure: the state is empty and the message names the file;
 *   - success: at most RS_MAX_ITEMS items, each one what the format allows
 *     (vip: an address; sysctl: an interface name, a known key, a decimal
 *     value; decap: an interface name), and the text the state file writer
 *     would produce for them (the format of rs_state.h, written here: the
 *     writer is not exported) parses back to the same items.
 * No I/O: rs_state_save is not called.
 *   make fuzz-bins && build-fuzz/fuzz_rs_state -max_total_time=60 CORPUS_COPY
 * (seeds: tests/fuzz/corpus/rs_state) */
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "realserver/rs_state.h"

#define NAME "fuzz.state"

static struct rs_state st, again;

static void fail(const char *why, unsigned i)
{
	fprintf(stderr, "fuzz_rs_state: %s (item %u)\n", why, i);
	abort();
}

static int dev_ok(const char *d)
{
	size_t n = strnlen(d, IF_NAMESIZE);

	return n > 0 && n < IF_NAMESIZE && !strchr(d, '/') && strcmp(d, ".") && strcmp(d, "..") &&
	       !strpbrk(d, " \t\r\n#");
}

static int word_ok(const char *w)
{
	size_t n = strnlen(w, RS_VAL_LEN);

	return n > 0 && n < RS_VAL_LEN && !strpbrk(w, " \t\r\n#");
}

static void check_item(const struct rs_item *it, unsigned i)
{
	const char *p;

	switch (it->kind) {
	case RS_ITEM_VIP:
		if (it->vip.family != AF_INET && it->vip.family != AF_INET6)
			fail("vip without an address family", i);
		if (it->added != 0 && it->added != 1)
			fail("vip: added is not a boolean", i);
		break;
	case RS_ITEM_SYSCTL:
		if (!dev_ok(it->dev) || !word_ok(it->key) || !word_ok(it->prev))
			fail("sysctl: bad interface, key or value", i);
		if (strcmp(it->key, "arp_ignore") && strcmp(it->key, "arp_announce") &&
		    strcmp(it->key, "rp_filter"))
			fail("sysctl: unknown key accepted", i);
		p = it->prev + (it->prev[0] == '-');
		if (!*p || strspn(p, "0123456789") != strlen(p))
			fail("sysctl: value is not an integer", i);
		break;
	case RS_ITEM_DECAP:
		if (!dev_ok(it->dev))
			fail("decap: bad interface", i);
		if (it->native != 0 && it->native != 1)
			fail("decap: native is not a boolean", i);
		break;
	default:
		fail("unknown item kind", i);
	}
}

/* st as the state file says it (rs_state.h); NULL when out of memory. */
static char *format(const struct rs_state *s)
{
	size_t cap = 64 + (size_t)s->n * (ADDR_STRLEN + IF_NAMESIZE + 2 * RS_VAL_LEN + 32), len = 0;
	char *buf = malloc(cap), a[ADDR_STRLEN];

	if (!buf)
		return NULL;
	len += (size_t)snprintf(buf, cap, "# written by fuzz_rs_state\n\n");
	for (unsigned i = 0; i < s->n; i++) {
		const struct rs_item *it = &s->item[i];

		switch (it->kind) {
		case RS_ITEM_VIP:
			len += (size_t)snprintf(buf + len, cap - len, "vip %s %s\n",
						addr_format(&it->vip, a, sizeof(a), 0),
						it->added ? "added" : "present");
			break;
		case RS_ITEM_SYSCTL:
			len += (size_t)snprintf(buf + len, cap - len, "sysctl %s %s %s\n", it->dev,
						it->key, it->prev);
			break;
		case RS_ITEM_DECAP:
			len += (size_t)snprintf(buf + len, cap - len, "decap %s %s\n", it->dev,
						it->native ? "native" : "generic");
			break;
		}
		if (len >= cap)
			abort();
	}
	return buf;
}

static int same(const struct rs_item *a, const struct rs_item *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case RS_ITEM_VIP:
		return a->vip.family == b->vip.family && addr_ip_equal(&a->vip, &b->vip) &&
		       a->added == b->added;
	case RS_ITEM_SYSCTL:
		return !strcmp(a->dev, b->dev) && !strcmp(a->key, b->key) &&
		       !strcmp(a->prev, b->prev);
	case RS_ITEM_DECAP:
		return !strcmp(a->dev, b->dev) && a->native == b->native;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *text = malloc(n + 1), *re, err[ERRLEN] = "";

	if (!text)
		return 0;
	memcpy(text, data, n);
	text[n] = 0;
	if (rs_state_parse(text, NAME, &st, err, sizeof(err)) < 0) {
		if (st.n != 0)
			fail("failed parse left items in the state", st.n);
		if (strncmp(err, NAME ":", strlen(NAME) + 1))
			fail("error message does not name the file", 0);
		free(text);
		return 0;
	}
	free(text);
	if (st.n > RS_MAX_ITEMS)
		fail("more items than RS_MAX_ITEMS", st.n);
	for (unsigned i = 0; i < st.n; i++)
		check_item(&st.item[i], i);
	re = format(&st);
	if (!re)
		return 0;
	if (rs_state_parse(re, NAME, &again, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_rs_state: %s\n", err);
		fail("the formatted state does not parse", 0);
	}
	free(re);
	if (again.n != st.n)
		fail("the formatted state has another number of items", again.n);
	for (unsigned i = 0; i < st.n; i++)
		if (!same(&st.item[i], &again.item[i]))
			fail("item changed through format and parse", i);
	return 0;
}
