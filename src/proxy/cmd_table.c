/* HAProxy's `show table [NAME]` on the control socket: the stick tables
 * of haproxy.cfg (src/proxy/stktable.h), as HAProxy 2.6 writes them:
 *
 *   # table: s, type: string, size:100, used:2
 *   0x5573fad63190: key=u1 use=0 exp=29455 server_id=1 server_key=a
 *
 * (the entry lines only with a NAME; server_id is the server's position
 * in the table's own proxy, 0 if it has none of that name; exp is -1 for
 * a table without expire).  It lives with the tables, not in ctl/: the
 * engine's stats applet already runs control commands (proxy -> ctl), so
 * ctl may not include proxy/; the command table names it through cmd.h. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "proxy/stktable.h"

static const char *const type_names[] = {"", "ip", "ipv6", "integer", "string", "binary"};

struct walk {
	struct sbuf *out;
	const struct http_proxy *hp;
};

static void key_text(const struct hp_stick_table *d, const unsigned char *k, size_t n, char *buf,
		     size_t len)
{
	int64_t v;
	size_t i, o = 0;

	if (d->type == HP_ST_IP && n == 4) {
		inet_ntop(AF_INET, k, buf, (socklen_t)len);
	} else if (d->type == HP_ST_IPV6 && n == 16) {
		inet_ntop(AF_INET6, k, buf, (socklen_t)len);
	} else if (d->type == HP_ST_INT && n == sizeof(v)) {
		memcpy(&v, k, sizeof(v));
		snprintf(buf, len, "%" PRId64, v);
	} else if (d->type == HP_ST_STR) {
		snprintf(buf, len, "%.*s", (int)n, (const char *)k);
	} else {
		for (i = 0; i < n && o + 3 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02X", k[i]);
		buf[o] = 0;
	}
}

static void entry(void *ctx, const void *e, const unsigned char *key, size_t klen, const char *srv,
		  int64_t exp_ms)
{
	struct walk *w = ctx;
	const struct real_server *rs;
	char k[2100];
	unsigned id = 0, i = 1;

	for (rs = w->hp->pool ? w->hp->pool->rs : NULL; rs; rs = rs->next, i++)
		if (rs->name && !strcmp(rs->name, srv)) {
			id = i;
			break;
		}
	key_text(&w->hp->stick, key, klen, k, sizeof(k));
	sbuf_printf(w->out, "%p: key=%s use=0 exp=%" PRId64 " server_id=%u server_key=%s\n", e, k,
		    exp_ms, id, srv);
}

int cmd_show_table(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen)
{
	const struct http_proxy *hp;
	struct stktable *t;
	int found = 0;

	for (hp = fc->cfg ? fc->cfg->http_proxies : NULL; hp; hp = hp->next) {
		if (hp->stick.type == HP_ST_NONE || (argc && strcmp(hp->name, argv[0])))
			continue;
		found = 1;
		t = stktable_lookup(hp->name);
		sbuf_printf(out, "# table: %s, type: %s, size:%u, used:%zu\n", hp->name,
			    type_names[hp->stick.type], hp->stick.size, t ? stktable_count(t) : 0);
		if (argc && t) {
			struct walk w = {out, hp};

			stktable_walk(t, loop_now(fc->loop), entry, &w);
		}
		if (argc)
			sbuf_printf(out, "\n");
	}
	if (argc && !found)
		return err_set(err, errlen, "No such table");
	return 0;
}
