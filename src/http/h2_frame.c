/* HTTP/2 frames (RFC 9113 sections 4.1 and 6); see h2_frame.h. */
#include <string.h>

#include "http/h2_frame.h"

static void put32(uint8_t *o, uint32_t v)
{
	o[0] = (uint8_t)(v >> 24);
	o[1] = (uint8_t)(v >> 16);
	o[2] = (uint8_t)(v >> 8);
	o[3] = (uint8_t)v;
}

uint32_t h2_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t h2_u31(const uint8_t *p)
{
	return h2_u32(p) & 0x7fffffff;
}

void h2_fh_parse(const uint8_t *in, struct h2_fh *fh)
{
	fh->len = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
	fh->type = in[3];
	fh->flags = in[4];
	fh->sid = h2_u31(in + 5);
}

void h2_fh_build(uint8_t *out, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid)
{
	out[0] = (uint8_t)(len >> 16);
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)len;
	out[3] = type;
	out[4] = flags;
	put32(out + 5, sid & 0x7fffffff);
}

int h2_payload(const uint8_t *p, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid, uint32_t *off,
	       uint32_t *dlen)
{
	uint32_t o = 0, pad = 0;

	if (flags & H2_F_PADDED) {
		if (len < 1)
			return -H2_FRAME_SIZE_ERROR;
		pad = p[0];
		o = 1;
	}
	if (type == H2_HEADERS && (flags & H2_F_PRIORITY)) {
		if (len - o < 5)
			return -H2_FRAME_SIZE_ERROR;
		if (h2_u31(p + o) == sid)
			return -H2_PROTOCOL_ERROR; /* section 5.3.1: a stream on itself */
		o += 5;
	}
	if (pad > len - o)
		return -H2_PROTOCOL_ERROR; /* section 6.1, 6.2 */
	*off = o;
	*dlen = len - o - pad;
	return 0;
}

void h2_settings_init(struct h2_settings *s)
{
	*s = (struct h2_settings){ .header_table_size = 4096, .enable_push = 1, .max_concurrent = UINT32_MAX,
				   .initial_window = H2_DEF_WINDOW, .max_frame = H2_DEF_FRAME,
				   .max_header_list = UINT32_MAX };
}

int h2_settings_apply(struct h2_settings *s, const uint8_t *p, uint32_t len, int64_t *win_delta)
{
	struct h2_settings n = *s;

	if (len % 6)
		return -H2_FRAME_SIZE_ERROR;
	for (uint32_t i = 0; i < len; i += 6) {
		uint16_t id = (uint16_t)(p[i] << 8 | p[i + 1]);
		uint32_t v = h2_u32(p + i + 2);

		switch (id) {
		case H2_SET_HEADER_TABLE_SIZE:
			n.header_table_size = v;
			break;
		case H2_SET_ENABLE_PUSH:
			if (v > 1)
				return -H2_PROTOCOL_ERROR;
			n.enable_push = v;
			break;
		case H2_SET_MAX_CONCURRENT_STREAMS:
			n.max_concurrent = v;
			break;
		case H2_SET_INITIAL_WINDOW_SIZE:
			if (v > H2_MAX_WINDOW)
				return -H2_FLOW_CONTROL_ERROR;
			n.initial_window = v;
			break;
		case H2_SET_MAX_FRAME_SIZE:
			if (v < H2_DEF_FRAME || v > H2_MAX_FRAME)
				return -H2_PROTOCOL_ERROR;
			n.max_frame = v;
			break;
		case H2_SET_MAX_HEADER_LIST_SIZE:
			n.max_header_list = v;
			break;
		default: /* unknown settings are ignored (section 6.5.2) */
			break;
		}
	}
	*win_delta = (int64_t)n.initial_window - s->initial_window;
	*s = n;
	return 0;
}

size_t h2_build_settings(uint8_t *out, const uint32_t (*kv)[2], unsigned n)
{
	h2_fh_build(out, 6 * n, H2_SETTINGS, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *o = out + H2_FH_LEN + 6 * i;

		o[0] = (uint8_t)(kv[i][0] >> 8);
		o[1] = (uint8_t)kv[i][0];
		put32(o + 2, kv[i][1]);
	}
	return H2_FH_LEN + 6 * n;
}

size_t h2_build_settings_ack(uint8_t *out)
{
	h2_fh_build(out, 0, H2_SETTINGS, H2_F_ACK, 0);
	return H2_FH_LEN;
}

size_t h2_build_ping_ack(uint8_t *out, const uint8_t *opaque8)
{
	h2_fh_build(out, 8, H2_PING, H2_F_ACK, 0);
	memcpy(out + H2_FH_LEN, opaque8, 8);
	return H2_FH_LEN + 8;
}

size_t h2_build_goaway(uint8_t *out, uint32_t last_sid, uint32_t err)
{
	h2_fh_build(out, 8, H2_GOAWAY, 0, 0);
	put32(out + H2_FH_LEN, last_sid & 0x7fffffff);
	put32(out + H2_FH_LEN + 4, err);
	return H2_FH_LEN + 8;
}

size_t h2_build_rst(uint8_t *out, uint32_t sid, uint32_t err)
{
	h2_fh_build(out, 4, H2_RST_STREAM, 0, sid);
	put32(out + H2_FH_LEN, err);
	return H2_FH_LEN + 4;
}

size_t h2_build_window_update(uint8_t *out, uint32_t sid, uint32_t incr)
{
	h2_fh_build(out, 4, H2_WINDOW_UPDATE, 0, sid);
	put32(out + H2_FH_LEN, incr & 0x7fffffff);
	return H2_FH_LEN + 4;
}
