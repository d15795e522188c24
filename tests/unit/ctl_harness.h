/* What the run-time control tests share (test_ctl.c, test_ctl_socket.c): a
 * small model built by hand (setup, teardown), a command run as a line, a
 * snapshot of everything the model shows, and a strict little JSON checker.
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_CTL_HARNESS_H
#define FC_TESTS_CTL_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/version.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "model/fulcrum-t.h"
#include "model/model.h"

/* ---- a small model built by hand ---- */

static inline struct virtual_server *mk_vs(struct config *cfg, const char *vip, int proto,
				    const char *sched)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(vs);
	assert_int_equal(addr_parse_hostport(vip, &vs->addr, err, sizeof(err)), 0);
	vs->protocol = proto;
	snprintf(vs->pool->sched, sizeof(vs->pool->sched), "%s", sched);
	config_add_vs(cfg, vs);
	return vs;
}

static inline struct real_server *mk_rs(struct virtual_server *vs, const char *rip, int w)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_hostport(rip, &rs->addr, err, sizeof(err)), 0);
	rs->weight = rs->cur_weight = w;
	vs_add_rs(vs, rs);
	return rs;
}

/* TCP 127.0.0.1:8080 rr persistent (2 servers, one drained), UDP v6 sh with
 * flags, and a TCP + UDP pair on 10.0.0.1:53 for the ambiguity rules. */
static inline int setup(void **state)
{
	struct fulcrum *fc = calloc(1, sizeof(*fc));
	struct virtual_server *vs;
	struct real_server *rs;

	assert_non_null(fc);
	fc->loop = loop_new();
	fc->cfg = config_new();
	fc->ops = &apply_ops;
	assert_non_null(fc->loop);
	assert_non_null(fc->cfg);

	vs = mk_vs(fc->cfg, "127.0.0.1:8080", IPPROTO_TCP, "rr");
	vs->persistence_timeout = 50;
	vs->persistence_prefix = 24;
	rs = mk_rs(vs, "127.0.0.1:9001", 1);
	rs->live->activeconns = 2;
	rs->live->inactconns = 1;
	rs = mk_rs(vs, "127.0.0.1:9002", 2);
	rs->live->admin = RS_ADMIN_DRAIN;

	vs = mk_vs(fc->cfg, "[2001:db8::1]:53", IPPROTO_UDP, "sh");
	vs->fwd = FWD_PROXY;
	vs->pool->sched_flags = SCHED_F_FALLBACK | SCHED_F_PORT;
	mk_rs(vs, "[2001:db8::10]:53", 5);

	vs = mk_vs(fc->cfg, "10.0.0.1:53", IPPROTO_TCP, "wlc");
	mk_rs(vs, "10.0.0.2:53", 1);
	vs = mk_vs(fc->cfg, "10.0.0.1:53", IPPROTO_UDP, "wlc");
	mk_rs(vs, "10.0.0.3:53", 1);
	*state = fc;
	return 0;
}

static inline int teardown(void **state)
{
	struct fulcrum *fc = *state;

	config_free(fc->cfg);
	loop_free(fc->loop);
	free(fc);
	return 0;
}

/* Run one command given as a line; returns ctl_execute's result. */
static inline int run(struct fulcrum *fc, const char *line, struct sbuf *out, char *err, size_t errlen)
{
	char buf[CTL_MAX_REQUEST], *argv[CTL_MAX_WORDS];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_split(buf, argv, CTL_MAX_WORDS, err, errlen);
	if (argc < 0)
		return -1;
	sbuf_reset(out);
	return ctl_execute(fc, argc, argv, out, err, errlen);
}

static inline char *run_ok(struct fulcrum *fc, const char *line)
{
	char err[ERRLEN] = "";
	struct sbuf out;

	sbuf_init(&out);
	if (run(fc, line, &out, err, sizeof(err)) < 0)
		fail_msg("'%s' failed: %s", line, err);
	return out.s ? out.s : strdup("");
}

/* Everything the model shows, as one string: equal before and after a
 * refused command means the command changed nothing. */
static inline char *snapshot(struct fulcrum *fc)
{
	return run_ok(fc, "list --json");
}

static inline struct real_server *rs_at(struct fulcrum *fc, int vs_idx, const char *rip)
{
	struct virtual_server *vs = fc->cfg->vs;
	struct fc_addr a;
	char err[ERRLEN];

	while (vs_idx--)
		vs = vs->next;
	assert_int_equal(addr_parse_hostport(rip, &a, err, sizeof(err)), 0);
	return vs_find_rs(vs, &a);
}

/* Like assert_non_null(strstr()), but shows both texts on failure. */
#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle))) {                                                    \
			print_error("missing:\n%s\nin:\n%s\n", (needle), (hay));                   \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static inline int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- a strict little JSON checker: syntax only ---- */

static inline const char *js_value(const char *p);

static inline const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static inline const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static inline const char *js_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static inline const char *js_list(const char *p, char close, int object)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = js_string(js_ws(p));
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = js_value(p);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static inline const char *js_value(const char *p)
{
	p = js_ws(p);
	if (*p == '{')
		return js_list(p, '}', 1);
	if (*p == '[')
		return js_list(p, ']', 0);
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return js_number(p);
}

static inline int json_valid(const char *s)
{
	const char *end = js_value(s);

	return end && !*js_ws(end);
}

#endif
