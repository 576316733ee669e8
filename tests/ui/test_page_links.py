"""Every page's settings travel in its URL: a link restores them, lock=1 disables them, presets work."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
RUNS = ("toy.run", "mnist.run", "theory.run", "theory.race", "collapse.pair", "collapse.sweep", "collapse.digits")


def open_page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture
def pages():
    opened: list[AppTest] = []
    yield opened
    for at in opened:
        for key in RUNS:
            run = at.session_state[key] if key in at.session_state else None  # noqa: SIM401 (AppTest state has no .get)
            if run is not None:
                run.worker.stop()


def sidebar_settings(at: AppTest) -> list:
    sb = at.sidebar
    return [*sb.selectbox, *sb.select_slider, *sb.slider, *sb.number_input, *sb.radio, *sb.text_input]


def by_key(at: AppTest, key: str):
    return next(w for w in sidebar_settings(at) if w.key == key)


# name, link parameters, the widget values they must produce
LINKS = [
    ("mnist", {"model": "mlp", "loss": "hinge", "lr_d": "0.001", "k": "3", "batch_size": "128", "seed": "7"},
     {"mnist.model": "mlp", "mnist.loss": "hinge", "mnist.lr_d": 1e-3, "mnist.k": 3, "mnist.batch_size": 128,
      "mnist.seed": 7}),
    ("theory", {"data": "custom", "custom": "0.5, 2, 0.3; 0.5, 4, 0.3", "lr": "0.005", "k": "2", "prior": "normal"},
     {"theory.data": "custom", "theory.custom": "0.5, 2, 0.3; 0.5, 4, 0.3", "theory.lr": 5e-3, "theory.k": 2,
      "theory.prior": "normal"}),
    ("collapse", {"dataset": "grid25", "left": "collapse-grid25", "right": "pacgan-grid25", "seed": "3"},
     {"collapse.dataset": "grid25", "collapse.left": "collapse-grid25", "collapse.right": "pacgan-grid25",
      "collapse.seed": 3}),
    ("latent", {"source": "pretrained:mlp", "n_sliders": "5"},
     {"latent.source": "pretrained:mlp", "latent.n_sliders": 5}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "expected"), LINKS, ids=[link[0] for link in LINKS])
def test_a_link_restores_the_pages_settings_and_the_url_keeps_following_them(pages, name, params, expected):
    at = open_page(name, **params)
    pages.append(at)
    assert not at.exception
    for key, value in expected.items():
        assert at.session_state[key] == value, key
    assert all(at.query_params[k] == [v] or at.query_params[k] == v for k, v in params.items())


@pytest.mark.parametrize("name", ["mnist", "theory", "collapse", "latent"])
def test_lock_1_disables_every_experiment_setting_and_hides_the_share_box(pages, name):
    at = open_page(name, lock="1")
    pages.append(at)
    assert not at.exception
    settings = sidebar_settings(at)
    assert settings
    display = {"mnist.refresh", "theory.speed", "collapse.refresh", "latent.n_sliders"}  # each student's own view
    assert all(w.disabled for w in settings if w.key not in display)
    assert all("Share" not in e.label for e in at.sidebar.expander)
    assert at.query_params["lock"] in ("1", ["1"])


@pytest.mark.parametrize("name", ["mnist", "theory", "collapse", "latent"])
def test_bad_link_values_warn_and_the_page_still_works(pages, name):
    at = open_page(name, seed="-5", k="lots", loss="../../etc/passwd", custom="1, 2", left="nope")
    pages.append(at)
    assert not at.exception
    assert any("Link:" in w.value for w in at.warning)


def test_a_collapse_preset_link_sets_the_pair_it_belongs_to(pages):
    at = open_page("collapse", preset="pacgan-grid25")
    pages.append(at)
    assert not at.exception
    assert at.session_state["collapse.dataset"] == "grid25"
    assert (at.session_state["collapse.left"], at.session_state["collapse.right"]) == (
        "collapse-grid25",
        "pacgan-grid25",
    )


def test_a_collapse_link_mixing_data_sets_falls_back_to_the_usual_pair(pages):
    at = open_page("collapse", dataset="ring8", left="collapse-grid25")
    pages.append(at)
    assert not at.exception
    assert at.session_state["collapse.left"] == "collapse-ring8"
    assert any("presets of the chosen data set" in w.value for w in at.warning)


# ---- a small uploaded point set travels in the toy page's link -------------------------------------------
POINTS = "_".join(f"{i * 0.5:g}_{-i}" for i in range(12))  # 12 points: (0, 0), (0.5, -1), …, (5.5, -11)


def test_a_toy_link_with_points_trains_on_them_and_its_share_box_passes_them_on(pages):
    at = open_page("toy2d", points=POINTS, lr_d="0.0003")
    pages.append(at)
    assert not at.exception and not at.warning
    assert at.session_state["toy.dataset"] == "upload"
    points = at.session_state["toy.run"].worker.trainer.data.points
    assert points.tolist() == [[i * 0.5, -float(i)] for i in range(12)]
    assert at.query_params["points"] in (POINTS, [POINTS])  # the address bar keeps them: a reload too
    (link,) = at.sidebar.text_input
    assert "lr_d=0.0003&points=0_0_0.5_-1_1_-2" in link.value
    assert any("12 points" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(("points", "says"), [("1_2_3", "pairs of plain numbers"), ("1_2_3_4", "at least 10")])
def test_a_toy_link_with_bad_points_warns_and_keeps_the_default_data(pages, points, says):
    at = open_page("toy2d", points=points)
    pages.append(at)
    assert not at.exception
    assert any(says in w.value for w in at.warning)
    assert at.session_state["toy.dataset"] == "ring8"
