"""Lecture readiness of the toy page: links with settings and locks, the trainer queue, divergence, bad CSVs."""

import os
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import playground.runtime.worker as W
from playground.gan.data import DataError, points_from_csv
from webui import session as S

ROOT = Path(__file__).resolve().parents[2]
TOY = str(ROOT / "app_pages" / "toy2d.py")
LIVE_STATE = "toy.live_state"  # the toy page's record of its run's state (training, queued, idle)


def toy_page(**params) -> AppTest:
    at = AppTest.from_file(TOY, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


@pytest.fixture
def stop_workers():
    pages = []
    yield pages.append
    for at in pages:
        if "toy.run" in at.session_state:
            at.session_state["toy.run"].worker.stop()


def trainer(at):
    return at.session_state["toy.run"].worker.trainer


def widget(at, key):
    return next(w for w in [*at.sidebar.selectbox, *at.sidebar.select_slider, *at.sidebar.slider] if w.key == key)


# ---- links --------------------------------------------------------------------------------------------------
def test_a_link_restores_its_settings_and_the_networks_are_built_from_them(stop_workers):
    at = toy_page(dataset="grid25", lr_d="0.0001", loss="hinge", hidden="32", seed="7", k="3")
    stop_workers(at)
    assert not at.exception and not at.warning
    t = trainer(at)
    assert (t.cfg.lr_d, t.cfg.loss, t.cfg.k, t.cfg.seed, t.model_cfg.hidden) == (1e-4, "hinge", 3, 7, 32)
    assert at.session_state["toy.dataset"] == "grid25"


def test_the_url_follows_the_widgets_so_it_is_always_a_link_to_the_page(stop_workers):
    at = toy_page()
    stop_workers(at)
    assert dict(at.query_params) == {}
    widget(at, "toy.lr_g").set_value(3e-4).run()
    assert dict(at.query_params) == {"lr_g": "0.0003"}


def test_bad_link_values_are_ignored_with_a_warning_and_nothing_crashes(stop_workers):
    at = toy_page(lr_d="1e9", batch_size="-5", depth="nan", dataset="/etc/passwd", bogus="1", seed="12")
    stop_workers(at)
    assert not at.exception
    assert len(at.warning) == 5
    assert trainer(at).cfg.lr_d == 1e-3 and trainer(at).cfg.seed == 12  # defaults, except the valid one


def test_a_named_preset_sets_the_page_like_the_collapse_lab(stop_workers):
    at = toy_page(preset="collapse-ring8")
    stop_workers(at)
    assert not at.exception and not at.warning
    t = trainer(at)
    assert (t.cfg.lr_d, t.cfg.lr_g, t.cfg.batch_size, t.model_cfg.hidden) == (6e-3, 5e-4, 64, 128)  # presets.py


def test_a_preset_the_page_cannot_show_says_where_to_open_it(stop_workers):
    at = toy_page(preset="mbstd-ring8")
    stop_workers(at)
    assert not at.exception
    assert any("Mode-collapse lab" in w.value for w in at.warning)


def test_lock_1_disables_the_experiment_settings_but_not_the_run_buttons(stop_workers):
    at = toy_page(lock="1", lr_d="0.003")
    stop_workers(at)
    assert not at.exception
    sb = at.sidebar
    settings = [*sb.selectbox, *sb.select_slider, *sb.slider, *sb.number_input, *sb.toggle]
    assert settings and all(w.disabled for w in settings)
    assert not any(t.disabled for t in at.main.toggle)  # the view options stay each student's own
    assert [b.label for b in at.button if not b.disabled] == ["Train", "Step", "Reset"]
    assert not at.sidebar.expander or all("Share" not in e.label for e in at.sidebar.expander)
    assert dict(at.query_params)["lock"] == "1"


def test_lock_can_name_single_settings(stop_workers):
    at = toy_page(lock="lr_d,loss")
    stop_workers(at)
    assert widget(at, "toy.lr_d").disabled and widget(at, "toy.loss").disabled
    assert not widget(at, "toy.lr_g").disabled


# ---- fair sharing ----------------------------------------------------------------------------------------
def test_train_while_all_trainers_are_busy_shows_the_queue_position(stop_workers, monkeypatch):
    monkeypatch.setattr(W.SLOTS, "limit", 1)
    other = object()  # another session's trainer holds the only slot
    assert W.SLOTS.try_acquire(other)
    try:
        at = toy_page()
        stop_workers(at)
        at.button[0].click().run()
        worker = at.session_state["toy.run"].worker
        deadline = time.monotonic() + 30
        while worker.queue_position is None and time.monotonic() < deadline:
            time.sleep(0.05)
        at.run()
        assert not at.exception
        assert any("position 1" in i.value for i in at.info), [i.value for i in at.info]
        assert trainer(at).step_count == 0
        assert at.session_state[LIVE_STATE] == "queued"  # the live view redraws every QUEUED_REFRESH s
    finally:
        W.SLOTS.release(other)
    deadline = time.monotonic() + 30
    while trainer(at).step_count == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trainer(at).step_count > 0 and worker.queue_position is None
    at.run()
    assert at.session_state[LIVE_STATE] == "training"


# ---- divergence ------------------------------------------------------------------------------------------
def test_divergence_pauses_explains_and_resumes_from_the_last_good_snapshot(stop_workers):
    at = toy_page(optimizer="sgd", loss="minimax")
    stop_workers(at)
    worker = at.session_state["toy.run"].worker
    at.button[2].click().run()  # one good step
    worker.call(lambda t: t.reconfigure(lr_d=10.0, lr_g=10.0))  # absurd: beyond anything the sliders offer
    at.button[0].click().run()  # Train
    deadline = time.monotonic() + 60
    while worker.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not worker.running and worker.trainer.diverged
    at.run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "blew up" in message and "lower learning rate" in message.lower().replace("a lower", "lower")
    resume = next(b for b in at.button if b.label.startswith("Resume"))
    resume.click().run()
    assert not at.exception and not at.error
    assert worker.trainer.diverged is None
    worker.call(lambda t: t.reconfigure(lr_d=1e-3, lr_g=1e-3))  # the suggested fix
    at.button[2].click().run()  # and training goes on from the good weights
    assert worker.trainer.diverged is None and not at.error


# ---- untrusted CSV --------------------------------------------------------------------------------------
BAD_CSVS = {
    "non-numeric": ("x,y\n1,2\nfoo,bar\n", "not numeric"),
    "nan": ("x,y\n" + "1,2\n" * 20 + "nan,1\n", "NaN or infinite"),
    "inf": ("x,y\n" + "1,2\n" * 20 + "1,inf\n", "NaN or infinite"),
    "one column": ("x\n1\n2\n3\n", "at least 2 columns"),
    "one row": ("x,y\n1,2\n", "at least 10 points"),
    "huge values": ("1e7,1\n" * 20, "within"),
    "overflowing values": ("1e300,1\n" * 20, "NaN or infinite"),
    "empty": ("", "no data rows"),
    "binary": ("\x00\x01\x02PK\x03\x04", "no data rows"),
}


@pytest.mark.parametrize("name", BAD_CSVS)
def test_the_csv_reader_the_page_calls_rejects_bad_files_with_one_sentence(name):
    text, phrase = BAD_CSVS[name]
    with pytest.raises(DataError, match=re.escape(phrase)):
        points_from_csv(text)


def test_the_csv_reader_refuses_files_over_the_size_limit():
    with pytest.raises(DataError, match="larger than 5 MB"):
        points_from_csv("1,2\n" * (2 * 2**20))


# ---- in a real browser: the queue, lecture mode, CSV upload ----------------------------------------------
SHOTS = Path(os.environ.get("PLAYGROUND_SHOTS", "/tmp/gan-playground-shots"))  # for a person to look at


@pytest.fixture(scope="module")
def one_trainer_server(tmp_path_factory):
    from conftest import start_server, stop_server

    server = start_server(tmp_path_factory.mktemp("queue"), env={"PLAYGROUND_MAX_TRAINERS": "1"})
    yield server
    stop_server(server)


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)  # a shared CI machine can be very slow; nothing here is timed
    page.goto(url)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=180_000)
    return context, page


@pytest.mark.browser
def test_browser_second_session_shows_its_place_in_the_queue_then_trains(one_trainer_server, browser):
    url = f"{one_trainer_server.url}/toy2d?refresh=2"
    (ctx_a, a), (ctx_b, b) = open_page(browser, url), open_page(browser, url)
    try:
        a.get_by_role("button", name="Train", exact=True).click()
        b.get_by_role("button", name="Train", exact=True).click()
        notice = b.get_by_text("Waiting for a free trainer (position 1 of 1)")
        notice.wait_for(timeout=120_000)
        SHOTS.mkdir(exist_ok=True)
        b.screenshot(path=str(SHOTS / "queue.png"))
        a.get_by_role("button", name="Pause", exact=True).click()
        notice.wait_for(state="detached", timeout=120_000)
        assert b.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx_a.close()
        ctx_b.close()


@pytest.mark.browser
def test_browser_lecture_link_disables_the_settings(one_trainer_server, browser):
    context, page = open_page(browser, f"{one_trainer_server.url}/toy2d?preset=collapse-ring8&lock=1")
    try:
        lr = page.get_by_role("slider", name="Learning rate D")
        lr.first.wait_for(timeout=60_000)
        assert lr.first.get_attribute("aria-disabled") == "true" or lr.first.is_disabled()
        assert "lock=1" in page.url and "lr_d=0.006" in page.url
        page.get_by_text("locked by the lecturer's link").wait_for(timeout=30_000)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "lecture_lock.png"))
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x,y\n1,2\nfoo,bar\n", "not numeric"),
        (b"x,y\n1,2\n", "at least 10 points"),
        (b"x\n1\n2\n", "at least 2 columns"),
        (b"1,nan\n" * 20, "NaN or infinite"),
        (b"1e9,1\n" * 20, "within"),
        (b"\x80\x02cos\nsystem\n(S'echo pwned'\ntR.", "at least 2 columns"),  # a pickle, renamed .csv
    ],
)
def test_browser_bad_csv_upload_shows_one_clear_message(one_trainer_server, browser, content, message):
    context, page = open_page(browser, f"{one_trainer_server.url}/toy2d?dataset=ring8")
    try:
        page.get_by_role("combobox", name="Dataset").first.click()
        page.get_by_role("option", name="Upload CSV…").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": "points.csv", "mimeType": "text/csv", "buffer": content}
        )
        page.get_by_text(message).first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_a_stale_page_is_rerun_whole_from_the_server_with_its_last_page_and_query(monkeypatch):
    from types import SimpleNamespace

    from streamlit.proto.ClientState_pb2 import ClientState

    last = ClientState(page_script_hash="toy-hash", query_string="lock=1", fragment_id="frag", is_auto_rerun=True)
    scheduled = []
    session = SimpleNamespace(
        _client_state=last,
        request_rerun=lambda state: None,
        _event_loop=SimpleNamespace(call_soon_threadsafe=lambda fn, state: scheduled.append((fn, state))),
    )
    sessions = {"alive": SimpleNamespace(session=session)}
    fake = SimpleNamespace(_session_mgr=SimpleNamespace(get_active_session_info=sessions.get))
    monkeypatch.setattr(S.runtime, "get_instance", lambda: fake)
    S._rerun_session("gone")  # disconnected or closed: nothing to rerun
    assert scheduled == []
    S._rerun_session("alive")
    ((fn, state),) = scheduled
    assert fn is session.request_rerun  # on the server's event loop, like a browser's rerun request
    assert (state.page_script_hash, state.query_string) == ("toy-hash", "lock=1")
    assert (state.fragment_id, state.is_auto_rerun) == ("", False)  # the whole page, not the stale fragment
    assert last.fragment_id == "frag"  # the session's own record is left alone
