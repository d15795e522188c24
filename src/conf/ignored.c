/* What keepalived knows and fulcrum ignores, block by block.
 *
 * A keyword listed here gives "keyword 'X' is ignored by fulcrum" (a
 * warning, its block skipped) instead of an error, so that keepalived
 * configurations load unchanged.  The lists follow keepalived.conf(5);
 * anything not listed and not served is an error with a suggestion. */
#include <string.h>

#include "conf/ka.h"

const char *const ign_global[] = {
    "notification_email",
    "notification_email_from",
    "smtp_server",
    "smtp_helo_name",
    "smtp_connect_timeout",
    "smtp_alert",
    "smtp_alert_vrrp",
    "smtp_alert_checker",
    "no_email_faults",
    "enable_traps",
    "default_interface",
    "lvs_sync_daemon",
    "lvs_flush",
    "lvs_flush_on_stop",
    "lvs_timeouts",
    "lvs_notify_fifo",
    "lvs_notify_fifo_script",
    "vrrp_mcast_group4",
    "vrrp_mcast_group6",
    "vrrp_garp_master_delay",
    "vrrp_garp_master_repeat",
    "vrrp_garp_lower_prio_delay",
    "vrrp_garp_lower_prio_repeat",
    "vrrp_garp_master_refresh",
    "vrrp_garp_master_refresh_repeat",
    "vrrp_lower_prio_no_advert",
    "vrrp_higher_prio_send_advert",
    "vrrp_version",
    "vrrp_iptables",
    "vrrp_ipsets",
    "vrrp_check_unicast_src",
    "vrrp_skip_check_adv_addr",
    "vrrp_strict",
    "vrrp_notify_fifo",
    "vrrp_notify_fifo_script",
    "vrrp_netlink_cmd_rcv_bufs",
    "vrrp_netlink_cmd_rcv_bufs_force",
    "vrrp_netlink_monitor_rcv_bufs",
    "vrrp_netlink_monitor_rcv_bufs_force",
    "vrrp_startup_delay",
    "vrrp_min_garp",
    "vrrp_garp_extra_if",
    "vrrp_nftables",
    "vrrp_nftables_priority",
    "vrrp_nftables_ifindex",
    "vrrp_nftables_counters",
    "checker_log_all_failures",
    "bfd_priority",
    "bfd_no_swap",
    "bfd_rt_priority",
    "bfd_rlimit_rtime",
    "snmp_socket",
    "enable_snmp_keepalived",
    "enable_snmp_vrrp",
    "enable_snmp_checker",
    "enable_snmp_rfc",
    "enable_snmp_rfcv2",
    "enable_snmp_rfcv3",
    "enable_dbus",
    "dbus_service_name",
    "notify_fifo",
    "notify_fifo_script",
    "net_namespace",
    "net_namespace_ipvs",
    "namespace_with_ipsets",
    "instance",
    "use_pid_dir",
    "dynamic_interfaces",
    "process_names",
    "process_name",
    "vrrp_process_name",
    "checker_process_name",
    "bfd_process_name",
    "max_auto_priority",
    "min_auto_priority_delay",
    "umask",
    "reload_check_config",
    "reload_time_file",
    "reload_repeat",
    "reload_file",
    "config_save_dir",
    "data_use_instance",
    "startup_script",
    "startup_script_timeout",
    "shutdown_script",
    "shutdown_script_timeout",
    "disable_local_igmp",
    "tmp_config_directory",
    "random_seed",
    "local_name",
    "nftables",
    "nftables_priority",
    "nftables_ifindex",
    "nftables_counters",
    "fifo_write_vrrp_states_on_reload",
    "rs_init_notifies",
    "no_checker_emails",
    "vrrp_owner_ignore_lower_prio",
    "vrrp_cleanup_ipvs_sync",
    "vrrp_track_process",
    /* keepalived 2.1/2.2 (keepalived.conf(5) of 2.2.7) */
    "include_check",
    "vrrp_cpu_affinity",
    "checker_cpu_affinity",
    "bfd_cpu_affinity",
    "bfd_rlimit_rttime",
    "lvs_netlink_cmd_rcv_bufs",
    "lvs_netlink_cmd_rcv_bufs_force",
    "lvs_netlink_monitor_rcv_bufs",
    "lvs_netlink_monitor_rcv_bufs_force",
    "process_monitor_rcv_bufs",
    "process_monitor_rcv_bufs_force",
    "nftables_ipvs",
    "nftables_ipvs_priority",
    "nftables_ipvs_start_fwmark",
    "log_unknown_vrids",
    "vrrp_down_timer_adverts",
    "vrrp_notify_priority_changes",
    "vrrp_rx_bufs_policy",
    "vrrp_rx_bufs_multiplier",
    "vmac_prefix",
    "vmac_addr_prefix",
    NULL,
};

/* Top-level items; each gives "NAME ARG: <reason>; block ignored". */
static const struct {
	const char *name;
	const char *reason;
} top[] = {
    {"vrrp_instance", "not supported by fulcrum's VRRP"},
    {"vrrp_script", "not supported by fulcrum's VRRP"},
    {"vrrp_sync_group", "not supported by fulcrum's VRRP"},
    {"vrrp_track_process", "not supported by fulcrum's VRRP"},
    {"vrrp_track_file", "not supported by fulcrum's VRRP"},
    {"track_process", "not supported by fulcrum's VRRP"},
    {"track_file", "not supported by fulcrum's VRRP"},
    {"track_bfd", "not supported by fulcrum's VRRP"},
    {"garp_group", "not supported by fulcrum's VRRP"},
    {"lvs_sync_daemon_interface", "not supported by fulcrum's VRRP"},
    {"virtual_routes", "not supported by fulcrum's VRRP"},
    {"virtual_rules", "not supported by fulcrum's VRRP"},
    {"virtual_ipaddress", "not supported by fulcrum's VRRP"},
    {"static_ipaddress", "static addresses, routes and rules are not managed by fulcrum yet"},
    {"static_routes", "static addresses, routes and rules are not managed by fulcrum yet"},
    {"static_rules", "static addresses, routes and rules are not managed by fulcrum yet"},
    {"static_track_group", "static addresses, routes and rules are not managed by fulcrum yet"},
    {"bfd_instance", "BFD is not served by fulcrum yet"},
    {"SSL", "client certificates for SSL_GET are not supported by fulcrum yet"},
    {"linkbeat_interfaces", "ignored by fulcrum"},
    {"net_namespace", "network namespaces are not supported by fulcrum"},
    {"net_namespace_ipvs", "network namespaces are not supported by fulcrum"},
    {"namespace_with_ipsets", "ignored by fulcrum"},
    {"instance", "ignored by fulcrum"},
    {"use_pid_dir", "ignored by fulcrum"},
    {"use_symlink", "ignored by fulcrum"},
    {"child_wait_time", "ignored by fulcrum"},
    {"interface_up_down_delays", "fulcrum acts on interface state changes at once"},
};

const char *const ign_top[] = {
    "vrrp_instance",
    "vrrp_script",
    "vrrp_sync_group",
    "vrrp_track_process",
    "vrrp_track_file",
    "track_process",
    "track_file",
    "track_bfd",
    "garp_group",
    "lvs_sync_daemon_interface",
    "virtual_routes",
    "virtual_rules",
    "virtual_ipaddress",
    "static_ipaddress",
    "static_routes",
    "static_rules",
    "static_track_group",
    "bfd_instance",
    "SSL",
    "linkbeat_interfaces",
    "net_namespace",
    "net_namespace_ipvs",
    "namespace_with_ipsets",
    "instance",
    "use_pid_dir",
    "use_symlink",
    "child_wait_time",
    "interface_up_down_delays",
    NULL,
};

const char *ign_top_reason(const char *kw)
{
	size_t i;

	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (!strcmp(top[i].name, kw))
			return top[i].reason;
	return NULL;
}

const char *const ign_vs[] = {
    "hashed",	   "persistence_engine",    "smtp_alert",	"sorry_server_lvs_method",
    "lvs_timeout", "one_packet_scheduling", "notify_up_script", "snmp_name", NULL,
};

const char *const ign_rs[] = {
    "smtp_alert",
    "alpha",
    "notify_up_script",
    "snmp_name",
    NULL,
};

/* keepalived's retired and legacy keywords.  Versions are from keepalived's
 * ChangeLog; "what" says what the keyword did and why fulcrum does not act
 * on it.  Served ones are aliases in the block's keyword table and are
 * listed here for doc/config.md and the tests (tests/unit/test_conf_compat.c
 * loads every row). */
const struct kw_retired kw_retired[] = {
    /* ignored */
    {"nat_mask", "virtual_server", NULL, "removed in keepalived 1.2.20",
     "the netmask of IPVS NAT, which only Linux 2.2 used", "255.255.255.0", 0},
    {"lvs_sync_daemon_interface", "vrrp_instance", "global_defs lvs_sync_daemon",
     "moved to global_defs in keepalived 1.2.20",
     "fulcrum does not run the IPVS connection sync daemon", "eth0", 0},
    {"preempt", "vrrp_instance", "nopreempt to turn preemption off",
     "deprecated in keepalived 1.1.8", "preemption is the default already", "", 0},
    {"native_ipv6", "vrrp_instance", "the address family of the virtual_ipaddress entries",
     "deprecated in keepalived 2.x's keepalived.conf(5)", "the VIPs decide the family", "", 0},
    {"linkbeat_use_polling", "vrrp_instance", "the linkbeat_interfaces block",
     "deprecated in keepalived 2.0.13", "fulcrum follows link state over netlink", "", 0},
    {"linkbeat_use_polling", "global_defs", "the linkbeat_interfaces block",
     "deprecated in keepalived 2.0.13", "fulcrum follows link state over netlink", "", 0},
    {"garp_lower_priority_delay", "vrrp_instance", "garp_lower_prio_delay",
     "the spelling of keepalived.conf.SYNOPSIS (1.3, 1.4); keepalived read garp_lower_prio_delay",
     "fulcrum sends no gratuitous ARP on a lower-priority advert", "5", 0},
    {"garp_lower_priority_repeat", "vrrp_instance", "garp_lower_prio_repeat",
     "the spelling of keepalived.conf.SYNOPSIS (1.3, 1.4); keepalived read garp_lower_prio_repeat",
     "fulcrum sends no gratuitous ARP on a lower-priority advert", "2", 0},
    /* served under the name that replaced them */
    {"lb_algo", "virtual_server", "lvs_sched", "renamed in keepalived 1.1.5", NULL, "rr", 1},
    {"lb_kind", "virtual_server", "lvs_method", "renamed in keepalived 1.1.5", NULL, "DR", 1},
    {"lb_kind", "real_server", "lvs_method", "renamed in keepalived 1.1.5", NULL, "NAT", 1},
    {"lvs_id", "global_defs", "router_id", "renamed in keepalived 1.1.8", NULL, "LVS_DEVEL", 1},
    {"mcast_src_ip", "vrrp_instance", "unicast_src_ip",
     "unicast_src_ip added as its alias in keepalived 1.2.10", NULL, "10.0.0.1", 1},
    {"nb_get_retry", "checker", "retry", "deprecated in keepalived 2.0.15", NULL, "3", 1},
    {"host", "SMTP_CHECK", "one SMTP_CHECK per server (connect_ip in the checker)",
     "deprecated in keepalived 2.0.14", NULL, "{ connect_ip 10.0.0.5 }", 1},
    {"global_tracking", "vrrp_sync_group", "sync_group_tracking_weight",
     "deprecated in keepalived 2.0.0", NULL, "", 1},
    {"vrrp_rlimit_rtime", "global_defs", "vrrp_rlimit_rttime", "older spelling", NULL, "10000",
     1},
    {"checker_rlimit_rtime", "global_defs", "checker_rlimit_rttime", "older spelling", NULL,
     "10000", 1},
    {NULL},
};

/* "checker" stands for every checker block (TCP_CHECK ... HTTP_GET). */
static int block_is(const char *want, const char *name)
{
	size_t n = strlen(name);

	if (strcmp(want, "checker"))
		return !strcmp(want, name);
	return (n > 6 && !strcmp(name + n - 6, "_CHECK")) || !strcmp(name, "HTTP_GET") ||
	       !strcmp(name, "SSL_GET");
}

int kw_retired_in(const struct kw_retired *r, const struct kw_block *b)
{
	return block_is(r->block, b->name);
}

const struct kw_retired *kw_retired_ignored(const struct kw_block *b, const char *word)
{
	const struct kw_retired *r;

	for (r = kw_retired; r->name; r++)
		if (!r->served && !strcmp(r->name, word) && kw_retired_in(r, b))
			return r;
	return NULL;
}
