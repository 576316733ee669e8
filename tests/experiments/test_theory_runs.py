import math

import numpy as np
import pytest
import torch

from playground.experiments.theory import figures as TF
from playground.experiments.theory import runs as TR
from playground.gan.data import DataError, Mixture1D
from playground.gan.trainer import Trainer


def test_parse_mixture_reads_weight_mean_std_triples():
    data = TR.parse_mixture("0.7, 2, 0.4; 0.3, 4, 0.3")
    assert data == Mixture1D((0.7, 0.3), (2.0, 4.0), (0.4, 0.3))


@pytest.mark.parametrize("text", ["", "1, 2", "a, b, c", "1, 2, 0", "-1, 0, 1", "1, nan, 1", "1,0,1;" * 9])
def test_parse_mixture_rejects_bad_input_with_a_data_error(text):
    with pytest.raises(DataError):
        TR.parse_mixture(text)


@pytest.mark.parametrize("name", list(TR.DATA_PRESETS))
def test_every_preset_lies_clear_of_the_generators_start(name):
    lo, hi = TR.data_range(TR.DATA_PRESETS[name])
    assert lo > 0.0 and hi > lo  # G starts near 0, so each run starts from (nearly) disjoint supports


def test_view_grid_covers_data_and_start_and_p_data_integrates_to_one():
    view = TR.make_view(TR.DATA_PRESETS["gaussian"], "uniform")
    assert view.x[0] < -0.5 and view.x[-1] > 2 + 3.5 * 0.5
    assert np.trapezoid(view.p_data, view.x) == pytest.approx(1.0, abs=1e-3)


class Shift(torch.nn.Module):
    """A stand-in G: x = z·scale + shift."""

    def __init__(self, shift: float, scale: float = 1.0) -> None:
        super().__init__()
        self.shift, self.scale = shift, scale

    def forward(self, z):
        return z * self.scale + self.shift


class Constant(torch.nn.Module):
    """A stand-in D with a fixed logit."""

    def __init__(self, logit: float = 0.0) -> None:
        super().__init__()
        self.logit = logit

    def score_points(self, x):
        return torch.full_like(x, self.logit)

    forward = score_points


def test_generator_on_p_data_with_d_at_half_reaches_minus_log_4():
    data = Mixture1D((1.0,), (2.0,), (0.5,))
    view = TR.make_view(data, "normal", n=4000)
    frame = TR.compute_frame(Shift(2.0, 0.5), Constant(0.0), view)  # G(z) = 2 + 0.5 z with normal z: p_g = p_data
    assert frame.jsd == pytest.approx(0.0, abs=0.01)
    assert frame.value == pytest.approx(-math.log(4), abs=1e-6)  # D ≡ ½ gives −log 4 for any G
    assert frame.c_g == pytest.approx(-math.log(4) + 2 * frame.jsd, abs=1e-6)
    assert frame.d_mean_dev == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(frame.d_star[view.p_data > 0.1], 0.5, atol=0.1)


def test_generator_far_from_p_data_has_jsd_ln_2_and_c_of_g_zero():
    view = TR.make_view(TR.DATA_PRESETS["gaussian"], "uniform")
    frame = TR.compute_frame(Shift(-20.0, 0.1), Constant(0.0), view)  # off the canvas: the metric grid follows G
    assert frame.jsd == pytest.approx(math.log(2), abs=1e-3)
    assert frame.c_g == pytest.approx(0.0, abs=2e-3)
    assert frame.w1 == pytest.approx(22.0, abs=0.1)


def test_learned_value_never_exceeds_the_value_at_the_optimum():
    view = TR.make_view(TR.DATA_PRESETS["mixture"], "uniform")
    for logit in (-2.0, 0.0, 1.5):
        frame = TR.compute_frame(Shift(2.0, 1.0), Constant(logit), view)
        assert frame.value <= frame.c_g + 1e-9


def test_panels_show_d_moving_toward_d_star_and_a_trained_run_near_equilibrium():
    data = TR.DATA_PRESETS["gaussian"]
    trainer = Trainer(data, TR.THEORY_MODEL, TR.THEORY_TRAIN, "cpu")
    view = TR.make_view(data, "uniform", n=1000)
    trainer.step(400)
    panels = TR.figure_one_panels(trainer, view, data, d_steps=200)
    assert [p.letter for p in panels] == ["a", "b", "c", "d"]
    a, b, c, d = (p.frame for p in panels)
    gap = lambda f: np.trapezoid(np.abs(f.d - f.d_star) * (view.p_data + f.p_g), view.x)
    assert gap(b) < gap(a)  # the inner loop brings D closer to D*
    assert a.step == b.step == c.step < d.step == 400
    assert d.jsd < 0.2 and d.d_mean_dev < 0.1


def test_race_pair_starts_equal_and_only_the_non_saturating_generator_moves():
    data = TR.DATA_PRESETS["gaussian"]
    view = TR.make_view(data, "uniform", n=1000)
    pair = TR.TrainerPair(data, TR.THEORY_MODEL, TR.RACE_TRAIN, view, record_every=50, max_steps=150)
    assert pair.d_fake_start < 1e-3  # the pre-trained D rejects G's first samples confidently
    assert pair.step(1000) == 150 and pair.finished and pair.step(10, seconds=0.0) == 0
    steps, w1 = pair.w1_history()
    assert steps == [0, 50, 100, 150]
    assert w1["minimax"][0] == w1["nonsat"][0]
    assert w1["minimax"][-1] == pytest.approx(w1["minimax"][0], rel=0.02)  # stalled
    assert w1["nonsat"][-1] < 0.8 * w1["nonsat"][0]  # learning


def test_run_series_caches_one_frame_per_snapshot():
    data = TR.DATA_PRESETS["uniform"]
    trainer = Trainer(data, TR.THEORY_MODEL, TR.THEORY_TRAIN, "cpu")
    view, cache = TR.make_view(data, "uniform", n=500), {}
    trainer.step(50)
    series = TR.run_series(trainer, view, cache)
    assert list(series.step) == [0, 25, 50] and sorted(cache) == [0, 25, 50]
    assert series.c_g == pytest.approx(-math.log(4) + 2 * series.jsd, abs=1e-6)


def test_figures_build_with_fixed_axes():
    view = TR.make_view(TR.DATA_PRESETS["gaussian"], "normal", n=500)
    frame = TR.compute_frame(Shift(0.0, 0.1), Constant(0.0), view)
    fig = TF.figure_one(view, frame, "t")
    assert fig.layout.yaxis2.range == (0, 1.02) and fig.layout.yaxis.range[1] == pytest.approx(TF.density_top(view))
    assert len(TF.z_positions(view)) == len(frame.arrows)
    TF.objectives_figure({"minimax": 0.01, "nonsat": 0.02})
    TF.race_figure([0, 25], {"minimax": [2.0, 2.0], "nonsat": [2.0, 1.0]})


def test_pretraining_changes_only_d_and_the_panel_runs_leave_the_live_run_alone():
    data = TR.DATA_PRESETS["gaussian"]
    trainer = Trainer(data, TR.THEORY_MODEL, TR.RACE_TRAIN, "cpu")
    G0 = [p.detach().clone() for p in trainer.G.parameters()]
    D0 = [p.detach().clone() for p in trainer.D.parameters()]
    TR.pretrain_discriminator(trainer, 20)
    assert all(torch.equal(a, b) for a, b in zip(trainer.G.parameters(), G0))
    assert not all(torch.equal(a, b) for a, b in zip(trainer.D.parameters(), D0))
    assert not trainer.opt_d.state and not trainer.opt_g.state  # D trained with an optimizer of its own
    D1 = [p.detach().clone() for p in trainer.D.parameters()]
    D_b = TR.train_d_only(trainer, trainer.G, trainer.D, 5)
    G_c = TR.train_g_only(trainer, trainer.G, D_b, 5)
    assert not all(torch.equal(a, b) for a, b in zip(D_b.parameters(), D1))
    assert not all(torch.equal(a, b) for a, b in zip(G_c.parameters(), G0))
    for live, before in ((trainer.G, G0), (trainer.D, D1)):  # copies were trained, not the run's networks
        assert all(torch.equal(a, b) for a, b in zip(live.parameters(), before))


def _frame_with(jsd: float, d_mean_dev: float, step: int = 1234) -> TR.Frame1D:
    empty = np.zeros(1)
    return TR.Frame1D(step, empty, empty, empty, empty, empty, jsd, 0.0, 0.0, 0.0, d_mean_dev)


def test_panel_d_caption_claims_the_optimum_only_when_the_picture_shows_it():
    settled = TR.latest_caption(_frame_with(jsd=0.004, d_mean_dev=0.01))
    assert "p_g ≈ p_data" in settled and "0.004 nats" in settled and "step 1,234" in settled.lower()
    spiky = TR.latest_caption(_frame_with(jsd=0.167, d_mean_dev=0.01))  # the picture: JSD 0.167
    assert "not at the optimum yet" in spiky and "0.167 nats" in spiky and "p_g ≈ p_data" not in spiky
    far_d = TR.latest_caption(_frame_with(jsd=0.01, d_mean_dev=0.2))  # p_g close, but D not flat at ½
    assert "not at the optimum yet" in far_d and "0.200 from ½" in far_d


def test_jsd_axis_ticks_are_round_numbers_and_ln_2():
    fig = TF.theory_curves(TR.Series(*(np.array([0.0, 1.0]),) * 5))
    axis = fig.layout.yaxis2
    assert list(axis.tickvals) == pytest.approx([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, math.log(2)])
    assert list(axis.ticktext) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "ln 2"]
