"""The mode-collapse lab in a real browser: both runs train live and their numbers change."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_side_by_side_runs_train_live_in_the_browser(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/collapse", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Mode-collapse lab").wait_for(timeout=90_000)
    page.get_by_text("modes captured").first.wait_for(timeout=90_000)
    page.get_by_role("button", name="Train").first.click()
    step = page.get_by_text(re.compile(r"Step \d[\d,]* · \d+ steps/s for both"))
    page.wait_for_function(
        "() => /Step ([1-9][\\d,]{2,}) · /.test(document.body.innerText)", timeout=90_000
    )  # at least step 100
    assert step.count() == 1
    assert "Traceback" not in streamlit_server.log()
