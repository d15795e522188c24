/* Converters (haproxy configuration.txt 7.3.1): ",lower" and the few
 * others rules commonly chain.  A converter that rewrites a string writes
 * into the sample's own buffer; its input may already be there. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "http/sample.h"

static int c_case(struct sample *s, int up)
{
	size_t i, n = s->len < sizeof(s->buf) ? s->len : sizeof(s->buf);

	for (i = 0; i < n; i++)
		s->buf[i] = (char)(up ? toupper((unsigned char)s->str[i]) : tolower((unsigned char)s->str[i]));
	s->str = s->buf;
	s->len = n;
	return 1;
}

static int c_lower(const struct smp_conv_call *cc, struct sample *s)
{
	return c_case(s, 0);
}

static int c_upper(const struct smp_conv_call *cc, struct sample *s)
{
	return c_case(s, 1);
}

static int c_length(const struct smp_conv_call *cc, struct sample *s)
{
	s->sint = (int64_t)s->len;
	return 1;
}

/* field(N,DELIMS): the Nth field (from 1; negative from the end) */
static int c_field(const struct smp_conv_call *cc, struct sample *s)
{
	const char *d = cc->args[1].str, *p = s->str, *end = s->str + s->len, *f;
	int64_t want = cc->args[0].num, n = 0, total = 1;

	if (!want)
		return 0;
	if (want < 0) {
		for (f = p; f < end; f++)
			total += *f && strchr(d, *f);
		want = total + want + 1;
		if (want < 1)
			return 0;
	}
	for (f = p; ; p++) {
		if (p == end || (*p && strchr(d, *p))) {
			if (++n == want) {
				s->str = f;
				s->len = p - f;
				return 1;
			}
			if (p == end)
				return 0;
			f = p + 1;
		}
	}
}

static int c_add(const struct smp_conv_call *cc, struct sample *s)
{
	s->sint += cc->args[0].num;
	return 1;
}

static int c_sub(const struct smp_conv_call *cc, struct sample *s)
{
	s->sint -= cc->args[0].num;
	return 1;
}

static int c_hex(const struct smp_conv_call *cc, struct sample *s)
{
	static const char digits[] = "0123456789ABCDEF";
	char tmp[SMP_BUF];
	size_t i, n = s->len;

	if (n > sizeof(tmp) / 2)
		return 0; /* no sample rather than a cut one */
	for (i = 0; i < n; i++) {
		tmp[2 * i] = digits[(unsigned char)s->str[i] >> 4];
		tmp[2 * i + 1] = digits[(unsigned char)s->str[i] & 15];
	}
	memcpy(s->buf, tmp, 2 * n);
	s->str = s->buf;
	s->len = 2 * n;
	return 1;
}

static const struct smp_conv smp_convs[] = {
	{"lower", c_lower, 0, 0, 0, SMP_T_STR, SMP_T_STR},
	{"upper", c_upper, 0, 0, 0, SMP_T_STR, SMP_T_STR},
	{"length", c_length, 0, 0, 0, SMP_T_STR, SMP_T_SINT},
	{"field", c_field, 2, 2, 0x1, SMP_T_STR, SMP_T_STR},
	{"add", c_add, 1, 1, 0x1, SMP_T_SINT, SMP_T_SINT},
	{"sub", c_sub, 1, 1, 0x1, SMP_T_SINT, SMP_T_SINT},
	{"hex", c_hex, 0, 0, 0, SMP_T_STR, SMP_T_STR},
	{NULL},
};

const struct smp_conv *smp_conv_find(const char *name, size_t len)
{
	const struct smp_conv *c;

	for (c = smp_convs; c->name; c++)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}
