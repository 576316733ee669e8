from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def toy():
    at = AppTest.from_file(str(ROOT / "app_pages" / "toy2d.py"), default_timeout=60).run()
    yield at
    run = at.session_state["toy.run"] if "toy.run" in at.session_state else None  # noqa: SIM401 (no .get)
    if run is not None:
        run.worker.stop()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_home_renders_the_game_and_links_every_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("-\\log 4" in latex.value for latex in at.latex) or any("log 4" in m.value for m in at.markdown)
    assert any(r"\log D(x)" in latex.value for latex in at.latex)
    assert any("playground" in c.value.lower() and "device" in c.value.lower() for c in at.sidebar.caption)


def test_navigation_lists_only_pages_that_exist(tmp_path):
    from webui.nav import available_pages

    (tmp_path / "app_pages").mkdir()
    (tmp_path / "app_pages" / "home.py").write_text("")
    assert [p[0] for p in available_pages(tmp_path)] == ["app_pages/home.py"]
    assert "app_pages/toy2d.py" in [p[0] for p in available_pages(ROOT)]


def test_toy_page_renders_with_controls_and_tooltips(toy):
    assert not toy.exception
    labels = [b.label for b in toy.button]
    assert labels[:4] == ["Train", "Pause", "Step", "Reset"]
    assert all(b.help for b in toy.button)
    assert all(w.help for w in [*toy.sidebar.selectbox, *toy.sidebar.slider, *toy.sidebar.select_slider])
    assert [m.label for m in toy.metric] == ["step", "steps/s", "mean D(x)", "mean D(G(z))", "V(D,G)", "modes captured"]
    assert metric(toy, "step") == "0"
    assert len(toy.get("plotly_chart")) == 5


def test_step_advances_the_step_count(toy):
    toy.button[2].click().run()
    assert not toy.exception
    assert metric(toy, "step") == "1"
    toy.button[2].click().run()
    assert metric(toy, "step") == "2"


def test_switching_to_a_critic_loss_shows_scores_and_hides_v(toy):
    toy.sidebar.selectbox(key="toy.loss").set_value("wgan-gp").run()
    toy.button[2].click().run()  # a step: the worker applies the live loss between chunks
    assert not toy.exception
    labels = [m.label for m in toy.metric]
    assert labels[2:5] == ["mean critic score, real", "mean critic score, fake", "critic gap"]
    assert any("not a probability" in i.value for i in toy.info)  # the page says why
    assert any("No V(D,G) for a critic" in i.value for i in toy.info)
    assert len(toy.get("plotly_chart")) == 4  # D's surface, G's manifold, losses, critic scores: no V chart


def test_live_setting_is_applied_without_reset(toy):
    toy.sidebar.select_slider(key="toy.lr_d").set_value(1e-4).run()
    toy.button[2].click().run()  # a step lets the worker apply it between chunks
    trainer = toy.session_state["toy.run"].worker.trainer
    assert trainer.cfg.lr_d == pytest.approx(1e-4)
    assert trainer.opt_d.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert not toy.warning


def test_structural_setting_asks_for_reset_and_reset_applies_it(toy):
    toy.sidebar.slider(key="toy.latent_dim").set_value(3).run()
    assert any("Reset" in w.value for w in toy.warning)
    toy.button[3].click().run()
    assert not toy.warning
    assert toy.session_state["toy.run"].worker.trainer.model_cfg.latent_dim == 3
    assert metric(toy, "step") == "0"


def test_bad_csv_shows_its_error(toy):
    toy.sidebar.selectbox(key="toy.dataset").set_value("upload").run()
    assert not toy.exception
    assert any("CSV" in i.value for i in toy.info)
