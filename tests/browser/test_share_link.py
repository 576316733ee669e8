"""The toy page's share box in a real browser: an uploaded CSV travels in the link, Copy link copies, and the
"Lock the whole experiment" switch locks every experiment setting but no view option."""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PLAYGROUND_SHOTS", "/tmp/gan-playground-shots"))  # for a person to look at
CSV = "x,y\n" + "".join(f"{i * 0.25},{(-1) ** i * 1.5}\n" for i in range(12))  # 12 points: (0, 1.5), (0.25, -1.5), …
POINTS = "_".join(f"{i * 0.25:g}_{(-1) ** i * 1.5:g}" for i in range(12))


@pytest.fixture
def clipboard_page(browser, streamlit_server):
    origin = streamlit_server.url
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a shared CI machine can be slow; nothing here is timed
    yield page
    context.close()


def open_share_box(page, url: str):
    page.goto(url)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=180_000)
    page.get_by_text("Share these settings (lecture link)").click()
    return page.get_by_label("Link", exact=True)


def test_browser_an_uploaded_csv_travels_in_the_link_and_copy_link_copies_it(streamlit_server, clipboard_page):
    page = clipboard_page
    link = open_share_box(page, f"{streamlit_server.url}/toy2d")
    page.get_by_role("combobox", name="Dataset").first.click()
    page.get_by_role("option", name="Upload CSV…").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "points.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    page.get_by_text("these 12 points").wait_for()
    shared = link.input_value()
    assert f"points={POINTS}" in shared
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied ✓").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == shared
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "share_upload.png"))

    page.goto(shared)  # a student opens it: the page trains on the same points, no file needed
    page.get_by_text("Training on the 12 points the link carried").wait_for(timeout=180_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_browser_lock_the_whole_experiment_locks_every_setting_but_not_the_view_options(streamlit_server, page):
    page.set_default_timeout(120_000)
    link = open_share_box(page, f"{streamlit_server.url}/toy2d")
    page.get_by_text("Lock the whole experiment").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('input')].some(i => i.value.includes('lock=1'))", timeout=60_000
    )
    page.goto(link.input_value())
    page.get_by_text("locked by the lecturer's link").wait_for(timeout=180_000)
    for name in ("Learning rate D", "Batch size m", "k: D steps per G step"):
        assert disabled(page.get_by_role("slider", name=name).first), name
    assert disabled(page.get_by_role("combobox", name="Loss").first)
    assert not disabled(page.get_by_role("slider", name="Plot refresh (per s)").first)  # each student's own view
    assert not disabled(page.get_by_role("switch", name="Gradient arrows on fakes").first)


def disabled(widget) -> bool:
    return widget.get_attribute("aria-disabled") == "true" or widget.is_disabled()
