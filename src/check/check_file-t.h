/* FILE_CHECK's own configuration (check_conf.spec), check_file.c. */
#ifndef FC_CHECK_CHECK_FILE_T_H
#define FC_CHECK_CHECK_FILE_T_H

struct check_file_conf {
	char *track_file; /* absolute path; required */
	int file_weight;  /* -254..254; 0 = the value is up (0) or down */
};

#endif
