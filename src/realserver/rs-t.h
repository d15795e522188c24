/* fulcrum realserver: types only (see realserver.h for the command). */
#ifndef FC_REALSERVER_RS_T_H
#define FC_REALSERVER_RS_T_H

#include <net/if.h>

#include "core/addr.h"

#define RS_DEFAULT_STATE "/run/fulcrum/realserver.state"
#define RS_MAX_VIPS	 256 /* --vip options, and VIPs in one state file */
#define RS_MAX_DEVS	 32  /* --dev options, and decap interfaces in one state file */
#define RS_MAX_ITEMS	 (RS_MAX_VIPS + RS_MAX_DEVS * 2 + 16)
#define RS_VAL_LEN	 32 /* a sysctl value as text, or a word */

/* One line of the state file: something `start` changed or was asked for. */
enum rs_kind {
	RS_ITEM_VIP,	/* a VIP asked for; added = 1 when start put it on lo */
	RS_ITEM_SYSCTL, /* net.ipv4.conf.<dev>.<key> that start changed; prev = its old value */
	RS_ITEM_DECAP,	/* the decap program that start attached to <dev>; native or generic */
};

struct rs_item {
	enum rs_kind kind;
	struct fc_addr vip;    /* RS_ITEM_VIP */
	int added;	       /* RS_ITEM_VIP: put on lo by start (else it was there already) */
	char dev[IF_NAMESIZE]; /* RS_ITEM_SYSCTL: "all", "lo" or an interface; RS_ITEM_DECAP */
	char key[RS_VAL_LEN];  /* RS_ITEM_SYSCTL: arp_ignore, arp_announce, rp_filter */
	char prev[RS_VAL_LEN]; /* RS_ITEM_SYSCTL: the value before start */
	int native;	       /* RS_ITEM_DECAP: native XDP (else generic) */
};

/* The state file in memory, in file order. */
struct rs_state {
	unsigned n;
	struct rs_item item[RS_MAX_ITEMS];
};

/* The command line of one subcommand. */
struct rs_opts {
	const char *state_path;
	struct fc_addr vip[RS_MAX_VIPS];
	unsigned n_vip;
	char dev[RS_MAX_DEVS][IF_NAMESIZE];
	unsigned n_dev;
	int decap;
	int json;
};

#endif
