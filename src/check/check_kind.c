/* What a check attempt found, in HAProxy 2.6's words: its check_status
 * codes and their descriptions (get_check_status_info /
 * get_check_status_description), which `show stat`'s check_status,
 * check_desc and agent_status columns print. */
#include "check/check.h"

static const struct {
	const char *name, *desc;
	int ok;
} kinds[CK_N] = {
    [CK_UNK] = {"UNK", "Unknown", -1},
    [CK_INI] = {"INI", "Initializing", -1},
    [CK_CHECKED] = {"CHECKED", "No status change", -1},
    [CK_SOCKERR] = {"SOCKERR", "Socket error", 0},
    [CK_L4OK] = {"L4OK", "Layer4 check passed", 1},
    [CK_L4TOUT] = {"L4TOUT", "Layer4 timeout", 0},
    [CK_L4CON] = {"L4CON", "Layer4 connection problem", 0},
    [CK_L6OK] = {"L6OK", "Layer6 check passed", 1},
    [CK_L6TOUT] = {"L6TOUT", "Layer6 timeout", 0},
    [CK_L6RSP] = {"L6RSP", "Layer6 invalid response", 0},
    [CK_L7TOUT] = {"L7TOUT", "Layer7 timeout", 0},
    [CK_L7RSP] = {"L7RSP", "Layer7 invalid response", 0},
    [CK_L7OK] = {"L7OK", "Layer7 check passed", 1},
    [CK_L7OKC] = {"L7OKC", "Layer7 check conditionally passed", 1},
    [CK_L7STS] = {"L7STS", "Layer7 wrong status", 0},
    [CK_PROCERR] = {"PROCERR", "External check error", 0},
    [CK_PROCTOUT] = {"PROCTOUT", "External check timeout", 0},
    [CK_PROCOK] = {"PROCOK", "External check passed", 1},
};

const char *check_kind_name(enum check_kind k)
{
	return (unsigned)k < CK_N ? kinds[k].name : kinds[CK_UNK].name;
}

const char *check_kind_desc(enum check_kind k)
{
	return (unsigned)k < CK_N ? kinds[k].desc : kinds[CK_UNK].desc;
}

int check_kind_ok(enum check_kind k)
{
	return (unsigned)k < CK_N ? kinds[k].ok : -1;
}
