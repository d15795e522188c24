/* PGSQL_CHECK's own configuration (check_conf.spec), check_pgsql.c. */
#ifndef FC_CHECK_CHECK_PGSQL_T_H
#define FC_CHECK_CHECK_PGSQL_T_H

#include <stdint.h>

enum pg_sslmode { PG_SSL_DISABLE, PG_SSL_PREFER, PG_SSL_REQUIRE };
enum pg_role { PG_ROLE_ANY, PG_ROLE_PRIMARY, PG_ROLE_STANDBY };

struct check_pgsql_conf {
	char *user;		   /* NULL = "fulcrum" */
	char *password;		   /* NULL = none (trust); password_file read into it */
	char *password_file;	   /* where password came from, for conf_equal */
	char *dbname;		   /* NULL = the user name, as libpq */
	enum pg_sslmode sslmode;   /* default disable */
	enum pg_role role;	   /* default any */
	unsigned max_lag;	   /* bytes of WAL; 0 = not checked (at most 4 GiB) */
	unsigned max_replay_delay; /* seconds; 0 = not checked */
	/* haproxy's `option pgsql-check` (set by the haproxy.cfg reader): the
	 * server is up once it answers the startup message with an
	 * authentication request (or AuthenticationOk); nothing is sent after,
	 * no password, no query.  An ErrorResponse is down. */
	int startup_only;
};

#endif
