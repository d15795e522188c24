/* `show stat` as HAProxy writes it: the CSV and the typed JSON, both from
 * the column table (stats/hastat.c), row by row (hs_walk). */
#include <math.h>
#include <string.h>

#include "core/loop.h"
#include "core/stats.h"
#include "stats/hastat.h"
#include "stats/stats.h"

void stats_csv_str(struct sbuf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		sbuf_puts(out, s);
		return;
	}
	sbuf_puts(out, "\"");
	for (; *s; s++)
		if (*s == '"')
			sbuf_puts(out, "\"\"");
		else
			sbuf_add(out, s, 1);
	sbuf_puts(out, "\"");
}

/* One column's value as CSV text; nothing for an empty column. */
static void csv_value(struct sbuf *out, const struct stat_field *f, const union stat_val *v)
{
	if (stat_number(out, f, v))
		return;
	switch (f->type) {
	case STAT_BOOL:
		sbuf_puts(out, v->b ? "1" : "0");
		break;
	case STAT_STRING:
	case STAT_ENUM:
		if (v->s)
			stats_csv_str(out, v->s);
		break;
	default:
		break;
	}
}

/* A writer's walk: where it writes, and the rows it keeps. */
struct csv_walk {
	struct sbuf *out;
	const struct stats_filter *f;
	int rows;
};

static int kept(const struct csv_walk *w, const struct hs_row *r)
{
	return !w->f || !w->f->keep || w->f->keep(r, w->f->arg);
}

static int csv_row(const struct hs_row *r, void *arg)
{
	struct csv_walk *w = arg;
	struct sbuf *out = w->out;
	struct stat_ctx c = {.now_ms = r->now_ms};
	size_t i;

	if (!kept(w, r))
		return 0;

	for (i = 0; i < hastat_columns.n; i++) {
		const struct stat_field *f = &hastat_columns.fields[i];
		union stat_val v = {0};

		if (stat_read(f, r, &c, &v) == STAT_SET)
			csv_value(out, f, &v);
		sbuf_puts(out, ",");
	}
	sbuf_puts(out, "\n");
	return 0;
}

static void csv_write(const struct fulcrum *fc, const char *backend, const struct stats_filter *f,
		      struct sbuf *out)
{
	struct csv_walk w = {.out = out, .f = f};
	size_t i;

	/* HAProxy ends the header and every row with a comma */
	sbuf_puts(out, "# ");
	for (i = 0; i < hastat_columns.n; i++)
		sbuf_printf(out, "%s,", hastat_columns.fields[i].name);
	sbuf_puts(out, "\n");
	hs_walk(fc->cfg, backend, loop_clock_ms(), csv_row, &w);
}

void stats_csv(const struct fulcrum *fc, const char *backend, struct sbuf *out)
{
	csv_write(fc, backend, NULL, out);
}

void stats_csv_filtered(const struct fulcrum *fc, const struct stats_filter *f, struct sbuf *out)
{
	csv_write(fc, NULL, f, out);
}

/* ---- typed JSON ---- */

static const char *const obj_types[] = {"Frontend", "Backend", "Server"};

/* HAProxy's tags: where a value comes from and what it is. */
static void json_tags(struct sbuf *out, const struct stat_field *f, size_t pos)
{
	const char *origin = "Metric", *nature = "Gauge";

	if (pos == HS_PXNAME || pos == HS_SVNAME) {
		origin = "Key";
		nature = "Name";
	} else if (f->type == STAT_COUNTER) {
		nature = "Counter";
	} else if (f->type == STAT_CONFIG) {
		origin = "Config";
		nature = "Limit";
	} else if (f->type == STAT_STRING || f->type == STAT_ENUM) {
		origin = "Status";
		nature = "Output";
	}
	sbuf_printf(out, "\"tags\":{\"origin\":\"%s\",\"nature\":\"%s\",\"scope\":\"Process\"},",
		    origin, nature);
}

static void json_value(struct sbuf *out, const struct stat_field *f, const union stat_val *v)
{
	switch (f->type) {
	case STAT_COUNTER:
		sbuf_printf(out, "{\"type\":\"u64\",\"value\":%llu}", v->u);
		break;
	case STAT_GAUGE:
	case STAT_CONFIG:
		sbuf_printf(out, "{\"type\":\"%s\",\"value\":%lld}", v->i < 0 ? "s64" : "u32", v->i);
		break;
	case STAT_FLOAT:
		sbuf_printf(out, "{\"type\":\"flt\",\"value\":%.3f}", isfinite(v->d) ? v->d : 0.0);
		break;
	case STAT_BOOL:
		sbuf_printf(out, "{\"type\":\"u32\",\"value\":%d}", v->b ? 1 : 0);
		break;
	default:
		sbuf_puts(out, "{\"type\":\"str\",\"value\":");
		sbuf_json_str(out, v->s ? v->s : "");
		sbuf_puts(out, "}");
		break;
	}
}

static int json_row(const struct hs_row *r, void *arg)
{
	struct csv_walk *w = arg;
	struct stat_ctx c = {.now_ms = r->now_ms};
	int first = 1;
	size_t i;

	if (!kept(w, r))
		return 0;
	sbuf_puts(w->out, w->rows++ ? ",[" : "[");
	for (i = 0; i < hastat_columns.n; i++) {
		const struct stat_field *f = &hastat_columns.fields[i];
		union stat_val v = {0};

		if (stat_read(f, r, &c, &v) != STAT_SET)
			continue;
		sbuf_printf(w->out,
			    "%s{\"objType\":\"%s\",\"proxyId\":%u,\"id\":%u,"
			    "\"field\":{\"pos\":%zu,\"name\":\"%s\"},\"processNum\":1,",
			    first ? "" : ",", obj_types[r->type], r->iid,
			    r->type == HS_SERVER ? r->sid : 0, i, f->name);
		json_tags(w->out, f, i);
		sbuf_puts(w->out, "\"value\":");
		json_value(w->out, f, &v);
		sbuf_puts(w->out, "}");
		first = 0;
	}
	sbuf_puts(w->out, "]");
	return 0;
}

static void json_write(const struct fulcrum *fc, const char *backend, const struct stats_filter *f,
		       struct sbuf *out)
{
	struct csv_walk w = {.out = out, .f = f};

	sbuf_puts(out, "[");
	hs_walk(fc->cfg, backend, loop_clock_ms(), json_row, &w);
	sbuf_puts(out, "]\n");
}

void stats_json(const struct fulcrum *fc, const char *backend, struct sbuf *out)
{
	json_write(fc, backend, NULL, out);
}

void stats_json_filtered(const struct fulcrum *fc, const struct stats_filter *f, struct sbuf *out)
{
	json_write(fc, NULL, f, out);
}
