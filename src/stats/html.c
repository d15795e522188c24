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
	unsigned iid;	  /* its number */
	int form;	  /* its table is in an admin form */
};

static int in_scope(const struct stats_html_opts *o, const struct hs_row *r)
{
	unsigned i;

	if (o->filter && o->filter->keep && !o->filter->keep(r, o->filter->arg))
		return 0;
	if (!o->n_scope)
		return 1;
	for (i = 0; i < o->n_scope; i++)
		if (!strcmp(o->scope[i], r->pxname))
			return 1;
	return 0;
}

/* The admin form's actions: HAProxy's values, those fulcrum acts on. */
static const char *const admin_actions[][2] = {
    {"ready", "Set state to READY"},	{"drain", "Set state to DRAIN"},
    {"maint", "Set state to MAINT"},	{"dhlth", "Health: disable checks"},
    {"ehlth", "Health: enable checks"},	{"dagt", "Agent: disable checks"},
    {"eagt", "Agent: enable checks"},
};

/* The end of a proxy's table: in an admin form, the action to apply to
 * the checked servers and the backend they are in (#iid, as HAProxy). */
static void table_end(struct html_walk *w)
{
	size_t i;

	sbuf_puts(w->out, "</table>\n");
	if (w->form) {
		sbuf_puts(w->out, "<p>Choose the action to perform on the checked servers : "
				  "<select name=action>\n<option value=\"\"></option>\n");
		for (i = 0; i < sizeof(admin_actions) / sizeof(admin_actions[0]); i++)
			sbuf_printf(w->out, "<option value=\"%s\">%s</option>\n", admin_actions[i][0],
				    admin_actions[i][1]);
		sbuf_printf(w->out, "</select><input type=\"hidden\" name=\"b\" value=\"#%u\">"
				    "<input type=\"submit\" value=\"Apply\"></p></form>\n",
			    w->iid);
	}
	sbuf_puts(w->out, "<p>\n");
	w->form = 0;
}

static void table_head(struct html_walk *w, const struct hs_row *r)
{
	struct sbuf *out = w->out;
	const char *px = r->pxname;

	w->form = w->o->admin && r->pool;
	if (w->form) {
		sbuf_puts(out, "<form method=\"post\" action=\"");
		esc(out, w->o->uri ? w->o->uri : "");
		sbuf_puts(out, "\">\n");
	}
	sbuf_puts(out, "<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" "
		       "width=\"10%\"><a name=\"");
	esc(out, px);
	sbuf_puts(out, "\"></a>");
	esc(out, px);
	sbuf_puts(out, "</th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n"
		       "<table class=\"tbl\" width=\"100%\">\n"
		       "<tr class=\"titre\">");
	if (w->form)
		sbuf_puts(out, "<th rowspan=2></th>");
	sbuf_puts(out, "<th rowspan=2></th><th>Queue</th><th>Session rate</th>"
		       "<th colspan=4>Sessions</th><th colspan=2>Bytes</th><th colspan=6>Server</th>"
		       "</tr>\n<tr class=\"titre\"><th>Cur</th><th>Cur</th><th>Cur</th><th>Limit</th>"
		       "<th>Total</th><th>LbTot</th><th>In</th><th>Out</th><th>Status</th>"
		       "<th>LastChg</th><th>Wght</th><th>Act</th><th>Bck</th><th>Check</th></tr>\n");
}

static int html_row(const struct hs_row *r, void *arg)
{
	struct html_walk *w = arg;
	size_t i;

	if (!in_scope(w->o, r))
		return 0;
	if (!w->open || strcmp(w->open, r->pxname)) {
		if (w->open)
			table_end(w);
		w->open = r->pxname;
		w->iid = r->iid;
		table_head(w, r);
	}
	sbuf_printf(w->out, "<tr class=\"%s\">", row_class(r));
	if (w->form) {
		sbuf_puts(w->out, "<td>");
		if (r->type == HS_SERVER) {
			sbuf_puts(w->out, "<input type=\"checkbox\" name=\"s\" value=\"");
			esc(w->out, r->svname);
			sbuf_puts(w->out, "\">");
		}
		sbuf_puts(w->out, "</td>");
	}
	sbuf_puts(w->out, "<td class=\"ac\">");
	esc(w->out, r->type == HS_FRONTEND ? "Frontend" : r->type == HS_BACKEND ? "Backend"
										 : r->svname);
	sbuf_puts(w->out, "</td>");
	for (i = 0; i < sizeof(row_cols) / sizeof(row_cols[0]); i++)
		cell(w->out, r, row_cols[i]);
	sbuf_puts(w->out, "</tr>\n");
	return 0;
}

/* HAProxy's messages for the result of an admin action (;st=CODE). */
static const char *const status_msgs[][3] = {
    {"DONE", "active_up", "Action processed successfully."},
    {"NONE", "active_no_check", "Nothing has changed."},
    {"PART", "active_draining",
     "Action partially processed.<br>Some server names are probably unknown or ambiguous "
     "(duplicated names in the backend)."},
    {"ERRP", "active_down",
     "Action not processed because of invalid parameters.<ul><li>The action is maybe "
     "unknown.</li><li>Invalid key parameter (empty or too long).</li><li>The backend name is "
     "probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably "
     "unknown or ambiguous (duplicated names in the backend).</li></ul>"},
    {"EXCD", "active_down",
     "Action not processed : the buffer couldn't store all the data.<br>You should retry with "
     "less servers at a time."},
    {"DENY", "active_down", "Action denied."},
    {"IVAL", "active_down", "Invalid requests (unsupported method or chunked encoded request)."},
};

static void status_message(struct sbuf *out, const char *uri, const char *st)
{
	const char *cls = "active_down", *msg = "Unexpected result.";
	size_t i;

	for (i = 0; i < sizeof(status_msgs) / sizeof(status_msgs[0]); i++)
		if (!strcmp(st, status_msgs[i][0])) {
			cls = status_msgs[i][1];
			msg = status_msgs[i][2];
		}
	sbuf_printf(out, "<p><div class=\"%s\" id=\"status\"><a class=lfsb href=\"", cls);
	esc(out, uri ? uri : "");
	sbuf_printf(out, "\" title=\"Remove this message\">[X]</a> %s</div>\n", msg);
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
	if (o->status)
		status_message(out, o->uri, o->status);
	hs_walk(fc->cfg, NULL, loop_clock_ms(), html_row, &w);
	if (w.open)
		table_end(&w);
	sbuf_puts(out, "</body></html>\n");
}
