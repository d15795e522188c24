/* The generic keyword parsers: a table entry without a parser of its own
 * names a field (struct kw_slot) and its type; this writes argument 0 into
 * it through the helpers of kw.c, so that a slot gives exactly the message
 * the one-line parser it replaced gave ("delay_loop: 'x' is not a number of
 * seconds (0..86400)").  nginx's ngx_conf_set_*_slot are the model. */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "kw/kw.h"

/* An unsigned value into a field of 1, 2 or 4 bytes (the range was checked
 * against the slot's, which the table keeps within the field). */
static void store_uint(void *p, unsigned size, unsigned v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = v;

	if (size == 1)
		memcpy(p, &u8, 1);
	else if (size == 2)
		memcpy(p, &u16, 2);
	else
		memcpy(p, &u32, 4);
}

/* The struct that holds the slot's field: obj itself, or what the pointer
 * at `via` in obj points to. */
static char *slot_base(void *obj, const struct kw_slot *s)
{
	char *base = obj;

	if (s->via != KW_SELF)
		memcpy(&base, (char *)obj + s->via, sizeof(base));
	return base;
}

int kw_slot_set(struct kw_ctx *c, void *obj, const struct kw *k, const struct kw_stmt *st,
		char *err, size_t errlen)
{
	const struct kw_slot *s = &k->slot;
	char *base = slot_base(obj, s);
	void *p = base ? base + s->off : NULL;
	unsigned u;
	int i;

	if (!p || s->type == KW_T_NONE)
		return err_set(err, errlen, "%s: no parser (a keyword table bug)", st->kw->text);
	switch ((enum kw_type)s->type) {
	case KW_T_UINT:
		if (kw_uint(st, 0, s->min, s->max, &u, err, errlen) < 0)
			return -1;
		store_uint(p, s->size, u);
		return 0;
	case KW_T_BOOL:
		return kw_bool(st, 0, p, err, errlen);
	case KW_T_FLAG:
		i = 1;
		memcpy(p, &i, sizeof(i));
		return 0;
	case KW_T_STR:
		return kw_str(st, 0, p, err, errlen);
	case KW_T_SCRIPT:
		return kw_script(c, st, p, err, errlen);
	case KW_T_SECS_MS:
		if (kw_secs_ms(st, 0, s->max, &u, err, errlen) < 0)
			return -1;
		if (u < s->min && s->min == 1)
			return err_set(err, errlen, "%s: must be more than 0", st->kw->text);
		if (u < s->min)
			return err_set(err, errlen, "%s: must be at least %u.%03u s", st->kw->text,
				       s->min / 1000, s->min % 1000);
		memcpy(p, &u, sizeof(u));
		return 0;
	case KW_T_SECS_NZ:
		return kw_secs_nonzero(c, st, s->max, p, s->arg, err, errlen);
	case KW_T_ENUM:
		if (kw_enum(st, 0, s->arg, &i, err, errlen) < 0)
			return -1;
		store_uint(p, s->size, (unsigned)i);
		return 0;
	case KW_T_IP:
		return kw_ip(st, 0, p, err, errlen);
	case KW_T_PORT:
		return kw_port(st, 0, p, err, errlen);
	case KW_T_IFNAME:
		return kw_ifname(st->kw->text, st->argc ? st->args[0].text : "", p, s->size, err,
				 errlen);
	case KW_T_NONE:
		break;
	}
	return err_set(err, errlen, "%s: no parser (a keyword table bug)", st->kw->text);
}
