from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "theory.py")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=120)
    yield at
    for key in ("theory.run", "theory.race"):
        run = at.session_state[key] if key in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
        if run is not None:
            run.stop()


def test_page_renders_at_step_zero_with_computed_numbers_and_tooltips(app):
    app.run()
    assert not app.exception
    assert _metric(app, "step") == "0"
    assert _metric(app, "JSD(p_data‖p_g)") == "0.693"  # G starts far from every preset: disjoint supports
    assert any("-1.386" in latex.value for latex in app.latex)
    widgets = [*app.button, *app.selectbox, *app.select_slider, *app.slider, *app.radio, *app.number_input,
               *app.toggle, *app.text_input]  # fmt: skip
    assert all(w.help for w in widgets), [w.label for w in widgets if not w.help]


def test_step_advances_and_custom_mixture_errors_are_shown(app):
    app.run()
    _button(app, "Step").click().run()
    assert not app.exception
    assert _metric(app, "step") == "1"
    app.selectbox(key="theory.data").set_value("custom").run()
    app.text_input(key="theory.custom").set_value("1, 2").run()
    assert any("three" in e.value for e in app.error)


def test_panels_and_race_render(app):
    app.run()
    app.session_state["theory.run"].trainer.step(60)  # the run is idle: the test may step it directly
    _button(app, "Build panels (a)–(d) from this run").click().run()
    assert not app.exception
    assert sum("(c)" in str(c.value) or "G alone" in str(c.value) for c in app.caption) >= 1
    _button(app, "Start race").click().run()
    assert not app.exception
    race = app.session_state["theory.race"]
    race.pause()
    assert any("weaker than the non-saturating" in md.value for md in app.markdown)


def test_a_blow_up_is_reported_and_resume_goes_back_to_the_last_good_weights(app):
    app.run()
    run = app.session_state["theory.run"]
    with torch.no_grad():
        for p in run.trainer.D.parameters():
            p.fill_(float("nan"))  # the next step's numbers are NaN: the trainer stops and says so
    _button(app, "Step").click().run()
    assert any("Training blew up" in e.value for e in app.error)
    _button(app, "Resume from last good snapshot").click().run()
    assert not app.exception and not any("blew up" in e.value for e in app.error)
    assert all(torch.isfinite(p).all() for p in run.trainer.D.parameters())
