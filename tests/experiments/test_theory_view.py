import numpy as np
import pytest

from playground.experiments.theory import runs as TR
from playground.experiments.theory import view as TV
from playground.experiments.theory.settings import THEORY
from playground.gan.data import DataError, Mixture1D


def test_a_preset_choice_ignores_the_custom_text():
    assert TV.resolve_data("mixture", "not a mixture") == ("mixture", TR.DATA_PRESETS["mixture"])


def test_a_custom_mixture_gets_an_id_that_names_its_parsed_value():
    data_id, data = TV.resolve_data(TV.CUSTOM, "1, 2, 0.5")
    assert data == Mixture1D((1.0,), (2.0,), (0.5,))
    assert data_id == f"custom:{data}"
    assert TV.resolve_data(TV.CUSTOM, " 1,2,0.5 ")[0] == data_id  # same mixture, same id: no spurious Reset prompt


def test_an_unusable_custom_mixture_raises_a_data_error():
    with pytest.raises(DataError, match="three"):
        TV.resolve_data(TV.CUSTOM, "1, 2")


def test_run_settings_name_p_data_by_its_id_and_drop_the_view_options():
    values = {s.name: s.default for s in THEORY.settings}
    settings = TV.run_settings({**values, "data": TV.CUSTOM, "custom": "1, 2, 0.5"}, "custom:M")
    assert settings == {"data": "custom:M", "prior": "uniform", "hidden": 64, "optimizer": "adam", "lr": 5e-4, "k": 1,
                        "seed": 0}  # fmt: skip


def test_configs_use_one_learning_rate_for_both_players_and_keep_the_calibrated_rest():
    settings = dict(prior="normal", hidden=32, optimizer="sgd", lr=1e-3, k=3, seed=7.0)
    model_cfg, train_cfg = TV.configs(settings)
    assert (model_cfg.prior, model_cfg.hidden, model_cfg.latent_dim) == ("normal", 32, 1)
    assert (train_cfg.lr_d, train_cfg.lr_g, train_cfg.k, train_cfg.optimizer) == (1e-3, 1e-3, 3, "sgd")
    assert train_cfg.seed == 7 and isinstance(train_cfg.seed, int)  # number_input may hand over a float
    assert train_cfg.batch_size == TR.THEORY_TRAIN.batch_size == 256
    assert train_cfg.snapshot_every == TR.THEORY_TRAIN.snapshot_every == 25


@pytest.fixture
def controllers():
    """Controllers made by a test, stopped after it (their worker threads end)."""
    made = []
    yield made
    for controller in made:
        controller.stop()


def _run(controllers, data, **changes):
    settings = {**TV.run_settings({s.name: s.default for s in THEORY.settings}, "test"), "hidden": 16, **changes}
    controllers.append(TV.new_run(data, settings, process=False))
    return controllers[-1]


def test_new_run_builds_the_configured_fast_trainer_and_resets_on_a_changed_setting(controllers):
    run = _run(controllers, TR.DATA_PRESETS["gaussian"], lr=1e-3, seed=3)
    trainer = run.trainer
    assert (trainer.model_cfg.hidden, trainer.cfg.lr_d, trainer.cfg.lr_g, trainer.cfg.seed) == (16, 1e-3, 1e-3, 3)
    assert trainer.engine.name == "mlp"
    assert run.needs_reset({**run.settings, "k": 2, "lr": 1e-3}) == ["k"]


def test_metrics_format_the_step_speed_and_the_frames_readings():
    empty = np.zeros(0)
    frame = TR.Frame1D(1234, empty, empty, empty, empty, empty, jsd=0.6931, c_g=0.0, value=-1.3863, w1=0.25,
                       d_mean_dev=0.0123)  # fmt: skip
    rows = TV.metrics(1234, 87.6, frame)
    assert [(label, value) for label, value, _ in rows] == [
        ("step", "1,234"), ("steps/s", "88"), ("JSD(p_data‖p_g)", "0.693"), ("V(D,G)", "-1.386"),
        ("mean |D − ½|", "0.012"), ("W1 to p_data", "0.250"),
    ]  # fmt: skip
    assert "−log 4 = -1.386" in rows[3][2]


@pytest.mark.parametrize(("d_fake", "ratio"), [(0.5, 1.0), (0.01, 99.0), (0.2, 4.0), (1e-4, 9999.0)])
def test_slope_ratio_is_one_minus_d_over_d(d_fake, ratio):
    assert TV.slope_ratio(d_fake) == pytest.approx(ratio)


def test_canvas_live_reads_every_snapshot_and_computes_each_frame_once(controllers):
    run = _run(controllers, TR.DATA_PRESETS["uniform"])
    canvas = TV.Canvas.of(run)
    run.trainer.step(50)  # idle run: step it here, no worker involved
    series, frame = canvas.live(run)
    assert list(series.step) == [0, 25, 50] and frame.step == 50
    kept = dict(canvas.frames)
    again_series, again_frame = canvas.live(run)
    assert again_frame is frame and all(canvas.frames[s] is kept[s] for s in kept)  # nothing recomputed
    assert list(again_series.jsd) == list(series.jsd)


def test_canvas_is_the_runs_fixed_view(controllers):
    data = TR.DATA_PRESETS["gaussian"]
    run = _run(controllers, data, prior="normal", seed=3)
    canvas = TV.Canvas.of(run)
    expected = TR.make_view(data, "normal", seed=3)
    assert (canvas.view.x == expected.x).all() and (canvas.view.z == expected.z).all()
    assert canvas.data is data and canvas.run_id == run.run_id


def test_race_state_and_d_fake_follow_the_pair(controllers):
    run = _run(controllers, TR.DATA_PRESETS["gaussian"])
    canvas = TV.Canvas.of(run)
    race = TV.new_race(run, canvas, pretrain_steps=100)  # the page's 500 take a while on a busy CPU
    controllers.append(race)
    pair = race.trainer
    assert race.max_steps == TR.RACE_STEPS and pair.view is canvas.view and pair.d_fake_start < 0.1
    assert TV.race_d_fake(None) is None
    assert TV.race_d_fake(race) == {"minimax": pair.d_fake_start, "nonsat": pair.d_fake_start}  # before any step
    pair.step(50)
    state = TV.race_state(race)
    assert state.view is canvas.view
    assert state.steps == [0, 25, 50] and set(state.w1) == set(state.frames) == {"minimax", "nonsat"}
    assert all(frame.step == 50 for frame in state.frames.values())
    assert state.slope_ratio == pytest.approx((1 - pair.d_fake_start) / pair.d_fake_start)
    d_now = TV.race_d_fake(race)
    for loss, trainer in pair.trainers.items():
        assert d_now[loss] == trainer.history.copy()["d_fake"][-1]
