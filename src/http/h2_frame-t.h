/* HTTP/2 frames (RFC 9113 section 4 and 6): types, flags, error codes,
 * settings and the frame header. */
#ifndef FC_HTTP_H2_FRAME_T_H
#define FC_HTTP_H2_FRAME_T_H

#include <stdint.h>

#define H2_PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24
#define H2_FH_LEN      9          /* the frame header */
#define H2_DEF_FRAME   16384      /* SETTINGS_MAX_FRAME_SIZE's initial value and floor */
#define H2_MAX_FRAME   16777215   /* ... and its ceiling */
#define H2_DEF_WINDOW  65535      /* initial flow-control windows */
#define H2_MAX_WINDOW  0x7fffffff

enum h2_type {
	H2_DATA = 0x0,
	H2_HEADERS = 0x1,
	H2_PRIORITY = 0x2,
	H2_RST_STREAM = 0x3,
	H2_SETTINGS = 0x4,
	H2_PUSH_PROMISE = 0x5,
	H2_PING = 0x6,
	H2_GOAWAY = 0x7,
	H2_WINDOW_UPDATE = 0x8,
	H2_CONTINUATION = 0x9,
};

#define H2_F_END_STREAM  0x01
#define H2_F_ACK         0x01 /* SETTINGS, PING */
#define H2_F_END_HEADERS 0x04
#define H2_F_PADDED      0x08
#define H2_F_PRIORITY    0x20

enum h2_error {
	H2_NO_ERROR = 0x0,
	H2_PROTOCOL_ERROR = 0x1,
	H2_INTERNAL_ERROR = 0x2,
	H2_FLOW_CONTROL_ERROR = 0x3,
	H2_SETTINGS_TIMEOUT = 0x4,
	H2_STREAM_CLOSED = 0x5,
	H2_FRAME_SIZE_ERROR = 0x6,
	H2_REFUSED_STREAM = 0x7,
	H2_CANCEL = 0x8,
	H2_COMPRESSION_ERROR = 0x9,
	H2_CONNECT_ERROR = 0xa,
	H2_ENHANCE_YOUR_CALM = 0xb,
	H2_INADEQUATE_SECURITY = 0xc,
	H2_HTTP_1_1_REQUIRED = 0xd,
};

enum h2_setting_id {
	H2_SET_HEADER_TABLE_SIZE = 0x1,
	H2_SET_ENABLE_PUSH = 0x2,
	H2_SET_MAX_CONCURRENT_STREAMS = 0x3,
	H2_SET_INITIAL_WINDOW_SIZE = 0x4,
	H2_SET_MAX_FRAME_SIZE = 0x5,
	H2_SET_MAX_HEADER_LIST_SIZE = 0x6,
};

struct h2_fh {
	uint32_t len; /* 24 bits */
	uint8_t type, flags;
	uint32_t sid; /* 31 bits, the reserved bit dropped */
};

/* The peer's settings that matter to a sender. */
struct h2_settings {
	uint32_t header_table_size, enable_push, max_concurrent, initial_window, max_frame, max_header_list;
};

#endif
