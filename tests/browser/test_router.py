"""A page URL opened as a fresh server's very first request still gets the app's navigation and layout.

Why: with the pages in a folder named ``pages/``, Streamlit 1.67 ran such a first request's page file alone (no page
list, no footer); the pages now live in ``app_pages/`` (webui/nav.py).
"""

import pytest
from conftest import start_server, stop_server

pytestmark = pytest.mark.browser


def test_a_page_url_as_the_first_request_shows_the_navigation(tmp_path, page):
    server = start_server(tmp_path)
    try:
        page.goto(f"{server.url}/toy2d", timeout=120_000)  # no session has run app.py on this server yet
        page.get_by_text("Compute device").wait_for(timeout=120_000)  # app.py's sidebar footer
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("Mode-collapse lab").count() == 1
        assert nav.get_by_text("Latent explorer").count() == 1
        page.get_by_role("heading", name="Toy 2-D GAN").wait_for(timeout=120_000)  # and the page itself
        assert "Traceback" not in server.log()
    finally:
        stop_server(server)
