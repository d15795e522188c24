/* haproxy.cfg's proxies in the model: allocation and freeing
 * (the types and the mapping are in http_proxy-t.h). */
#ifndef FC_MODEL_HTTP_PROXY_H
#define FC_MODEL_HTTP_PROXY_H

#include "model/model-t.h"

/* A proxy section with haproxy's defaults (retries 3, keep-alive,
 * X-Forwarded-For / X-Original-To header names); NULL out of memory. */
struct http_proxy *http_proxy_new(const char *name, unsigned cap);
/* Frees what it owns (rules and errors through their free pointers). */
void http_proxy_free(struct http_proxy *hp);
void hp_log_free(struct hp_log *l);
/* A copy of the list l (NULL for none): 0, or -1 out of memory (*out NULL). */
int hp_log_copy(const struct hp_log *l, struct hp_log **out);
/* What a proxy takes from a defaults section (haproxy copies the defaults
 * into each proxy as it opens): every setting of def into hp, its owned
 * strings and lists copied; hp keeps its name, capabilities, place in the
 * file, pool, rules and error files.  0, or -1 out of memory. */
int http_proxy_inherit(struct http_proxy *hp, const struct http_proxy *def);
void hp_global_free(struct hp_global *g);
void hp_userlist_free(struct hp_userlist *u);
/* The userlist named `name` of cfg, or NULL. */
struct hp_userlist *config_find_userlist(const struct config *cfg, const char *name);
/* The proxy named `name` with one of the capabilities in `cap`, or NULL. */
struct http_proxy *config_find_http_proxy(const struct config *cfg, const char *name, unsigned cap);
/* Append hp to cfg's list (the config owns it from now on). */
void config_add_http_proxy(struct config *cfg, struct http_proxy *hp);

#endif
