/* HTTP_GET and SSL_GET's configuration functions (check_http_conf.c), the
 * config part of their check_ops (check_http.c). */
#ifndef FC_CHECK_CHECK_HTTP_H
#define FC_CHECK_CHECK_HTTP_H

#include <stddef.h>

#include "check/check-t.h"
#include "check/check_http-t.h"
#include "kw/kw-t.h"

extern const struct kw check_http_get_kw[], check_ssl_get_kw[];
void *check_http_conf_new(void);
void check_http_conf_free(void *spec);
int check_http_conf_equal(const void *a, const void *b);
int check_http_conf_finish(struct check_conf *k, char *err, size_t errlen);
void check_http_conf_inherit(struct check_conf *k, const char *vhost);

#endif
