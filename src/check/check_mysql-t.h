/* MYSQL_CHECK's own configuration (check_conf.spec): log in to a MySQL or
 * MariaDB server and, when asked, tell a primary from a replica and read
 * the replica's lag.  Read and run by check_mysql.c. */
#ifndef FC_CHECK_CHECK_MYSQL_T_H
#define FC_CHECK_CHECK_MYSQL_T_H

enum my_ssl { MY_SSL_DISABLE, MY_SSL_PREFER, MY_SSL_REQUIRE };
enum my_role { MY_ROLE_ANY, MY_ROLE_PRIMARY, MY_ROLE_REPLICA };

struct check_mysql_conf {
	char *user;          /* NULL = "fulcrum" */
	char *password;      /* password, or the first line of password_file; NULL = none */
	char *password_file; /* where password came from (kept for the comparison) */
	char *dbname;        /* NULL = none (the account's default) */
	int ssl;             /* enum my_ssl; default prefer, as the mysql client */
	int role;            /* enum my_role; any = up if it takes a session */
	unsigned max_lag;    /* seconds a replica may be behind; 0 = not checked */
	int handshake_only;  /* haproxy's `option mysql-check` without user: up once the
			      * server's greeting (handshake v10, or an error packet
			      * naming it) is read; no login (not a keyword) */
};

#endif
