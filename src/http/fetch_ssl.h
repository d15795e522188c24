/* The client certificate's fetches (fetch_ssl.c), listed in fetch.c's
 * table: ssl_c_used, ssl_fc_has_crt, ssl_c_verify, ssl_c_err,
 * ssl_c_ca_err, ssl_c_version (smp_f_ssl_c_int); ssl_c_s_dn, ssl_c_i_dn
 * (smp_f_ssl_c_dn); ssl_c_serial, ssl_c_sha1, ssl_c_notbefore,
 * ssl_c_notafter, ssl_c_sig_alg, ssl_c_key_alg (smp_f_ssl_c_str). */
#ifndef FC_HTTP_FETCH_SSL_H
#define FC_HTTP_FETCH_SSL_H

#include "http/sample-t.h"

int smp_f_ssl_c_int(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
int smp_f_ssl_c_dn(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
int smp_f_ssl_c_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);
/* ssl_c_der, ssl_f_der */
int smp_f_ssl_der(const struct smp_expr *e, struct smp_ctx *c, struct sample *s);

#endif
