/* HAProxy's command line: when fulcrum runs as `haproxy` (a link named so,
 * or `fulcrum haproxy ARGS`), haproxy's options are read and turned into
 * fulcrum's own (the haproxy.cfg reader forced), so that the rest of the
 * daemon runs as always.  What has no fulcrum equivalent is kept here and
 * done at its moment (-sf/-st once we serve). */
#ifndef FC_DAEMON_HAPROXY_CLI_H
#define FC_DAEMON_HAPROXY_CLI_H

#include <sys/types.h>

#define HAP_MAX_PIDS 64
#define HAP_MAX_ARGS 16

/* No allocation: main() may return early (-c) without freeing it. */
struct hap_cli {
	int on;			  /* invoked as haproxy */
	char *argv[HAP_MAX_ARGS]; /* the fulcrum arguments made, into strs */
	int argc;
	char strs[2048];
	size_t used;
	char cfg_tmp[256];	  /* several -f: the files joined here ("" none; removed at exit) */
	pid_t old[HAP_MAX_PIDS]; /* -sf / -st */
	unsigned nold;
	int old_sig;	      /* SIGUSR1 (-sf: finish) or SIGTERM (-st) */
};

/* 1 if argv asks for haproxy's command line. */
int hap_cli_wanted(int argc, char **argv);
/* Read haproxy's options from argv and make *argc / *argv fulcrum's (h
 * owns them).  -v, -h and usage errors print and exit here. */
void hap_cli_args(struct hap_cli *h, int *argc, char ***argv);
/* We serve: tell the processes of -sf / -st to finish or terminate. */
void hap_cli_started(struct hap_cli *h);
/* Remove what it made (the joined file). */
void hap_cli_free(struct hap_cli *h);

#endif
