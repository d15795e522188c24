/* A growable string buffer for building replies and listings. */
#ifndef FC_CORE_SBUF_H
#define FC_CORE_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;      /* NUL-terminated, owned; NULL until first append */
	size_t len;
	size_t cap;
	int oom;      /* an append failed: content is truncated */
};

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. */
void sbuf_json_str(struct sbuf *b, const char *s);
static inline const char *sbuf_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

#endif
