/* PGSQL_CHECK (check_pgsql.c): what is reachable besides its ops. */
#ifndef FC_CHECK_CHECK_PGSQL_H
#define FC_CHECK_CHECK_PGSQL_H

/* Forget every pool's primary (the lag reference): for tests, and
 * harmless at any time (the next checks find the primaries again). */
void check_pgsql_forget(void);

#endif
