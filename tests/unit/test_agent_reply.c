/* The agent-check reply line (src/check/agent_reply.c), as HAProxy 2.6
 * reads it: words in any order and case, split by spaces, tabs and commas,
 * the last of a category winning, a description after '#', and nothing
 * until a line end (CR or LF) is there; never a read past the length
 * (ASan: every input is an exact-size copy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/agent_reply.h"

/* parse s (without its NUL) from an exact-size heap copy */
static int parse(const char *s, struct agent_reply *r)
{
	size_t n = strlen(s);
	char *b = malloc(n ? n : 1);
	int rc;

	assert_non_null(b);
	memcpy(b, s, n);
	rc = agent_reply_parse(b, n, r);
	free(b);
	return rc;
}

static void test_words(void **state)
{
	struct agent_reply r;

	(void)state;
	assert_int_equal(parse("up 75%\n", &r), 1);
	assert_int_equal(r.health, AGENT_H_UP);
	assert_string_equal(r.health_word, "up");
	assert_int_equal(r.weight_pct, 75);
	assert_int_equal(r.admin, AGENT_A_NONE);
	assert_int_equal(r.maxconn, -1);

	/* HAProxy's own regression test's line */
	assert_int_equal(parse("75%,maxconn:30,maint,down\n", &r), 1);
	assert_int_equal(r.health, AGENT_H_DOWN);
	assert_int_equal(r.admin, AGENT_A_MAINT);
	assert_int_equal(r.weight_pct, 75);
	assert_int_equal(r.maxconn, 30);

	assert_int_equal(parse("DRAIN\tREADY\r\n", &r), 1);
	assert_int_equal(r.admin, AGENT_A_READY); /* the last one wins */
	assert_int_equal(r.health, AGENT_H_NONE);

	assert_int_equal(parse("Stopped #planned maintenance  \n", &r), 1);
	assert_int_equal(r.health, AGENT_H_DOWN);
	assert_string_equal(r.health_word, "Stopped");
	assert_string_equal(r.desc, "planned maintenance  ");

	assert_int_equal(parse("fail,up\n", &r), 1);
	assert_int_equal(r.health, AGENT_H_UP);

	/* an unknown word is kept (the first) and changes nothing */
	assert_int_equal(parse("busy idle 10%\n", &r), 1);
	assert_string_equal(r.first_unknown, "busy");
	assert_int_equal(r.weight_pct, 10);

	/* a '#' inside a word is part of it; a '#' word starts the description */
	assert_int_equal(parse("a#b #c d\n", &r), 1);
	assert_string_equal(r.first_unknown, "a#b");
	assert_string_equal(r.desc, "c d");
}

static void test_numbers(void **state)
{
	struct agent_reply r;

	(void)state;
	/* HAProxy's atol on a word that starts with a digit and holds a '%' */
	assert_int_equal(parse("0%\n", &r), 1);
	assert_int_equal(r.weight_pct, 0);
	assert_int_equal(parse("12x%\n", &r), 1);
	assert_int_equal(r.weight_pct, 12);
	assert_int_equal(parse("999999999999999999999%\n", &r), 1);
	assert_int_equal(r.weight_pct, 25600);
	assert_int_equal(parse("%50\n", &r), 1); /* no leading digit: not a weight */
	assert_int_equal(r.weight_pct, -1);
	assert_string_equal(r.first_unknown, "%50");

	assert_int_equal(parse("MAXCONN:0\n", &r), 1);
	assert_int_equal(r.maxconn, 0);
	assert_int_equal(parse("maxconn:\n", &r), 1);
	assert_int_equal(r.maxconn, -1);
	assert_true(r.maxconn_bad);
	assert_int_equal(parse("maxconn:12ab\n", &r), 1);
	assert_int_equal(r.maxconn, -1);
	assert_true(r.maxconn_bad);
}

static void test_incomplete(void **state)
{
	struct agent_reply r;
	const char nul[] = {'u', 'p', 0, '\n'};

	(void)state;
	assert_int_equal(parse("", &r), 0);
	assert_int_equal(parse("up 50%", &r), 0);
	/* a NUL stops the line as it stops HAProxy's reader */
	assert_int_equal(agent_reply_parse(nul, sizeof(nul), &r), 0);
	/* only the first line counts */
	assert_int_equal(parse("\nup\n", &r), 1);
	assert_int_equal(r.health, AGENT_H_NONE);
	assert_int_equal(parse("down\nup\n", &r), 1);
	assert_int_equal(r.health, AGENT_H_DOWN);
}

static void test_long_words(void **state)
{
	struct agent_reply r;
	char line[400];

	(void)state;
	memset(line, 'x', sizeof(line) - 2);
	line[0] = '#';
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = 0;
	assert_int_equal(parse(line, &r), 1);
	assert_int_equal(strlen(r.desc), sizeof(r.desc) - 1);
	line[0] = 'y';
	assert_int_equal(parse(line, &r), 1);
	assert_int_equal(strlen(r.first_unknown), sizeof(r.first_unknown) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_incomplete),
	    cmocka_unit_test(test_long_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
