#!/usr/bin/env python3
"""Steps through an etcetera-viz page in a real headless Chromium.

Usage: player_test.py PAGE.html SCREENSHOT.png

The test speaks WebDriver (HTTP and JSON) to chromedriver, so it needs
nothing beyond the Python standard library and the two Debian packages.
Keys and clicks go through WebDriver's input actions, the way a reader's
would; JavaScript is used only to read what the page shows and, for the
slider, to set a value the way dragging would.
"""

import base64
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
READY_TIMEOUT_S = 20
STEP_TIMEOUT_S = 5
ARROW_RIGHT = "\ue014"  # WebDriver's code point for the key
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
MARKERS = ["<!--STYLE-->", "<!--SCRIPT-->", "<!--DATA-->", "@TITLE@"]


class Failure(Exception):
    """A check that did not hold; the message says which and what was seen."""


# ---- the page's own data, read without the browser ---------------------------

def read_page(path):
    """Returns the trace the page embeds, decoded as the player should."""
    text = Path(path).read_text(encoding="utf-8")
    left = [m for m in MARKERS if m in text]
    if left:
        raise Failure(f"{path} still holds template markers {left}; the writer did not substitute them")
    m = re.search(r'<script id="etcetera-data" type="application/octet-stream">(.*?)</script>',
                  text, re.S)
    if not m:
        raise Failure(f'{path} has no <script id="etcetera-data" type="application/octet-stream">')
    try:
        data = json.loads(gzip.decompress(base64.b64decode("".join(m.group(1).split()))))
    except (ValueError, OSError) as e:
        raise Failure(f"the embedded data is not base64 of gzip of JSON: {e}")
    if len(data.get("steps", [])) < 3:
        raise Failure(f"the trace has {len(data.get('steps', []))} steps; the test needs at least 3")
    return data


# ---- a tiny WebDriver client ----------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One chromedriver process and one Chromium session, both ended by close()."""

    def __init__(self, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, "chromedriver.log")
        self.profile = os.path.join(workdir, "profile")
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", f"--log-path={self.log_path}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.session = None
        try:
            self._wait_for_driver()
            self._open_session(self.profile)
        except BaseException:
            self.close()
            raise

    def _wait_for_driver(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/status").get("ready"):
                    return
            except (OSError, Failure):
                pass
            time.sleep(0.1)
        raise Failure(f"chromedriver did not answer on port {self.port} within 10 s")

    def _open_session(self, profile):
        options = {"binary": CHROMIUM, "args": CHROMIUM_ARGS + [f"--user-data-dir={profile}"]}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": options}}}
        try:
            self.session = self.request("POST", "/session", caps)["sessionId"]
        except Failure as e:
            raise Failure(f"{e}\n--- the end of chromedriver's log:\n{self.log_tail()}")

    def log_tail(self, lines=15):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            value = json.loads(e.read() or b"{}").get("value", {})
            message = (value.get("message") or "").split("\n")[0]
            raise Failure(f"WebDriver {method} {path}: {value.get('error')}: {message}")

    def call(self, method, path, body=None):
        return self.request(method, f"/session/{self.session}{path}", body)

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def press(self, key):
        keys = {"type": "key", "id": "keyboard",
                "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}
        self.call("POST", "/actions", {"actions": [keys]})
        self.call("DELETE", "/actions")

    def click(self, css):
        found = self.call("POST", "/element", {"using": "css selector", "value": css})
        self.call("POST", f"/element/{found[ELEMENT]}/click", {})

    def screenshot(self, path):
        png = base64.b64decode(self.call("GET", "/screenshot"))
        if not png.startswith(b"\x89PNG"):
            raise Failure("the screenshot WebDriver returned is not a PNG")
        Path(path).write_bytes(png)

    def close(self):
        if self.session:
            try:
                self.call("DELETE", "")
            except (OSError, Failure):
                pass
        self.driver.terminate()
        try:
            self.driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
            self.driver.wait()
        self._end_stray_browser()

    def _end_stray_browser(self):
        """Ends Chromium processes left behind by a session that could not be closed.

        chromedriver does not always take its browser down with it when a
        request timed out; this run's profile directory names our processes
        and no one else's."""
        marker = f"--user-data-dir={self.profile}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker in (entry / "cmdline").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass


# ---- what the page shows ------------------------------------------------------------

def wait_until(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def counter(browser):
    return browser.js("return document.getElementById('step-counter').textContent;")


def errors(browser):
    return browser.js("return window.etceteraErrors === undefined ? null : window.etceteraErrors;")


def view_markup(browser, view):
    """The view's SVG without the current-event highlight, which moves at every step."""
    return browser.js("""
        const svg = document.querySelector('#view-' + CSS.escape(arguments[0]) + ' svg');
        if (!svg) return null;
        const copy = svg.cloneNode(true);
        copy.querySelectorAll('.current').forEach((el) => el.classList.remove('current'));
        return copy.outerHTML;""", view)


def wait_ready(browser):
    def ready():
        state = browser.js("return {ready: !!(window.etcetera && window.etcetera.ready),"
                           " errors: window.etceteraErrors || null};")
        if state["errors"]:
            raise Failure(f"the player raised errors while loading: {state['errors']}")
        return state["ready"]
    try:
        wait_until("window.etcetera.ready", ready, READY_TIMEOUT_S)
    except Failure:
        if errors(browser) is None:
            raise Failure("the player never became ready and window.etceteraErrors is undefined: "
                          "player.js did not run (a syntax error, or no <script>?)")
        raise


def expect_counter(browser, before, expected, how):
    """Waits for the counter to leave `before`, then insists on `expected`."""
    try:
        wait_until(f"the counter to change from '{before}' after {how}",
                   lambda: counter(browser) != before, STEP_TIMEOUT_S)
    except Failure:
        raise Failure(f"after {how} the counter still reads '{before}', expected '{expected}'")
    got = counter(browser)
    if got != expected:
        raise Failure(f"after {how} the counter reads '{got}', expected '{expected}'")


# ---- the checks, in the order a reader would try things --------------------------------

def check_first_step(browser, n):
    shown = browser.js("return window.etcetera.steps;")
    if shown != n:
        raise Failure(f"window.etcetera.steps is {shown}, but the page's data has {n} steps")
    if counter(browser) != f"step 1 / {n}":
        raise Failure(f"on load the counter reads '{counter(browser)}', expected 'step 1 / {n}'")


def check_arrow_and_next(browser, n):
    browser.press(ARROW_RIGHT)
    expect_counter(browser, f"step 1 / {n}", f"step 2 / {n}", "pressing ArrowRight")
    browser.click("#next")
    expect_counter(browser, f"step 2 / {n}", f"step 3 / {n}", "clicking #next")


def check_election_jump(browser, data, view):
    """Returns the step the jump reached."""
    current = browser.js("return window.etcetera.step;")
    later = [k for k in range(current + 1, len(data["steps"]) + 1)
             if "election" in data["steps"][k - 1].get("tags", [])]
    if not later:
        raise Failure(f"the trace has no step tagged election after step {current}; "
                      "the test cannot try #jump-election")
    n = len(data["steps"])
    browser.click("#jump-election")
    expect_counter(browser, f"step {current} / {n}", f"step {later[0]} / {n}", "clicking #jump-election")
    tags = browser.js("const e = window.etcetera; return e.data.steps[e.step - 1].tags || [];")
    if "election" not in tags:
        raise Failure(f"#jump-election reached step {later[0]}, whose tags are {tags}")
    return later[0]


def check_view_changed(browser, data, view, first_markup, target):
    index = [v["id"] for v in data["views"]].index(view)
    frames = [data["steps"][k - 1].get("frames", []) for k in (1, target)]
    same_frame = frames[0][index] == frames[1][index]
    now = view_markup(browser, view)
    if same_frame and now != first_markup:
        raise Failure(f"steps 1 and {target} share {view} frame {frames[0][index]}, yet the panel changed")
    if not same_frame and now == first_markup:
        raise Failure(f"the {view} panel shows at step {target} the same SVG as at step 1, "
                      f"though the data gives frames {frames[0][index]} and {frames[1][index]}")
    return not same_frame


def check_slider(browser, n):
    current = browser.js("return window.etcetera.step;")
    target = n // 2 if n // 2 != current else n
    browser.js("""
        const slider = document.getElementById('slider');
        slider.value = String(arguments[0]);
        slider.dispatchEvent(new Event('input', {bubbles: true}));""", target)
    expect_counter(browser, f"step {current} / {n}", f"step {target} / {n}", f"moving the slider to {target}")
    wait_until(f"the URL hash to read #step={target}",
               lambda: browser.js("return location.hash;") == f"#step={target}", STEP_TIMEOUT_S)
    return target


def check_quiet(browser):
    found = errors(browser)
    if found is None:
        raise Failure("window.etceteraErrors has gone, so errors could not be checked")
    if found:
        raise Failure(f"the player raised JavaScript errors: {found}")
    fetched = browser.js("return performance.getEntriesByType('resource').map((e) => e.name);")
    if fetched:
        raise Failure(f"the page fetched resources, but it must be self-contained: {fetched}")


# For ./run bench: the time of one step (a click on #next and the layout it
# forces), over 500 steps from step 1; the median and the 95th percentile.
STEP_TIMES = """
  document.getElementById('first').click();
  const times = [];
  const next = document.getElementById('next');
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    next.click();
    document.body.getBoundingClientRect();
    document.body.offsetHeight;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return [times[250], times[475], window.etcetera.step];  // 501 if every click stepped
"""


def time_steps(browser):
    median, p95, step = browser.js(STEP_TIMES)
    return f"; stepping: median {median:.1f} ms, 95th percentile {p95:.1f} ms per step (500 steps, to step {step})"


def run(page, shot, workdir, timing=False):
    data = read_page(page)
    n = len(data["steps"])
    ids = [v["id"] for v in data["views"]]
    view = "cluster" if "cluster" in ids else ids[0]
    browser = Browser(workdir)
    try:
        browser.call("POST", "/window/rect", {"width": 1400, "height": 1000})
        browser.call("POST", "/url", {"url": Path(page).resolve().as_uri()})
        wait_ready(browser)
        load_ms = browser.js("return window.etcetera.loadMs;")
        check_first_step(browser, n)
        first_markup = view_markup(browser, view)
        check_arrow_and_next(browser, n)
        target = check_election_jump(browser, data, view)
        changed = check_view_changed(browser, data, view, first_markup, target)
        slid = check_slider(browser, n)
        check_quiet(browser)
        browser.screenshot(shot)
        stepping = time_steps(browser) if timing else None
    finally:
        browser.close()
    print(f"player_test: ok: {n} steps, {len(ids)} views, ready in {load_ms} ms; ArrowRight, #next, "
          f"#jump-election (to step {target}, {view} view {'changed' if changed else 'unchanged, as the data says'}), "
          f"slider (to step {slid}); no errors; screenshot {shot}{stepping or ''}")


def missing_tools():
    return [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]


def main(argv):
    timing = "--time-steps" in argv
    argv = [a for a in argv if a != "--time-steps"]
    if len(argv) != 3:
        print("usage: player_test.py PAGE.html SCREENSHOT.png [--time-steps]", file=sys.stderr)
        return 2
    missing = missing_tools()
    if missing:
        print(f"player_test: missing {', '.join(missing)}; install them with ./run setup "
              "(Debian packages chromium and chromium-driver)", file=sys.stderr)
        return 1
    workdir = tempfile.mkdtemp(prefix="etcetera-player-")
    try:
        run(argv[1], argv[2], workdir, timing)
        return 0
    except Failure as e:
        print(f"player_test: FAIL: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
