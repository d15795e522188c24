/* SASLprep (src/check/saslprep.c): RFC 4013 section 3's examples, one
 * case per step and table, and the fall-backs to the raw password that
 * PostgreSQL's libpq applies (not UTF-8, prohibited).  The tables were
 * also checked once against Python's stringprep module (RFC 3454's tables
 * from Unicode 3.2) for every code point, alone and between two letters of
 * either direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/saslprep.h"

/* saslprep(in) succeeds with want (NULL: the input unchanged). */
static void ok(const char *in, const char *want)
{
	char *out = (char *)1;

	assert_int_equal(saslprep(in, &out), SASLPREP_OK);
	if (!want) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void fails(const char *in, enum saslprep_rc want)
{
	char *out = (char *)1;

	assert_int_equal(saslprep(in, &out), want);
	assert_null(out);
}

/* RFC 4013 section 3, in its order. */
static void test_rfc4013_examples(void **state)
{
	(void)state;
	ok("I\xC2\xADX", "IX");			    /* SOFT HYPHEN mapped to nothing */
	ok("user", NULL);			    /* no transformation */
	ok("USER", NULL);			    /* case preserved, not folded */
	ok("\xC2\xAA", "a");			    /* FEMININE ORDINAL INDICATOR: NFKC */
	ok("\xE2\x85\xA8", "IX");		    /* ROMAN NUMERAL NINE: NFKC */
	ok("\x07", NULL);			    /* prohibited in the RFC: see below */
	fails("\xD8\xA7" "1", SASLPREP_PROHIBITED); /* ALEF then a digit: bidi */
}

/* Step 1: non-ASCII spaces become U+0020 (U+200B too, though B.1 also
 * lists it: the space mapping comes first, as in PostgreSQL), B.1 goes. */
static void test_map(void **state)
{
	(void)state;
	ok("a\xC2\xA0" "b", "a b");	       /* NO-BREAK SPACE */
	ok("a\xE3\x80\x80" "b", "a b");	       /* IDEOGRAPHIC SPACE */
	ok("a\xE2\x80\x8B" "b", "a b");	       /* ZERO WIDTH SPACE */
	ok("a\xEF\xBB\xBF" "b", "ab");	       /* ZERO WIDTH NO-BREAK SPACE */
	ok("a\xEF\xB8\x8F" "b", "ab");	       /* VARIATION SELECTOR-16 */
	ok("\xEF\xAC\x81" "x", "fix");	       /* LATIN SMALL LIGATURE FI: NFKC */
	ok("\xEF\xBC\xA1", "A");	       /* FULLWIDTH A: NFKC */
	ok("caf\xC3\xA9", "caf\xC3\xA9");      /* composed stays composed */
	ok("cafe\xCC\x81", "caf\xC3\xA9");     /* e + COMBINING ACUTE composes */
}

/* Step 3.  RFC 4013's U+0007 is "prohibited", but PostgreSQL (and so
 * fulcrum) pass a pure-ASCII password through untouched: a control
 * character is refused only beside a non-ASCII one. */
static void test_prohibited(void **state)
{
	(void)state;
	fails("\x07\xC3\xA9", SASLPREP_PROHIBITED);	  /* C.2.1 control */
	fails("a\xC2\x85", SASLPREP_PROHIBITED);	  /* C.2.2 NEXT LINE */
	fails("a\xE2\x80\xA8", SASLPREP_PROHIBITED);	  /* C.2.2 LINE SEPARATOR */
	fails("a\xEE\x80\x80", SASLPREP_PROHIBITED);	  /* C.3 private use U+E000 */
	fails("a\xEF\xB7\x90", SASLPREP_PROHIBITED);	  /* C.4 U+FDD0 */
	fails("a\xF0\x9F\xBF\xBF", SASLPREP_PROHIBITED); /* C.4 U+1FFFF */
	fails("a\xEF\xBF\xBD", SASLPREP_PROHIBITED);	  /* C.6 REPLACEMENT CHARACTER */
	fails("a\xE2\xBF\xB0", SASLPREP_PROHIBITED);	  /* C.7 U+2FF0 */
	fails("a\xE2\x80\x8E", SASLPREP_PROHIBITED);	  /* C.8 LEFT-TO-RIGHT MARK */
	fails("a\xF3\xA0\x80\x81", SASLPREP_PROHIBITED); /* C.9 LANGUAGE TAG */
	fails("a\xC8\xA1", SASLPREP_PROHIBITED);	  /* A.1: U+0221 came in 4.0 */
	fails("a\xF0\x9F\x98\x80", SASLPREP_PROHIBITED); /* A.1: an emoji (6.1) */
	fails("\xC2\xAD\xE2\x80\x8C", SASLPREP_PROHIBITED); /* nothing left */
}

/* Step 4, with the bidi classes of Unicode 3.2 (D.1/D.2). */
static void test_bidi(void **state)
{
	(void)state;
	ok("\xD7\x90\xD7\x91", "\xD7\x90\xD7\x91");	       /* alef bet */
	ok("\xD7\x90" "1\xD7\x91", "\xD7\x90" "1\xD7\x91");   /* a digit inside */
	fails("\xD7\x90" "a\xD7\x91", SASLPREP_PROHIBITED);   /* an L inside */
	fails("1\xD7\x90", SASLPREP_PROHIBITED);	       /* not R first */
	/* BRAILLE PATTERN BLANK was not L in 3.2 (it is now) */
	ok("\xD7\x90\xE2\xA0\x80\xD7\x90", "\xD7\x90\xE2\xA0\x80\xD7\x90");
	/* KHMER VOWEL INHERENT AQ was L in 3.2 (it is not now) */
	fails("\xD7\x90\xE1\x9E\xB4\xD7\x90", SASLPREP_PROHIBITED);
}

/* Not UTF-8: the caller uses the raw bytes. */
static void test_not_utf8(void **state)
{
	(void)state;
	fails("a\xC3", SASLPREP_INVALID_UTF8);		 /* cut short */
	fails("\xC0\xAF", SASLPREP_INVALID_UTF8);	 /* overlong '/' */
	fails("\xED\xA0\x80", SASLPREP_INVALID_UTF8);	 /* a surrogate */
	fails("\xF4\x90\x80\x80", SASLPREP_INVALID_UTF8); /* over U+10FFFF */
	fails("\xE9t\xE9", SASLPREP_INVALID_UTF8);	 /* Latin-1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4013_examples), cmocka_unit_test(test_map),
	    cmocka_unit_test(test_prohibited),	     cmocka_unit_test(test_bidi),
	    cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
