/* fulcrum: the daemon.  Command line in keepalived's conventions. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sdnotify.h"
#include "core/version.h"
#include "ctl/ctl.h"
#include "ctl/hasock.h"
#include "daemon/apply.h"
#include "daemon/haproxy_cli.h"
#include "daemon/pidfile.h"
#include "daemon/privs.h"
#include "daemon/proc_tune.h"
#include "daemon/softstop.h"
#include "engine/engines.h"
#include "model/ctr.h"
#include "model/model.h"
#include "realserver/realserver.h"

struct options {
	const char *conf;
	const char *format; /* --format, or NULL: the file's content tells */
	const char *pidfile;
	const char *control;
	int test_only;
	int foreground;
	int console;
	int detailed;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fulcrum [OPTION]...\n"
		"High-availability load balancer: reads keepalived.conf, ldirectord.cf or\n"
		"haproxy.cfg.\n"
		"\n"
		"  -f, --use-file=FILE     configuration file (default %s)\n"
		"      --format=GRAMMAR    read it as keepalived, ldirectord or haproxy (the\n"
		"                          default is the grammar its content shows; a file no\n"
		"                          grammar claims is read as keepalived)\n"
		"  -t, --config-test       check the configuration and exit: 0 if it can be\n"
		"                          served, else 1 with a file:line: message per error\n"
		"  -n, --dont-fork         stay in the foreground\n"
		"  -l, --log-console       log to the console (stderr) instead of syslog\n"
		"  -D, --log-detail        detailed (debug) log\n"
		"  -p, --pid=FILE          write the daemon's pid to FILE, locked while it\n"
		"                          runs (a link or another user's file is refused)\n"
		"      --control=PATH      control socket (default %s,\n"
		"                          or global_defs { control_socket PATH })\n"
		"  -v, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n"
		"\n"
		"On a real server: fulcrum realserver start|stop|status (see --help there).\n"
		"\n"
		"Signals: SIGHUP reloads the configuration (a bad one is refused and the\n"
		"running one kept), SIGTERM/SIGINT stop cleanly.  Run-time control: fulcrumctl.\n",
		FC_DEFAULT_CONFIG, FC_DEFAULT_CONTROL_SOCKET);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"use-file", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"config-test", no_argument, NULL, 't'},
		{"dont-fork", no_argument, NULL, 'n'},
		{"log-console", no_argument, NULL, 'l'},
		{"log-detail", no_argument, NULL, 'D'},
		{"pid", required_argument, NULL, 'p'},
		{"control", required_argument, NULL, 'C'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char err[ERRLEN];
	int c;

	o->conf = FC_DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "f:tnlDp:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->conf = optarg;
			break;
		case 'F':
			o->format = optarg;
			break;
		case 't':
			o->test_only = 1;
			break;
		case 'n':
			o->foreground = 1;
			break;
		case 'l':
			o->console = 1;
			break;
		case 'D':
			o->detailed = 1;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'C':
			o->control = optarg;
			break;
		case 'v':
			printf("fulcrum %s\n", FC_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fulcrum: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (o->format && conf_reader_force(o->format, err, sizeof(err)) < 0) {
		fprintf(stderr, "fulcrum: %s\n", err);
		exit(2);
	}
	return 0;
}

static void print_diag(void *ctx, int severity, const char *msg)
{
	(void)ctx;
	if (severity == DIAG_ERROR)
		fprintf(stderr, "%s\n", msg);
	else
		fprintf(stderr, "%s (warning)\n", msg);
}

static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

/* Read and check the configuration in the grammar *r (the one --format
 * forced or the file's content shows); every problem is printed.  Returns
 * NULL if there was any. */
static struct config *load_checked(const char *path, const struct conf_reader **r)
{
	struct conf_diag d = {.fn = print_diag};
	struct config *cfg;

	*r = conf_reader_for_file(path);
	cfg = (*r)->load(path, &d);

	if (!cfg)
		return NULL;
	if (apply_validate(cfg, print_problem, NULL)) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* ---- signals and timers ---- */

static struct fulcrum the_fc;

static void on_stop(struct loop *l, int signo)
{
	log_info("signal %d: stopping", signo);
	sdn_notify("STOPPING=1");
	loop_stop(l);
}

/* haproxy -sf: the old process finishes what it serves */
static void on_soft_stop(struct loop *l, int signo)
{
	(void)l;
	(void)signo;
	softstop_start(&the_fc);
}

static void on_hup(struct loop *l, int signo)
{
	(void)l;
	(void)signo;
	if (the_fc.stopping) {
		/* a reload would listen again */
		log_info("soft stop under way: reload refused");
		return;
	}
	daemon_reload_notify(&the_fc); /* autoreload takes the same path */
}

#define EST_INTERVAL_MS 2000

/* The rates follow the counters' sum over the threads (model/ctr.h). */
static void estimate(struct rate_est *e, const struct ctr *c, uint64_t now)
{
	struct fc_stats s;

	ctr_sum(c, &s);
	rate_est_update(e, &s, now);
}

static void on_estimate(struct loop *l, struct ev_timer *t)
{
	struct fulcrum *fc = t->data;
	struct virtual_server *vs;
	struct real_server *rs;
	uint64_t now = loop_now(l);

	apply_sync(fc, 0); /* counters for the rates; connections only for listings */
	proc_tune_poll();
	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		estimate(&vs->live->est, &vs->live->ctr, now);
		for (rs = vs->pool->rs; rs; rs = rs->next)
			estimate(&rs->live->est, &rs->live->ctr, now);
		if (vs->pool->sorry)
			estimate(&vs->pool->sorry->live->est, &vs->pool->sorry->live->ctr, now);
	}
	loop_timer_start(l, t, EST_INTERVAL_MS);
}

/* Each proxied connection holds two sockets and up to four pipe ends:
 * take every descriptor the hard limit allows. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct fulcrum *fc = &the_fc;
	struct pidfile pidf = PIDFILE_INIT;
	struct hap_cli hap = {0};
	struct hasock *stats_socks = NULL; /* haproxy.cfg's `stats socket`s */
	const struct conf_reader *reader;
	struct config *cfg;
	char err[ERRLEN];
	int rc = 1;

	if (argc > 1 && !strcmp(argv[1], "realserver"))
		return realserver_main(argc - 1, argv + 1);
	if (hap_cli_wanted(argc, argv))
		hap_cli_args(&hap, &argc, &argv); /* haproxy's options as fulcrum's */
	parse_args(argc, argv, &o);
	sdn_init(); /* before any script is forked */
	log_init("fulcrum", o.console || o.test_only, o.detailed);

	cfg = load_checked(o.conf, &reader);
	if (o.test_only) {
		if (!cfg) {
			fprintf(stderr, "fulcrum: %s (%s grammar): configuration refused\n", o.conf,
				reader->name);
			return 1;
		}
		printf("fulcrum: %s (%s grammar): configuration OK (%u virtual server%s)\n", o.conf,
		       reader->name, cfg->n_vs, cfg->n_vs == 1 ? "" : "s");
		config_free(cfg);
		return 0;
	}
	if (!cfg) {
		fprintf(stderr, "fulcrum: %s: configuration refused, not starting\n", o.conf);
		return 1;
	}

	fc->conf_path = realpath(o.conf, NULL);
	if (!fc->conf_path)
		fc->conf_path = strdup(o.conf);
	fc->control_from_cli = o.control != NULL;
	fc->control_path = strdup(o.control                   ? o.control
				  : cfg->global.control_socket ? cfg->global.control_socket
							       : FC_DEFAULT_CONTROL_SOCKET);

	if (!o.foreground && daemonize() < 0) {
		fprintf(stderr, "fulcrum: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	log_init("fulcrum", o.console, o.detailed);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	fc->loop = loop_new();
	if (!fc->loop) {
		log_err("cannot create the event loop: %s", strerror(errno));
		goto out;
	}
	if (loop_signal(fc->loop, SIGTERM, on_stop) < 0 || loop_signal(fc->loop, SIGINT, on_stop) < 0 ||
	    loop_signal(fc->loop, SIGHUP, on_hup) < 0 ||
	    (hap.on && loop_signal(fc->loop, SIGUSR1, on_soft_stop) < 0) || /* haproxy -sf */
	    /* haproxy -W's master reloads on SIGUSR2 (unwatched, it would kill us) */
	    (hap.on && loop_signal(fc->loop, SIGUSR2, on_hup) < 0)) {
		log_err("cannot watch signals: %s", strerror(errno));
		goto out;
	}
	fc->started_ms = loop_now(fc->loop);
	/* what the control commands ask of the daemon (ctl/ never includes daemon/) */
	fc->ops = &apply_ops;

	if (o.pidfile && pidfile_open(&pidf, o.pidfile, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	/* the control socket first: a second instance stops here, before it
	 * touches anything the first one serves */
	fc->ctl = ctl_server_start(fc, fc->control_path, err, sizeof(err));
	if (!fc->ctl) {
		log_err("%s", err);
		goto out;
	}
	if (privs_scripts(cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (apply_config(fc, cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		config_free(cfg);
		cfg = NULL;
		goto out;
	}
	cfg = NULL; /* fc->cfg owns it */
	/* stats sockets follow the file read at start (a reload keeps them) */
	if (hasock_start_all(fc, &stats_socks, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	/* everything that needs root is open: keep only what the config needs */
	if (privs_drop(fc->cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	loop_timer_init(&fc->est_timer, on_estimate, fc);
	loop_timer_start(fc->loop, &fc->est_timer, EST_INTERVAL_MS);

	log_info("fulcrum %s started: %s, %u virtual server%s, control socket %s", FC_VERSION,
		 fc->conf_path, fc->cfg->n_vs, fc->cfg->n_vs == 1 ? "" : "s", fc->control_path);
	sdn_notify("READY=1\nSTATUS=serving %u virtual servers", fc->cfg->n_vs);
	hap_cli_started(&hap);
	if (loop_run(fc->loop) < 0)
		log_err("event loop failed: %s", strerror(errno));
	else
		rc = 0;
	log_info("stopped");

out:
	hasock_stop_all(stats_socks);
	if (fc->ctl)
		ctl_server_stop(fc->ctl);
	if (fc->loop) {
		apply_shutdown(fc);
		loop_timer_stop(fc->loop, &fc->est_timer);
	}
	config_free(fc->cfg);
	config_free(cfg);
	pidfile_close(&pidf);
	loop_free(fc->loop);
	free(fc->conf_path);
	free(fc->control_path);
	hap_cli_free(&hap);
	return rc;
}
