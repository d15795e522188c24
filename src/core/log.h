/* Logging: to the console (stderr, with a level tag) or to syslog.
 *
 * log_init() is called once at start; until then messages go to stderr.
 * Debug messages are dropped unless detailed logging (-D) is on.
 */
#ifndef FC_CORE_LOG_H
#define FC_CORE_LOG_H

#include <syslog.h>

void log_init(const char *ident, int to_console, int detailed);
int log_detailed(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
