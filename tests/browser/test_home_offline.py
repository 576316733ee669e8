"""The home page in a lecture hall without a network: nothing it loads leaves the server (icon included)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PLAYGROUND_SHOTS", "/tmp/gan-playground-shots"))
LOCAL = ("127.0.0.1", "localhost")


def test_browser_the_home_page_loads_everything_from_the_server_itself(streamlit_server, page):
    outside: list[str] = []

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(streamlit_server.url, wait_until="networkidle", timeout=180_000)
    page.get_by_role("heading", name="GAN Playground").wait_for(timeout=120_000)  # the script ran: icon set
    page.wait_for_load_state("networkidle")
    assert outside == []
    icon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
    assert urlsplit(icon).hostname in LOCAL, icon
    page.get_by_text("A suggested lecture path").wait_for()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
