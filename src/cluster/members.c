/* The membership computation (contract in members.h): which servers a
 * pool's source wants, from crm_mon's view or a script's lines. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/members.h"
#include "core/err.h"
#include "model/source.h"

#define LINE_MAX_LEN 512

void member_list_free(struct member_list *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		free(l->m[i].node);
	free(l->m);
	l->m = NULL;
	l->n = 0;
}

const struct member *member_find(const struct member_list *l, const struct fc_addr *a)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (addr_equal(&l->m[i].addr, a))
			return &l->m[i];
	return NULL;
}

static int member_add(struct member_list *l, const char *node, const struct fc_addr *a, int w)
{
	struct member *grown;

	if (member_find(l, a))
		return 0;
	grown = realloc(l->m, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	l->m = grown;
	grown[l->n].node = strdup(node);
	if (!grown[l->n].node)
		return -1;
	grown[l->n].addr = *a;
	grown[l->n++].weight = w;
	return 0;
}

void ring_map_free(struct ring_map *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		free(m->a[i].name);
		free(m->a[i].host);
	}
	free(m->a);
	m->a = NULL;
	m->n = 0;
}

/* "  key: value  # comment" -> key and value, trimmed; 0 if the line is
 * not of that form. */
static int kv(char *line, char **key, char **value)
{
	char *colon, *e;

	e = strchr(line, '#');
	if (e)
		*e = '\0';
	colon = strchr(line, ':');
	if (!colon)
		return 0;
	*colon = '\0';
	*key = line + strspn(line, " \t");
	for (e = colon; e > *key && (e[-1] == ' ' || e[-1] == '\t'); e--)
		e[-1] = '\0';
	*value = colon + 1 + strspn(colon + 1, " \t");
	for (e = *value + strlen(*value); e > *value && strchr(" \t\r", e[-1]); e--)
		e[-1] = '\0';
	return **key != '\0';
}

/* node at ring0_addr `ring` (an address, or a name kept to resolve) */
static int ring_add(struct ring_map *m, const char *node, const char *ring)
{
	struct ring_addr *grown = realloc(m->a, (m->n + 1) * sizeof(*grown));
	struct ring_addr *r;

	if (!grown)
		return -1;
	m->a = grown;
	r = &grown[m->n];
	memset(r, 0, sizeof(*r));
	if (addr_parse_ip(ring, &r->addr, NULL, 0) < 0) {
		memset(&r->addr, 0, sizeof(r->addr));
		r->host = strdup(ring);
		if (!r->host)
			return -1;
	}
	r->name = strdup(node);
	if (!r->name) {
		free(r->host);
		return -1;
	}
	m->n++;
	return 0;
}

int ring_map_parse(const char *text, struct ring_map *m, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	char name[256] = "", ring[256] = "";
	int in_node = 0, depth = 0;

	memset(m, 0, sizeof(*m));
	if (!copy)
		return err_set(err, errlen, "out of memory");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *key, *value;

		if (strchr(line, '{')) {
			depth++;
			if (depth == 2 && strstr(line, "node")) {
				in_node = 1;
				name[0] = ring[0] = '\0';
			}
			continue;
		}
		if (strchr(line, '}')) {
			if (in_node && depth == 2 && name[0] && ring[0] &&
			    ring_add(m, name, ring) < 0) {
				free(copy);
				ring_map_free(m);
				return err_set(err, errlen, "out of memory");
			}
			if (depth == 2)
				in_node = 0;
			if (depth > 0)
				depth--;
			continue;
		}
		if (!in_node || !kv(line, &key, &value))
			continue;
		if (!strcmp(key, "name"))
			snprintf(name, sizeof(name), "%s", value);
		else if (!strcmp(key, "ring0_addr"))
			snprintf(ring, sizeof(ring), "%s", value);
	}
	free(copy);
	return 0;
}

static struct ring_addr *ring_entry(const struct ring_map *m, const char *node)
{
	unsigned i;

	for (i = 0; m && i < m->n; i++)
		if (!strcmp(m->a[i].name, node))
			return &m->a[i];
	return NULL;
}

const struct fc_addr *ring_map_addr(const struct ring_map *m, const char *node)
{
	const struct ring_addr *r = ring_entry(m, node);

	return r && r->addr.family ? &r->addr : NULL;
}

const char *ring_map_host(const struct ring_map *m, const char *node)
{
	const struct ring_addr *r = ring_entry(m, node);

	return r ? r->host : NULL;
}

int ring_map_set(struct ring_map *m, const char *node, const struct fc_addr *a)
{
	struct ring_addr *r = ring_entry(m, node);

	if (!r) {
		char text[ADDR_STRLEN];

		if (ring_add(m, node, addr_format(a, text, sizeof(text), 0)) < 0)
			return -1;
		return 0;
	}
	r->addr = *a;
	r->addr.port = 0;
	return 0;
}

static int node_wanted(const struct pool_source *s, const struct crm_view *v,
		       const struct crm_node *n, pcre2_code *re, pcre2_match_data *md)
{
	unsigned i;

	if (s->resource) {
		for (i = 0; i < v->n_active; i++)
			if (!strcmp(v->active[i].id, s->resource) &&
			    !strcmp(v->active[i].node, n->name))
				break;
		if (i == v->n_active)
			return 0;
	} else if (!n->online || n->standby || n->maintenance) {
		return 0;
	}
	if (!re)
		return 1;
	for (i = 0; i < n->n_attrs; i++)
		if (!strcmp(n->attrs[i].name, s->attr_name))
			return pcre2_match(re, (PCRE2_SPTR)n->attrs[i].value, PCRE2_ZERO_TERMINATED, 0,
					   0, md, NULL) >= 0;
	return 0; /* no such attribute: not a match */
}

static int by_node(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->node, ((const struct member *)b)->node);
}

static int skip_note(char **skipped, const char *node)
{
	size_t old = *skipped ? strlen(*skipped) : 0;
	char *grown = realloc(*skipped, old + strlen(node) + 3);

	if (!grown)
		return -1;
	if (old)
		memcpy(grown + old, ", ", 3);
	else
		grown[0] = '\0';
	strcat(grown, node);
	*skipped = grown;
	return 0;
}

int members_from_cluster(const struct pool_source *s, const struct crm_view *v,
			 const struct ring_map *rings, uint16_t port, struct member_list *out,
			 char **skipped, char *err, size_t errlen)
{
	pcre2_match_data *md = NULL;
	pcre2_code *re = NULL;
	unsigned i;
	int r = -1;

	memset(out, 0, sizeof(*out));
	*skipped = NULL;
	if (s->attr_name && s->attr_regex) {
		PCRE2_SIZE off;
		int ecode;

		re = pcre2_compile((PCRE2_SPTR)s->attr_regex, PCRE2_ZERO_TERMINATED, 0, &ecode, &off,
				   NULL);
		md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
		if (!md) {
			err_set(err, errlen, "attribute regex '%s' does not compile", s->attr_regex);
			goto out;
		}
	}
	for (i = 0; i < v->n_nodes; i++) {
		const struct crm_node *n = &v->nodes[i];
		const struct fc_addr *ap;
		struct fc_addr a;

		if (!node_wanted(s, v, n, re, md))
			continue;
		ap = pool_source_addr(s, n->name);
		if (!ap && addr_parse_ip(n->name, &a, NULL, 0) == 0)
			ap = &a;
		if (!ap)
			ap = ring_map_addr(rings, n->name);
		if (!ap) {
			if (skip_note(skipped, n->name) < 0) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			continue;
		}
		a = *ap;
		a.port = s->port ? s->port : port;
		if (member_add(out, n->name, &a, pool_source_weight(s, n->name)) < 0) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
	}
	if (out->n > 1)
		qsort(out->m, out->n, sizeof(out->m[0]), by_node);
	r = 0;
out:
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (r < 0) {
		member_list_free(out);
		free(*skipped);
		*skipped = NULL;
	}
	return r;
}

/* One script line (NUL-terminated, trimmed, not empty) into a and w. */
static int read_line(const char *line, uint16_t port, int weight, struct fc_addr *a, int *w,
		     char *err, size_t errlen)
{
	char hp[LINE_MAX_LEN], ws[32] = "", extra[2] = "";
	char why[128];
	int n;

	n = sscanf(line, "%511s %31s %1s", hp, ws, extra);
	if (n == 3)
		return err_set(err, errlen, "'%s': more than ADDR[:PORT] [WEIGHT]", line);
	if (addr_parse_ip(hp, a, NULL, 0) == 0) {
		a->port = port;
	} else if (addr_parse_hostport(hp, a, why, sizeof(why)) < 0) {
		return err_set(err, errlen, "'%s': %s", line, why);
	}
	*w = weight;
	if (n == 2) {
		char *end;
		long v = strtol(ws, &end, 10);

		if (*end || end == ws || v < 0 || v > 65535)
			return err_set(err, errlen, "'%s': weight '%s' is not 0..65535", line, ws);
		*w = (int)v;
	}
	return 0;
}

int members_from_lines(const char *text, size_t len, uint16_t port, int weight,
		       struct member_list *out, unsigned *bad, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	*bad = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char line[LINE_MAX_LEN];
		size_t n;
		struct fc_addr a;
		int w = weight;

		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (n && *p != '#') {
			if (n >= sizeof(line) || memchr(p, '\0', n)) {
				if ((*bad)++ == 0)
					err_set(err, errlen, "a line of %zu bytes", n);
			} else {
				memcpy(line, p, n);
				line[n] = '\0';
				if (read_line(line, port, weight, &a, &w, (*bad ? NULL : err), errlen) < 0)
					(*bad)++;
				else if (member_add(out, line, &a, w) < 0) {
					member_list_free(out);
					return err_set(err, errlen, "out of memory");
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}
