/* What EXPECT_CHECK offers other readers (check_expect.c): the ldirectord
 * reader turns `request` strings into check_expect_conf.send with it. */
#ifndef FC_CHECK_CHECK_EXPECT_H
#define FC_CHECK_CHECK_EXPECT_H

#include <stddef.h>

/* Decode the C escapes of a send string: \r \n \t \\ \" \xHH (\x00
 * refused: send is a C string).  0 with *out malloc'd, or -1 with a
 * sentence in err (an unknown escape, \x without two hex digits). */
int check_expect_unescape(const char *in, char **out, char *err, size_t errlen);

#endif
