/* SASLprep for SCRAM-SHA-256 passwords (saslprep.h): RFC 4013's profile of
 * stringprep (RFC 3454), step by step as PostgreSQL's server and libpq run
 * it, so that fulcrum derives the same SaltedPassword from a non-ASCII
 * password.  The small tables (spaces, map-to-nothing, prohibited output)
 * are RFC 3454's own, written as ranges; what needs the Unicode Character
 * Database comes from ICU: NFKC (unorm2), whether a code point was assigned
 * in Unicode 3.2 (u_charAge: table A.1 is exactly "not assigned then") and
 * its bidi class (u_charDirection: tables D.1/D.2, with the few code points
 * whose class changed since 3.2 corrected by bidi_l_changed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "check/saslprep.h"

struct cp_range {
	UChar32 lo, hi;
};

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

/* C.1.2 Non-ASCII space characters: mapped to U+0020. */
static const struct cp_range non_ascii_space[] = {
    {0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200B},
    {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
};

/* B.1 Commonly mapped to nothing (U+200B is also a C.1.2 space, and the
 * space mapping comes first, as in PostgreSQL). */
static const struct cp_range mapped_to_nothing[] = {
    {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x1806, 0x1806}, {0x180B, 0x180D},
    {0x200B, 0x200D}, {0x2060, 0x2060}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
};

/* RFC 4013 section 2.3's prohibited output, merged: C.1.2 (spaces), C.2.1
 * and C.2.2 (controls), C.3 (private use), C.5 (surrogates), C.6, C.7,
 * C.8 (display properties), C.9 (tags); C.4's non-characters are FDD0-FDEF
 * and the last two code points of every plane (prohibited()). */
static const struct cp_range prohibited_output[] = {
    {0x0000, 0x001F},	{0x007F, 0x00A0},   {0x0340, 0x0341},	{0x06DD, 0x06DD},
    {0x070F, 0x070F},	{0x1680, 0x1680},   {0x180E, 0x180E},	{0x2000, 0x200F},
    {0x2028, 0x202F},	{0x205F, 0x2063},   {0x206A, 0x206F},	{0x2FF0, 0x2FFB},
    {0x3000, 0x3000},	{0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},	{0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFD},	{0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xF0000, 0x10FFFF},
};

/* Code points assigned in Unicode 3.2 whose bidi class became or stopped
 * being L since (Braille, a few Kannada, Khmer, Mongolian and mathematical
 * letters): D.2 is the 3.2 class, ICU gives today's. */
static const struct cp_range bidi_l_changed[] = {
    {0x0CBF, 0x0CBF},	{0x0CC6, 0x0CC6},   {0x1734, 0x1734},	{0x17B4, 0x17B5},
    {0x1885, 0x1886},	{0x2132, 0x2132},   {0x2800, 0x28FF},	{0x302E, 0x302F},
    {0x1D6DB, 0x1D6DB}, {0x1D715, 0x1D715}, {0x1D74F, 0x1D74F}, {0x1D789, 0x1D789},
    {0x1D7C3, 0x1D7C3},
};

static int in_table(UChar32 c, const struct cp_range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < t[mid].lo)
			hi = mid;
		else if (c > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* A.1: not assigned in Unicode 3.2 (ICU's age 0.0 is "not assigned yet"). */
static int unassigned_in_3_2(UChar32 c)
{
	UVersionInfo age;

	u_charAge(c, age);
	return (!age[0] && !age[1]) || age[0] > 3 || (age[0] == 3 && age[1] > 2);
}

static int prohibited(UChar32 c)
{
	return in_table(c, prohibited_output, N_OF(prohibited_output)) ||
	       (c & 0xFFFE) == 0xFFFE || unassigned_in_3_2(c);
}

/* D.1: bidi class R or AL (for a code point assigned in 3.2; the two where
 * today's class differs, U+06DD and U+070F, are prohibited anyway). */
static int rand_al(UChar32 c)
{
	UCharDirection d = u_charDirection(c);

	return d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC;
}

/* D.2: bidi class L in Unicode 3.2. */
static int l_cat(UChar32 c)
{
	return (u_charDirection(c) == U_LEFT_TO_RIGHT) !=
	       in_table(c, bidi_l_changed, N_OF(bidi_l_changed));
}

/* RFC 3454 section 6 on cp[0..n-1] (n > 0): with any RandALCat, no LCat,
 * and RandALCat first and last. */
static int bidi_ok(const UChar32 *cp, size_t n)
{
	size_t i;
	int any = 0;

	for (i = 0; i < n && !any; i++)
		any = rand_al(cp[i]);
	if (!any)
		return 1;
	for (i = 0; i < n; i++)
		if (l_cat(cp[i]))
			return 0;
	return rand_al(cp[0]) && rand_al(cp[n - 1]);
}

/* Steps 1 (map), 3 (prohibit) and 4 (bidi) on the code points of s (len
 * bytes, not ASCII only) into cp (len entries at least): their number, or
 * -SASLPREP_INVALID_UTF8 / -SASLPREP_PROHIBITED. */
static int32_t map_and_check(const char *s, int32_t len, UChar32 *cp)
{
	int32_t i = 0, n = 0, k;
	UChar32 c;

	while (i < len) {
		U8_NEXT(s, i, len, c);
		if (c < 0)
			return -SASLPREP_INVALID_UTF8;
		if (in_table(c, non_ascii_space, N_OF(non_ascii_space)))
			cp[n++] = 0x20;
		else if (!in_table(c, mapped_to_nothing, N_OF(mapped_to_nothing)))
			cp[n++] = c;
	}
	if (!n)
		return -SASLPREP_PROHIBITED; /* no empty password */
	for (k = 0; k < n; k++)
		if (prohibited(cp[k]))
			return -SASLPREP_PROHIBITED;
	return bidi_ok(cp, (size_t)n) ? n : -SASLPREP_PROHIBITED;
}

/* Step 2: NFKC of cp[0..n-1], as NUL-ended UTF-8 into *out. */
static enum saslprep_rc nfkc_utf8(const UChar32 *cp, int32_t n, char **out)
{
	const UNormalizer2 *nfkc;
	UErrorCode st = U_ZERO_ERROR;
	UChar *u16 = NULL, *norm = NULL;
	int32_t i, ulen = 0, nlen, olen;
	enum saslprep_rc rc = SASLPREP_NOMEM;

	nfkc = unorm2_getNFKCInstance(&st);
	u16 = malloc(sizeof(UChar) * 2 * (size_t)n);
	if (U_FAILURE(st) || !u16)
		goto out;
	for (i = 0; i < n; i++)
		U16_APPEND_UNSAFE(u16, ulen, cp[i]);
	nlen = unorm2_normalize(nfkc, u16, ulen, NULL, 0, &st); /* the length it needs */
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		goto out;
	st = U_ZERO_ERROR;
	norm = malloc(sizeof(UChar) * ((size_t)nlen + 1));
	if (!norm)
		goto out;
	nlen = unorm2_normalize(nfkc, u16, ulen, norm, nlen + 1, &st);
	if (U_FAILURE(st))
		goto out;
	u_strToUTF8(NULL, 0, &olen, norm, nlen, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		goto out;
	st = U_ZERO_ERROR;
	*out = malloc((size_t)olen + 1);
	if (!*out)
		goto out;
	u_strToUTF8(*out, olen + 1, NULL, norm, nlen, &st);
	if (U_FAILURE(st)) {
		free(*out);
		*out = NULL;
		goto out;
	}
	rc = SASLPREP_OK;
out:
	free(u16);
	free(norm);
	return rc;
}

enum saslprep_rc saslprep(const char *password, char **out)
{
	size_t len = strlen(password), i;
	UChar32 *cp;
	int32_t n;
	enum saslprep_rc rc;

	*out = NULL;
	for (i = 0; i < len && !((unsigned char)password[i] & 0x80); i++)
		;
	if (i == len)
		return SASLPREP_OK; /* ASCII: nothing to do */
	if (len > INT32_MAX / 4)
		return SASLPREP_NOMEM;
	cp = malloc(sizeof(UChar32) * len);
	if (!cp)
		return SASLPREP_NOMEM;
	n = map_and_check(password, (int32_t)len, cp);
	rc = n < 0 ? (enum saslprep_rc)-n : nfkc_utf8(cp, n, out);
	memset(cp, 0, sizeof(UChar32) * len); /* a password */
	free(cp);
	return rc;
}
