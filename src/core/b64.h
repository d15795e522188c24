/* Base64 (RFC 4648, the standard alphabet) as HTTP's Basic credentials
 * carry it. */
#ifndef FC_CORE_B64_H
#define FC_CORE_B64_H

#include <stddef.h>

/* Decode in[0..len) into out (at most max bytes).  Strict as HAProxy's
 * base64dec: a whole number of 4-character groups, '=' only as the last
 * one or two characters.  The decoded length, or -1 if in is not such
 * base64 or does not fit. */
int b64_decode(const char *in, size_t len, char *out, size_t max);

#endif
