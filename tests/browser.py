"""A real headless Chromium for the tests of the HTML outputs, driven over the DevTools
protocol through a pipe (``--remote-debugging-pipe``): no port, no extra package.

``open_page`` loads a URL, waits for its load event, evaluates an expression (awaiting it
when it is a promise) and returns its value with every console error, uncaught exception
and error log entry the page raised, and every URL it requested: what a test needs to
check that charts were drawn, that nothing failed and that nothing left the machine."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "chromium"
PAGE_TIMEOUT = 60.0
"""Seconds a page may take to load and answer before the test fails: a deadline for a
hang, not a wait (every step waits for Chromium's own event)."""
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
)


class BrowserError(Exception):
    """Chromium did not answer, or answered with a protocol error."""


@dataclass
class PageReport:
    """What one page load showed."""

    value: Any
    errors: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)


def chromium_path() -> str | None:
    return shutil.which(CHROMIUM)


def open_page(url: str, expression: str) -> PageReport:
    """Load ``url`` in a fresh headless Chromium and evaluate ``expression`` after its load
    event; the value must be JSON-serializable."""
    executable = chromium_path()
    if executable is None:
        raise BrowserError(f"{CHROMIUM} is not installed")
    with (
        tempfile.TemporaryDirectory(prefix="quicktakes-chromium-") as profile,
        _Chromium(executable, Path(profile)) as browser,
    ):
        return browser.load(url, expression)


class _Chromium:
    """One browser process and its DevTools pipe: commands written to the child's fd 3,
    NUL-terminated JSON messages read from its fd 4."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_child_read, self._to_child = os.pipe()
        self._from_child, from_child_write = os.pipe()

        def map_pipes() -> None:
            copies = os.dup(to_child_read), os.dup(from_child_write)
            os.dup2(copies[0], 3)
            os.dup2(copies[1], 4)

        self._process = subprocess.Popen(
            [executable, *_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=map_pipes,
            close_fds=False,
        )
        os.close(to_child_read)
        os.close(from_child_write)
        self._buffer = b""
        self._next_id = 0
        self._deadline = time.monotonic() + PAGE_TIMEOUT
        self._report = PageReport(value=None)

    def __enter__(self) -> _Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_child)
        os.close(self._from_child)

    def load(self, url: str, expression: str) -> PageReport:
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self._call(f"{domain}.enable", session=session)
        self._call("Page.navigate", {"url": url}, session=session)
        self._wait_for_event("Page.loadEventFired", session)
        result = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"the test's expression failed: {result['exceptionDetails']}")
        self._report.value = result["result"].get("value")
        return self._report

    def _call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and read messages up to its answer, recording the events met."""
        sent = self._send(method, params, session)
        while True:
            message = self._read()
            if message.get("id") == sent:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._record(message)

    def _wait_for_event(self, method: str, session: str) -> None:
        while True:
            message = self._read()
            self._record(message)
            if message.get("method") == method and message.get("sessionId") == session:
                return

    def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self._deadline - time.monotonic()
            ready, _, _ = select.select([self._from_child], [], [], max(left, 0))
            if not ready:
                raise BrowserError(f"Chromium did not answer within {PAGE_TIMEOUT:.0f} s")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise BrowserError(f"Chromium exited (status {self._process.poll()})")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            self._report.errors.append(f"console.{params['type']}: {' '.join(texts)}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self._report.errors.append(f"uncaught: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self._report.errors.append(f"log {entry['source']}: {entry['text']}")
        elif method == "Network.requestWillBeSent":
            self._report.requested_urls.append(params["request"]["url"])


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


def is_local_url(url: str) -> bool:
    """A URL a page may load offline: itself and other files, or inline data."""
    return url.startswith(("file:", "data:", "about:", "blob:"))


def require_chromium() -> None:
    """Skip when Chromium is missing (``./scripts/test`` installs it), with the reason; in
    CI, where the browser tests must run, fail instead."""
    if chromium_path() is not None:
        return
    reason = (
        f"{CHROMIUM} not installed: ./scripts/test installs it (apt-get install chromium, as root)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class _Resources(HTMLParser):
    """The URLs a page's markup loads from, and the length of each inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.script_sizes: list[int] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data") and value:
                self.urls.append(value)
        if tag == "script":
            self._in_script = True
            self.script_sizes.append(0)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_sizes[-1] += len(data)


def external_references(page: str) -> list[str]:
    """Every src/href of the markup that leaves the file: another host, or a scheme-less
    ``//host`` URL. Links within the page (``#anchor``) are fine."""
    parser = _Resources()
    parser.feed(page)
    return [url for url in parser.urls if re.match(r"^\s*([a-z][a-z0-9+.-]*:)?//", url, re.I)]


def script_sizes(page: str) -> list[int]:
    """The length of every script element's inline code, in page order."""
    parser = _Resources()
    parser.feed(page)
    return parser.script_sizes


def sample_warehouse(target: Path) -> Path:
    """A warehouse of the bundled sample corpus, made as ``quicktakes-etl run`` makes it
    (needs the ``prefect_server`` fixture); returns the analysts' database file."""
    from flows.cli import main

    assert main(["run", "--warehouse", str(target)]) == 0
    return target / "quicktakes.duckdb"
