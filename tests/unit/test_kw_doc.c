/* The generated keyword reference (fulcrum.conf(5)): every block of the
 * reader is in it, reached from the top level, and every keyword that
 * opens a block has that block registered, so a block added to a table
 * but not to its file's kw_doc_* list is caught here, not by a reader of
 * the man page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf/ka.h"
#include "core/sbuf.h"

static const struct kw_block *const *const lists[] = {kw_doc_global, kw_doc_ka, kw_doc_check,
						       kw_doc_vrrp};

/* Keywords with a block that fulcrum reads without a block table of its
 * own (the body is skipped with a warning). */
static const char *const no_table[] = {"BFD_CHECK", NULL};

static int registered(const char *name)
{
	const struct kw_block *const *b;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (b = lists[i]; *b; b++)
			if (!strcmp((*b)->name, name))
				return 1;
	return 0;
}

static void check_opens(const struct kw *k)
{
	for (; k && k->name; k++)
		if (k->block != KW_NOBLOCK && !registered(k->name) && !kw_in_list(no_table, k->name))
			fail_msg("keyword '%s' opens a block that no kw_doc_* list has", k->name);
}

static void test_every_block_documented(void **state)
{
	const struct kw_block *const *b;
	struct sbuf out;
	char head[128];
	size_t i;

	(void)state;
	sbuf_init(&out);
	kw_doc_markdown(&out);
	assert_false(out.oom);
	check_opens(kw_top.kws);
	check_opens(kw_top.kws2);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (b = lists[i]; *b; b++) {
			snprintf(head, sizeof(head), "\n### %s\n", (*b)->name);
			if (!strstr(sbuf_str(&out), head))
				fail_msg("block '%s' is not reached from the top level", (*b)->name);
			check_opens((*b)->kws);
			check_opens((*b)->kws2);
		}
	sbuf_free(&out);
}

static void test_keyword_lines(void **state)
{
	struct sbuf out;
	const char *s;

	(void)state;
	sbuf_init(&out);
	kw_doc_markdown(&out);
	s = sbuf_str(&out);
	assert_non_null(strstr(s, "| `persistence_timeout` | an optional argument |\n"));
	assert_non_null(strstr(s, "| `real_server` | 1 or 2 arguments, then a `{ }` block or not |\n"));
	assert_non_null(strstr(s, "| `HTTP_GET` | no argument, then a `{ }` block |\n"));
	assert_non_null(strstr(s, "| `xdp_interface` | 1 or more arguments |\n"));
	/* served at the top level, so not in its ignored list */
	assert_null(strstr(s, "ignored with a warning: `vrrp_instance`"));
	sbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_block_documented),
		cmocka_unit_test(test_keyword_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
