from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "mnist.py")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=120)
    yield at
    run = at.session_state["mnist.run"] if "mnist.run" in at.session_state else None  # noqa: SIM401 (no .get)
    if run is not None:
        run.stop()


def _latest_score(at: AppTest) -> dict:
    return at.session_state["mnist.pictures"].scores()[-1]


def test_page_renders_with_data_notice_scores_and_tooltips(app):
    app.run()
    assert not app.exception
    assert _metric(app, "step") == "0"
    assert any("embedded MNIST subset" in info.value for info in app.info)
    assert "real images/s" in {m.label for m in app.metric}
    verdict = next(md.value for md in app.markdown if "classifier's verdict" in md.value)
    assert "classifier-FID" in verdict and "classifier-IS" in verdict and "real digits" in verdict
    widgets = [*app.button, *app.selectbox, *app.select_slider, *app.slider, *app.radio, *app.number_input]
    assert all(w.help for w in widgets), [w.label for w in widgets if not w.help]


def test_step_advances_the_step_count_by_one(app):
    app.run()
    _button(app, "Step").click().run()
    assert not app.exception
    assert _metric(app, "step") == "1"
    assert app.session_state["mnist.run"].view().step == 1


def test_a_blow_up_offers_resume_which_restores_the_last_good_weights_with_fresh_optimizer_state(app):
    app.run()
    _button(app, "Step").click().run()
    run = app.session_state["mnist.run"]
    assert run.trainer.opt_d.state  # Adam's moments after one step
    run.trainer.diverged = "D loss is NaN"  # what the trainer records when its numbers blow up
    app.run()
    assert any("Training blew up at step 1: D loss is NaN" in e.value for e in app.error)
    _button(app, "Resume from last good snapshot").click().run()
    assert not app.exception and not app.error
    assert run.trainer.diverged is None and not run.trainer.opt_d.state and not run.trainer.opt_g.state


def test_mlp_from_pretrained_generator_scores_readable_digits_at_step_zero(app):
    app.run()
    app.radio(key="mnist.model").set_value("mlp").run()
    app.radio(key="mnist.start").set_value("pretrained").run()
    assert any("press **Reset**" in w.value for w in app.warning)
    _button(app, "Reset").click().run()
    assert not app.exception
    assert type(app.session_state["mnist.run"].trainer.model_cfg).__name__ == "MnistMLPConfig"
    score = _latest_score(app)
    assert score["step"] == 0 and score["confident_fraction"] >= 0.4
    # picking the MLP set the settings that trained it best
    assert (app.session_state["mnist.loss"], app.session_state["mnist.k"]) == ("wgan-gp", 2)
    assert app.session_state["mnist.lr_d"] == pytest.approx(2e-4)
    # a WGAN-GP critic: its scores, not probabilities, and the page says why
    assert _metric(app, "mean critic score, real") == f"{score['score_real']:.3f}"
    assert "mean D(x)" not in {m.label for m in app.metric}
    assert any("not a probability" in i.value for i in app.info)
    assert any("Expect a dip first" in c.value for c in app.sidebar.caption)  # beside the pretrained start


def test_the_default_is_class_conditional_and_unticking_it_builds_the_plain_dcgan(app):
    app.run()
    trainer = app.session_state["mnist.run"].trainer
    assert (trainer.model_cfg.num_classes, trainer.cfg.augment_shift, trainer.cfg.batch_size) == (10, 2, 64)
    assert trainer.data.labels is not None  # D is told the real digits' classes
    assert any("each column asks G for one digit" in md.value for md in app.markdown)
    assert app.checkbox(key="mnist.conditional").help
    app.checkbox(key="mnist.conditional").uncheck().run()
    assert any("press **Reset**" in w.value for w in app.warning)
    _button(app, "Reset").click().run()
    assert not app.exception
    assert app.session_state["mnist.run"].trainer.model_cfg.num_classes == 0
    assert not any("each column asks G for one digit" in md.value for md in app.markdown)


def test_conditional_pretrained_start_draws_confident_digits_at_step_zero(app):
    app.run()
    app.radio(key="mnist.start").set_value("pretrained").run()
    _button(app, "Reset").click().run()
    assert not app.exception
    assert app.session_state["mnist.run"].trainer.model_cfg.num_classes == 10
    score = _latest_score(app)
    assert score["step"] == 0 and score["confident_fraction"] >= 0.9 and score["classes_present"] == 10
