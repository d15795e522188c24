/* The stats page in HAProxy's layout (stats/stats.h: stats_html): a table
 * per proxy, its FRONTEND row, a row per server coloured by state and its
 * BACKEND row, the columns grouped as HAProxy groups them (Queue, Session
 * rate, Sessions, Bytes, Server).  Built from the same `show stat` rows as
 * the CSV (hs_walk), so both always agree; the HTTP engine serves it with
 * `;csv` and `;json` variants from stats_csv/stats_json. */
#include <stdio.h>
#include <string.h>

#include "core/loop.h"
#include "core/stats.h"
#include "core/version.h"
#include "stats/hastat.h"
#include "stats/stats.h"

static void esc(struct sbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			sbuf_puts(out, "&lt;");
			break;
		case '>':
			sbuf_puts(out, "&gt;");
			break;
		case '&':
			sbuf_puts(out, "&amp;");
			break;
		case '"':
			sbuf_puts(out, "&quot;");
			break;
		default:
			sbuf_add(out, s, 1);
		}
	}
}

/* HAProxy's row classes: the colour of a row says the state. */
static const char *row_class(const struct hs_row *r)
{
	const char *s = hs_status(r);

	if (r->type == HS_FRONTEND)
		return "frontend";
	if (r->type == HS_BACKEND)
		return !strcmp(s, "UP") ? "backend" : "backend_down";
	if (!strcmp(s, "MAINT"))
		return "maintain";
	if (!strcmp(s, "DRAIN"))
		return "active_draining";
	if (!strcmp(s, "DOWN"))
		return "active_down";
	return r->rs->checks ? "active_up" : "active_no_check";
}

/* One cell: the column's value as the CSV has it, "" when empty. */
static void cell(struct sbuf *out, const struct hs_row *r, int col)
{
	const struct stat_field *f = &hastat_columns.fields[col];
	struct stat_ctx c = {.now_ms = r->now_ms};
	union stat_val v = {0};

	sbuf_puts(out, "<td>");
	if (stat_read(f, r, &c, &v) == STAT_SET) {
		if (f->type == STAT_COUNTER)
			sbuf_printf(out, "%llu", v.u);
		else if (f->type == STAT_STRING || f->type == STAT_ENUM)
			esc(out, v.s);
		else
			sbuf_printf(out, "%lld", v.i);
	}
	sbuf_puts(out, "</td>");
}

static const int row_cols[] = {HS_QCUR, HS_RATE, HS_SCUR, HS_SLIM, HS_STOT, HS_LBTOT,
			       HS_BIN,	HS_BOUT, HS_STATUS, HS_LASTCHG, HS_WEIGHT,
			       HS_ACT,	HS_BCK, HS_CHECK_DESC};

struct html_walk {
	struct sbuf *out;
	const struct stats_html_opts *o;
	const char *open; /* the proxy whose table is open */
};

static int in_scope(const struct stats_html_opts *o, const char *px)
{
	unsigned i;

	if (!o->n_scope)
		return 1;
	for (i = 0; i < o->n_scope; i++)
		if (!strcmp(o->scope[i], px))
			return 1;
	return 0;
}

static void table_head(struct sbuf *out, const char *px)
{
	sbuf_puts(out, "<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" "
		       "width=\"10%\"><a name=\"");
	esc(out, px);
	sbuf_puts(out, "\"></a>");
	esc(out, px);
	sbuf_puts(out, "</th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n"
		       "<table class=\"tbl\" width=\"100%\">\n"
		       "<tr class=\"titre\"><th rowspan=2></th><th>Queue</th><th>Session rate</th>"
		       "<th colspan=4>Sessions</th><th colspan=2>Bytes</th><th colspan=6>Server</th>"
		       "</tr>\n<tr class=\"titre\"><th>Cur</th><th>Cur</th><th>Cur</th><th>Limit</th>"
		       "<th>Total</th><th>LbTot</th><th>In</th><th>Out</th><th>Status</th>"
		       "<th>LastChg</th><th>Wght</th><th>Act</th><th>Bck</th><th>Check</th></tr>\n");
}

static int html_row(const struct hs_row *r, void *arg)
{
	struct html_walk *w = arg;
	size_t i;

	if (!in_scope(w->o, r->pxname))
		return 0;
	if (!w->open || strcmp(w->open, r->pxname)) {
		if (w->open)
			sbuf_puts(w->out, "</table><p>\n");
		table_head(w->out, r->pxname);
		w->open = r->pxname;
	}
	sbuf_printf(w->out, "<tr class=\"%s\"><td class=\"ac\">", row_class(r));
	esc(w->out, r->type == HS_FRONTEND ? "Frontend" : r->type == HS_BACKEND ? "Backend"
										 : r->svname);
	sbuf_puts(w->out, "</td>");
	for (i = 0; i < sizeof(row_cols) / sizeof(row_cols[0]); i++)
		cell(w->out, r, row_cols[i]);
	sbuf_puts(w->out, "</tr>\n");
	return 0;
}

void stats_html(const struct fulcrum *fc, const struct stats_html_opts *o, struct sbuf *out)
{
	static const struct stats_html_opts none = {0};
	struct html_walk w = {.out = out, .o = o ? o : &none};

	o = w.o;
	sbuf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
		       "<title>Statistics Report for fulcrum</title>\n");
	if (o->refresh_s)
		sbuf_printf(out, "<meta http-equiv=\"refresh\" content=\"%u\">\n", o->refresh_s);
	sbuf_puts(out,
		  "<style type=\"text/css\">\n"
		  "body { font-family: arial, helvetica, sans-serif; font-size: 12px; }\n"
		  "table.tbl { border-collapse: collapse; border-style: none; }\n"
		  "table.tbl td, table.tbl th { border: 1px solid gray; padding: 1px 4px; "
		  "text-align: right; }\n"
		  "tr.titre th { background: #20D0D0; text-align: center; }\n"
		  "th.pxname { background: #b00040; color: #ffff40; text-align: left; }\n"
		  "td.ac { text-align: left; font-weight: bold; }\n"
		  ".frontend { background: #e8e8d0; }\n"
		  ".backend { background: #e8e8d0; }\n"
		  ".backend_down { background: #ff9090; }\n"
		  ".active_up { background: #c0ffc0; }\n"
		  ".active_no_check { background: #e0e0e0; }\n"
		  ".active_down { background: #ff9090; }\n"
		  ".active_draining { background: #20a0ff; }\n"
		  ".maintain { background: #c07820; }\n"
		  "</style></head>\n<body>\n<h1>fulcrum");
	if (!o->hide_version)
		sbuf_puts(out, " version " FC_VERSION);
	sbuf_puts(out, "</h1>\n<h2>Statistics Report</h2>\n");
	if (o->uri) {
		sbuf_puts(out, "<p><a href=\"");
		esc(out, o->uri);
		sbuf_puts(out, ";csv\">CSV export</a> <a href=\"");
		esc(out, o->uri);
		sbuf_puts(out, ";json\">JSON export</a></p>\n");
	}
	hs_walk(fc->cfg, NULL, loop_clock_ms(), html_row, &w);
	if (w.open)
		sbuf_puts(out, "</table><p>\n");
	sbuf_puts(out, "</body></html>\n");
}
