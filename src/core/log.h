/* Logging: to the console (stderr, with a level tag) or to syslog.
 *
 * log_init() is called once at start; until then messages go to stderr.
 * Debug messages are dropped unless detailed logging (-D) is on.
 */
#ifndef FC_CORE_LOG_H
#define FC_CORE_LOG_H

#include <stdarg.h>
#include <syslog.h>

void log_init(const char *ident, int to_console, int detailed);
int log_detailed(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A state change as one line of key=value pairs a log pipeline can read
 * (logfmt: Loki's `| logfmt`, `grep event=server-state`):
 *
 *     event=EVENT k1=v1 k2=v2 ... msg="the sentence a human reads"
 *
 * kv holds n pairs in the order written; a pair whose value is NULL is left
 * out.  A value that is empty or holds a blank, '=', '"' or '\' is written
 * between double quotes with '"' and '\' escaped by a backslash, a control
 * character as a blank, so a line never breaks.  The keys of each event are
 * doc/metrics.md's ("Logs") and stay as they are: tools depend on them. */
struct log_kv {
	const char *k, *v;
};
void log_event(int prio, const char *event, const struct log_kv *kv, unsigned n,
	       const char *msg_fmt, ...) __attribute__((format(printf, 5, 6)));
void log_vevent(int prio, const char *event, const struct log_kv *kv, unsigned n,
		const char *msg_fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
