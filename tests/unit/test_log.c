/* log_event (src/core/log.c): one line of logfmt pairs, event first and
 * msg last, values quoted and escaped so that a parser reads them back
 * and a line never breaks.  The lines are read from stderr (the console
 * log), redirected to a file for the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"

/* What one call wrote after the "HH:MM:SS.mmm fulcrum LEVEL: " prefix. */
static char *logged(void (*fn)(void))
{
	static char buf[4096];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;
	char *p;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	p = strstr(buf, ": ");
	assert_non_null(p);
	return p + 2;
}

static void plain(void)
{
	const struct log_kv kv[] = {{"pool", "app"}, {"server", NULL}, {"to", "DOWN"}};

	log_event(LOG_INFO, "server-state", kv, 3, "app: %s", "down");
}

static void quoted(void)
{
	const struct log_kv kv[] = {
	    {"pool", "TCP 10.0.0.1:80"}, {"reason", "say \"no\" \\ a=b"}, {"empty", ""},
	    {"nl", "two\nlines"},
	};

	log_event(LOG_WARNING, "x", kv, 4, "the end");
}

static void test_plain(void **state)
{
	assert_string_equal(logged(plain), "event=server-state pool=app to=DOWN msg=\"app: down\"\n");
}

static void test_quoted(void **state)
{
	assert_string_equal(logged(quoted),
			    "event=x pool=\"TCP 10.0.0.1:80\" reason=\"say \\\"no\\\" \\\\ a=b\" "
			    "empty=\"\" nl=\"two lines\" msg=\"the end\"\n");
}

/* A value longer than the line: cut, still one line, still ended. */
static void huge(void)
{
	static char big[3000];
	const struct log_kv kv[] = {{"a", big}, {"b", "after"}};

	memset(big, 'x', sizeof(big) - 1);
	log_event(LOG_INFO, "big", kv, 2, "m");
}

static void test_cut(void **state)
{
	const char *s = logged(huge);

	assert_true(!strncmp(s, "event=big a=xxx", 15));
	assert_non_null(strchr(s, '\n'));
	assert_null(strchr(s, '\n')[1] ? "more than one line" : NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_quoted),
	    cmocka_unit_test(test_cut),
	};

	log_init("test", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
