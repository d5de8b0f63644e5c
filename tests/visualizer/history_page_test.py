#!/usr/bin/env python3
"""The history diagram at a notebook's width, in a real headless Chromium.

Usage: history_page_test.py BUILD_DIR OUTDIR

Makes lab 4's stale read (the read-no-heartbeat bug, CheckQuorum off) with the
Python module in BUILD_DIR/python, and writes the checker's page to
OUTDIR/history.html and the notebook's inline form of it (an iframe) to
OUTDIR/inline.html. Then, in a window 900 px wide, as narrow as a notebook's
output area:
  - the diagram first fits the width, so the page does not scroll sideways;
  - a click on "actual size" shows it at its own width, and the diagram's box,
    not the page, scrolls sideways to reach the rest;
  - a second click fits it again;
  - inside the notebook's iframe the same box is there and works the same.
Screenshots of both sizes go to OUTDIR. Exit 0 when all of that holds.
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from player_test import Browser, Failure, missing_tools, wait_until  # noqa: E402

WIDTH = 900

MEASURE = """
const doc = arguments[0] ? document.querySelector('iframe').contentDocument : document;
const svg = doc.querySelector('.diagram svg'), box = doc.querySelector('.diagram');
return {drawn: svg.getBoundingClientRect().width, natural: svg.viewBox.baseVal.width,
        boxScrolls: box.scrollWidth > box.clientWidth + 1,
        pageScrolls: doc.documentElement.scrollWidth > doc.documentElement.clientWidth + 1,
        checked: doc.getElementById('actual-size').checked};
"""


def make_pages(build_dir, out):
    sys.path.insert(0, str(Path(build_dir) / "python"))
    import etcetera as et
    stale = et.run_kv(seed=1, steps=600, profile="long-partitions", bug="read-no-heartbeat",
                      check_quorum=False, clients=8, keep_going=True)
    verdict = et.check_linearizability(stale.history)
    if verdict.ok:
        raise Failure("lab 4's stale read was linearizable: the test needs a violation to draw")
    page, inline = out / "history.html", out / "inline.html"
    page.write_text(verdict.diagram, encoding="utf-8")
    inline.write_text("<!DOCTYPE html><html><body style='margin:0'>" + verdict._repr_html_() +
                      "</body></html>", encoding="utf-8")
    return page, inline


def check(browser, in_frame, what, shot):
    fitted = browser.js(MEASURE, in_frame)
    if fitted["natural"] <= WIDTH:
        raise Failure(f"{what}: the diagram is {fitted['natural']} px wide, no wider than the window")
    if fitted["checked"] or fitted["drawn"] > WIDTH or fitted["pageScrolls"] or fitted["boxScrolls"]:
        raise Failure(f"{what}: at first the diagram should fit the window: {fitted}")

    click = "(arguments[0] ? document.querySelector('iframe').contentDocument : document)" \
            ".querySelector('label[for=actual-size]').click();"
    browser.js(click, in_frame)
    actual = wait_until("the diagram at its own size",
                        lambda: (lambda m: m if m["checked"] else None)(browser.js(MEASURE, in_frame)), 5)
    if abs(actual["drawn"] - actual["natural"]) > 1:
        raise Failure(f"{what}: at actual size it is drawn {actual['drawn']} px for {actual['natural']}")
    if not actual["boxScrolls"] or actual["pageScrolls"]:
        raise Failure(f"{what}: at actual size the diagram's box should scroll and the page not: {actual}")
    browser.screenshot(shot)

    browser.js(click, in_frame)
    again = browser.js(MEASURE, in_frame)
    if again["checked"] or abs(again["drawn"] - fitted["drawn"]) > 1:
        raise Failure(f"{what}: a second click should fit it again: {again}")
    print(f"ok   {what}: {fitted['natural']:.0f} px fitted to {fitted['drawn']:.0f}, "
          f"then at actual size in a box that scrolls, then fitted again")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    missing = missing_tools()
    if missing:
        print(f"history_page_test: {', '.join(missing)} missing; ./run setup installs them")
        return 1
    out = Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    try:
        page, inline = make_pages(argv[1], out)
        with tempfile.TemporaryDirectory() as workdir:
            browser = Browser(workdir)
            try:
                browser.call("POST", "/window/rect", {"width": WIDTH, "height": 800})
                seen = browser.js("return document.documentElement.clientWidth;")
                browser.call("POST", "/url", {"url": page.resolve().as_uri()})
                check(browser, False, f"the checker's page in a {seen} px window",
                      out / "history-actual-size.png")
                browser.call("POST", "/url", {"url": inline.resolve().as_uri()})
                wait_until("the notebook's frame to load", lambda: browser.js(
                    "const f = document.querySelector('iframe');"
                    "return f && f.contentDocument && f.contentDocument.querySelector('.diagram svg') !== null;"), 10)
                check(browser, True, "the same page inside the notebook's iframe", out / "inline-actual-size.png")
            finally:
                browser.close()
    except Failure as e:
        print(f"FAIL {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
