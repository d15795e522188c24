#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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
		/* one line whole, whichever worker thread writes beside it */
		flockfile(stderr);
		fprintf(stderr, "%s.%03ld fulcrum %s: ", when, ts.tv_nsec / 1000000, prio_tag(prio));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
	va_end(ap);
}

/* v as one logfmt value, appended at out[*len] (cut at cap, NUL-ended). */
static void kv_value(char *out, size_t cap, size_t *len, const char *v)
{
	int quote = !*v;
	const char *p;

	for (p = v; *p && !quote; p++)
		quote = (unsigned char)*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' || *p == 0x7f;

#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (*len + 1 < cap)                                                                \
			out[(*len)++] = (ch);                                                      \
	} while (0)
	if (quote)
		PUT('"');
	for (p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (quote && (ch == '"' || ch == '\\'))
			PUT('\\');
		PUT(ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	if (quote)
		PUT('"');
#undef PUT
	out[*len] = 0;
}

void log_event(int prio, const char *event, const struct log_kv *kv, unsigned n,
	       const char *msg_fmt, ...)
{
	va_list ap;

	va_start(ap, msg_fmt);
	log_vevent(prio, event, kv, n, msg_fmt, ap);
	va_end(ap);
}

void log_vevent(int prio, const char *event, const struct log_kv *kv, unsigned n,
		const char *msg_fmt, va_list ap)
{
	char line[1024], msg[512];
	size_t len;
	unsigned i;

	vsnprintf(msg, sizeof(msg), msg_fmt, ap);
	len = (size_t)snprintf(line, sizeof(line), "event=%s", event);
	for (i = 0; i < n && len + 1 < sizeof(line); i++) {
		if (!kv[i].v)
			continue;
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=", kv[i].k);
		if (len >= sizeof(line))
			break;
		kv_value(line, sizeof(line), &len, kv[i].v);
	}
	if (len + 6 < sizeof(line)) {
		memcpy(line + len, " msg=", 6);
		len += 5;
		kv_value(line, sizeof(line), &len, msg);
	}
	line[sizeof(line) - 1] = 0;
	log_msg(prio, "%s", line);
}
