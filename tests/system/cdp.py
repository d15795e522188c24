"""A headless Chromium driven over the DevTools protocol, stdlib only.

Chromium is started with --remote-debugging-pipe: it reads commands on its
fd 3 and writes answers and events on its fd 4, each a JSON object ended by
a NUL byte (no port, no websocket, nothing another process could reach).
One page (a target attached with flatten=true) is driven through its
session id.  Chromium runs in a process group of its own, so close() ends
the browser and every helper process it forked, also when a test failed.

Only loopback is reached: the host resolver maps every name to nothing,
and the background services that would call home are off."""
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class CdpError(AssertionError):
    pass


class Chromium:
    def __init__(self, workdir, width=1100, height=700, timeout=60.0):
        if not CHROMIUM:
            raise CdpError("no chromium binary")
        self.timeout = timeout
        self.events = []  # (sessionId, method, params) not consumed yet
        self._buf = b""
        self._id = 0
        profile = os.path.join(str(workdir), "chromium-profile")
        os.makedirs(profile, exist_ok=True)
        self.logpath = os.path.join(str(workdir), "chromium.stderr")
        cmd_r, self._cmd_w = os.pipe()   # we write, Chromium reads (its fd 3)
        self._ev_r, ev_w = os.pipe()     # Chromium writes (its fd 4), we read
        # above 9, so that no end is 3 or 4 itself when the shell moves them
        cmd_r, ev_w = [self._high(fd) for fd in (cmd_r, ev_w)]
        args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-dev-shm-usage",
                "--disable-client-side-phishing-detection", "--disable-domain-reliability",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--hide-scrollbars",
                "--window-size=%d,%d" % (width, height), "about:blank"]
        # bash (dash takes one-digit fds only) moves our pipe ends to the fds Chromium expects
        sh = 'exec "$@" 3<&%d 4>&%d %d<&- %d>&-' % (cmd_r, ev_w, cmd_r, ev_w)
        self._log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(["/bin/bash", "-c", sh, "bash"] + args,
                                     pass_fds=(cmd_r, ev_w), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log,
                                     start_new_session=True)
        os.close(cmd_r)
        os.close(ev_w)
        self.session = None
        self.credentials = None  # (user, password) given at a password prompt; None: Cancel
        self.challenges = []     # every prompt's authChallenge (scheme, realm, origin)
        try:
            t = self.call("Target.createTarget", {"url": "about:blank"})
            a = self.call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})
            self.session = a["sessionId"]
            for domain in ("Page", "Network", "Runtime"):
                self.call(domain + ".enable")
            # the password prompt, answered as self.credentials says
            self.call("Fetch.enable", {"handleAuthRequests": True,
                                       "patterns": [{"urlPattern": "*"}]})
        except Exception:
            self.close()
            raise

    @staticmethod
    def _high(fd):
        new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return new

    # ---- the wire
    def _send(self, method, params, session):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._cmd_w, data)
            data = data[n:]
        return self._id

    def _read(self, deadline):
        """One message, or None at the deadline."""
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self._ev_r], [], [], left)
            if not r:
                return None
            chunk = os.read(self._ev_r, 1 << 16)
            if not chunk:
                raise CdpError("chromium closed its pipe (exit %r); its log:\n%s"
                               % (self.proc.poll(), self.log()[-3000:]))
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _event(self, m):
        """Keep an event; a paused request goes on, a password prompt is
        answered (the answers' results are not waited for)."""
        if "method" not in m:
            return
        sess, meth, params = m.get("sessionId"), m["method"], m.get("params", {})
        if meth == "Fetch.requestPaused":
            self._send("Fetch.continueRequest", {"requestId": params["requestId"]}, sess)
        elif meth == "Fetch.authRequired":
            self.challenges.append(params.get("authChallenge", {}))
            if self.credentials:
                ans = {"response": "ProvideCredentials", "username": self.credentials[0],
                       "password": self.credentials[1]}
            else:
                ans = {"response": "CancelAuth"}
            self._send("Fetch.continueWithAuth",
                       {"requestId": params["requestId"], "authChallengeResponse": ans}, sess)
        self.events.append((sess, meth, params))

    def call(self, method, params=None, session=None, timeout=None):
        """The result of a command (on the page's session once attached)."""
        session = session or self.session
        want = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read(deadline)
            if m is None:
                raise CdpError("no answer to %s within %ss" % (method, timeout or self.timeout))
            if m.get("id") == want:
                if "error" in m:
                    raise CdpError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self._event(m)

    def wait_event(self, method, pred=lambda p: True, timeout=None):
        """The params of the first event `method` (of the page) for which
        pred holds, consumed with every event before it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, (sess, meth, params) in enumerate(self.events):
                if meth == method and sess == self.session and pred(params):
                    del self.events[:i + 1]
                    return params
            m = self._read(deadline)
            if m is None:
                raise CdpError("no %s event within %ss" % (method, timeout or self.timeout))
            self._event(m)

    # ---- what a test does with a page
    def navigate(self, url):
        """Load url; the main document's response (status, headers...)."""
        self.events.clear()
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CdpError("navigate %s: %s" % (url, r["errorText"]))
        return self.wait_document(r.get("loaderId"))

    def wait_document(self, loader=None):
        """After a navigation (or a form's submission): the response of the
        main document, once the page has loaded."""
        resp = self.wait_event("Network.responseReceived",
                               lambda p: p.get("type") == "Document" and
                               (loader is None or p.get("loaderId") == loader))
        self.wait_event("Page.loadEventFired")
        return resp["response"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CdpError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def click(self, selector):
        """A mouse click (press and release) in the middle of the element."""
        box = self.eval("(() => { const e = document.querySelector(%s); if (!e) return null;"
                        " e.scrollIntoView({block: 'center'});"
                        " const r = e.getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
                        % json.dumps(selector))
        if not box:
            raise CdpError("no element %s on the page" % selector)
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def screenshot(self, path):
        """A PNG of the page as far down as it goes (no blank below)."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        view = self.call("Page.getLayoutMetrics")["cssLayoutViewport"]
        clip = {"x": 0, "y": 0, "width": view["clientWidth"],
                "height": min(size["height"], 4000), "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                    "captureBeyondViewport": True})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def log(self):
        try:
            with open(self.logpath, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        """Browser.close, then the process group is killed whatever it did."""
        if self.proc.poll() is None:
            try:
                self._send("Browser.close", {}, None)
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self._cmd_w, self._ev_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()
