/* What keepalived knows and fulcrum ignores, block by block.
 *
 * A keyword listed here gives "keyword 'X' is ignored by fulcrum" (a
 * warning, its block skipped) instead of an error, so that keepalived
 * configurations load unchanged.  The lists follow keepalived.conf(5);
 * anything not listed and not served is an error with a suggestion. */
#include <string.h>

#include "conf/kw.h"

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
    "linkbeat_use_polling",
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
    "lvs_timeout", "one_packet_scheduling", "notify_up_script", NULL,
};

const char *const ign_rs[] = {
    "smtp_alert",
    "alpha",
    "notify_up_script",
    NULL,
};

const char *const ign_check[] = {
    "fwmark",		"alpha",	 "inhibit_on_failure", "smtp_alert",
    "log_all_failures", "fast_recovery", "tls_compliant",      "min_reply_length",
    "max_reply_length", "protocol",	 "nb_sock_retry",      NULL,
};

const char *const ign_url[] = {
    "regex_options", "regex_stack", "regex_min_offset", "regex_max_offset", NULL,
};
