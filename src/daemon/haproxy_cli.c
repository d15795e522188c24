/* HAProxy's command line turned into fulcrum's (haproxy_cli.h).
 *
 *   haproxy -f FILE...   the configuration (several: read one after the other)
 *   -c                   check it: "Configuration file is valid", exit 0; or 1
 *   -d, -db              foreground, messages on stderr -> -n -l (-d: -D too)
 *   -D                   daemon (fulcrum's default when not in the foreground)
 *   -W, -Ws              master-worker: one process here; -Ws notifies systemd
 *                        as fulcrum always does under it
 *   -p FILE              pid file                      -> -p FILE
 *   -sf/-st PID...       the old processes to finish/terminate once we serve
 *   -q, -L NAME, -N N, -m MB, -n N, -x SOCK, -S ...   accepted, without effect
 *   -cc EXPR             evaluate a .if condition: exit 0 true, 1 false
 *   -v, -vv, -h          version, help
 * Without -D HAProxy stays in the foreground, and so do we. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/reader.h"
#include "core/log.h"
#include "core/version.h"
#include "daemon/apply.h"
#include "daemon/haproxy_cli.h"
#include "kw/diag-t.h"
#include "model/model.h"

#define HAP_MAX_FILES 32
#define HAP_CTL_DIR "/run/fulcrum"

int hap_cli_wanted(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	const char *base = slash ? slash + 1 : argv[0];

	/* haproxy's options that fulcrum's own command line does not have:
	 * with one of them, `fulcrum -d -f haproxy.cfg` (how varnishtest and
	 * scripts written for haproxy start it) is haproxy's command line */
	static const char *const hap_only[] = {"-d", "-db", "-dV", "-c", "-cc", "-W", "-Ws", "-sf",
					       "-st", "-q", "-x", "-L", "-S", "-m", NULL};
	int i, k;

	if (!strcmp(base, "haproxy") || (argc > 1 && !strcmp(argv[1], "haproxy")))
		return 1;
	for (i = 1; i < argc; i++)
		for (k = 0; hap_only[k]; k++)
			if (!strcmp(argv[i], hap_only[k]))
				return 1;
	return 0;
}

static void version(void)
{
	printf("HA-Proxy version 2.6-compatible (fulcrum %s)\n", FC_VERSION);
	exit(0);
}

static void usage(FILE *f, int code)
{
	fprintf(f,
		"Usage: haproxy -f FILE [-f FILE]... [-c] [-d|-db|-D] [-W|-Ws] [-p PIDFILE]\n"
		"               [-q] [-sf PID...|-st PID...] [-v]\n"
		"fulcrum serving haproxy.cfg (HAProxy's command line, see doc/haproxy.md):\n"
		"  -f FILE   configuration file (several: read in order)\n"
		"  -c        check the configuration and exit (0 valid, 1 not)\n"
		"  -d, -db   stay in the foreground, messages on stderr (-d: debug too)\n"
		"  -D        run as a daemon\n"
		"  -W, -Ws   master-worker (-Ws: systemd notify)\n"
		"  -p FILE   write the pid to FILE\n"
		"  -sf PID.. once serving, ask these processes to finish (SIGUSR1)\n"
		"  -st PID.. once serving, terminate these processes (SIGTERM)\n"
		"  -q        quiet\n"
		"  -v        version\n");
	exit(code);
}

static void push(struct hap_cli *h, const char *a)
{
	if (h->argc + 1 >= HAP_MAX_ARGS) {
		fprintf(stderr, "haproxy: too many arguments\n");
		exit(1);
	}
	size_t n = strlen(a) + 1;

	if (n > sizeof(h->strs) - h->used) {
		fprintf(stderr, "haproxy: arguments too long\n");
		exit(1);
	}
	h->argv[h->argc] = memcpy(h->strs + h->used, a, n);
	h->used += n;
	h->argv[++h->argc] = NULL;
}

/* Several -f: one file made of them, in order (HAProxy reads them as one
 * configuration).  Its path, owned by h. */
static const char *join_files(struct hap_cli *h, char **files, unsigned n)
{
	char *path = h->cfg_tmp, buf[8192];
	unsigned i;
	int out;

	snprintf(path, sizeof(h->cfg_tmp), "%s/fulcrum-haproxy-%d.cfg",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		fprintf(stderr, "haproxy: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		int in = open(files[i], O_RDONLY | O_CLOEXEC);
		ssize_t r;

		if (in < 0) {
			fprintf(stderr, "haproxy: %s: %s\n", files[i], strerror(errno));
			unlink(path);
			exit(1);
		}
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r)
				r = -1;
		close(in);
		if (r < 0 || write(out, "\n", 1) != 1) {
			fprintf(stderr, "haproxy: %s: %s\n", path, strerror(errno));
			unlink(path);
			exit(1);
		}
	}
	close(out);
	return path;
}

static void cc_diag(void *ctx, int severity, const char *msg)
{
	int *verdict = ctx;

	if (strstr(msg, "cc:true"))
		*verdict = 0;
	else if (strstr(msg, "cc:false"))
		*verdict = 1;
	else
		fprintf(stderr, "%s\n", msg);
}

/* -cc EXPR (varnishtest's `feature cmd "haproxy -cc 'version_atleast(2.5)'"`):
 * the reader's own .if decides, on a text that is only that block, each
 * branch saying which it is.  Exits 0 true, 1 false, 2 not understood. */
static void check_condition(const char *expr)
{
	const struct conf_reader *r = conf_reader_find("haproxy");
	int verdict = 2;
	struct conf_diag d = {.fn = cc_diag, .ctx = &verdict};
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 ".if %s\n.alert \"cc:true\"\n.else\n.alert \"cc:false\"\n.endif\n", expr);

	if (!r || n < 0 || (size_t)n >= sizeof(text) || strchr(expr, '\n')) {
		fprintf(stderr, "haproxy: -cc: cannot evaluate '%s'\n", expr);
		exit(2);
	}
	config_free(r->load_string("-cc", text, (size_t)n, &d));
	exit(verdict);
}

/* -c: HAProxy's way of saying it (messages prefixed as its are, "file:line:
 * message" after the prefix). */
static void check_diag(void *ctx, int severity, const char *msg)
{
	fprintf(stderr, "[%s] config : %s\n", severity == DIAG_ERROR ? "ALERT" : "WARNING", msg);
}

static void check_problem(void *ctx, const char *msg)
{
	check_diag(ctx, DIAG_ERROR, msg);
}

/* haproxy -c: read and check the configuration as the daemon would, say
 * "Configuration file is valid" (unless -q) and exit 0, or exit 1. */
static void check_config(struct hap_cli *h, const char *path, int quiet)
{
	const struct conf_reader *r = conf_reader_find("haproxy");
	struct conf_diag d = {.fn = check_diag};
	struct config *cfg = r ? r->load(path, &d) : NULL;

	hap_cli_free(h); /* the joined file, read now */
	if (cfg && apply_validate(cfg, check_problem, NULL)) {
		config_free(cfg);
		cfg = NULL;
	}
	if (!cfg) {
		fprintf(stderr, "[ALERT] config : Fatal errors found in configuration.\n");
		exit(1);
	}
	config_free(cfg);
	if (!quiet)
		printf("Configuration file is valid\n");
	exit(0);
}

/* The PIDs after -sf / -st, up to the next option. */
static int take_pids(struct hap_cli *h, int i, int argc, char **argv)
{
	for (; i < argc && argv[i][0] != '-'; i++) {
		char *end;
		long v = strtol(argv[i], &end, 10);

		if (*end || v <= 0 || h->nold == HAP_MAX_PIDS) {
			fprintf(stderr, "haproxy: -sf/-st: '%s' is not a process id\n", argv[i]);
			exit(1);
		}
		h->old[h->nold++] = (pid_t)v;
	}
	return i - 1;
}

void hap_cli_args(struct hap_cli *h, int *argc, char ***argv)
{
	char **av = *argv, *files[HAP_MAX_FILES], ctl[300];
	int ac = *argc, i, check = 0, debug = 0, fg = 1, nfiles = 0, quiet = 0;
	const char *conf;
	const char *pidfile = NULL;

	h->on = 1;
	i = ac > 1 && !strcmp(av[1], "haproxy") ? 2 : 1;
	for (; i < ac; i++) {
		const char *a = av[i];
		int more = i + 1 < ac;

		if (!strcmp(a, "-f") && more) {
			if (nfiles == HAP_MAX_FILES)
				usage(stderr, 1);
			files[nfiles++] = av[++i];
		} else if (!strcmp(a, "-cc") && more) {
			check_condition(av[++i]);
		} else if (!strcmp(a, "-c")) {
			check = 1;
		} else if (!strcmp(a, "-d") || !strcmp(a, "-dV")) {
			debug = fg = 1;
		} else if (!strcmp(a, "-db")) {
			fg = 1;
		} else if (!strcmp(a, "-D")) {
			fg = 0;
		} else if (!strcmp(a, "-q")) {
			quiet = 1;
		} else if (!strcmp(a, "-W") || !strcmp(a, "-Ws")) {
			continue;
		} else if (!strcmp(a, "-p") && more) {
			pidfile = av[++i];
		} else if (!strcmp(a, "-sf") || !strcmp(a, "-st")) {
			h->old_sig = a[2] == 'f' ? SIGUSR1 : SIGTERM;
			i = take_pids(h, i + 1, ac, av);
		} else if ((!strcmp(a, "-L") || !strcmp(a, "-N") || !strcmp(a, "-m") ||
			    !strcmp(a, "-n") || !strcmp(a, "-x") || !strcmp(a, "-S")) &&
			   more) {
			i++; /* HAProxy's own tuning: nothing to do here */
		} else if (!strncmp(a, "-v", 2)) {
			version();
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, 0);
		} else {
			fprintf(stderr, "haproxy: unknown option '%s'\n", a);
			usage(stderr, 1);
		}
	}
	if (!nfiles) {
		fprintf(stderr, "haproxy: no configuration file (-f FILE)\n");
		usage(stderr, 1);
	}
	conf = nfiles == 1 ? files[0] : join_files(h, files, (unsigned)nfiles);
	if (check)
		check_config(h, conf, quiet);
	push(h, "fulcrum");
	push(h, "--format=haproxy");
	push(h, "-f");
	push(h, conf);
	if (fg) {
		push(h, "-n");
		push(h, "-l");
	}
	if (debug)
		push(h, "-D");
	if (pidfile) {
		push(h, "-p");
		push(h, pidfile);
	}
	/* every instance its own control socket: several run side by side (in
	 * the default socket's directory: the control server refuses one that
	 * others may write to, such as /tmp) */
	snprintf(ctl, sizeof(ctl), "--control=%s/haproxy-%d.sock", HAP_CTL_DIR, (int)getpid());
	push(h, ctl);
	*argc = h->argc;
	*argv = h->argv;
}

void hap_cli_started(struct hap_cli *h)
{
	unsigned i;

	for (i = 0; i < h->nold; i++)
		if (kill(h->old[i], h->old_sig) < 0 && errno != ESRCH)
			log_warn("haproxy: cannot signal process %d: %s", (int)h->old[i],
				 strerror(errno));
}

void hap_cli_free(struct hap_cli *h)
{
	if (h->cfg_tmp[0])
		unlink(h->cfg_tmp);
}
