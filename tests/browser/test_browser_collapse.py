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


def test_a_pair_at_its_step_budget_says_so_and_train_continues(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/collapse", wait_until="domcontentloaded")
    page.get_by_text("modes captured").first.wait_for(timeout=90_000)
    page.get_by_role("button", name="Train").first.click()
    notice = page.get_by_text(re.compile(r"Both runs reached their [\d,]+ steps"))
    notice.wait_for(timeout=120_000)  # the presets' budget: seconds on an idle machine
    budget = int(re.search(r"reached their ([\d,]+)", notice.inner_text()).group(1).replace(",", ""))
    assert "Press Train to continue" in notice.inner_text()
    page.get_by_role("button", name="Train").first.click()
    page.wait_for_function(
        f"() => {{ const m = /Step ([\\d,]+) · /.exec(document.body.innerText);"
        f" return m && +m[1].replace(/,/g, '') > {budget}; }}",
        timeout=60_000,
    )  # trains on past the budget
    page.get_by_role("button", name="Pause").first.click()
    assert "Traceback" not in streamlit_server.log()


def test_the_mnist_tab_counts_noise_as_no_digit_and_hides_the_toy_presets(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/collapse", wait_until="domcontentloaded")
    page.get_by_text("modes captured").first.wait_for(timeout=90_000)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Left run").wait_for(timeout=30_000)
    page.get_by_role("tab", name="MNIST digits").click()
    page.get_by_text("needs minutes").wait_for(timeout=60_000)
    sidebar.get_by_text("Left run").wait_for(state="detached", timeout=30_000)
    present = page.get_by_test_id("stMetric").filter(has_text="digits present")
    present.first.wait_for(timeout=60_000)
    assert [m.inner_text().split("\n")[-1] for m in present.all()] == ["0/10", "0/10"]  # step 0: grey noise
    assert "Traceback" not in streamlit_server.log()
