"""Load test: 20 browser sessions press Train on one server, all train at once, then leave; the server cleans up.

Part of the default test run (skip it locally with ``-m "not load"``). The server runs with its lecture defaults:
the training pool (one process per core) trains every session continuously, none waits in the queue. For 60 s
every page's step counter is read in rounds ≥ 5 s apart: each reading must be above the one before (every session
advances, every page redraws), and the median session must train at ≥ 40 steps/s. Each page opens at
``?refresh=1``. Figures are printed (run with -s to see them).

Memory: once the sessions have gone, at most one training worker may still be referenced (the server logs the count
after its clean-up), and at least a quarter of the memory the sessions took must have come back (or all but 96 MB).
"""

import json
import re
import statistics
import time

import pytest
from conftest import start_server, stop_server

pytestmark = [pytest.mark.load, pytest.mark.browser]

SESSIONS = 20
TRAIN_SECONDS = 60  # of readings, all sessions training
READING_GAP = 5.0  # seconds at least between two readings of one page
MEDIAN_STEPS_PER_S = 40  # a game that visibly moves (the former exclusive turns gave a median of 3)


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


def read_step(page, timeout: float = 10.0) -> int | None:
    """The step counter (None if it stays absent for ``timeout``: it is briefly absent during a rerun)."""
    seen: list[int | None] = []
    wait_until(lambda: seen.append(step(page)) or seen[-1] is not None, timeout=timeout, poll=0.2)
    return seen[-1]


def open_toy(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/toy2d?refresh=1", wait_until="commit", timeout=120_000)  # load in parallel
    return context, page


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("load"))
    yield srv
    stop_server(srv)


def test_twenty_sessions_train_at_once_and_the_server_cleans_up_after_them(server, browser):
    figures: dict[str, object] = {"sessions": SESSIONS}
    # warm-up: the first session imports torch, plotly and the pages and starts the training pool (its processes and
    # their dispatcher threads stay); the baseline is taken after it
    context, page = open_toy(browser, server.url)
    page.get_by_role("button", name="Train", exact=True).click(timeout=120_000)
    assert wait_until(lambda: (step(page) or 0) > 0, timeout=120), server.log()[-3000:]
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
    assert wait_until(lambda: len(server.workers()[0]) >= SESSIONS + 1, timeout=120), server.log()[-3000:]

    texts = [page.locator("body").inner_text() for _, page in sessions]
    figures["sessions_shown_waiting"] = sum("Waiting for a free trainer" in text for text in texts)
    readings: list[list[tuple[float, int]]] = [[] for _ in sessions]
    t_train = time.monotonic()
    while time.monotonic() - t_train < TRAIN_SECONDS:
        round_start = time.monotonic()
        for i, (_, page) in enumerate(sessions):
            if readings[i] and time.monotonic() - readings[i][-1][0] < READING_GAP:
                time.sleep(READING_GAP - (time.monotonic() - readings[i][-1][0]))
            s = read_step(page)
            assert s is not None, f"session {i} shows no step counter"
            readings[i].append((time.monotonic(), s))
        figures.setdefault("reading_round_s", round(time.monotonic() - round_start, 1))
    rates = [(r[-1][1] - r[0][1]) / (r[-1][0] - r[0][0]) for r in readings]
    figures["readings_per_session"] = min(len(r) for r in readings)
    figures["steps_per_s_per_session"] = {
        "min": round(min(rates)),
        "median": round(statistics.median(rates)),
        "max": round(max(rates)),
        "total": round(sum(rates)),
    }
    stalls = {i: [s for _, s in r] for i, r in enumerate(readings) if any(b[1] <= a[1] for a, b in zip(r, r[1:]))}
    figures["sessions_with_a_stalled_reading"] = len(stalls)
    print("\nload figures so far:", json.dumps(figures), "stalled:", stalls, flush=True)
    for i, (_, page) in enumerate(sessions):
        assert page.locator('[data-testid="stException"]').count() == 0, f"session {i} shows an exception"
    assert not stalls, f"sessions that did not advance between two readings ≥ {READING_GAP:g} s apart: {stalls}"
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
    assert figures["sessions_shown_waiting"] == 0, figures  # nobody queues: the pool trains them all
    assert statistics.median(rates) >= MEDIAN_STEPS_PER_S, figures
    assert freed, re.findall(r"memory released: .*", server.log()) or "no memory release logged"
    # What stays is heap the allocator keeps and caches the sessions filled, not sessions (the check above counts
    # those): 44–81 MB of 110–150 MB in nine runs on 2026-11-27 with three versions of the pages. The former bound,
    # "half comes back, or 64 MB", failed 4 of them, and passed one on main by 2 MB. Twenty sessions kept whole
    # would keep all of it.
    growth = figures["rss_during_mb"] - figures["rss_baseline_mb"]
    assert figures["rss_after_mb"] - figures["rss_baseline_mb"] <= max(0.75 * growth, 96), figures
