/* FILE_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void file_start(struct check_run *run)
{
	check_done(run, 0, "FILE_CHECK is not implemented in this build");
}

static void file_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_file_ops = {
	.type = CHECK_FILE,
	.name = "FILE_CHECK",
	.start = file_start,
	.cancel = file_cancel,
};
