/* Micro-benchmark of the HTTP/1.1 parser (src/http/h1*.c): how many
 * typical browser request heads per second one core parses, and parses
 * plus rewrites (two headers added, one deleted, the head written out as
 * the engine does before forwarding), per second of CPU time.  No I/O:
 * the parser alone.
 *
 *   cc -O2 -std=gnu11 -Isrc -D_GNU_SOURCE bench/h1_parse.c src/http/h1*.c -o build/h1_parse
 *   build/h1_parse [seconds per measurement, default 2]
 *
 * doc/benchmarks.md ("HTTP/1.1 parser") has the figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/h1.h"

/* What Firefox sends for a page's script on a site with a session cookie. */
static const char browser_req[] =
	"GET /static/js/app.3f9c2b.js?v=20260105 HTTP/1.1\r\n"
	"Host: www.example.com\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
	"Accept: */*\r\n"
	"Accept-Language: en-US,en;q=0.5\r\n"
	"Accept-Encoding: gzip, deflate, br, zstd\r\n"
	"Referer: https://www.example.com/products/widgets?page=2\r\n"
	"Connection: keep-alive\r\n"
	"Cookie: session=6b1f0e0b9d2c4a8e9f7a; theme=dark; consent=1\r\n"
	"Sec-Fetch-Dest: script\r\n"
	"Sec-Fetch-Mode: no-cors\r\n"
	"Sec-Fetch-Site: same-origin\r\n"
	"Priority: u=2\r\n"
	"\r\n";

static double now(void)
{
	struct timespec ts;

	/* CPU time, not wall time: on a shared machine the figure is what
	 * the parser costs, not how often it was scheduled */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run `one` in batches until `secs` of CPU time have passed: heads per
 * CPU-second. */
static double measure(double secs, int (*one)(struct h1_msg *, char *), struct h1_msg *m, char *out)
{
	unsigned long n = 0;
	double t0 = now(), t;
	int i;

	do {
		for (i = 0; i < 10000; i++)
			if (one(m, out) <= 0) {
				fprintf(stderr, "h1_parse: the request was refused\n");
				exit(1);
			}
		n += 10000;
		t = now() - t0;
	} while (t < secs);
	return (double)n / t;
}

static int parse_only(struct h1_msg *m, char *out)
{
	(void)out;
	return h1_parse_req(m, browser_req, sizeof(browser_req) - 1, 16384);
}

static int parse_edit_emit(struct h1_msg *m, char *out)
{
	int rc = h1_parse_req(m, browser_req, sizeof(browser_req) - 1, 16384);

	if (rc <= 0)
		return rc;
	h1_hdr_add(m, "X-Forwarded-For", 15, "192.0.2.10", 10);
	h1_hdr_set(m, "Connection", 10, "close", 5);
	h1_hdr_del_all(m, "cookie", 6);
	return (int)h1_emit_head(m, out, 16384);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	struct h1_msg *m = malloc(sizeof(*m));
	char *out = malloc(16384);
	double p, e;

	if (!m || !out || secs <= 0)
		return 1;
	p = measure(secs, parse_only, m, out);
	e = measure(secs, parse_edit_emit, m, out);
	parse_only(m, out);
	printf("head: %zu bytes, %u headers\n", sizeof(browser_req) - 1, m->nhdrs);
	printf("parse:               %10.0f heads/s  %6.0f ns/head  %6.0f MB/s\n", p, 1e9 / p,
	       p * (double)(sizeof(browser_req) - 1) / 1e6);
	printf("parse + edit + emit: %10.0f heads/s  %6.0f ns/head\n", e, 1e9 / e);
	free(m);
	free(out);
	return 0;
}
