"""The Kent HTML pack in a real browser: headless Chromium shows every table and chart, logs no
error and makes no network request; printed to A4 landscape, no table is wider than the page.

Chromium is driven over the Chrome DevTools protocol on a pipe (``--remote-debugging-pipe``:
file descriptors 3 and 4, one JSON message per NUL-terminated line), so the test needs nothing
but the browser. ``.ci/run`` installs Debian's ``chromium`` when it is missing; under CI the
test fails rather than skips without it.

Run as a script, it saves a screenshot of the pack (the README's):
``python tests/reports/pack/test_browser.py docs/evidence-pack.png``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-pipe",
)  # fmt: skip
TIMEOUT = 60.0


class Browser:
    """Headless Chromium with a DevTools session on one page: send commands, collect events."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="tp-chromium-")
        # The child's fds 3 (commands) and 4 (replies) are the pipes' far ends; every other
        # descriptor of this process is close-on-exec (Python's default), so nothing leaks.
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        devnull = os.devnull
        self.pid = os.posix_spawn(
            CHROMIUM,
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, to_child_r, 3),
                (os.POSIX_SPAWN_DUP2, from_child_w, 4),
            ],
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_child], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.send("Browser.close")
        deadline = time.monotonic() + 10
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.05)
        os.close(self.to_child)
        os.close(self.from_child)
        shutil.rmtree(self.profile, ignore_errors=True)


def make_pack(out: Path) -> None:
    from click.testing import CliRunner

    from totalplace_cases.cli import cli

    result = CliRunner().invoke(
        cli,
        ["evidence", str(KENT), "--format", "html", "--out", str(out), "--as-at", "2012-03-31"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is not installed ({CHROMIUM}); .ci/run installs it")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    opened = Browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "kent.html"
    make_pack(out)
    browser.send("Emulation.setDeviceMetricsOverride", session=True, width=1400, height=1000,
                 deviceScaleFactor=1, mobile=False)  # fmt: skip
    browser.open(out.as_uri())
    return out


SHOWN = """
(() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && style.display !== "none";
  };
  return {
    tables: [...document.querySelectorAll("table")].map((t) => ({
      id: t.parentElement.id, shown: visible(t), rows: t.tBodies[0].rows.length,
    })),
    charts: [...document.querySelectorAll("figure img")].map((img) => ({
      id: img.parentElement.id, shown: visible(img), loaded: img.complete,
      width: img.naturalWidth,
    })),
    scripts: document.scripts.length,
  };
})()
"""


def test_every_table_and_chart_is_shown(browser, page):
    from totalplace_cases import appraise, load

    shown = browser.evaluate(SHOWN)
    ids = {t["id"] for t in shown["tables"]}
    assert {"table-summary", "table-agencies", "table-realignments", "table-assumptions",
            "table-gains_by_year", "table-plugin-kent-1"} <= ids  # fmt: skip
    assert all(t["shown"] and t["rows"] > 0 for t in shown["tables"]), shown["tables"]
    cases = load(KENT).cases
    assert len(shown["charts"]) == len(cases) + 2  # one per case, the agencies', the count's
    assert all(c["shown"] and c["loaded"] and c["width"] > 0 for c in shown["charts"]), shown
    assert shown["scripts"] == 0
    # the summary shows the appraisal's NPSV for each case, as the reader sees it
    text = browser.evaluate("document.getElementById('table-summary').innerText")
    for case in appraise(load(KENT)).cases:
        assert case.title in text


def test_no_console_error_and_no_network_request(browser, page):
    errors = [
        e for e in browser.events
        if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]  # fmt: skip
    assert errors == []
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests, "the page itself was requested"
    fetched = [url for url in requests if not url.startswith(("file://", "data:", "about:"))]
    assert fetched == []


def test_printed_to_a4_landscape_no_table_is_wider_than_the_page(browser, page):
    # A4 landscape less 12 mm margins: 273 mm at 96 px to the inch.
    width = round((297 - 24) / 25.4 * 96)
    browser.send("Emulation.setEmulatedMedia", session=True, media="print")
    browser.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=700,
                 deviceScaleFactor=1, mobile=False)  # fmt: skip
    try:
        wide = browser.evaluate(
            f"[...document.querySelectorAll('table')]"
            f".filter((t) => t.getBoundingClientRect().width > {width} + 1)"
            f".map((t) => t.parentElement.id)"
        )
        pdf = browser.send("Page.printToPDF", session=True, landscape=True, paperWidth=11.69,
                           paperHeight=8.27, printBackground=True)  # fmt: skip
    finally:
        browser.send("Emulation.setEmulatedMedia", session=True, media="")
    assert wide == []
    assert base64.b64decode(pdf["data"]).startswith(b"%PDF")


def screenshot(path: Path) -> None:
    """Save a screenshot of the top of the Kent pack (for the README)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "kent.html"
        make_pack(out)
        browser = Browser()
        try:
            browser.send("Emulation.setDeviceMetricsOverride", session=True, width=1500,
                         height=1500, deviceScaleFactor=1, mobile=False)  # fmt: skip
            browser.open(out.as_uri())
            shot = browser.send("Page.captureScreenshot", session=True, format="png")
        finally:
            browser.close()
    path.write_bytes(base64.b64decode(shot["data"]))


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/evidence-pack.png"))
