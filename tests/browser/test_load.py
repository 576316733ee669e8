"""Load test: 20 browser sessions press Train on one server, then leave; the server must clean up.

Part of the default test run (skip it locally with ``-m "not load"``). The server runs with its lecture
defaults: one trainer per CPU core, the other sessions queue and see their place; turns are shortened to
3 s (``PLAYGROUND_TURN_SECONDS``) so that within the test every session gets a turn and its counter moves.
Each page opens at ``?refresh=1``. Figures are printed (run with -s to see them).

Memory: once the sessions have gone, at most one training worker may still be referenced (the server logs the count
after its clean-up), and at least a quarter of the memory the sessions took must have come back (or all but 96 MB).
"""

import json
import re
import time

import pytest
from conftest import start_server, stop_server

pytestmark = [pytest.mark.load, pytest.mark.browser]

SESSIONS = 20
TURN_SECONDS = 3


def step(page) -> int | None:
    for text in page.locator('[data-testid="stMetric"]').all_inner_texts():
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[0] == "step":
            return int(lines[-1].replace(",", ""))
    return None  # between two runs


def wait_until(condition, timeout: float, poll: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def step_above(page, above: int, timeout: float) -> int | None:
    """The step counter once it shows more than ``above`` (None on timeout); it is briefly absent during a rerun."""
    seen: list[int] = []
    reached = wait_until(lambda: seen.append(step(page) or 0) or seen[-1] > above, timeout=timeout)
    return seen[-1] if reached else None


def open_toy(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/toy2d?refresh=1", wait_until="commit", timeout=120_000)  # load in parallel
    return context, page


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("load"), env={"PLAYGROUND_TURN_SECONDS": str(TURN_SECONDS)})
    yield srv
    stop_server(srv)


def test_twenty_sessions_train_at_once_and_the_server_cleans_up_after_them(server, browser):
    figures: dict[str, object] = {"sessions": SESSIONS}
    # warm-up: the first session imports torch, plotly and the pages; the baseline is taken after it
    context, page = open_toy(browser, server.url)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=120_000)
    context.close()
    time.sleep(3)
    figures["rss_baseline_mb"] = server.status("VmRSS") / 1024
    figures["threads_baseline"] = server.status("Threads")

    sessions = [open_toy(browser, server.url) for _ in range(SESSIONS)]
    t_open = time.monotonic()
    for _, page in sessions:
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=300_000)
    for _, page in sessions:
        page.get_by_role("button", name="Train", exact=True).click(timeout=60_000)
    figures["open_and_start_s"] = round(time.monotonic() - t_open, 1)
    assert wait_until(lambda: len(server.workers()[0]) >= SESSIONS, timeout=120), server.log()[-3000:]

    texts = [page.locator("body").inner_text() for _, page in sessions]
    figures["sessions_shown_waiting"] = sum("Waiting for a free trainer" in text for text in texts)
    first = {}
    for i, (_, page) in enumerate(sessions):  # every counter moves off 0 (a queued session on its turn) ...
        s0 = step_above(page, 0, timeout=180)
        assert s0 is not None, f"session {i} never advanced"
        first[i] = (time.monotonic(), s0)
    rates = []
    for i, (_, page) in enumerate(sessions):  # ... and moves again on a later turn
        t0, s0 = first[i]
        s1 = step_above(page, s0, timeout=180)
        assert s1 is not None, f"session {i} stalled"
        rates.append((s1 - s0) / (time.monotonic() - t0))
        assert page.locator('[data-testid="stException"]').count() == 0, f"session {i} shows an exception"
    figures["steps_per_s_per_session"] = {
        "min": round(min(rates)),
        "median": round(sorted(rates)[len(rates) // 2]),
        "max": round(max(rates)),
        "total": round(sum(rates)),
    }
    figures["rss_during_mb"] = server.status("VmRSS") / 1024
    figures["threads_during"] = server.status("Threads")
    started, _ = server.workers()
    figures["workers_started"] = len(started)

    releases_before = server.log().count("memory released:")
    t_close = time.monotonic()
    for context, _ in sessions:
        context.close()
    reaped = wait_until(lambda: server.workers()[1] >= started, timeout=60)
    figures["workers_reaped_s"] = round(time.monotonic() - t_close, 1)
    assert reaped, f"still training 60 s after the tabs closed: {sorted(started - server.workers()[1])}"
    assert "stopped: session closed" in server.log()
    # the closed sessions' script threads and the workers' pipes wind down over Streamlit's reconnect time and the
    # janitor's delay; the bound is unchanged, only the wait (30 → 60 s: a fresh-clone CI run needed more than 30)
    threads_back = wait_until(lambda: server.status("Threads") <= figures["threads_baseline"] + 4, timeout=60)
    assert threads_back, f"threads: {figures['threads_baseline']} before, {server.status('Threads')} now"
    figures["threads_after"] = server.status("Threads")
    # ~10 s after the last closed session's worker stopped, the server collects garbage, trims its heap and logs
    # how many workers are still referenced (worker.release_memory). At most one may be: Streamlit's runtime loop
    # keeps the last session it served in a loop variable until the next session arrives (gc.get_referrers:
    # ActiveSessionInfo <- Runtime._loop_coroutine). More would be sessions leaking.
    # (a session whose connection dropped for longer than the grace during the test also triggers one: only the
    # clean-ups logged after the tabs closed count)
    after_close = lambda: [int(n) for n in re.findall(r"memory released: (\d+) training workers", server.log())][
        releases_before:
    ]
    freed = wait_until(lambda: bool(after_close()) and after_close()[-1] <= 1, timeout=60)
    figures["workers_still_referenced"] = after_close()[-1] if after_close() else None
    figures["rss_after_mb"] = server.status("VmRSS") / 1024
    print("\nload-test figures:", json.dumps(figures, indent=1))
    assert freed, re.findall(r"memory released: .*", server.log()) or "no memory release logged"
    # What stays is heap the allocator keeps and caches the sessions filled, not sessions (the check above counts
    # those): 44–81 MB of 110–150 MB in nine runs on 2026-11-27 with three versions of the pages. The former bound,
    # "half comes back, or 64 MB", failed 4 of them, and passed one on main by 2 MB. Twenty sessions kept whole
    # would keep all of it.
    growth = figures["rss_during_mb"] - figures["rss_baseline_mb"]
    assert figures["rss_after_mb"] - figures["rss_baseline_mb"] <= max(0.75 * growth, 96), figures
