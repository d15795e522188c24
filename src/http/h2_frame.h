/* HTTP/2 frames (RFC 9113): the frame header read and written, the
 * payloads the gateway parses (padding and priority of HEADERS and DATA,
 * SETTINGS, WINDOW_UPDATE, RST_STREAM, GOAWAY) and builds.  Pure functions
 * on byte buffers; every read is bounded by the length given.  A return of
 * -H2_x (x an h2_error) is the error the RFC names for that input. */
#ifndef FC_HTTP_H2_FRAME_H
#define FC_HTTP_H2_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "http/h2_frame-t.h"

/* in has at least H2_FH_LEN bytes. */
void h2_fh_parse(const uint8_t *in, struct h2_fh *fh);
void h2_fh_build(uint8_t *out, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid);

/* The data or header block of a DATA or HEADERS payload p[0..len) with the
 * frame's flags: padding and (HEADERS) priority removed.  0 and *off,
 * *dlen; -H2_PROTOCOL_ERROR when the padding is longer than the payload or
 * the stream depends on itself (sid), -H2_FRAME_SIZE_ERROR if too short. */
int h2_payload(const uint8_t *p, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid, uint32_t *off,
	       uint32_t *dlen);

void h2_settings_init(struct h2_settings *s);
/* Apply a SETTINGS payload (not ACK); *win_delta gets the change of the
 * initial window for the open streams.  0 or -H2_x (section 6.5.2). */
int h2_settings_apply(struct h2_settings *s, const uint8_t *p, uint32_t len, int64_t *win_delta);

/* A 4-byte payload's 31-bit value (WINDOW_UPDATE increment) or 32-bit
 * value (RST_STREAM error code). */
uint32_t h2_u31(const uint8_t *p);
uint32_t h2_u32(const uint8_t *p);

/* Builders: write a whole frame into out (which has room for it) and
 * return its length. */
size_t h2_build_settings(uint8_t *out, const uint32_t (*kv)[2], unsigned n);
size_t h2_build_settings_ack(uint8_t *out);
size_t h2_build_ping_ack(uint8_t *out, const uint8_t *opaque8);
size_t h2_build_goaway(uint8_t *out, uint32_t last_sid, uint32_t err);
size_t h2_build_rst(uint8_t *out, uint32_t sid, uint32_t err);
size_t h2_build_window_update(uint8_t *out, uint32_t sid, uint32_t incr);

#endif
