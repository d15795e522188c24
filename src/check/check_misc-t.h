/* MISC_CHECK's own configuration (check_conf.spec), check_misc.c. */
#ifndef FC_CHECK_CHECK_MISC_T_H
#define FC_CHECK_CHECK_MISC_T_H

struct check_misc_conf {
	char *misc_path;          /* the command line; required */
	unsigned misc_timeout_ms; /* 0 = the check's interval */
	int misc_dynamic;         /* exit 2..255 sets the weight */
	char *user;               /* run as; NULL = script_user */
};

#endif
