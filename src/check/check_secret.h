/* A password kept in a file of its own (PGSQL_CHECK's and MYSQL_CHECK's
 * password_file), check_secret.c. */
#ifndef FC_CHECK_CHECK_SECRET_H
#define FC_CHECK_CHECK_SECRET_H

#include <stddef.h>

/* The first line of path (CR/LF cut) into *out (malloc'd), refusing what
 * libpq refuses for .pgpass: a file that is not regular (a symlink
 * included), or that its group or others may access (mode & 077: chmod
 * 0600).  Read when the config is, so that a bad file is an error at its
 * file:line rather than a check failing later.  0, or -1 with err (which
 * names path); *out untouched then. */
int check_read_secret(const char *path, char **out, char *err, size_t errlen);

#endif
