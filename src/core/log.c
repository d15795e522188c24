#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "core/log.h"

static int log_console = 1;
static int log_syslog;
static int log_debug_on;

void log_init(const char *ident, int to_console, int detailed)
{
	log_console = to_console;
	log_debug_on = detailed;
	if (!to_console) {
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog = 1;
	}
}

int log_detailed(void)
{
	return log_debug_on;
}

static const char *prio_tag(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio >= LOG_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld fulcrum %s: ", when, ts.tv_nsec / 1000000, prio_tag(prio));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
