/* What keepalived knows in a checker's blocks and fulcrum ignores (the
 * other blocks' lists are conf/ignored.c's): kept with the checkers, whose
 * block tables (SMTP_CHECK host, HTTP_GET url) and the reader's checker
 * blocks (conf/check_kw.c) name them. */
#include <stddef.h>

#include "check/check.h"

const char *const ign_check[] = {
    "fwmark",		"alpha",	 "inhibit_on_failure", "smtp_alert",
    "log_all_failures", "fast_recovery", "tls_compliant",      "min_reply_length",
    "max_reply_length", "protocol",	 "nb_sock_retry",      NULL,
};

const char *const ign_url[] = {
    "regex_options", "regex_stack", "regex_min_offset", "regex_max_offset", NULL,
};
