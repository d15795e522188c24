/* EXPECT_CHECK: connect, optionally TLS, optionally send a request, and
 * match what the server says against a PCRE2 pattern -- a fulcrum
 * extension of keepalived.conf, and what ldirectord's simpletcp, pop,
 * imap, ftp, nntp... negotiations become (the struct is check_expect-t.h).
 *
 * Configuration:
 *   EXPECT_CHECK {
 *       connect_port 110
 *       send "QUIT\r\n"     # optional; C escapes \r \n \t \\ \" \xHH
 *       expect "^\+OK"      # optional; PCRE2 on the first 16 KiB of the reply
 *       tls                 # optional; a TLS handshake first
 *   }
 * plus the keywords every checker has. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/check_expect-t.h"
#include "check/check_expect.h"
#include "core/err.h"
#include "kw/kw.h"

/* ---- running ---- */

static void expect_start(struct check_run *run)
{
	check_done(run, 0, "EXPECT_CHECK is not implemented yet");
}

static void expect_cancel(struct check_run *run)
{
}

/* ---- configuration ---- */

#define EXPECT(obj) ((struct check_expect_conf *)((struct check_conf *)(obj))->spec)

int check_expect_unescape(const char *in, char **out, char *err, size_t errlen)
{
	char *s = malloc(strlen(in) + 1), *o = s;
	const char *p;

	if (!s)
		return err_set(err, errlen, "out of memory");
	for (p = in; *p; p++) {
		char hex[3];
		unsigned long v;

		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'r':
			*o++ = '\r';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '"':
			*o++ = '"';
			break;
		case 'x':
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2])) {
				free(s);
				return err_set(err, errlen,
					       "'\\x' must be followed by two hex digits (\\x0d)");
			}
			hex[0] = p[1];
			hex[1] = p[2];
			hex[2] = 0;
			v = strtoul(hex, NULL, 16);
			if (!v) {
				free(s);
				return err_set(err, errlen, "'\\x00' cannot be sent");
			}
			*o++ = (char)v;
			p += 2;
			break;
		case 0:
			free(s);
			return err_set(err, errlen, "a lone '\\' at the end");
		default:
			free(s);
			return err_set(err, errlen,
				       "unknown escape '\\%c' (\\r \\n \\t \\\\ \\\" \\xHH)", *p);
		}
	}
	*o = 0;
	*out = s;
	return 0;
}

static int p_send(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	char *s, sub[ERRLEN];

	if (check_expect_unescape(st->args[0].text, &s, sub, sizeof(sub)) < 0)
		return err_set(err, errlen, "send: %s", sub);
	if (!*s) {
		free(s);
		return err_set(err, errlen, "send: empty (leave send out to only read)");
	}
	free(EXPECT(obj)->send);
	EXPECT(obj)->send = s;
	return 0;
}

static int p_expect(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		    size_t errlen)
{
	return kw_str(st, 0, &EXPECT(obj)->expect, err, errlen);
}

const struct kw check_expect_kw[] = {
    {"send", p_send, 1, 1, KW_NOBLOCK},
    {"expect", p_expect, 1, 1, KW_NOBLOCK},
    {"tls", NULL, 0, 1, KW_NOBLOCK, CHECK_SPEC_SLOT(struct check_expect_conf, tls, KW_T_BOOL, 0, 0)},
    {NULL},
};

static void *expect_conf_new(void)
{
	return calloc(1, sizeof(struct check_expect_conf));
}

static void expect_conf_free(void *spec)
{
	struct check_expect_conf *e = spec;

	if (!e)
		return;
	free(e->send);
	free(e->expect);
	free(e);
}

static int expect_conf_equal(const void *va, const void *vb)
{
	const struct check_expect_conf *a = va, *b = vb;

	return check_str_eq(a->send, b->send) && check_str_eq(a->expect, b->expect) &&
	       !a->tls == !b->tls;
}

const struct check_ops check_expect_ops = {
    .type = CHECK_EXPECT,
    .name = "EXPECT_CHECK",
    .keywords = check_expect_kw,
    .retry_default = 1,
    .conf_new = expect_conf_new,
    .conf_free = expect_conf_free,
    .conf_equal = expect_conf_equal,
    .start = expect_start,
    .cancel = expect_cancel,
};
