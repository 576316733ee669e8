"""The 1-D theory page in a real browser: panel (d)'s caption describes the picture above it."""

import pytest

pytestmark = pytest.mark.browser


def test_panel_d_caption_does_not_claim_the_optimum_of_a_run_that_has_not_reached_it(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/theory", timeout=120_000)
    page.get_by_role("button", name="Step", exact=True).click()  # a run one step old is far from p_g = p_data
    page.get_by_role("button", name="Build panels (a)–(d) from this run").click()
    caption = page.get_by_text("of the live run").first
    caption.wait_for(timeout=60_000)
    text = caption.inner_text()
    assert "not at the optimum yet" in text, text
    assert "p_g = p_data and D(x) = ½ everywhere" not in text.split("With enough capacity")[0], text
    assert page.locator('[data-testid="stException"]').count() == 0, streamlit_server.log()[-3000:]
