import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.experiments.collapse import view as CV
from playground.runtime.controller import Status

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "collapse.py")
RUNS = ("collapse.pair", "collapse.sweep", "collapse.digits")


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _metrics(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=180)
    yield at
    for key in RUNS:
        run = at.session_state[key] if key in at.session_state else None  # noqa: SIM401 (no .get)
        if run is not None:
            run.stop()


def test_page_shows_two_runs_with_big_numbers_protocol_remedies_and_tooltips(app):
    app.run()
    assert not app.exception
    left, right = _metrics(app, "modes captured")
    assert left.endswith("/8") and left == right  # step 0: both runs start from the same generator
    assert len(_metrics(app, "high quality")) == 2 and len(_metrics(app, "modes ≥ 1 %")) == 2
    text = " ".join(md.value for md in app.markdown)
    assert "within 3σ" in text and "Srivastava" in text and "PacGAN" in text
    assert "Metz et al. 2017" in text and "Karras et al. 2018" in text  # every remedy with its paper
    widgets = [*app.button, *app.selectbox, *app.select_slider, *app.radio, *app.number_input]
    assert all(w.help for w in widgets), [w.label for w in widgets if not w.help]


def test_step_advances_both_runs_in_lockstep(app):
    app.run()
    _button(app, "collapse.pair.step").click().run()
    assert not app.exception
    trainers = app.session_state["collapse.pair"].trainer.trainers
    assert [t.step_count for t in trainers] == [1, 1]


def test_grid25_selects_its_presets_and_reset_builds_them(app):
    app.run()
    app.radio(key="collapse.dataset").set_value("grid25").run()
    assert app.session_state["collapse.left"] == "collapse-grid25"
    assert any("press **Reset**" in w.value for w in app.warning)
    _button(app, "collapse.pair.reset").click().run()
    assert not app.exception
    left, right = _metrics(app, "modes captured")
    assert left.endswith("/25") and left == right  # step 0: both start from the same generator


def test_sweep_step_trains_every_seed_of_both_configurations(app):
    app.run()
    app.select_slider(key="collapse.sweep_seeds").set_value(2).run()
    _button(app, "collapse.sweep.reset").click().run()
    _button(app, "collapse.sweep.step").click().run()
    assert not app.exception
    run = app.session_state["collapse.sweep"]
    assert [s.step_count for s in run.trainer.trainers] == [1, 1]
    assert run.trainer.seeds == [0, 1]
    assert any("per seed (modes)" in df.value.columns for df in app.dataframe)


def test_mnist_tab_judges_both_digit_runs_and_step_moves_them_together(app):
    app.run()
    assert not app.exception
    present = _metrics(app, "digits present")
    assert len(present) == 2 and all(p.endswith("/10") for p in present)
    assert present[0] == present[1]  # step 0: both generators start from the same weights (same seed)
    _button(app, "collapse.digits.step").click().run()
    assert not app.exception
    trainers = app.session_state["collapse.digits"].trainer.trainers
    assert [t.step_count for t in trainers] == [1, 1]
    assert [t.cfg.loss for t in trainers] == ["nonsat", "wgan-gp"]  # only the objective differs
    assert any("Digits G draws at step 1" in (c.proto.spec or "") for c in app.get("plotly_chart"))


def test_a_blown_up_run_says_so_and_resumes_from_its_last_good_weights(app):
    app.run()
    _button(app, "collapse.pair.step").click().run()
    left, right = app.session_state["collapse.pair"].trainer.trainers
    left.diverged = "D loss is NaN"  # as the trainer marks a blow-up
    app.run()
    assert not app.exception
    assert [e.value for e in app.error] == ["This run blew up at step 1: D loss is NaN. Resume it, or press Reset."]
    assert [b.key for b in app.button if b.key and "resume" in b.key] == ["collapse.pair.resume0"]  # its own only
    _button(app, "collapse.pair.resume0").click().run()
    assert not app.exception and not app.error
    assert left.diverged is None and right.step_count == 1  # the healthy neighbour is untouched


def test_a_preset_link_shows_it_beside_its_base_and_the_sweep_runs_its_steps(app):
    app.query_params["preset"] = "unrolled-ring8"
    app.run()
    assert not app.exception
    assert (app.session_state["collapse.left"], app.session_state["collapse.right"]) == (
        "collapse-ring8", "unrolled-ring8")  # fmt: skip
    assert app.session_state["collapse.pair"].settings["right"] == "unrolled-ring8"
    assert app.session_state["collapse.sweep"].max_steps == 6000


def _wait(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_pair_at_its_step_budget_says_so_and_train_goes_on_past_it(app):
    app.run()
    run = app.session_state["collapse.pair"]
    run.max_steps = 30  # the presets' own budget takes seconds; the behaviour is the same
    _button(app, "collapse.pair.train").click().run()
    assert _wait(lambda: run.status is Status.FINISHED)
    app.run()
    assert CV.finished_notice(30) in [i.value for i in app.info]
    assert not _button(app, "collapse.pair.train").disabled
    _button(app, "collapse.pair.train").click().run()
    assert _wait(lambda: run.trainer.step_count > 30)  # on past the budget
    run.pause()
    app.run()
    assert not any("reached" in i.value for i in app.info)


def test_the_mnist_tab_hides_the_ring_and_grid_presets_and_keeps_them(app):
    app.run()
    app.selectbox(key="collapse.right").set_value("unrolled-ring8").run()
    app.session_state["collapse.tab"] = "MNIST digits"  # as a click on the tab (it reruns the page)
    app.run()
    assert not app.exception
    keys = {w.key for w in [*app.sidebar.selectbox, *app.sidebar.radio]}
    assert not keys & {"collapse.dataset", "collapse.left", "collapse.right"}
    assert any("needs minutes" in i.value for i in app.info)
    app.session_state["collapse.tab"] = "Side by side"
    app.run()
    assert app.selectbox(key="collapse.right").value == "unrolled-ring8"  # kept while hidden


def test_the_mnist_histograms_count_only_confident_digits_on_one_scale(app):
    app.run()
    titles = [c.proto.spec for c in app.get("plotly_chart") if "Digits G draws" in (c.proto.spec or "")]
    assert len(titles) == 2 and all("unreadable" in t for t in titles)
    assert all("% of all samples" in t for t in titles)
    assert "Published numbers" in [e.label for e in app.expander]
