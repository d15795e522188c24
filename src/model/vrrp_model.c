/* The VRRP configuration objects: defaults, ownership, look-ups. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model/vrrp_model.h"

struct vrrp_instance *vrrp_instance_new(const char *name)
{
	struct vrrp_instance *vi = calloc(1, sizeof(*vi));

	if (!vi)
		return NULL;
	vi->name = strdup(name ? name : "");
	if (!vi->name) {
		free(vi);
		return NULL;
	}
	/* keepalived's defaults (keepalived.conf(5)) */
	vi->initial = VRRP_BACKUP;
	vi->priority = 100;
	vi->version = 0; /* resolved after reading: vrrp_version, global_defs, else 2 */
	vi->advert_int_cs = 100;
	vi->garp_master_delay_ms = 5000;
	vi->garp_master_repeat = 5;
	vi->garp_master_refresh_repeat = 1;
	vi->garp_interval_ms = vi->gna_interval_ms = UINT_MAX; /* global_defs, else 0 */
	vi->rise = vi->fall = 1;
	return vi;
}

void vrrp_instance_free(struct vrrp_instance *vi)
{
	unsigned i;

	if (!vi)
		return;
	free(vi->name);
	free(vi->vips);
	free(vi->unicast_peers);
	free(vi->track_ifs);
	for (i = 0; i < vi->n_track_scripts; i++)
		free(vi->track_scripts[i].name);
	free(vi->track_scripts);
	free(vi->notify_master);
	free(vi->notify_backup);
	free(vi->notify_fault);
	free(vi->notify_stop);
	free(vi->notify);
	free(vi->sync_group);
	/* the secret does not linger in freed memory */
	memset(vi->auth_pass, 0, sizeof(vi->auth_pass));
	free(vi);
}

struct vrrp_script *vrrp_script_new(const char *name)
{
	struct vrrp_script *vs = calloc(1, sizeof(*vs));

	if (!vs)
		return NULL;
	vs->name = strdup(name ? name : "");
	if (!vs->name) {
		free(vs);
		return NULL;
	}
	vs->interval_ms = 1000;
	vs->timeout_ms = 0; /* 0 = the interval (resolved by the reader) */
	vs->rise = vs->fall = 1;
	return vs;
}

void vrrp_script_free(struct vrrp_script *vs)
{
	if (!vs)
		return;
	free(vs->name);
	free(vs->script);
	free(vs->user);
	free(vs);
}

struct vrrp_sync_group *vrrp_sync_group_new(const char *name)
{
	struct vrrp_sync_group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->name = strdup(name ? name : "");
	if (!g->name) {
		free(g);
		return NULL;
	}
	return g;
}

void vrrp_sync_group_free(struct vrrp_sync_group *g)
{
	unsigned i;

	if (!g)
		return;
	for (i = 0; i < g->n_members; i++)
		free(g->members[i]);
	free(g->members);
	free(g->member_lines);
	free(g->notify_master);
	free(g->notify_backup);
	free(g->notify_fault);
	free(g->notify);
	free(g->name);
	free(g);
}

void vrrp_config_free(struct vrrp_config *vc)
{
	struct vrrp_instance *vi, *vin;
	struct vrrp_script *vs, *vsn;
	struct vrrp_sync_group *g, *gn;

	if (!vc)
		return;
	for (vi = vc->instances; vi; vi = vin) {
		vin = vi->next;
		vrrp_instance_free(vi);
	}
	for (vs = vc->scripts; vs; vs = vsn) {
		vsn = vs->next;
		vrrp_script_free(vs);
	}
	for (g = vc->groups; g; g = gn) {
		gn = g->next;
		vrrp_sync_group_free(g);
	}
	memset(vc, 0, sizeof(*vc));
}

void vrrp_add_instance(struct vrrp_config *vc, struct vrrp_instance *vi)
{
	struct vrrp_instance **p;

	for (p = &vc->instances; *p; p = &(*p)->next)
		;
	vi->next = NULL;
	*p = vi;
	vc->n_instances++;
}

void vrrp_add_script(struct vrrp_config *vc, struct vrrp_script *vs)
{
	struct vrrp_script **p;

	for (p = &vc->scripts; *p; p = &(*p)->next)
		;
	vs->next = NULL;
	*p = vs;
}

void vrrp_add_sync_group(struct vrrp_config *vc, struct vrrp_sync_group *g)
{
	struct vrrp_sync_group **p;

	for (p = &vc->groups; *p; p = &(*p)->next)
		;
	g->next = NULL;
	*p = g;
}

struct vrrp_instance *vrrp_find_instance(const struct vrrp_config *vc, const char *name)
{
	struct vrrp_instance *vi;

	for (vi = vc->instances; vi; vi = vi->next)
		if (!strcmp(vi->name, name))
			return vi;
	return NULL;
}

struct vrrp_script *vrrp_find_script(const struct vrrp_config *vc, const char *name)
{
	struct vrrp_script *vs;

	for (vs = vc->scripts; vs; vs = vs->next)
		if (!strcmp(vs->name, name))
			return vs;
	return NULL;
}

struct vrrp_sync_group *vrrp_find_sync_group(const struct vrrp_config *vc, const char *name)
{
	struct vrrp_sync_group *g;

	for (g = vc->groups; g; g = g->next)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

/* Grow *arr (n elements of size sz) by one; the new slot is zeroed. */
static void *grow(void *arr, unsigned n, size_t sz)
{
	char *p = realloc(arr, (n + 1) * sz);

	if (p)
		memset(p + n * sz, 0, sz);
	return p;
}

int vrrp_instance_add_vip(struct vrrp_instance *vi, const struct vrrp_vip *v)
{
	struct vrrp_vip *p = grow(vi->vips, vi->n_vips, sizeof(*p));

	if (!p)
		return -1;
	vi->vips = p;
	p[vi->n_vips++] = *v;
	return 0;
}

int vrrp_instance_add_peer(struct vrrp_instance *vi, const struct fc_addr *a)
{
	struct fc_addr *p = grow(vi->unicast_peers, vi->n_unicast_peers, sizeof(*p));

	if (!p)
		return -1;
	vi->unicast_peers = p;
	p[vi->n_unicast_peers++] = *a;
	return 0;
}

int vrrp_instance_add_track_if(struct vrrp_instance *vi, const struct vrrp_track_if *t)
{
	struct vrrp_track_if *p = grow(vi->track_ifs, vi->n_track_ifs, sizeof(*p));

	if (!p)
		return -1;
	vi->track_ifs = p;
	p[vi->n_track_ifs++] = *t;
	return 0;
}

int vrrp_instance_add_track_script(struct vrrp_instance *vi, const char *name, int weight,
				   const char *file, int line)
{
	struct vrrp_track_script *p;
	char *s = strdup(name);

	if (!s)
		return -1;
	p = grow(vi->track_scripts, vi->n_track_scripts, sizeof(*p));
	if (!p) {
		free(s);
		return -1;
	}
	vi->track_scripts = p;
	p += vi->n_track_scripts++;
	p->name = s;
	p->weight = weight;
	p->file = file;
	p->line = line;
	return 0;
}

int vrrp_sync_group_add(struct vrrp_sync_group *g, const char *member, int line)
{
	char **m, *s = strdup(member);
	int *l;

	if (!s)
		return -1;
	m = grow(g->members, g->n_members, sizeof(*m));
	if (!m) {
		free(s);
		return -1;
	}
	g->members = m;
	l = grow(g->member_lines, g->n_members, sizeof(*l));
	if (!l) {
		free(s);
		return -1;
	}
	g->member_lines = l;
	m[g->n_members] = s;
	l[g->n_members] = line;
	g->n_members++;
	return 0;
}
