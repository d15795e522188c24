/* `fulcrum realserver`: the subcommand table, the command line and the
 * usage text made from the table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "realserver/realserver.h"
#include "realserver/rs-int.h"
#include "realserver/rs_decap.h"

#define OPT_VIP	  0x1
#define OPT_DECAP 0x2 /* --decap and --dev */
#define OPT_JSON  0x4

struct rs_cmd {
	const char *name;
	int (*run)(const struct rs_opts *o);
	unsigned opts;	  /* OPT_* it accepts (--state always) */
	int needs_vip;	  /* at least one --vip */
	const char *args; /* for the usage line */
	const char *help;
};

static const struct rs_cmd cmds[] = {
    {"start", rs_cmd_start, OPT_VIP | OPT_DECAP, 1,
     "--vip ADDR [--vip ADDR...] [--decap [--dev IF...]] [--state FILE]",
     "put each VIP on lo (/32, /128), set arp_ignore=1 and arp_announce=2 on all\n"
     "and lo (IPv4 VIPs); with --decap attach the TUN decapsulator (XDP) to each\n"
     "--dev, by default to the default route's interface, and set rp_filter to 2\n"
     "where it is 1.  Idempotent; records what it changed in the state file."},
    {"stop", rs_cmd_stop, OPT_VIP, 0, "[--vip ADDR...] [--state FILE]",
     "put back what start recorded, and only that (VIPs it added, sysctl values,\n"
     "decapsulators it attached); --vip: only those VIPs (the rest of the setup\n"
     "goes when the last VIP does)."},
    {"status", rs_cmd_status, OPT_VIP | OPT_DECAP | OPT_JSON, 0,
     "[--vip ADDR...] [--decap [--dev IF...]] [--json] [--state FILE]",
     "check the host: exit 0 when everything asked for (the --vip list, else the\n"
     "state file's) is in place, 1 otherwise."},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(f, "  fulcrum realserver %s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f,
		"\nThe real-server side of LVS direct routing (lb_kind DR) and tunnelling\n"
		"(lb_kind TUN).  State file: default %s.\n",
		RS_DEFAULT_STATE);
	for (size_t i = 0; i < N_CMDS; i++) {
		const char *p = cmds[i].help;

		fprintf(f, "\n%s:\n  ", cmds[i].name);
		for (; *p; p++)
			fputs(*p == '\n' ? "\n  " : (char[2]){*p, 0}, f);
		fputc('\n', f);
	}
}

static int parse(const struct rs_cmd *c, int argc, char **argv, struct rs_opts *o)
{
	static const struct option longopts[] = {
	    {"vip", required_argument, NULL, 'v'},
	    {"decap", no_argument, NULL, 'd'},
	    {"dev", required_argument, NULL, 'i'},
	    {"json", no_argument, NULL, 'j'},
	    {"state", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char err[ERRLEN];
	int ch;

	memset(o, 0, sizeof(*o));
	o->state_path = RS_DEFAULT_STATE;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		unsigned need = ch == 'v'		 ? OPT_VIP
				: ch == 'd' || ch == 'i' ? OPT_DECAP
				: ch == 'j'		 ? OPT_JSON
							 : 0;

		if (need && !(c->opts & need)) {
			rs_error("%s does not take %s", c->name, argv[optind - 1]);
			return -1;
		}
		switch (ch) {
		case 'v': {
			struct fc_addr a;

			if (addr_parse_ip(optarg, &a, err, sizeof(err)) < 0 ||
			    rs_vip_check(&a, err, sizeof(err)) < 0) {
				rs_error("--vip %s: %s", optarg, err);
				return -1;
			}
			if (o->n_vip >= RS_MAX_VIPS) {
				rs_error("more than %d --vip", RS_MAX_VIPS);
				return -1;
			}
			for (unsigned i = 0; i < o->n_vip; i++)
				if (addr_ip_equal(&o->vip[i], &a))
					goto next; /* named twice: once is enough */
			o->vip[o->n_vip++] = a;
		next:
			break;
		}
		case 'd':
			o->decap = 1;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE || strchr(optarg, '/')) {
				rs_error("--dev '%s': not an interface name", optarg);
				return -1;
			}
			if (o->n_dev >= RS_MAX_DEVS) {
				rs_error("more than %d --dev", RS_MAX_DEVS);
				return -1;
			}
			snprintf(o->dev[o->n_dev++], IF_NAMESIZE, "%s", optarg);
			break;
		case 'j':
			o->json = 1;
			break;
		case 's':
			if (!*optarg) {
				rs_error("--state needs a file name");
				return -1;
			}
			o->state_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			rs_error("%s: unknown option or missing value: %s", c->name,
				 argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		rs_error("%s: unexpected argument '%s'", c->name, argv[optind]);
		return -1;
	}
	if (o->n_dev && !o->decap) {
		rs_error("--dev goes with --decap");
		return -1;
	}
	if (c->needs_vip && !o->n_vip) {
		rs_error("%s needs at least one --vip ADDR", c->name);
		return -1;
	}
	return 0;
}

int realserver_main(int argc, char **argv)
{
	static struct rs_opts o; /* large: off the stack */
	const struct rs_cmd *c = NULL;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < N_CMDS; i++)
		if (!strcmp(argv[1], cmds[i].name))
			c = &cmds[i];
	if (!c) {
		rs_error("unknown command '%s' (start, stop or status)", argv[1]);
		usage(stderr);
		return 2;
	}
	rc = parse(c, argc - 1, argv + 1, &o);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "Try 'fulcrum realserver --help'.\n");
		return rc < 0 ? 2 : 0;
	}
	rs_decap_quiet();
	return c->run(&o);
}
