"""The stats page in a real browser: Debian's Chromium, headless, driven
over the DevTools protocol (cdp.py), against fulcrum serving a haproxy.cfg
with seed 003's stats listener (`listen stats`, `stats uri /status`,
`stats auth admin:password`, here with `stats admin if TRUE`) and a
keepalived.conf with global_defs stats_listen.

What a user does and sees: the page refuses them without credentials (401
and HAProxy's realm), shows with them a table per backend and a row per
server with its state text, colour class and weight; ticking a server's
box, choosing "drain" and pressing Apply redirects back with ";st=DONE"
and the row says DRAIN, as `fulcrumctl show stat` does.  A screenshot of
each page is saved in the test's directory (FC_STATS_SCREENSHOT=FILE also
writes the keepalived one there: doc/img/stats-page.png is made so)."""
import csv
import io
import os
import shutil
import urllib.request

import pytest

import cdp
import fc

# per table: its proxy name and its rows: class, name, status, weight
ROWS_JS = """
Array.from(document.querySelectorAll('table.tbl')).filter(t => t.querySelector('td.ac'))
  .map(t => {
    let title = t.previousElementSibling;
    while (title && !title.querySelector('th.pxname')) title = title.previousElementSibling;
    return {px: title ? title.querySelector('th.pxname').textContent.trim() : null,
            rows: Array.from(t.querySelectorAll('tr')).filter(r => r.querySelector('td.ac'))
              .map(r => { const c = r.cells;
                          return {cls: r.className, name: r.querySelector('td.ac').textContent,
                                  status: r.querySelector('span.st').textContent,
                                  lastchk: c[c.length - 8].firstChild ?
                                           c[c.length - 8].firstChild.textContent : '',
                                  weight: c[c.length - 7].textContent}; })};
  })
"""


@pytest.fixture
def browser(bins, tmp_path):
    if not cdp.CHROMIUM:
        pytest.skip("no chromium binary (./dev installs Debian's chromium)")
    b = cdp.Chromium(tmp_path)
    try:
        yield b
    finally:
        b.close()


def tables(b):
    return {t["px"]: t["rows"] for t in b.eval(ROWS_JS)}


def server_row(b, px, name):
    rows = [r for r in tables(b).get(px, []) if r["name"] == name]
    assert len(rows) == 1, "no row %s in the table of %s: %r" % (name, px, tables(b))
    return rows[0]


def show_stat(d):
    text = d.ctl_ok("show", "stat")
    rows = list(csv.reader(io.StringIO(text.lstrip("# "))))
    head = rows[0]
    return {(r[0], r[1]): dict(zip(head, r)) for r in rows[1:] if len(r) > 1}


def drain_through_page(b, d, url, px, server):
    """The user's path: the password prompt, the page, the box, "drain",
    Apply; then what the page, the CSV and the log say."""
    b.credentials = ("admin", "password")
    resp = b.navigate(url)
    assert resp["status"] == 200, resp
    assert "text/html" in resp["headers"].get("content-type", ""), resp["headers"]
    before = server_row(b, px, server)
    assert before["status"] in ("UP", "no check"), before
    assert before["cls"] in ("active_up", "active_no_check"), before

    box = 'input[name="s"][value="%s"]' % server
    b.click(box)
    assert b.eval("document.querySelector('%s').checked" % box) is True
    # the action list of the form holding that box
    b.eval("(() => { const f = document.querySelector('%s').form;"
           " const s = f.querySelector('select[name=action]'); s.value = 'drain';"
           " s.dispatchEvent(new Event('change', {bubbles: true})); })()" % box)
    b.eval("document.querySelector('%s').form.querySelector('input[type=submit]')"
           ".setAttribute('id', 'apply-here')" % box)
    b.events.clear()
    b.click("#apply-here")
    after_resp = b.wait_document()
    assert after_resp["status"] == 200, after_resp
    href = b.eval("location.href")
    assert href.endswith(";st=DONE"), href
    assert "successfully" in b.eval("document.getElementById('status').textContent")
    after = server_row(b, px, server)
    assert after["status"] == "DRAIN" and after["cls"] == "active_draining", after
    # the runtime API and the log agree with the page
    assert show_stat(d)[(px, server)]["status"] == "DRAIN"
    assert fc.log_lines(d, "event=server-state") and [
        l for l in fc.log_lines(d, "to=DRAIN") if "by=command" in l], d.stderr()[-2000:]
    return before, after


def unauthorized(b, url):
    """The user cancels the password prompt: HAProxy's 401 page.  The
    prompt's realm."""
    b.credentials = None
    del b.challenges[:]
    resp = b.navigate(url)
    assert resp["status"] == 401, resp
    www = {k.lower(): v for k, v in resp["headers"].items()}.get("www-authenticate", "")
    assert www.startswith("Basic realm="), resp["headers"]
    assert "401 Unauthorized" in b.eval("document.body.innerText")
    assert b.eval("document.querySelectorAll('input[name=s]').length") == 0
    assert [c.get("scheme", "").lower() for c in b.challenges] == ["basic"], b.challenges
    return b.challenges[0]["realm"]


def check_page(b, shot):
    b.screenshot(shot)
    with open(shot, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000, len(png)


# HAProxy's groups of columns, in its order
GROUPS_JS = """
Array.from(document.querySelectorAll('table.tbl tr.titre')).filter(r => r.querySelector('th[colspan]'))
  .map(r => Array.from(r.querySelectorAll('th[colspan]')).map(h => h.textContent))[0]
"""
# a row's tooltip (HAProxy's "tips") in the Sessions/Total cell: {name: value}
TIPS_JS = """
((px, name) => {
  const t = Array.from(document.querySelectorAll('th.pxname')).find(h => h.textContent == px)
    .closest('table').nextElementSibling;
  const r = Array.from(t.querySelectorAll('tr')).find(r => r.querySelector('td.ac') &&
                                                     r.querySelector('td.ac').textContent == name);
  const o = {};
  r.querySelectorAll('td.tot div.tips tr').forEach(l => { o[l.cells[0].textContent] = l.cells[1].textContent; });
  o.hidden = getComputedStyle(r.querySelector('td.tot div.tips')).display;
  return o;
})(%r, %r)
"""


def test_haproxy_cfg_page_in_chromium(browser, daemon, backend, tmp_path):
    a, c = backend("app1", mode="http"), backend("app2", mode="http")
    sport, fport = fc.free_port(), fc.free_port()
    d = daemon("defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n"
               "    timeout server 30s\n\n"
               "listen stats 127.0.0.1:%d\n    stats uri /status\n"
               "    stats auth admin:password\n    stats admin if TRUE\n\n"
               "frontend main 127.0.0.1:%d\n    default_backend app\n\n"
               "backend app\n    balance roundrobin\n"
               "    server app1 127.0.0.1:%d check inter 1s\n"
               "    server app2 127.0.0.1:%d check inter 1s weight 3\n"
               % (sport, fport, a.port, c.port))
    url = "http://127.0.0.1:%d/status" % sport
    assert unauthorized(browser, url) == "HAProxy Statistics"
    # 3 requests through the frontend: the figures the page shows
    for _ in range(3):
        with urllib.request.urlopen("http://127.0.0.1:%d/" % fport, timeout=20) as r:
            assert r.status == 200

    browser.credentials = ("admin", "password")
    browser.navigate(url)
    assert browser.eval(GROUPS_JS) == ["Queue", "Session rate", "Sessions", "Bytes", "Denied",
                                       "Errors", "Warnings", "Server"]

    def lastchk():
        """The LastChk cells of the servers, after a reload of the page:
        their status ("* ": an attempt under way)."""
        browser.navigate(url)
        return [server_row(browser, "app", s)["lastchk"].lstrip("* ").split(" ")[0]
                for s in ("app1", "app2")]

    fc.wait_until(lambda: lastchk() == ["L4OK", "L4OK"], 20.0, "the check column")
    tips = browser.eval(TIPS_JS % ("app", "Backend"))
    assert tips["Cum. HTTP requests:"] == "3" and tips["- HTTP 2xx responses:"] == "3", tips
    assert tips["hidden"] == "none", tips  # shown only under the pointer
    assert browser.eval(TIPS_JS % ("main", "Frontend"))["Cum. HTTP requests:"] == "3"

    before, _ = drain_through_page(browser, d, url, "app", "app1")
    assert before["weight"] == "1"
    other = server_row(browser, "app", "app2")
    assert other["status"] == "UP" and other["weight"] == "3", other
    assert [r["name"] for r in tables(browser)["app"]] == ["app1", "app2", "Backend"]
    check_page(browser, str(tmp_path / "haproxy-stats.png"))


def test_keepalived_conf_page_in_chromium(browser, daemon, backend, tmp_path):
    a, c = backend("a"), backend("b")
    sport, vport = fc.free_port(), fc.free_port()
    d = daemon("global_defs {\n    stats_listen 127.0.0.1:%d\n    stats_uri /status\n"
               "    stats_auth admin:password\n    stats_realm \"LVS director\"\n"
               "    stats_admin on\n}\n" % sport +
               fc.vs_block(vport, [(a, 2), (c, 1)], algo="wrr"))
    url = "http://127.0.0.1:%d/status" % sport
    assert unauthorized(browser, url) == "LVS director"

    pool = "TCP 127.0.0.1:%d" % vport
    sa = "127.0.0.1:%d" % a.port
    before, _ = drain_through_page(browser, d, url, pool, sa)
    assert before["weight"] == "2", before
    other = server_row(browser, pool, "127.0.0.1:%d" % c.port)
    assert other["weight"] == "1" and other["status"] in ("UP", "no check"), other
    # the drained server takes no new client; the page counts them
    assert set(fc.names(vport, 4)) == {"b"}
    browser.navigate(url)
    row = server_row(browser, pool, "127.0.0.1:%d" % c.port)
    cells = browser.eval("Array.from(document.querySelectorAll('tr')).filter(r => "
                         "r.querySelector('td.ac') && r.querySelector('td.ac').textContent == "
                         "'127.0.0.1:%d').map(r => r.cells[r.cells.length - 21].textContent)"
                         % c.port)
    assert cells == ["4"], (cells, row)  # Sessions Total
    shot = str(tmp_path / "keepalived-stats.png")
    check_page(browser, shot)
    if os.environ.get("FC_STATS_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["FC_STATS_SCREENSHOT"])
