"""The class board in the app: only a session that gave the key has it; the banner applies the lecturer's settings."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.runtime import lecturer as L
from playground.runtime.room import ROOM
from webui.lecturer import SIGNED_IN

ROOT = Path(__file__).resolve().parents[2]
KEY = "s3cret-lecturer-key"
BOARD = "app_pages/board.py"


@pytest.fixture(autouse=True)
def fresh_gate_and_room(monkeypatch):
    monkeypatch.setattr(L, "GATE", L.KeyGate())
    import webui.lecturer

    monkeypatch.setattr(webui.lecturer, "GATE", L.GATE)
    yield
    ROOM.withdraw()


def app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def rendered(at: AppTest) -> list[tuple[str, str]]:
    """Every element of the page as (type, text), to compare two replies."""
    return [(type(e).__name__, str(getattr(e, "value", getattr(e, "label", "")))) for e in at.main]


def test_the_right_key_makes_the_session_the_lecturers_and_leaves_the_url(monkeypatch):
    monkeypatch.setenv(L.ENV, KEY)
    at = app(key=KEY)
    assert not at.exception
    assert at.session_state[SIGNED_IN] and "key" not in at.query_params
    at.switch_page(BOARD).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Class board"]
    assert KEY not in str(at._tree)


@pytest.mark.parametrize("configured", [KEY, None])
def test_without_the_key_there_is_no_board_and_every_reply_is_the_same(monkeypatch, configured):
    if configured:
        monkeypatch.setenv(L.ENV, configured)
    else:
        monkeypatch.delenv(L.ENV, raising=False)
    replies = []
    for params in ({}, {"key": "wrong"}, {"key": KEY + "x" if configured else KEY}):
        at = app(**params)
        assert not at.exception and "key" not in at.query_params and SIGNED_IN not in at.session_state
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(BOARD)  # not in this session's navigation (the browser test opens its URL)
        replies.append(rendered(at))
    assert replies[0] == replies[1] == replies[2]


def test_the_board_file_run_by_anyone_else_draws_nothing(monkeypatch):
    monkeypatch.setenv(L.ENV, KEY)
    at = AppTest.from_file(str(ROOT / BOARD), default_timeout=60).run()
    assert not at.exception
    assert [e for e in rendered(at) if e[0] != "SpecialBlock"] == []


def test_a_lecturer_session_stays_one_only_while_the_server_has_a_key(monkeypatch):
    monkeypatch.setenv(L.ENV, KEY)
    at = app(key=KEY)
    at.switch_page(BOARD).run()
    assert [t.value for t in at.title] == ["Class board"]
    monkeypatch.delenv(L.ENV)
    at.run()
    assert [t.value for t in at.title] != ["Class board"]


def test_the_board_lists_the_room_and_sends_a_preset(monkeypatch):
    monkeypatch.setenv(L.ENV, KEY)
    at = app(key=KEY)
    at.switch_page(BOARD).run()
    at.button(key="board.send_preset").click().run()
    assert not at.exception
    assert ROOM.broadcast is not None and ROOM.broadcast.label.startswith("the preset ")
    assert any("Sent the preset" in i.value for i in at.info)


# ---- the student's side ------------------------------------------------------------------------------
def toy(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "toy2d.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


@pytest.fixture
def pages():
    opened = []
    yield opened.append
    for at in opened:
        if "toy.run" in at.session_state:
            at.session_state["toy.run"].worker.stop()


def test_the_lecturers_settings_show_as_a_banner_and_apply_on_a_click(pages):
    at = toy()
    pages(at)
    old = at.session_state["toy.run"]
    assert not [b for b in at.button if b.key == "room.apply"]
    ROOM.send("toy", {"dataset": "grid25", "lr_d": 6e-3, "seed": 5}, "the preset test")
    at.run()
    assert any("The lecturer sent the preset test" in m.value for m in at.markdown)
    assert at.session_state["toy.lr_d"] == 1e-3  # nothing changes without the click
    at.button(key="room.apply").click().run()
    assert not at.exception
    assert (at.session_state["toy.dataset"], at.session_state["toy.lr_d"], at.session_state["toy.seed"]) == (
        "grid25", 6e-3, 5)  # fmt: skip
    run = at.session_state["toy.run"]
    assert run is not old and run.trainer.cfg.seed == 5 and run.settings["dataset"] == "grid25"
    assert not [b for b in at.button if b.key == "room.apply"]  # answered: the banner is gone
    assert ROOM.applied_by(ROOM.broadcast.number) == 1


def test_not_now_keeps_the_settings_and_hides_the_banner(pages):
    at = toy()
    pages(at)
    ROOM.send("toy", {"seed": 9}, "the preset test")
    at.run()
    at.button(key="room.dismiss").click().run()
    assert at.session_state["toy.seed"] == 0
    assert not [b for b in at.button if b.key == "room.apply"]


def test_under_a_lock_link_the_settings_apply_by_themselves(pages):
    at = toy(lock="1")
    pages(at)
    ROOM.send("toy", {"seed": 7, "k": 2}, "the preset test")
    at.run()
    assert not at.exception
    assert (at.session_state["toy.seed"], at.session_state["toy.k"]) == (7, 2)
    assert at.session_state["toy.run"].trainer.cfg.seed == 7


def test_settings_for_the_other_page_say_where_they_apply(pages):
    at = toy()
    pages(at)
    ROOM.send("collapse", {"seed": 3}, "the preset test")
    at.run()
    assert any("Mode-collapse lab" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "room.apply"]


def test_the_share_link_never_carries_the_key(monkeypatch, pages):
    monkeypatch.setenv(L.ENV, KEY)
    at = app(key=KEY)
    at.switch_page("app_pages/toy2d.py").run()
    pages(at)
    at.query_params["key"] = KEY  # even with the key typed back into the address bar
    at.sidebar.select_slider(key="toy.lr_d").set_value(3e-3).run()
    (link,) = [t.value for t in at.sidebar.text_input if t.label == "Link"]
    assert "lr_d=0.003" in link and "key" not in link and KEY not in link
    assert "key" not in at.query_params


def test_the_lab_applies_a_sent_pair_and_its_two_runs_join_the_board():
    at = AppTest.from_file(str(ROOT / "app_pages" / "collapse.py"), default_timeout=60).run()
    try:
        at.button(key="collapse.pair.step").click().run()  # the pair has trained a step: both sides are on the board
        at.run()  # the poll registers the runs the page built after it
        slots = [(c.slot, c.about.preset) for c in ROOM.cards() if c.run_id == at.session_state["collapse.pair"].run_id]
        pair = at.session_state["collapse.pair"]
        assert slots == [("lab left", pair.settings["left"]), ("lab right", pair.settings["right"])]
        ROOM.send("collapse", {"dataset": "grid25", "left": "collapse-grid25", "right": "pacgan-grid25", "seed": 2},
                  "the preset test")  # fmt: skip
        at.run()
        at.button(key="room.apply").click().run()
        assert not at.exception
        new = at.session_state["collapse.pair"]
        assert new is not pair and dict(new.settings) == {
            "left": "collapse-grid25",
            "right": "pacgan-grid25",
            "seed": 2,
        }
    finally:
        for key in ("collapse.pair", "collapse.sweep", "collapse.digits"):
            if key in at.session_state:
                at.session_state[key].stop()
