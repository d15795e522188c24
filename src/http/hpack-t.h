/* HPACK (RFC 7541) types: the decoder's dynamic table, a decoded header.
 *
 * The dynamic table is a ring of at most HPACK_MAX_ENTRIES entries, each one
 * allocation holding name and value; its size in RFC 7541's sense (name +
 * value + 32 per entry) never exceeds `max`, which the peer may lower (a
 * dynamic table size update) but never raise above `limit`, what we
 * announced in SETTINGS_HEADER_TABLE_SIZE.  So a peer bounds nothing: at
 * most HPACK_TABLE_LIMIT bytes (plus the overhead) are ever held. */
#ifndef FC_HTTP_HPACK_T_H
#define FC_HTTP_HPACK_T_H

#include <stddef.h>
#include <stdint.h>

#define HPACK_STATIC_N    61   /* entries of the static table (Appendix A) */
#define HPACK_TABLE_LIMIT 4096 /* the largest table size we accept (SETTINGS default) */
#define HPACK_ENTRY_OVERHEAD 32
#define HPACK_MAX_ENTRIES (HPACK_TABLE_LIMIT / HPACK_ENTRY_OVERHEAD)

#define HPACK_HUFF_NSYM   257  /* 256 octets and EOS */
#define HPACK_HUFF_MAXLEN 30   /* the longest code, in bits */

struct hpack_huff_sym {
	uint32_t code; /* aligned to the least significant bit */
	uint8_t len;   /* in bits */
};

struct hpack_ent {
	char *name; /* name then value in one allocation */
	uint32_t nlen, vlen;
};

struct hpack_dec {
	struct hpack_ent ent[HPACK_MAX_ENTRIES]; /* ring: ent[head] is the newest */
	unsigned head, count;
	size_t size;  /* RFC 7541 size of the entries held */
	size_t max;   /* the current maximum (last size update), <= limit */
	size_t limit; /* what SETTINGS_HEADER_TABLE_SIZE announced */
};

/* A decoded header field: name and value in the caller's buffer. */
struct hpack_hdr {
	const char *name, *value;
	uint32_t nlen, vlen;
};

enum hpack_err {
	HPACK_ERR_TRUNC = -1,     /* the block ends inside a representation */
	HPACK_ERR_INT = -2,       /* an integer over 2^32 - 1 or too many octets */
	HPACK_ERR_INDEX = -3,     /* index 0 or past the tables */
	HPACK_ERR_HUFF = -4,      /* bad Huffman: EOS coded, padding over 7 bits or not all ones */
	HPACK_ERR_SIZE_UPD = -5,  /* a size update above the limit, or after a field */
	HPACK_ERR_LIST_SIZE = -6, /* the header list does not fit the caller's buffer */
	HPACK_ERR_TOO_MANY = -7,  /* more fields than the caller's array holds */
};

#endif
