/* crm_mon --output-as=xml read into a struct crm_view.
 *
 * crm_mon's output is outside input (another program, and through it the
 * cluster): a small XML scanner that reads only what is needed -- element
 * names and attributes -- checks every length, decodes the five predefined
 * entities and numeric references to ASCII, and refuses what it does not
 * understand rather than guessing.  Text, comments, processing
 * instructions and DOCTYPE are skipped.  Anything before the
 * <pacemaker-result> element (a warning crm_mon printed on stderr, which
 * the spawn path mixes in) is skipped too.
 *
 * Pacemaker's own schema (crm_mon.rng, api-version 2.x) is the reference
 * for the shape: <nodes><node name online standby maintenance/>,
 * <resources> with <clone>/<group>/<bundle> around <resource id role
 * active failed><node name/></resource>, <node_attributes><node
 * name><attribute name value/></node>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/members.h"
#include "core/err.h"

#define XML_MAX_DEPTH 32

struct xml_tag {
	const char *name;
	size_t name_len;
	const char *attrs; /* the text between the name and '>' or '/>' */
	size_t attrs_len;
	int end;	   /* </name> */
	int empty;	   /* <name/> */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':';
}

static const char *find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p + n <= end; p++)
		if (!memcmp(p, needle, n))
			return p;
	return NULL;
}

/* The next tag at or after *pos: 1 with t filled, 0 at the end, -1 on a
 * malformed document. */
static int xml_next(const char **pos, const char *end, struct xml_tag *t, char *err,
		    size_t errlen)
{
	const char *p = *pos, *q;
	char quote = 0;

	for (;;) {
		p = memchr(p, '<', (size_t)(end - p));
		if (!p)
			return 0;
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			q = find(p + 4, end, "-->");
			if (!q)
				return err_set(err, errlen, "unterminated comment");
			p = q + 3;
			continue;
		}
		if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			q = find(p + 9, end, "]]>");
			if (!q)
				return err_set(err, errlen, "unterminated CDATA");
			p = q + 3;
			continue;
		}
		if (end - p >= 2 && (p[1] == '?' || p[1] == '!')) {
			q = memchr(p, '>', (size_t)(end - p));
			if (!q)
				return err_set(err, errlen, "unterminated declaration");
			p = q + 1;
			continue;
		}
		break;
	}
	memset(t, 0, sizeof(*t));
	p++;
	if (p < end && *p == '/') {
		t->end = 1;
		p++;
	}
	t->name = p;
	while (p < end && is_name(*p))
		p++;
	t->name_len = (size_t)(p - t->name);
	if (!t->name_len)
		return err_set(err, errlen, "a tag without a name");
	t->attrs = p;
	/* to the '>' that is not inside a quoted value */
	for (; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			break;
		}
	}
	if (p >= end)
		return err_set(err, errlen, "unterminated tag <%.*s", (int)t->name_len, t->name);
	t->attrs_len = (size_t)(p - t->attrs);
	if (t->attrs_len && t->attrs[t->attrs_len - 1] == '/') {
		t->empty = 1;
		t->attrs_len--;
	}
	*pos = p + 1;
	return 1;
}

static int tag_is(const struct xml_tag *t, const char *name)
{
	return strlen(name) == t->name_len && !memcmp(t->name, name, t->name_len);
}

/* Decode an attribute value (entities) into a malloc'd string. */
static char *decode(const char *s, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
	char *out = malloc(n + 1), *o = out;
	size_t i = 0, k;

	if (!out)
		return NULL;
	while (i < n) {
		if (s[i] != '&') {
			*o++ = s[i++];
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t l = strlen(ents[k].ent);

			if (i + l <= n && !memcmp(s + i, ents[k].ent, l)) {
				*o++ = ents[k].c;
				i += l;
				break;
			}
		}
		if (k < sizeof(ents) / sizeof(ents[0]))
			continue;
		if (i + 3 < n && s[i + 1] == '#') {
			/* &#NN; / &#xNN; of an ASCII character; others become '?' */
			unsigned long v = 0;
			size_t j = i + 2;
			int hex = s[j] == 'x';

			if (hex)
				j++;
			while (j < n && s[j] != ';' && j - i < 12) {
				char c = s[j++];
				int d = c >= '0' && c <= '9'		  ? c - '0'
					: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
					: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
								      : -1;
				if (d < 0)
					break;
				v = v * (hex ? 16 : 10) + (unsigned long)d;
			}
			if (j < n && s[j] == ';') {
				*o++ = v > 0 && v < 128 ? (char)v : '?';
				i = j + 1;
				continue;
			}
		}
		*o++ = s[i++]; /* a lone '&': kept as it is */
	}
	*o = '\0';
	return out;
}

/* Attribute `name` of t, decoded (malloc'd), or NULL if absent (or out of
 * memory: the caller treats both as absent, then refuses what it needs). */
static char *attr(const struct xml_tag *t, const char *name)
{
	const char *p = t->attrs, *end = t->attrs + t->attrs_len;
	size_t nl = strlen(name);

	while (p < end) {
		const char *n, *v;
		char q;

		while (p < end && is_space(*p))
			p++;
		n = p;
		while (p < end && is_name(*p))
			p++;
		if (p == n)
			return NULL;
		{
			size_t len = (size_t)(p - n);

			while (p < end && is_space(*p))
				p++;
			if (p >= end || *p != '=')
				return NULL;
			p++;
			while (p < end && is_space(*p))
				p++;
			if (p >= end || (*p != '"' && *p != '\''))
				return NULL;
			q = *p++;
			v = p;
			p = memchr(p, q, (size_t)(end - p));
			if (!p)
				return NULL;
			if (len == nl && !memcmp(n, name, nl))
				return decode(v, (size_t)(p - v));
			p++;
		}
	}
	return NULL;
}

static int attr_true(const struct xml_tag *t, const char *name)
{
	char *v = attr(t, name);
	int r = v && !strcmp(v, "true");

	free(v);
	return r;
}

void crm_view_free(struct crm_view *v)
{
	unsigned i, j;

	for (i = 0; i < v->n_nodes; i++) {
		free(v->nodes[i].name);
		for (j = 0; j < v->nodes[i].n_attrs; j++) {
			free(v->nodes[i].attrs[j].name);
			free(v->nodes[i].attrs[j].value);
		}
		free(v->nodes[i].attrs);
	}
	free(v->nodes);
	for (i = 0; i < v->n_active; i++) {
		free(v->active[i].id);
		free(v->active[i].node);
		free(v->active[i].role);
	}
	free(v->active);
	memset(v, 0, sizeof(*v));
}

struct crm_node *crm_view_node(const struct crm_view *v, const char *name)
{
	unsigned i;

	for (i = 0; i < v->n_nodes; i++)
		if (!strcmp(v->nodes[i].name, name))
			return &v->nodes[i];
	return NULL;
}

static struct crm_node *add_node(struct crm_view *v, char *name)
{
	struct crm_node *grown = realloc(v->nodes, (v->n_nodes + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	v->nodes = grown;
	memset(&grown[v->n_nodes], 0, sizeof(grown[0]));
	grown[v->n_nodes].name = name;
	return &grown[v->n_nodes++];
}

static int add_attr(struct crm_node *n, char *name, char *value)
{
	struct crm_attr *grown = realloc(n->attrs, (n->n_attrs + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	n->attrs = grown;
	grown[n->n_attrs].name = name;
	grown[n->n_attrs++].value = value;
	return 0;
}

static int add_active(struct crm_view *v, const char *id, const char *node, const char *role)
{
	struct crm_active *grown = realloc(v->active, (v->n_active + 1) * sizeof(*grown));
	struct crm_active *a;

	if (!grown)
		return -1;
	v->active = grown;
	a = &grown[v->n_active];
	a->id = strdup(id);
	a->node = strdup(node);
	a->role = strdup(role ? role : "Started");
	if (!a->id || !a->node || !a->role) {
		free(a->id);
		free(a->node);
		free(a->role);
		return -1;
	}
	v->n_active++;
	return 0;
}

/* Where the scanner is in the document: the section under the root, and
 * inside <resources> the ids of the open clone/group/bundle/resource
 * elements and whether the innermost resource counts (active, not failed). */
struct crm_scan {
	enum { SEC_NONE, SEC_NODES, SEC_RESOURCES, SEC_ATTRS } sec;
	int depth; /* of the element being read: the root is 1, 0 outside it */
	struct xml_tag open[XML_MAX_DEPTH + 1]; /* the open elements, by level */
	char *ids[XML_MAX_DEPTH];
	int id_depth[XML_MAX_DEPTH];
	unsigned n_ids;
	int res_ok;	      /* the innermost <resource> is active and not failed */
	char *role;	      /* its role */
	struct crm_node *cur; /* <node_attributes><node>: the node */
};

static int valid_name(const char *s)
{
	return s && *s && strlen(s) < CRM_NAME_MAX;
}

static int on_open(struct crm_view *v, struct crm_scan *s, const struct xml_tag *t, char *err,
		   size_t errlen)
{
	char *name, *value;

	if (s->depth == 2) {
		s->sec = tag_is(t, "nodes")	      ? SEC_NODES
			 : tag_is(t, "resources")     ? SEC_RESOURCES
			 : tag_is(t, "node_attributes") ? SEC_ATTRS
						      : SEC_NONE;
		return 0;
	}
	switch (s->sec) {
	case SEC_NODES:
		if (s->depth != 3 || !tag_is(t, "node"))
			return 0;
		name = attr(t, "name");
		if (!valid_name(name)) {
			free(name);
			return err_set(err, errlen, "a <node> without a valid name");
		}
		if (crm_view_node(v, name)) {
			free(name);
			return 0;
		}
		{
			struct crm_node *n = add_node(v, name);

			if (!n) {
				free(name);
				return err_set(err, errlen, "out of memory");
			}
			n->online = attr_true(t, "online");
			n->standby = attr_true(t, "standby");
			n->maintenance = attr_true(t, "maintenance");
		}
		return 0;
	case SEC_RESOURCES:
		if (tag_is(t, "clone") || tag_is(t, "group") || tag_is(t, "bundle") ||
		    tag_is(t, "resource") || tag_is(t, "replica")) {
			char *id = attr(t, "id");

			if (tag_is(t, "resource")) {
				s->res_ok = attr_true(t, "active") && !attr_true(t, "failed");
				free(s->role);
				s->role = attr(t, "role");
			}
			if (!id)
				return 0; /* a <replica> has none: nothing to name */
			if (s->n_ids >= XML_MAX_DEPTH || !valid_name(id)) {
				free(id);
				return err_set(err, errlen, "resources nested too deep or a bad id");
			}
			s->ids[s->n_ids] = id;
			s->id_depth[s->n_ids++] = s->depth;
			return 0;
		}
		if (tag_is(t, "node") && s->res_ok && s->n_ids) {
			unsigned i;

			name = attr(t, "name");
			if (!valid_name(name)) {
				free(name);
				return err_set(err, errlen, "a resource's <node> without a valid name");
			}
			for (i = 0; i < s->n_ids; i++)
				if (add_active(v, s->ids[i], name, s->role) < 0) {
					free(name);
					return err_set(err, errlen, "out of memory");
				}
			free(name);
		}
		return 0;
	case SEC_ATTRS:
		if (s->depth == 3 && tag_is(t, "node")) {
			name = attr(t, "name");
			if (!valid_name(name)) {
				free(name);
				return err_set(err, errlen, "a <node_attributes> node without a name");
			}
			s->cur = crm_view_node(v, name);
			if (!s->cur)
				s->cur = add_node(v, name); /* attributes of a node not listed */
			else
				free(name);
			if (!s->cur)
				return err_set(err, errlen, "out of memory");
			return 0;
		}
		if (s->depth == 4 && s->cur && tag_is(t, "attribute")) {
			name = attr(t, "name");
			value = attr(t, "value");
			if (!valid_name(name) || !value || add_attr(s->cur, name, value) < 0) {
				free(name);
				free(value);
				return err_set(err, errlen, "a node attribute without a name or value");
			}
		}
		return 0;
	case SEC_NONE:
		return 0;
	}
	return 0;
}

/* The element at `level` (the root is 1) ends. */
static void on_close(struct crm_scan *s, int level)
{
	while (s->n_ids && s->id_depth[s->n_ids - 1] >= level) {
		free(s->ids[--s->n_ids]);
		s->res_ok = 0;
	}
	if (level == 3)
		s->cur = NULL;
	if (level == 2)
		s->sec = SEC_NONE;
}

int crm_view_parse(const char *text, size_t len, struct crm_view *v, char *err, size_t errlen)
{
	const char *end = text + len, *pos;
	struct crm_scan s;
	struct xml_tag t;
	int r, seen_root = 0, status_ok = 1, seen_nodes = 0, seen_error = 0;

	memset(v, 0, sizeof(*v));
	memset(&s, 0, sizeof(s));
	pos = find(text, end, "<pacemaker-result");
	if (!pos) {
		r = err_set(err, errlen, "no <pacemaker-result> in crm_mon's output");
		goto out;
	}
	/* depth: 0 = outside the root, 1 = the root's children, ... */
	while ((r = xml_next(&pos, end, &t, err, errlen)) == 1) {
		if (t.end) {
			if (s.depth == 0 || s.open[s.depth].name_len != t.name_len ||
			    memcmp(s.open[s.depth].name, t.name, t.name_len)) {
				r = err_set(err, errlen, "</%.*s> closes no open element",
					    (int)t.name_len, t.name);
				goto out;
			}
			on_close(&s, s.depth--);
			if (s.depth == 0)
				break; /* </pacemaker-result> */
			continue;
		}
		if (s.depth == 0) {
			if (!tag_is(&t, "pacemaker-result")) {
				r = err_set(err, errlen, "the document is not a <pacemaker-result>");
				goto out;
			}
			seen_root = 1;
		} else if (s.depth == 1 && tag_is(&t, "nodes")) {
			seen_nodes = 1;
		} else if (tag_is(&t, "error")) {
			/* crm_mon 2.1 says "Could not connect to the CIB" this way,
			 * with status code 0 */
			seen_error = 1;
		} else if (s.depth == 1 && tag_is(&t, "status")) {
			char *code = attr(&t, "code");

			status_ok = code && !strcmp(code, "0");
			free(code);
		}
		if (s.depth >= XML_MAX_DEPTH) {
			r = err_set(err, errlen, "elements nested deeper than %d", XML_MAX_DEPTH);
			goto out;
		}
		s.open[++s.depth] = t;
		if (s.depth > 1 && on_open(v, &s, &t, err, errlen) < 0) {
			r = -1;
			goto out;
		}
		if (t.empty)
			on_close(&s, s.depth--);
	}
	if (r < 0)
		goto out;
	if (!seen_root || s.depth != 0) {
		r = err_set(err, errlen, "crm_mon's output ends before </pacemaker-result>");
		goto out;
	}
	if (!status_ok || seen_error) {
		r = err_set(err, errlen, "crm_mon reports an error (no cluster to ask?)");
		goto out;
	}
	if (!seen_nodes) {
		r = err_set(err, errlen, "crm_mon's output has no <nodes>");
		goto out;
	}
	r = 0;
out:
	while (s.n_ids)
		free(s.ids[--s.n_ids]);
	free(s.role);
	if (r < 0)
		crm_view_free(v);
	return r < 0 ? -1 : 0;
}
