/* Checker blocks inside real_server: TCP_CHECK, HTTP_GET, SSL_GET,
 * MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK
 * (BFD_CHECK is ignored with a warning).  Each becomes a struct check_conf
 * on the real server; timings not given in the block are inherited from
 * the real_server, then the virtual_server, then keepalived's defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <strings.h>

#include "conf/kw.h"
#include "core/err.h"
#include "model/model.h"

/* An SMTP_CHECK `host { }` (keepalived's old syntax): one more target. */
struct smtp_host {
	struct fc_addr connect, bindto;
	char *bind_if;
	unsigned connect_timeout_ms;
	struct smtp_host *next;
};

struct chk_state {
	struct rs_state *rss;
	struct check_conf *chk;
	struct smtp_host *hosts; /* owned */
	int sni;		 /* enable_sni given */
};

static const char *const check_names[] = {
    [CHECK_TCP] = "TCP_CHECK",	 [CHECK_HTTP_GET] = "HTTP_GET", [CHECK_SSL_GET] = "SSL_GET",
    [CHECK_MISC] = "MISC_CHECK", [CHECK_SMTP] = "SMTP_CHECK",	[CHECK_DNS] = "DNS_CHECK",
    [CHECK_UDP] = "UDP_CHECK",	 [CHECK_PING] = "PING_CHECK",	[CHECK_FILE] = "FILE_CHECK",
    [CHECK_BFD] = "BFD_CHECK",
};

#define CHK(obj) (((struct chk_state *)(obj))->chk)

/* ---- keywords every checker has ---- */

static int p_connect_ip(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	return kw_ip(st, 0, &CHK(obj)->connect, err, errlen);
}

static int p_connect_port(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	return kw_port(st, 0, &CHK(obj)->connect.port, err, errlen);
}

static int p_bindto(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_ip(st, 0, &CHK(obj)->bindto, err, errlen);
}

static int p_bind_port(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return kw_port(st, 0, &CHK(obj)->bindto.port, err, errlen);
}

static int p_bind_if(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	if (strlen(st->args[0].text) >= 16)
		return err_set(err, errlen, "bind_if: '%s' is not an interface name",
			       st->args[0].text);
	return kw_str(st, 0, &CHK(obj)->bind_if, err, errlen);
}

static int p_connect_timeout(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			     size_t errlen)
{
	return kw_secs_nonzero(c, st, 3600000, &CHK(obj)->connect_timeout_ms,
			       "the real_server's, the virtual_server's or the default (5 s)", err,
			       errlen);
}

static int p_retry(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_uint(st, 0, 0, 1000, &CHK(obj)->retry, err, errlen);
}

static int p_delay_before_retry(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
				size_t errlen)
{
	return kw_secs_ms(st, 0, 3600000, &CHK(obj)->delay_before_retry_ms, err, errlen);
}

static int p_warmup(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_secs_ms(st, 0, 3600000, &CHK(obj)->warmup_ms, err, errlen);
}

static int p_delay_loop(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	return kw_secs_nonzero(c, st, 86400000, &CHK(obj)->delay_loop_ms,
			       "the real_server's or the virtual_server's", err, errlen);
}

static int p_rise(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_uint(st, 0, 1, 1000, &CHK(obj)->rise, err, errlen);
}

static int p_fall(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_uint(st, 0, 1, 1000, &CHK(obj)->fall, err, errlen);
}

static const struct kw kw_generic[] = {
    {"connect_ip", p_connect_ip, 1, 1, KW_NOBLOCK},
    {"connect_port", p_connect_port, 1, 1, KW_NOBLOCK},
    {"bindto", p_bindto, 1, 1, KW_NOBLOCK},
    {"bind_port", p_bind_port, 1, 1, KW_NOBLOCK},
    {"bind_if", p_bind_if, 1, 1, KW_NOBLOCK},
    {"connect_timeout", p_connect_timeout, 1, 1, KW_NOBLOCK},
    {"retry", p_retry, 1, 1, KW_NOBLOCK},
    {"nb_get_retry", p_retry, 1, 1, KW_NOBLOCK},
    {"delay_before_retry", p_delay_before_retry, 1, 1, KW_NOBLOCK},
    {"warmup", p_warmup, 1, 1, KW_NOBLOCK},
    {"delay_loop", p_delay_loop, 1, 1, KW_NOBLOCK},
    /* fulcrum extensions */
    {"rise", p_rise, 1, 1, KW_NOBLOCK},
    {"fall", p_fall, 1, 1, KW_NOBLOCK},
    {NULL},
};

/* ---- HTTP_GET / SSL_GET and their url blocks ---- */

static int p_path(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	return kw_str(st, 0, &((struct check_url *)obj)->path, err, errlen);
}

static int p_digest(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	const char *s = st->args[0].text;

	if (strlen(s) != 32 || strspn(s, "0123456789abcdefABCDEF") != 32)
		return err_set(err, errlen, "digest: '%s' is not an MD5 sum (32 hex digits)", s);
	return kw_str(st, 0, &((struct check_url *)obj)->digest, err, errlen);
}

/* status_code 200 | 200-299 | a list of both */
static int p_status_code(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct check_url *u = obj;
	unsigned i, lo, hi, k;

	for (i = 0; i < st->argc; i++) {
		const char *s = st->args[i].text;
		char *end;

		if (*s < '0' || *s > '9')
			goto bad;
		lo = hi = (unsigned)strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			hi = (unsigned)strtoul(end + 1, &end, 10);
		}
		if (*end || lo < 100 || hi > 599 || hi < lo)
			goto bad;
		for (k = lo; k <= hi; k++)
			u->status_ok[k / 8] |= (unsigned char)(1u << (k % 8));
		continue;
	bad:
		return err_set(
		    err, errlen,
		    "status_code: '%s' is not a code or range in 100..599 (200, 200-299)", s);
	}
	return 0;
}

static int p_regex(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re;

	/* a pattern PCRE2 refuses is a config error now, not a failed check
	 * at every attempt later */
	re = pcre2_compile((PCRE2_SPTR)st->args[0].text, PCRE2_ZERO_TERMINATED, 0, &code, &off,
			   NULL);
	if (!re) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(code, msg, sizeof(msg));
		return err_set(err, errlen, "regex '%s': %s at offset %zu", st->args[0].text,
			       (char *)msg, (size_t)off);
	}
	pcre2_code_free(re);
	return kw_str(st, 0, &((struct check_url *)obj)->regex, err, errlen);
}

static int p_regex_no_match(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	return kw_bool(st, 0, &((struct check_url *)obj)->regex_no_match, err, errlen);
}

static int p_url_vhost(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return kw_str(st, 0, &((struct check_url *)obj)->virtualhost, err, errlen);
}

static const struct kw kw_url[] = {
    {"path", p_path, 1, 1, KW_NOBLOCK},
    {"digest", p_digest, 1, 1, KW_NOBLOCK},
    {"status_code", p_status_code, 1, KW_ANY, KW_NOBLOCK},
    {"regex", p_regex, 1, 1, KW_NOBLOCK},
    {"regex_no_match", p_regex_no_match, 0, 1, KW_NOBLOCK},
    {"virtualhost", p_url_vhost, 1, 1, KW_NOBLOCK},
    {NULL},
};

static const struct kw_block blk_url = {"url", kw_url, NULL, ign_url, NULL};

static int p_url(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct check_conf *k = CHK(obj);
	struct check_url *u = calloc(1, sizeof(*u)), **up;
	unsigned e0 = kw_errors(c);

	if (!u)
		return err_set(err, errlen, "out of memory");
	kw_body(c, &blk_url, u, st->kw);
	if (!u->path) {
		if (kw_errors(c) == e0)
			kw_error(c, st->kw, "url block without a path");
		free(u->digest);
		free(u->virtualhost);
		free(u->regex);
		free(u);
		return 0;
	}
	for (up = &k->urls; *up; up = &(*up)->next)
		;
	*up = u;
	return 0;
}

static int p_virtualhost(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->virtualhost, err, errlen);
}

static int p_http_protocol(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	static const char *const ok[] = {"0.9", "1.0", "1.0C", "1.1", NULL};

	if (!kw_in_list(ok, st->args[0].text))
		return err_set(err, errlen, "http_protocol: '%s' is not 0.9, 1.0, 1.0C or 1.1",
			       st->args[0].text);
	return kw_str(st, 0, &CHK(obj)->http_protocol, err, errlen);
}

static int p_enable_sni(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	return kw_bool(st, 0, &((struct chk_state *)obj)->sni, err, errlen);
}

static const struct kw kw_http[] = {
    {"url", p_url, 0, 0, KW_NEEDBLOCK},
    {"virtualhost", p_virtualhost, 1, 1, KW_NOBLOCK},
    {"http_protocol", p_http_protocol, 1, 1, KW_NOBLOCK},
    {NULL},
};

static const struct kw kw_ssl[] = {
    {"url", p_url, 0, 0, KW_NEEDBLOCK},
    {"virtualhost", p_virtualhost, 1, 1, KW_NOBLOCK},
    {"http_protocol", p_http_protocol, 1, 1, KW_NOBLOCK},
    {"enable_sni", p_enable_sni, 0, 1, KW_NOBLOCK},
    {NULL},
};

/* ---- MISC_CHECK ---- */

static int p_misc_path(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->misc_path, err, errlen);
}

static int p_misc_timeout(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	return kw_secs_ms(st, 0, 3600000, &CHK(obj)->misc_timeout_ms, err, errlen);
}

static int p_misc_dynamic(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	return kw_bool(st, 0, &CHK(obj)->misc_dynamic, err, errlen);
}

static int p_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	if (st->argc > 1)
		kw_warn(c, st->kw,
			"user: the group is ignored by fulcrum (the user's own group "
			"applies)");
	return kw_str(st, 0, &CHK(obj)->user, err, errlen);
}

static const struct kw kw_misc[] = {
    {"misc_path", p_misc_path, 1, 1, KW_NOBLOCK},
    {"misc_timeout", p_misc_timeout, 1, 1, KW_NOBLOCK},
    {"misc_dynamic", p_misc_dynamic, 0, 1, KW_NOBLOCK},
    {"user", p_user, 1, 2, KW_NOBLOCK},
    {NULL},
};

/* ---- SMTP_CHECK ---- */

static int p_helo_name(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->helo_name, err, errlen);
}

#define HOST(obj) ((struct smtp_host *)(obj))

static int p_h_connect_ip(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	uint16_t port = HOST(obj)->connect.port;

	if (kw_ip(st, 0, &HOST(obj)->connect, err, errlen) < 0)
		return -1;
	HOST(obj)->connect.port = port;
	return 0;
}

static int p_h_connect_port(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			    size_t errlen)
{
	return kw_port(st, 0, &HOST(obj)->connect.port, err, errlen);
}

static int p_h_bindto(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	uint16_t port = HOST(obj)->bindto.port;

	if (kw_ip(st, 0, &HOST(obj)->bindto, err, errlen) < 0)
		return -1;
	HOST(obj)->bindto.port = port;
	return 0;
}

static int p_h_bind_port(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	return kw_port(st, 0, &HOST(obj)->bindto.port, err, errlen);
}

static int p_h_bind_if(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	return kw_str(st, 0, &HOST(obj)->bind_if, err, errlen);
}

static int p_h_connect_timeout(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			       size_t errlen)
{
	return kw_secs_ms(st, 0, 3600000, &HOST(obj)->connect_timeout_ms, err, errlen);
}

static const struct kw kw_host[] = {
    {"connect_ip", p_h_connect_ip, 1, 1, KW_NOBLOCK},
    {"connect_port", p_h_connect_port, 1, 1, KW_NOBLOCK},
    {"bindto", p_h_bindto, 1, 1, KW_NOBLOCK},
    {"bind_port", p_h_bind_port, 1, 1, KW_NOBLOCK},
    {"bind_if", p_h_bind_if, 1, 1, KW_NOBLOCK},
    {"connect_timeout", p_h_connect_timeout, 1, 1, KW_NOBLOCK},
    {NULL},
};

static const struct kw_block blk_host = {"host", kw_host, NULL, ign_check, NULL};

static int p_host(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct chk_state *cs = obj;
	struct smtp_host *h = calloc(1, sizeof(*h)), **hp;

	if (!h)
		return err_set(err, errlen, "out of memory");
	h->connect_timeout_ms = CHK_UNSET;
	kw_body(c, &blk_host, h, st->kw);
	for (hp = &cs->hosts; *hp; hp = &(*hp)->next)
		;
	*hp = h;
	return 0;
}

static const struct kw kw_smtp[] = {
    {"helo_name", p_helo_name, 1, 1, KW_NOBLOCK},
    {"host", p_host, 0, 0, KW_NEEDBLOCK},
    {NULL},
};

/* ---- DNS_CHECK, UDP_CHECK, FILE_CHECK ---- */

static int p_dns_type(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	static const char *const types[] = {"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", NULL};
	unsigned i;

	for (i = 0; types[i]; i++)
		if (!strcasecmp(types[i], st->args[0].text))
			break;
	if (!types[i])
		return err_set(err, errlen, "type: '%s' is not A, NS, CNAME, SOA, MX, TXT or AAAA",
			       st->args[0].text);
	free(CHK(obj)->dns_type);
	CHK(obj)->dns_type = strdup(types[i]);
	return CHK(obj)->dns_type ? 0 : err_set(err, errlen, "out of memory");
}

static int p_dns_name(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->dns_name, err, errlen);
}

static const struct kw kw_dns[] = {
    {"type", p_dns_type, 1, 1, KW_NOBLOCK},
    {"name", p_dns_name, 1, 1, KW_NOBLOCK},
    {NULL},
};

static int p_payload(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->payload, err, errlen);
}

static int p_require_reply(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	if (st->argc)
		kw_warn(c, st->kw,
			"require_reply: matching the reply's content is not supported "
			"by fulcrum; any reply is accepted");
	CHK(obj)->require_reply = 1;
	return 0;
}

static const struct kw kw_udp[] = {
    {"payload", p_payload, 1, 1, KW_NOBLOCK},
    {"require_reply", p_require_reply, 0, 1, KW_NOBLOCK},
    {NULL},
};

static int p_track_file(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	return kw_str(st, 0, &CHK(obj)->track_file, err, errlen);
}

static int p_file_weight(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	const char *s = st->args[0].text;
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < -254 || v > 254)
		return err_set(err, errlen, "weight: '%s' is not a number in -254..254", s);
	if (st->argc > 1 && strcmp(st->args[1].text, "reverse"))
		return err_set(err, errlen, "weight: '%s' is not 'reverse'", st->args[1].text);
	if (st->argc > 1)
		kw_warn(c, st->kw, "weight ... reverse is ignored by fulcrum");
	CHK(obj)->file_weight = (int)v;
	return 0;
}

static const struct kw kw_file[] = {
    {"track_file", p_track_file, 1, 1, KW_NOBLOCK},
    {"weight", p_file_weight, 1, 2, KW_NOBLOCK},
    {NULL},
};

/* ---- the checker keyword itself ---- */

static const struct kw_block blk_check[] = {
    [CHECK_TCP] = {"TCP_CHECK", kw_generic, NULL, ign_check, NULL},
    [CHECK_HTTP_GET] = {"HTTP_GET", kw_generic, kw_http, ign_check, NULL},
    [CHECK_SSL_GET] = {"SSL_GET", kw_generic, kw_ssl, ign_check, NULL},
    [CHECK_MISC] = {"MISC_CHECK", kw_generic, kw_misc, ign_check, NULL},
    [CHECK_SMTP] = {"SMTP_CHECK", kw_generic, kw_smtp, ign_check, NULL},
    [CHECK_DNS] = {"DNS_CHECK", kw_generic, kw_dns, ign_check, NULL},
    [CHECK_UDP] = {"UDP_CHECK", kw_generic, kw_udp, ign_check, NULL},
    [CHECK_PING] = {"PING_CHECK", kw_generic, NULL, ign_check, NULL},
    [CHECK_FILE] = {"FILE_CHECK", kw_generic, kw_file, ign_check, NULL},
};

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

/* A copy of an SMTP check aimed at one host { } (no urls to copy). */
static struct check_conf *smtp_for_host(const struct check_conf *k, const struct smtp_host *h)
{
	struct check_conf *n = malloc(sizeof(*n));
	int oom = 0;

	if (!n)
		return NULL;
	*n = *k;
	n->next = NULL;
	n->urls = NULL;
	n->connect = h->connect;
	n->bindto = h->bindto;
	n->bind_if = dup_or_null(h->bind_if ? h->bind_if : k->bind_if, &oom);
	if (h->connect_timeout_ms != CHK_UNSET)
		n->connect_timeout_ms = h->connect_timeout_ms;
	n->alpha_set = dup_or_null(k->alpha_set, &oom);
	n->virtualhost = dup_or_null(k->virtualhost, &oom);
	n->http_protocol = dup_or_null(k->http_protocol, &oom);
	n->sni = dup_or_null(k->sni, &oom);
	n->misc_path = dup_or_null(k->misc_path, &oom);
	n->user = dup_or_null(k->user, &oom);
	n->helo_name = dup_or_null(k->helo_name, &oom);
	n->dns_type = dup_or_null(k->dns_type, &oom);
	n->dns_name = dup_or_null(k->dns_name, &oom);
	n->payload = dup_or_null(k->payload, &oom);
	n->track_file = dup_or_null(k->track_file, &oom);
	if (oom) {
		check_conf_free(n);
		return NULL;
	}
	return n;
}

static void free_hosts(struct smtp_host *h)
{
	struct smtp_host *n;

	for (; h; h = n) {
		n = h->next;
		free(h->bind_if);
		free(h);
	}
}

/* What a finished block must hold; 0 or -1 with err. */
static int check_complete(const struct check_conf *k, char *err, size_t errlen)
{
	switch (k->type) {
	case CHECK_HTTP_GET:
	case CHECK_SSL_GET:
		if (!k->urls)
			return err_set(err, errlen, "%s needs at least one url { path ... }",
				       check_names[k->type]);
		break;
	case CHECK_MISC:
		if (!k->misc_path)
			return err_set(err, errlen, "MISC_CHECK needs misc_path");
		break;
	case CHECK_FILE:
		if (!k->track_file)
			return err_set(err, errlen, "FILE_CHECK needs track_file");
		break;
	default:
		break;
	}
	return 0;
}

static int p_check(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct rs_state *rss = obj;
	struct chk_state cs = {.rss = rss};
	struct check_conf *k, **kp, *add;
	struct smtp_host *h;
	unsigned t, e0 = kw_errors(c);

	for (t = 0; t <= CHECK_BFD; t++)
		if (!strcmp(check_names[t], st->kw->text))
			break;
	if (t == CHECK_BFD || t > CHECK_BFD) {
		kw_warn(c, st->kw, "BFD_CHECK is ignored by fulcrum (BFD is not served yet)");
		return 0; /* the walker skips the block */
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return err_set(err, errlen, "out of memory");
	k->type = (enum check_type)t;
	k->file = config_intern_file(c->cfg, st->kw->file);
	k->line = st->kw->line;
	k->retry = k->delay_before_retry_ms = k->connect_timeout_ms = CHK_UNSET;
	k->warmup_ms = CHK_UNSET;
	cs.chk = k;
	if (st->has_block)
		kw_body(c, &blk_check[t], &cs, st->kw);
	if (check_complete(k, err, errlen) < 0) {
		check_conf_free(k);
		free_hosts(cs.hosts);
		if (kw_errors(c) != e0)
			err[0] = 0; /* already explained by an error inside */
		return -1;
	}
	if (cs.sni && !k->sni)
		k->sni = strdup(""); /* "" = send the Host name as SNI (see doc/config.md) */
	add = k;
	if (cs.hosts) {
		/* each host { } is a check of its own; all must pass, as in keepalived */
		struct check_conf **ap = &add;

		add = NULL;
		for (h = cs.hosts; h; h = h->next) {
			*ap = smtp_for_host(k, h);
			if (!*ap)
				break;
			ap = &(*ap)->next;
		}
		check_conf_free(k);
		free_hosts(cs.hosts);
	}
	for (kp = &rss->rs->checks; *kp; kp = &(*kp)->next)
		;
	*kp = add;
	return 0;
}

const struct kw kw_checkers[] = {
    {"TCP_CHECK", p_check, 0, 0, KW_OPTBLOCK},
    {"HTTP_GET", p_check, 0, 0, KW_NEEDBLOCK},
    {"SSL_GET", p_check, 0, 0, KW_NEEDBLOCK},
    {"MISC_CHECK", p_check, 0, 0, KW_NEEDBLOCK},
    {"SMTP_CHECK", p_check, 0, 0, KW_OPTBLOCK},
    {"DNS_CHECK", p_check, 0, 0, KW_OPTBLOCK},
    {"UDP_CHECK", p_check, 0, 0, KW_OPTBLOCK},
    {"PING_CHECK", p_check, 0, 0, KW_OPTBLOCK},
    {"FILE_CHECK", p_check, 0, 0, KW_NEEDBLOCK},
    {"BFD_CHECK", p_check, 0, KW_ANY, KW_OPTBLOCK},
    {NULL},
};

/* ---- inheritance of checker timings ---- */

static void inherit(unsigned *field, unsigned from)
{
	if (*field == CHK_UNSET && from != CHK_UNSET)
		*field = from;
}

static int is_http(const struct check_conf *k)
{
	return k->type == CHECK_HTTP_GET || k->type == CHECK_SSL_GET;
}

void chk_inherit_rs(struct rs_state *rss)
{
	struct check_conf *k;

	for (k = rss->rs->checks; k; k = k->next) {
		inherit(&k->retry, rss->retry);
		inherit(&k->delay_before_retry_ms, rss->delay_before_retry_ms);
		inherit(&k->connect_timeout_ms, rss->connect_timeout_ms);
		inherit(&k->warmup_ms, rss->warmup_ms);
		if (!k->delay_loop_ms)
			k->delay_loop_ms = rss->delay_loop_ms;
		if (is_http(k) && !k->virtualhost && rss->virtualhost)
			k->virtualhost = strdup(rss->virtualhost);
	}
}

static void inherit_vs_one(struct vs_state *vss, struct check_conf *k)
{
	const char *vh;

	inherit(&k->retry, vss->retry);
	inherit(&k->delay_before_retry_ms, vss->delay_before_retry_ms);
	inherit(&k->connect_timeout_ms, vss->connect_timeout_ms);
	inherit(&k->warmup_ms, vss->warmup_ms);
	/* keepalived's defaults: retry 1 (DNS 3, MISC 0), 1 s between tries,
	 * 5 s to connect */
	inherit(&k->retry, k->type == CHECK_DNS ? 3 : k->type == CHECK_MISC ? 0 : 1);
	inherit(&k->delay_before_retry_ms, 1000);
	inherit(&k->connect_timeout_ms, 5000);
	inherit(&k->warmup_ms, 0);
	if (is_http(k) && !k->virtualhost && vss->vs->virtualhost)
		k->virtualhost = strdup(vss->vs->virtualhost);
	vh = k->virtualhost;
	if (k->sni && !*k->sni && vh) {
		free(k->sni);
		k->sni = strdup(vh);
	}
}

void chk_inherit_vs(struct vs_state *vss)
{
	struct real_server *rs;
	struct check_conf *k;

	for (rs = vss->vs->rs; rs; rs = rs->next)
		for (k = rs->checks; k; k = k->next)
			inherit_vs_one(vss, k);
}

/* For the generated keyword reference (kw_doc.c). */
const struct kw_block *const kw_doc_check[] = {
    &blk_check[CHECK_TCP], &blk_check[CHECK_HTTP_GET], &blk_check[CHECK_SSL_GET],
    &blk_check[CHECK_MISC], &blk_check[CHECK_SMTP], &blk_check[CHECK_DNS],
    &blk_check[CHECK_UDP], &blk_check[CHECK_PING], &blk_check[CHECK_FILE],
    &blk_url, &blk_host, NULL,
};
