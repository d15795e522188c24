/* Constructors, destructors and look-ups over the VRRP configuration
 * (struct vrrp_config and what it owns).
 *
 * Ownership: a vrrp_config owns its instances, scripts and sync groups and
 * every string and array in them; `file` pointers belong to the config's
 * file table (config_intern_file). */
#ifndef FC_MODEL_VRRP_MODEL_H
#define FC_MODEL_VRRP_MODEL_H

#include "model/vrrp-t.h"

/* New objects carry keepalived's defaults (see doc/config.md, VRRP);
 * NULL when out of memory or when strdup(name) fails. */
struct vrrp_instance *vrrp_instance_new(const char *name);
void vrrp_instance_free(struct vrrp_instance *vi);
struct vrrp_script *vrrp_script_new(const char *name);
void vrrp_script_free(struct vrrp_script *vs);
struct vrrp_sync_group *vrrp_sync_group_new(const char *name);
void vrrp_sync_group_free(struct vrrp_sync_group *g);

/* Frees everything vc owns and leaves it empty (vc itself is not freed). */
void vrrp_config_free(struct vrrp_config *vc);

/* Append in config order (the config takes ownership). */
void vrrp_add_instance(struct vrrp_config *vc, struct vrrp_instance *vi);
void vrrp_add_script(struct vrrp_config *vc, struct vrrp_script *vs);
void vrrp_add_sync_group(struct vrrp_config *vc, struct vrrp_sync_group *g);

/* First match by name, or NULL. */
struct vrrp_instance *vrrp_find_instance(const struct vrrp_config *vc, const char *name);
struct vrrp_script *vrrp_find_script(const struct vrrp_config *vc, const char *name);
struct vrrp_sync_group *vrrp_find_sync_group(const struct vrrp_config *vc, const char *name);

/* Growing arrays: 0, or -1 when out of memory (nothing changed then).
 * Strings are copied. */
int vrrp_instance_add_vip(struct vrrp_instance *vi, const struct vrrp_vip *v);
int vrrp_instance_add_peer(struct vrrp_instance *vi, const struct fc_addr *a);
int vrrp_instance_add_track_if(struct vrrp_instance *vi, const struct vrrp_track_if *t);
int vrrp_instance_add_track_script(struct vrrp_instance *vi, const char *name, int weight,
				   const char *file, int line);
int vrrp_sync_group_add(struct vrrp_sync_group *g, const char *member, int line);

#endif
