/* What EXPECT_CHECK offers others (check_expect.c): the ldirectord reader
 * turns `request` strings into check_expect_conf.send with it; AGENT_CHECK
 * keeps its configuration in the same struct (only `send` used) and reads
 * and compares it with the same functions. */
#ifndef FC_CHECK_CHECK_EXPECT_H
#define FC_CHECK_CHECK_EXPECT_H

#include <stddef.h>

struct kw_ctx;
struct kw_stmt;

/* Decode the C escapes of a send string: \r \n \t \\ \" \xHH (\x00
 * refused: send is a C string).  0 with *out malloc'd, or -1 with a
 * sentence in err (an unknown escape, \x without two hex digits). */
int check_expect_unescape(const char *in, char **out, char *err, size_t errlen);

/* The spec's new, free and equal (check_ops.conf_*), and the `send`
 * keyword's parser (its obj is the struct check_conf being read). */
void *check_expect_conf_new(void);
void check_expect_conf_free(void *spec);
int check_expect_conf_equal(const void *a, const void *b);
int check_expect_kw_send(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen);

#endif
