"""The class board in a browser: ten students and a lecturer on one server, and who may open the board.

Ports 8621–8629 only. Trainings are short (a few seconds); turns are cut to 2 s so that every session of the
room gets the trainer within the test however many cores the machine has.
"""

import re
import socket
import time
from collections import Counter

import conftest
import pytest
from conftest import start_server, stop_server

pytestmark = pytest.mark.browser

KEY = "lecture-7f3a9c2e"  # the test's lecturer key: it must appear in no page and no log line
STUDENTS = 10
PORTS = range(8621, 8630)


def board_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("ports 8621–8629 are all taken")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Start servers on this test's ports; stop them all at the end."""
    started = []
    conftest_free_port = conftest.free_port
    conftest.free_port = board_port

    def start(env):
        server = start_server(tmp_path_factory.mktemp("board"), env=env)
        started.append(server)
        return server

    yield start
    conftest.free_port = conftest_free_port
    for server in started:
        stop_server(server)


@pytest.fixture(scope="module")
def room_server(servers):
    return servers({"PLAYGROUND_LECTURER_KEY": KEY, "PLAYGROUND_TURN_SECONDS": "2"})


def wait_until(condition, timeout: float, poll: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    return condition()


def metric(page, label: str) -> str | None:
    for text in page.locator('[data-testid="stMetric"]').all_inner_texts():
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[0] == label:
            return lines[-1]
    return None


def open_page(browser, url: str, path: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/{path}", wait_until="commit", timeout=120_000)
    return context, page


def body(page) -> str:
    return page.locator("body").inner_text()


def tiles(board) -> dict[str, str]:
    """Tile name → its text, as the board shows them now."""
    found = {}
    for text in board.locator("[class*='st-key-board-tile-']").all_inner_texts():
        name = re.search(r"Student \d+", text)
        if name:
            found[name.group(0)] = text
    return found


def histogram(board) -> dict[str, list[int]]:
    return {h.get_attribute("data-dataset"): [int(n) for n in h.get_attribute("data-counts").split(",")]
            for h in board.locator(".room-hist").all()}  # fmt: skip


def tile_figures(board) -> dict[str, tuple[str, str]]:
    """Tile name → (step, modes captured) as the student's page words them ("1,234", "7/8")."""
    figures = {}
    for name, text in tiles(board).items():
        step, modes = re.search(r"step ([\d,]+)", text), re.search(r"(\d+/\d+) modes", text)
        figures[name] = (step.group(1), modes.group(1) if modes else None)
    return figures


def tile_steps(board) -> dict[str, int]:
    return {n: int(re.search(r"step ([\d,]+)", t).group(1).replace(",", "")) for n, t in tiles(board).items()}


def test_the_board_shows_the_room_and_sends_to_it(room_server, browser):
    lect_context, board = open_page(browser, room_server.url, f"board?key={KEY}")
    board.get_by_text("Class board").first.wait_for(timeout=120_000)
    assert "key=" not in board.url
    students = [open_page(browser, room_server.url, "toy2d?refresh=1") for _ in range(STUDENTS)]
    for _, page in students:
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=180_000)
    for _, page in students:
        page.get_by_role("button", name="Train", exact=True).click(timeout=60_000)

    # ten tiles, one per student, and they move
    assert wait_until(lambda: len(tiles(board)) == STUDENTS, timeout=120), (board.url, body(board)[:1500])
    first = tile_steps(board)
    assert wait_until(lambda: sum(s > first[n] for n, s in tile_steps(board).items()) >= STUDENTS // 2, timeout=30)

    # pause everyone; a full rerun (a view toggle) draws each page's final published step
    for _, page in students:
        page.get_by_role("button", name="Pause", exact=True).click(timeout=60_000)
    time.sleep(1.0)
    for _, page in students:
        page.get_by_text("Gradient arrows on fakes").click(timeout=60_000)
    pages_seen = lambda: sorted((metric(p, "step"), metric(p, "modes captured")) for _, p in students)
    board_seen = lambda: sorted(tile_figures(board).values())
    assert wait_until(lambda: None not in (f for pair in pages_seen() for f in pair), timeout=60)
    assert wait_until(lambda: pages_seen() == board_seen(), timeout=30), (pages_seen(), board_seen())
    captured = Counter(int(modes.split("/")[0]) for _, modes in pages_seen())
    expected = [captured[k] for k in range(9)]
    assert wait_until(lambda: histogram(board).get("ring8") == expected, timeout=5), (histogram(board), expected)
    assert f"{sum(expected[:8])} of {STUDENTS}" in body(board)  # runs that lost modes

    # send a preset: every page shows the banner within 5 s; a click applies it
    board.locator('[data-testid="stSelectbox"]').first.click()
    board.keyboard.type("Toy 2-D: collapse-ring8")
    board.keyboard.press("Enter")
    sent = time.monotonic()
    board.get_by_role("button", name="Send to the room").click()
    banner = "The lecturer sent the preset collapse-ring8"
    reached = [wait_until(lambda p=page: banner in body(p),
                          timeout=5 - (time.monotonic() - sent), poll=0.1) for _, page in students]  # fmt: skip
    assert all(reached), f"{sum(reached)} of {STUDENTS} pages showed the banner within 5 s"
    page = students[0][1]
    page.get_by_role("button", name="Apply", exact=True).click()
    sidebar = page.locator("section[data-testid='stSidebar']")
    assert wait_until(lambda: "0.006" in sidebar.inner_text(), timeout=30)  # the preset's D learning rate
    assert wait_until(lambda: metric(page, "step") == "0", timeout=30)
    assert wait_until(lambda: "applied on 1 of" in body(board), timeout=10)

    # the key is in no page and no log line
    for context_page in [board, *(p for _, p in students)]:
        assert KEY not in context_page.content()
    assert KEY not in room_server.log()
    for context, _ in [(lect_context, board), *students]:
        context.close()


REFUSALS = ("board", f"board?key={KEY}x", "board?key=", "class-board")


def refusal(browser, url: str, path: str) -> str:
    """What a browser sees at ``path``: the page-not-found notice and the page it falls back to, as text."""
    context, page = open_page(browser, url, path)
    try:
        page.get_by_text("Page not found").wait_for(timeout=120_000)
        page.get_by_text("GAN Playground").first.wait_for(timeout=60_000)
        time.sleep(1.0)  # the default page finishes drawing
        assert page.locator("[class*='st-key-board']").count() == 0
        assert KEY not in page.content() and "key=" not in page.url
        return page.locator("body").inner_text()
    finally:
        context.close()


def test_without_the_key_every_way_in_gets_the_same_refusal(room_server, browser):
    replies = {path: refusal(browser, room_server.url, path) for path in REFUSALS}
    assert len(set(replies.values())) == 1, replies
    assert "Class board" not in replies["board"]
    assert KEY not in room_server.log()
    assert "wrong lecturer key" in room_server.log()  # the wrong one was logged (without itself)


def test_no_key_configured_means_no_board(servers, browser):
    server = servers({})
    context, page = open_page(browser, server.url, f"?key={KEY}")
    page.get_by_text("GAN Playground").first.wait_for(timeout=120_000)
    time.sleep(1.0)
    assert "Class board" not in page.locator("body").inner_text() and "key=" not in page.url
    context.close()
    assert refusal(browser, server.url, f"board?key={KEY}") == refusal(browser, server.url, "class-board")
