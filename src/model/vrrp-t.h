/* VRRP types: the configuration read from vrrp_instance / vrrp_script /
 * vrrp_sync_group (keepalived's grammar), the decoded advertisement, and
 * the state machine's inputs and outputs.  Plain data.
 *
 * The codec (vrrp/vrrp_pkt.c), the reader (conf/vrrp_kw.c), the state
 * machine (vrrp/vrrp_fsm.c) and the daemon glue (vrrp/vrrp_run.c,
 * vrrp/vrrp_track.c) are written against these types.  They are part of
 * the model (model-t.h holds a vrrp_config), hence here and not in vrrp/,
 * which runs them. */
#ifndef FC_MODEL_VRRP_T_H
#define FC_MODEL_VRRP_T_H

#include <net/if.h>
#include <stdint.h>

#include "core/addr.h"

#define VRRP_MAX_VIPS 255        /* address count is one octet on the wire */
#define VRRP_PRIO_OWNER 255
#define VRRP_PRIO_STOP 0         /* "I am leaving": backups take over at once */
#define VRRP_WEIGHT_UNSET 0x7fffffff /* track_script without its own weight */

enum vrrp_state {
	VRRP_INIT,
	VRRP_BACKUP,
	VRRP_MASTER,
	VRRP_FAULT,   /* keepalived's: a tracked interface/script says we cannot serve */
};

enum vrrp_auth {
	VRRP_AUTH_NONE,
	VRRP_AUTH_PASS,  /* v2 only; 8 octets in clear: documented as weak */
	VRRP_AUTH_AH,    /* v2 only; keepalived's IPsec-AH variant */
	VRRP_AUTH_HMAC,  /* fulcrum extension: HMAC-SHA256 + anti-replay, fulcrum peers only */
};

/* One virtual_ipaddress / virtual_ipaddress_excluded entry. */
struct vrrp_vip {
	struct fc_addr addr;          /* port unused */
	uint8_t prefix;               /* /len; default 32 or 128 */
	char dev[IF_NAMESIZE];        /* "dev IF", or "" = the instance's interface */
	char label[IF_NAMESIZE + 8];  /* "label eth0:1", or "" */
	int excluded;                 /* from virtual_ipaddress_excluded: not in adverts */
	uint32_t preferred_lft;       /* "preferred_lft": seconds, 0 = deprecated (never a
				       * source), VNL_LFT_FOREVER; keepalived's default */
};

struct vrrp_track_if {
	char name[IF_NAMESIZE];
	int weight;                   /* 0 = fault when down; else added to priority when down? see doc */
	const char *file;             /* where it was listed (reader) */
	int line;
};

struct vrrp_track_script {
	char *name;                   /* refers to a vrrp_script */
	int weight;                   /* override of the script's weight; 0x7fffffff = unset */
	const char *file;             /* where it was listed (reader) */
	int line;
};

struct vrrp_script {
	char *name;
	char *script;
	unsigned interval_ms;         /* default 1000 */
	unsigned timeout_ms;          /* default: interval */
	int weight;                   /* default 0: failure = FAULT */
	unsigned rise, fall;          /* default 1, 1 */
	char *user;
	const char *file;
	int line;
	struct vrrp_script *next;
};

struct vrrp_instance {
	char *name;                   /* vrrp_instance NAME */
	enum vrrp_state initial;      /* state MASTER|BACKUP (keepalived treats MASTER as a hint) */
	char ifname[IF_NAMESIZE];     /* interface */
	uint8_t vrid;                 /* virtual_router_id 1..255 */
	uint8_t priority;             /* 1..255, default 100 */
	uint8_t version;              /* 2 or 3 (vrrp_version / global vrrp_version), default 2 */
	int family;                   /* AF_INET or AF_INET6 (from the first VIP) */
	unsigned advert_int_cs;       /* advert_int in centiseconds (v2: whole seconds on the wire) */
	int nopreempt;
	unsigned preempt_delay_ms;
	unsigned garp_master_delay_ms;     /* default 5000 */
	unsigned garp_master_repeat;       /* default 5 */
	unsigned garp_master_refresh_ms;   /* default 0 = off */
	unsigned garp_master_refresh_repeat;
	unsigned garp_interval_ms;         /* between two GARPs (IPv4); default: global, else 0 */
	unsigned gna_interval_ms;          /* between two unsolicited NAs (IPv6); idem */
	enum vrrp_auth auth_type;
	char auth_pass[65];           /* PASS: first 8 octets used; HMAC: the key */
	struct vrrp_vip *vips;
	unsigned n_vips;
	struct fc_addr src_ip;        /* mcast_src_ip / unicast_src_ip; family 0 = interface's */
	struct fc_addr *unicast_peers;
	unsigned n_unicast_peers;
	struct vrrp_track_if *track_ifs;
	unsigned n_track_ifs;
	struct vrrp_track_script *track_scripts;
	unsigned n_track_scripts;
	char *notify_master, *notify_backup, *notify_fault, *notify_stop, *notify;
	char *sync_group;             /* set when a vrrp_sync_group lists it */
	int sync_tracking_weight;     /* its group has sync_group_tracking_weight: tracking
				       * weights apply; otherwise (keepalived) they are 0 */
	unsigned rise, fall;          /* fulcrum extension: damping of the instance itself */
	int dont_track_primary;       /* keepalived: ignore faults of `interface` itself */
	const char *file;
	int line;
	struct vrrp_instance *next;
};

struct vrrp_sync_group {
	char *name;
	char **members;               /* instance names */
	int *member_lines;            /* line of each member (same file as the group) */
	unsigned n_members;
	char *notify_master, *notify_backup, *notify_fault, *notify;
	int tracking_weight;          /* sync_group_tracking_weight: members keep their weights */
	const char *file;
	int line;
	struct vrrp_sync_group *next;
};

struct vrrp_config {
	struct vrrp_instance *instances;
	struct vrrp_script *scripts;
	struct vrrp_sync_group *groups;
	unsigned n_instances;
	uint8_t default_version;      /* global_defs vrrp_version; 0 = not given (2) */
	unsigned default_garp_interval_ms; /* global_defs vrrp_garp_interval / */
	unsigned default_gna_interval_ms;  /* vrrp_gna_interval; default 0 */
};

/* A decoded advertisement (what the wire said, validated by vrrp_pkt_decode). */
struct vrrp_advert {
	uint8_t version;              /* 2 or 3 */
	uint8_t vrid;
	uint8_t priority;
	uint8_t n_addrs;
	uint16_t advert_int_cs;       /* v2: seconds * 100 */
	uint8_t auth_type;            /* v2 */
	int family;
	struct fc_addr src;           /* IP source of the packet (for tie-breaks) */
	struct fc_addr addrs[VRRP_MAX_VIPS];
};

#endif
