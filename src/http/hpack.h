/* HPACK (RFC 7541): the header compression of HTTP/2.
 *
 * The decoder keeps the dynamic table of one direction of a connection;
 * every read is bounded by the block's length, every string by the
 * caller's buffer (which so bounds the header list size), the table by
 * hpack-t.h's limit.  An error is a COMPRESSION_ERROR of the connection
 * (RFC 9113 section 4.3): the table is then unusable and the caller closes.
 *
 * The encoder is the simplest sound one: literal fields without indexing
 * and without Huffman, :status indexed when the static table has it, so it
 * keeps no state and the peer's decoder needs no table. */
#ifndef FC_HTTP_HPACK_H
#define FC_HTTP_HPACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/hpack-t.h"

void hpack_dec_init(struct hpack_dec *d, size_t limit);
void hpack_dec_free(struct hpack_dec *d);

/* Decode one header block (in[0..len), HEADERS and its CONTINUATIONs put
 * together) into hdrs[0..maxhdrs), names and values copied into
 * buf[0..cap).  Returns the number of fields or an hpack_err. */
int hpack_decode(struct hpack_dec *d, const uint8_t *in, size_t len, struct hpack_hdr *hdrs, int maxhdrs,
		 char *buf, size_t cap);

/* Integers (section 5.1): decode from in[0..len) with an n-bit prefix;
 * returns the octets used, or an hpack_err.  Encode into out[0..cap), the
 * first octet's high bits from `flags`; returns the length or 0 if out is
 * too small. */
int hpack_int_dec(const uint8_t *in, size_t len, unsigned n, uint32_t *val);
size_t hpack_int_enc(uint8_t *out, size_t cap, unsigned n, uint8_t flags, uint32_t val);

/* Huffman (section 5.2, Appendix B): decode in[0..len) into out[0..cap);
 * returns the length or an hpack_err (HPACK_ERR_LIST_SIZE when out is too
 * small).  Encode: returns the length, or 0 if it does not fit. */
ssize_t hpack_huff_dec(const uint8_t *in, size_t len, char *out, size_t cap);
size_t hpack_huff_enc(const char *in, size_t len, uint8_t *out, size_t cap);

/* Encode one field as a literal without indexing, new name (section
 * 6.2.2), or :status (indexed when static).  The length, or 0 if out is
 * too small. */
size_t hpack_enc_field(uint8_t *out, size_t cap, const char *name, size_t nlen, const char *val, size_t vlen);
size_t hpack_enc_status(uint8_t *out, size_t cap, unsigned status);

/* The Huffman table (hpack_huff.c). */
extern const struct hpack_huff_sym hpack_huff_tab[HPACK_HUFF_NSYM];
extern const uint16_t hpack_huff_count[HPACK_HUFF_MAXLEN + 1];
extern const uint16_t hpack_huff_sorted[HPACK_HUFF_NSYM];

#endif
