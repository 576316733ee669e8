"""Shared fixtures: a Streamlit server subprocess and a headless Debian Chromium driven by Playwright.

Browser tests are marked ``@pytest.mark.browser``. Without /usr/bin/chromium or the playwright package
they skip with a reason, except when the CI environment variable is set: then they fail.
Never run ``playwright install``: the system Chromium is used through ``executable_path``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_unavailable()
    if reason is None:
        return
    if os.environ.get("CI"):
        return  # CI must run them: the ``browser`` fixture fails with the reason instead
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def status(self, field: str) -> int:
        """A number from /proc/<pid>/status of the server process, e.g. VmRSS (kB) or Threads."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def workers(self) -> tuple[set[str], set[str]]:
        """Names of the training threads the server log says were started, and those it says stopped."""
        log = self.log()
        return set(re.findall(r"(gan-worker-\d+) started", log)), set(re.findall(r"(gan-worker-\d+) stopped", log))


def start_server(log_dir: Path, env: dict[str, str] | None = None) -> Server:
    """``streamlit run app.py`` on a free port; its stdout+stderr go to a file the test can read."""
    port = free_port()
    log_path = log_dir / "streamlit.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a busy CI machine can take long to import streamlit
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return Server(url, proc, log_path)
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def streamlit_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("server"))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def browser():
    reason = _browser_unavailable()
    if reason:
        pytest.fail(f"CI is set, so browser tests must run, but {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def wait_for():
    """``wait_for(condition, timeout)``: poll until ``condition()`` holds or ``timeout`` s pass; its last value."""

    def wait(condition, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    return wait
