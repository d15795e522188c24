/* The stats page in HAProxy's layout (stats/stats.h: stats_html): a table
 * per proxy, its FRONTEND row, a row per server coloured by state and its
 * BACKEND row, the columns grouped as HAProxy groups them (Queue, Session
 * rate, Sessions, Bytes, Denied, Errors, Warnings, Server; the HTTP
 * responses in the Total cell's tooltip, the aborts in Errors/Resp's, the
 * last check's words in LastChk's).  Built from the same `show stat` rows as
 * the CSV (hs_walk), so both always agree; the HTTP engine serves it with
 * `;csv` and `;json` variants from stats_csv/stats_json. */
#include <stdio.h>
#include <stdlib.h>
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

/* The column's value as the CSV has it into buf; 0 when it is empty. */
static int col_text(const struct hs_row *r, int col, char *buf, size_t len)
{
	const struct stat_field *f = &hastat_columns.fields[col];
	struct stat_ctx c = {.now_ms = r->now_ms};
	union stat_val v = {0};

	buf[0] = 0;
	if (stat_read(f, r, &c, &v) != STAT_SET)
		return 0;
	if (f->type == STAT_COUNTER)
		snprintf(buf, len, "%llu", v.u);
	else if (f->type == STAT_STRING || f->type == STAT_ENUM)
		snprintf(buf, len, "%s", v.s ? v.s : "");
	else
		snprintf(buf, len, "%lld", v.i);
	return 1;
}

/* A duration in seconds as HAProxy's page writes it: two units at most
 * ("3d4h", "2h5m", "1m30s", "12s"). */
static void human_s(char *buf, size_t len, long long t)
{
	long long d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60, sec = t % 60;

	if (t < 0)
		snprintf(buf, len, "%s", "never");
	else if (d)
		snprintf(buf, len, "%lldd%lldh", d, h);
	else if (h)
		snprintf(buf, len, "%lldh%lldm", h, m);
	else if (m)
		snprintf(buf, len, "%lldm%llds", m, sec);
	else
		snprintf(buf, len, "%llds", sec);
}

/* One cell holding the column's value ("" when empty); a duration
 * column (HC_AGE) in HAProxy's human units. */
#define HC_AGE 0x1000

static void cell(struct sbuf *out, const struct hs_row *r, int col)
{
	char buf[160];

	sbuf_puts(out, "<td>");
	if (col_text(r, col & ~HC_AGE, buf, sizeof(buf))) {
		if (col & HC_AGE)
			human_s(buf, sizeof(buf), strtoll(buf, NULL, 10));
		esc(out, buf);
	}
	sbuf_puts(out, "</td>");
}

/* A tooltip (HAProxy's "tips": shown while the pointer is on the cell)
 * of name/column lines, for the columns that have a value. */
static void tips(struct sbuf *out, const struct hs_row *r, const char *const *names,
		 const int *cols, size_t n)
{
	char buf[64];
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		if (!col_text(r, cols[i], buf, sizeof(buf)))
			continue;
		if (!shown++)
			sbuf_puts(out, "<div class=\"tips\"><table class=\"det\">");
		sbuf_printf(out, "<tr><th>%s</th><td>", names[i]);
		esc(out, buf);
		sbuf_puts(out, "</td></tr>");
	}
	if (shown)
		sbuf_puts(out, "</table></div>");
}

/* Sessions/Total, with the HTTP figures in its tooltip (mode http). */
static void cell_total(struct sbuf *out, const struct hs_row *r)
{
	static const char *const names[] = {"Cum. HTTP requests:", "- HTTP 1xx responses:",
					    "- HTTP 2xx responses:", "- HTTP 3xx responses:",
					    "- HTTP 4xx responses:", "- HTTP 5xx responses:",
					    "- other responses:", "Intercepted requests:",
					    "Max request rate:"};
	static const int cols[] = {HS_REQ_TOT,	   HS_HRSP_1XX,	    HS_HRSP_1XX + 1, HS_HRSP_1XX + 2,
				   HS_HRSP_1XX + 3, HS_HRSP_1XX + 4, HS_HRSP_OTHER,   HS_INTERCEPTED,
				   HS_REQ_RATE_MAX};
	char buf[32];

	sbuf_puts(out, "<td class=\"tot\">");
	if (col_text(r, HS_STOT, buf, sizeof(buf)))
		esc(out, buf);
	tips(out, r, names, cols, sizeof(cols) / sizeof(cols[0]));
	sbuf_puts(out, "</td>");
}

/* Errors/Resp, with the transfers cut in its tooltip. */
static void cell_eresp(struct sbuf *out, const struct hs_row *r)
{
	static const char *const names[] = {"Aborted by the client:", "Aborted by the server:"};
	static const int cols[] = {HS_CLI_ABRT, HS_SRV_ABRT};
	char buf[32];

	sbuf_puts(out, "<td>");
	if (col_text(r, HS_ERESP, buf, sizeof(buf)))
		esc(out, buf);
	tips(out, r, names, cols, 2);
	sbuf_puts(out, "</td>");
}

/* Server/Status: the time in that state and the state (HAProxy's "5m3s
 * UP"), the state in its own span. */
static void cell_status(struct sbuf *out, const struct hs_row *r)
{
	char age[32], buf[64];

	sbuf_puts(out, "<td class=\"ac\">");
	if (col_text(r, HS_LASTCHG, buf, sizeof(buf))) {
		human_s(age, sizeof(age), strtoll(buf, NULL, 10));
		sbuf_printf(out, "%s ", age);
	}
	col_text(r, HS_STATUS, buf, sizeof(buf));
	sbuf_puts(out, "<span class=\"st\">");
	esc(out, buf);
	sbuf_puts(out, "</span></td>");
}

/* Server/LastChk: the last check's status, code and duration ("L7STS/404
 * in 2ms", "* " while one runs), its words in the tooltip. */
static void cell_lastchk(struct sbuf *out, const struct hs_row *r)
{
	char st[64], code[16], dur[24], desc[160];

	sbuf_puts(out, "<td class=\"ac\">");
	if (col_text(r, HS_CHECK_STATUS, st, sizeof(st))) {
		esc(out, st);
		if (col_text(r, HS_CHECK_CODE, code, sizeof(code)))
			sbuf_printf(out, "/%s", code);
		if (col_text(r, HS_CHECK_DURATION, dur, sizeof(dur)))
			sbuf_printf(out, " in %sms", dur);
		if (col_text(r, HS_CHECK_DESC, desc, sizeof(desc)) && desc[0]) {
			sbuf_puts(out, "<div class=\"tips\">");
			esc(out, desc);
			sbuf_puts(out, "</div>");
		}
	}
	sbuf_puts(out, "</td>");
}

/* Server/Act and Bck: a server's "Y" or "-", a backend's counts. */
static void cell_yes(struct sbuf *out, const struct hs_row *r, int col)
{
	char buf[32];

	if (r->type != HS_SERVER)
		cell(out, r, col);
	else
		sbuf_printf(out, "<td>%s</td>",
			    col_text(r, col, buf, sizeof(buf)) && strcmp(buf, "0") ? "Y" : "-");
}

/* HAProxy's groups and their columns, in its page's order (the Server
 * group's cells are drawn by the functions above). */
static const char *const group_names[] = {"Queue", "Session rate", "Sessions", "Bytes",
					  "Denied", "Errors", "Warnings", "Server"};
static const int group_span[] = {3, 3, 6, 2, 2, 3, 2, 9};
static const char *const col_names = "<th>Cur</th><th>Max</th><th>Limit</th>"
				     "<th>Cur</th><th>Max</th><th>Limit</th>"
				     "<th>Cur</th><th>Max</th><th>Limit</th><th>Total</th>"
				     "<th>LbTot</th><th>Last</th><th>In</th><th>Out</th>"
				     "<th>Req</th><th>Resp</th><th>Req</th><th>Conn</th>"
				     "<th>Resp</th><th>Retr</th><th>Redis</th>"
				     "<th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th>"
				     "<th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th>"
				     "<th>Thrtle</th>";

static void row_cells(struct sbuf *out, const struct hs_row *r)
{
	static const int head[] = {HS_QCUR, HS_QMAX,  HS_QLIMIT, HS_RATE,
				   HS_RATE_MAX, HS_RATE_LIM, HS_SCUR, HS_SMAX, HS_SLIM};
	static const int mid[] = {HS_LBTOT, HS_LASTSESS | HC_AGE, HS_BIN, HS_BOUT, HS_DREQ,
				  HS_DRESP, HS_EREQ, HS_ECON};
	size_t i;

	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		cell(out, r, head[i]);
	cell_total(out, r);
	for (i = 0; i < sizeof(mid) / sizeof(mid[0]); i++)
		cell(out, r, mid[i]);
	cell_eresp(out, r);
	cell(out, r, HS_WRETR);
	cell(out, r, HS_WREDIS);
	cell_status(out, r);
	cell_lastchk(out, r);
	cell(out, r, HS_WEIGHT);
	cell_yes(out, r, HS_ACT);
	cell_yes(out, r, HS_BCK);
	cell(out, r, HS_CHKFAIL);
	cell(out, r, HS_CHKDOWN);
	cell(out, r, HS_DOWNTIME | HC_AGE);
	cell(out, r, HS_THROTTLE);
}

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
	size_t i;

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
	sbuf_puts(out, "<th rowspan=2></th>");
	for (i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
		sbuf_printf(out, "<th colspan=%d>%s</th>", group_span[i], group_names[i]);
	sbuf_printf(out, "</tr>\n<tr class=\"titre\">%s</tr>\n", col_names);
}

static int html_row(const struct hs_row *r, void *arg)
{
	struct html_walk *w = arg;

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
	row_cells(w->out, r);
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
		  "td.tot, td { position: relative; }\n"
		  "div.tips { display: none; position: absolute; z-index: 1; left: 0; top: 100%; "
		  "background: #ffffe0; border: 1px solid gray; padding: 2px; text-align: left; "
		  "white-space: nowrap; }\n"
		  "td:hover > div.tips { display: block; }\n"
		  "table.det th, table.det td { border: none; text-align: left; }\n"
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
