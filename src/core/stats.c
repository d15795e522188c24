/* The statistics-field walker: writes an object as JSON from its table.
 *
 * Output contract (what the control socket's JSON has always looked like,
 * and what tests and scripts parse): no spaces, members in table order,
 * counters and integers in decimal, reals with 3 decimals (a value that is
 * not finite is written 0.000), strings JSON-escaped, a missing value null;
 * a getter may also leave a member out (STAT_OMIT). */
#include <math.h>
#include <string.h>

#include "core/addr.h"
#include "core/stats.h"

static const char *const type_names[STAT__COUNT] = {
    [STAT_COUNTER] = "counter", [STAT_GAUGE] = "gauge",	  [STAT_CONFIG] = "config",
    [STAT_FLOAT] = "float",	[STAT_STRING] = "string", [STAT_ENUM] = "enum",
    [STAT_BOOL] = "bool",	[STAT_OBJECT] = "object", [STAT_LIST] = "list",
    [STAT_INLINE] = "inline",
};

const char *stat_type_name(enum stat_type t)
{
	return t > 0 && t < STAT__COUNT ? type_names[t] : NULL;
}

/* An integer loaded from the object, as the field's type wants it. */
static void set_num(const struct stat_field *f, unsigned long long u, long long i,
		    union stat_val *v)
{
	switch (f->type) {
	case STAT_COUNTER:
		v->u = u;
		break;
	case STAT_FLOAT:
		v->d = (double)i;
		break;
	case STAT_BOOL:
		v->b = u != 0;
		break;
	default:
		v->i = i;
		break;
	}
}

const char *stat_chars(struct stat_ctx *c, const char *src, size_t size)
{
	/* written by checkers and peers: never trust it to be terminated */
	size_t n = strnlen(src, size);

	if (n >= sizeof(c->buf))
		n = sizeof(c->buf) - 1;
	memcpy(c->buf, src, n);
	c->buf[n] = 0;
	return c->buf;
}

enum stat_got stat_read(const struct stat_field *f, const void *obj, struct stat_ctx *c,
			union stat_val *v)
{
	const char *at = (const char *)obj + f->off;

	if (f->get)
		return f->get(obj, f, c, v);
	/* numbers are read as relaxed atomics: some are written by the
	 * proxy's workers with no lock (the live objects' connection counts,
	 * src/model/model-t.h), and a field is always aligned in its struct */
	switch (f->load) {
	case STAT_LD_U32: {
		uint32_t x = __atomic_load_n((const uint32_t *)(const void *)at, __ATOMIC_RELAXED);

		set_num(f, x, x, v);
		return STAT_SET;
	}
	case STAT_LD_U64: {
		uint64_t x = __atomic_load_n((const uint64_t *)(const void *)at, __ATOMIC_RELAXED);

		set_num(f, x, (long long)x, v);
		return STAT_SET;
	}
	case STAT_LD_INT: {
		int x = __atomic_load_n((const int *)(const void *)at, __ATOMIC_RELAXED);

		set_num(f, (unsigned long long)x, x, v);
		return STAT_SET;
	}
	case STAT_LD_DOUBLE:
		memcpy(&v->d, at, sizeof(v->d));
		return STAT_SET;
	case STAT_LD_CHARS:
		v->s = stat_chars(c, at, f->size);
		return STAT_SET;
	case STAT_LD_STR:
		memcpy(&v->s, at, sizeof(v->s));
		return v->s ? STAT_SET : STAT_NULL;
	case STAT_LD_SUB:
		v->p = at;
		return STAT_SET;
	default:
		return STAT_NULL;
	}
}

static int members(struct sbuf *out, const struct stat_table *t, const void *obj,
		   struct stat_ctx *c, size_t from, size_t to, int first);

int stat_number(struct sbuf *out, const struct stat_field *f, const union stat_val *v)
{
	switch (f->type) {
	case STAT_COUNTER:
		sbuf_printf(out, "%llu", v->u);
		return 1;
	case STAT_GAUGE:
	case STAT_CONFIG:
		sbuf_printf(out, "%lld", v->i);
		return 1;
	case STAT_FLOAT:
		sbuf_printf(out, "%.3f", isfinite(v->d) ? v->d : 0.0);
		return 1;
	default:
		return 0;
	}
}

static void scalar(struct sbuf *out, const struct stat_field *f, const union stat_val *v)
{
	if (stat_number(out, f, v))
		return;
	switch (f->type) {
	case STAT_STRING:
	case STAT_ENUM:
		if (v->s)
			sbuf_json_str(out, v->s);
		else
			sbuf_puts(out, "null");
		break;
	case STAT_BOOL:
		sbuf_puts(out, v->b ? "true" : "false");
		break;
	default:
		sbuf_puts(out, "null");
		break;
	}
}

static void list(struct sbuf *out, const struct stat_field *f, const void *obj, const void *item,
		 struct stat_ctx *c)
{
	const struct stat_table *sub = f->sub;
	const void *owner = c->owner;
	int first = 1;

	sbuf_puts(out, "[");
	for (; item; item = f->next(obj, item)) {
		c->owner = obj;
		if (!first)
			sbuf_puts(out, ",");
		first = 0;
		if (sub->bare) {
			union stat_val v;

			if (stat_read(&sub->fields[0], item, c, &v) == STAT_SET)
				scalar(out, &sub->fields[0], &v);
			else
				sbuf_puts(out, "null");
		} else {
			stat_json(out, sub, item, c);
		}
	}
	c->owner = owner;
	sbuf_puts(out, "]");
}

/* Writes fields [from, to) of t; first: no member written yet in this
 * object.  Returns first as it is after. */
static int members(struct sbuf *out, const struct stat_table *t, const void *obj,
		   struct stat_ctx *c, size_t from, size_t to, int first)
{
	size_t i;

	for (i = from; i < to; i++) {
		const struct stat_field *f = &t->fields[i];
		union stat_val v = {0};
		enum stat_got got = stat_read(f, obj, c, &v);

		if (got == STAT_OMIT)
			continue;
		if (f->type == STAT_INLINE) {
			if (got == STAT_SET)
				first = members(out, f->sub, v.p, c, 0, f->sub->n, first);
			continue;
		}
		sbuf_puts(out, first ? "\"" : ",\"");
		sbuf_puts(out, f->name);
		sbuf_puts(out, "\":");
		first = 0;
		if (got == STAT_NULL)
			sbuf_puts(out, "null");
		else if (f->type == STAT_OBJECT)
			stat_json(out, f->sub, v.p, c);
		else if (f->type == STAT_LIST)
			list(out, f, obj, v.p, c);
		else
			scalar(out, f, &v);
	}
	return first;
}

void stat_json(struct sbuf *out, const struct stat_table *t, const void *obj, struct stat_ctx *c)
{
	sbuf_puts(out, "{");
	members(out, t, obj, c, 0, t->n, 1);
	sbuf_puts(out, "}");
}

static size_t stream_at(const struct stat_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->fields[i].type == STAT_LIST && t->fields[i].stream)
			break;
	return i;
}

const struct stat_field *stat_json_head(struct sbuf *out, const struct stat_table *t,
					const void *obj, struct stat_ctx *c)
{
	size_t at = stream_at(t);

	sbuf_puts(out, "{");
	if (members(out, t, obj, c, 0, at, 1))
		sbuf_puts(out, "\"");
	else if (at < t->n)
		sbuf_puts(out, ",\"");
	if (at == t->n) {
		sbuf_puts(out, "}");
		return NULL;
	}
	sbuf_puts(out, t->fields[at].name);
	sbuf_puts(out, "\":[");
	return &t->fields[at];
}

void stat_json_tail(struct sbuf *out, const struct stat_table *t, const void *obj,
		    struct stat_ctx *c)
{
	size_t at = stream_at(t);

	sbuf_puts(out, "]");
	if (at < t->n)
		members(out, t, obj, c, at + 1, t->n, 0);
	sbuf_puts(out, "}");
}

enum stat_got stat_get_self(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			    union stat_val *v)
{
	v->p = obj;
	return STAT_SET;
}

static enum stat_got get_address(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	v->s = addr_format(obj, c->buf, sizeof(c->buf), 0);
	return STAT_SET;
}

static enum stat_got get_port(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->i = ((const struct fc_addr *)obj)->port;
	return STAT_SET;
}

static const struct stat_field endpoint_fields[] = {
    {"address", STAT_STRING, "IP address (IPv6 without brackets)", .get = get_address},
    {"port", STAT_CONFIG, "port (0: every port, a firewall-mark service)", .get = get_port},
};

const struct stat_table stat_endpoint = STAT_TABLE("endpoint", endpoint_fields);
