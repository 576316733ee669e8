"""The toy page in a real browser: live training, Pause, Reset, and the worker stopping when the tab closes."""

import re
import time

import pytest

pytestmark = pytest.mark.browser


def metric(page, label: str, timeout: float = 20.0) -> str:
    """The metric's value text; waits while the page is between two runs (metrics briefly absent)."""
    deadline = time.monotonic() + timeout
    while True:
        for text in page.locator('[data-testid="stMetric"]').all_inner_texts():
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines and lines[0] == label:
                return lines[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no metric {label!r} on the page")
        time.sleep(0.1)


def step(page) -> int:
    return int(metric(page, "step").replace(",", ""))


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


# Opacity transitions running on the page's element containers (Streamlit's fade of stale elements).
FADES = """() => document.getAnimations().filter(a => a.transitionProperty === 'opacity'
    && a.effect && a.effect.target && a.effect.target.closest("[data-testid='stMain']")).length"""


def test_train_pause_reset_and_tab_close(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/toy2d")
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=60_000)
    assert step(page) == 0
    fake_before = metric(page, "mean D(G(z))")

    train.click()
    assert wait_until(lambda: step(page) > 50, timeout=60), "the step counter did not grow while training"
    first = step(page)
    assert wait_until(lambda: step(page) > first, timeout=30), "the page did not refresh by itself"
    assert wait_until(lambda: metric(page, "mean D(G(z))") != fake_before, timeout=30)
    # while training, the live view's redraws start no fade (S.NO_STALE_FADE)
    fading = 0
    for _ in range(40):
        fading += page.evaluate(FADES)
        page.wait_for_timeout(50)
    assert fading == 0, f"{fading} opacity transitions seen while training"

    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Train", exact=True).and_(page.locator(":enabled")).wait_for(timeout=30_000)
    time.sleep(1.0)
    paused = step(page)
    time.sleep(2.0)
    assert step(page) == paused, "the step counter kept growing after Pause"

    page.get_by_role("button", name="Reset", exact=True).click()
    assert wait_until(lambda: step(page) == 0, timeout=30), "Reset did not start over"

    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_until(lambda: step(page) > 0, timeout=60)
    log = streamlit_server.log()
    names = re.findall(r"(gan-worker-\d+) started", log)
    assert names, log[-2000:]
    page.close()  # the session disconnects: the session-scoped guard releases its worker
    assert wait_until(lambda: f"{names[-1]} stopped: session closed" in streamlit_server.log(), timeout=60), (
        streamlit_server.log()[-2000:]
    )


# The traces and annotations of every plotly chart on the page (names, types, annotation texts).
PLOTLY_TEXT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(el => [
    ...(el.data || []).map(t => `${t.type}:${t.name || ''}`),
    ...((el.layout && el.layout.annotations) || []).map(a => `annotation:${a.text}`)])"""


def test_a_wgan_gp_link_shows_critic_scores_with_no_half_contour_and_no_log4(streamlit_server, page):
    page.goto(f"{streamlit_server.url}/toy2d?loss=wgan-gp")
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    metric(page, "mean critic score, real")  # waits for the row; fails if the row still says "mean D(x)"
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=30_000)
    traces = page.evaluate(PLOTLY_TEXT)
    assert any(t.startswith("heatmap:critic score") for t in traces), traces
    assert not any(t.startswith("contour:") for t in traces), traces  # no D = ½ line on a score
    assert not any("log 4" in t for t in traces), traces
    assert "critic" in page.locator('[data-testid="stMain"]').inner_text()


def test_a_blown_up_wgan_gp_run_is_not_advised_to_use_wgan_gp(streamlit_server, page):
    # RMSprop at lr 0.1 blew up WGAN-GP within its first 100 steps on seeds 0-3 (about 1 s of CPU each)
    page.goto(f"{streamlit_server.url}/toy2d?loss=wgan-gp&optimizer=rmsprop&lr_d=0.1&lr_g=0.1")
    page.get_by_role("button", name="Train", exact=True).click(timeout=60_000)
    notice = page.locator('[data-testid="stAlert"]', has_text="blew up")
    notice.wait_for(timeout=60_000)
    advice = notice.inner_text()
    assert "lower learning rate" in advice and "Adam instead of RMSprop" in advice, advice
    assert "WGAN-GP" not in advice, advice
