/* Internal to src/ctl/: the command handlers the table points at, and the
 * argument helpers they share.  Not for use outside src/ctl/. */
#ifndef FC_CTL_CMD_H
#define FC_CTL_CMD_H

#include <stddef.h>

#include "ctl/ctl-t.h"
#include "model/model-t.h"

/* cmd_list.c: a streamed command (the listing can be megabytes) */
int cmd_list_start(struct fulcrum *fc, int argc, char **argv, struct ctl_stream *st, char *err,
		   size_t errlen);

/* cmd_server.c: bumped by every add/del server.  A streamed listing holds
 * pointers into the model; it stops if this or fc->reloads moved. */
extern unsigned ctl_model_edits;

/* cmd_server.c */
int cmd_set_weight(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);
int cmd_drain(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
	      size_t errlen);
int cmd_disable(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen);
int cmd_enable(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
	       size_t errlen);
int cmd_add_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);
int cmd_del_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);

/* cmd_misc.c */
int cmd_reload(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
	       size_t errlen);
int cmd_help(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err, size_t errlen);
int cmd_version(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen);
int cmd_show_config(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		    size_t errlen);

/* cmd_pools.c */
int cmd_show_pools(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);

/* cmd_checks.c */
int cmd_show_checks(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		    size_t errlen);

/* cmd_vrrp.c */
int cmd_show_vrrp(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen);

/* cmd_xdp.c */
int cmd_show_xdp(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		 size_t errlen);

/* cmd_stat.c: HAProxy's read commands and Prometheus (src/stats/) */
int cmd_show_stat(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen);
int cmd_show_info(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		  size_t errlen);
int cmd_show_servers_state(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
			   size_t errlen);
int cmd_show_table(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);
int cmd_show_backend(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		     size_t errlen);
int cmd_metrics(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen);

/* cmd_hasrv.c: HAProxy's runtime commands on BACKEND/SERVER */
int cmd_set_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		   size_t errlen);
int cmd_enable_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen);
int cmd_disable_server(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen);
int cmd_enable_health(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen);
int cmd_disable_health(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen);
int cmd_enable_agent(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		     size_t errlen);
int cmd_disable_agent(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		      size_t errlen);
int cmd_add_server_any(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen);
int cmd_del_server_any(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen);
int cmd_clear_counters(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		       size_t errlen);

/* cmd_ops.c: the daemon's ops (fc->ops), or a refusal when none is
 * installed (ctl_sync then does nothing). */
int ctl_apply_vs(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
int ctl_reload(struct fulcrum *fc, char *err, size_t errlen);
void ctl_sync(struct fulcrum *fc, int conns);

/* cmd_server.c: "TCP 127.0.0.1:8080" (or "FWM 3"), as log lines name a service. */
const char *ctl_vs_label(const struct virtual_server *vs, char *buf, size_t len);

#endif
