/* Helpers the haproxy.cfg reader's unit tests share (test_conf_haproxy.c,
 * test_conf_haproxy_proxies.c, test_conf_haproxy_files.c): a proxy or a
 * server of a loaded config, an address as text, a warning that must have
 * been said.  Included after reader_harness.h. */
#ifndef FC_TESTS_HAPROXY_MODEL_H
#define FC_TESTS_HAPROXY_MODEL_H

static struct http_proxy *px(const struct config *cfg, const char *name)
{
	struct http_proxy *hp = config_find_http_proxy(cfg, name, HP_CAP_FE | HP_CAP_BE);

	assert_non_null(hp);
	return hp;
}

static struct real_server *srv(const struct config *cfg, const char *pool, const char *name)
{
	struct pool *p = config_find_pool(cfg, pool);
	struct real_server *rs;

	assert_non_null(p);
	rs = pool_find_server(p, name);
	assert_non_null(rs);
	return rs;
}

static const char *fmt(const struct fc_addr *a)
{
	static char buf[ADDR_STRLEN];

	return addr_format(a, buf, sizeof(buf), 1);
}

/* The last load warned at h.cfg:LINE with a message containing want. */
static inline void expect_warning(int line, const char *want)
{
	if (!said('W', line, want))
		fail_msg("wanted a warning \"h.cfg:%d: ...%s\", got:\n%s", line, want, msgs);
}


#endif
