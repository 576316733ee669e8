"""The 1-D theory page's frames (experiments.theory.frames): the fixed canvas, and the theory's numbers of G and D
on it against known values (−log 4 at p_g = p_data, ln 2 for disjoint supports, V ≤ C(G))."""

import math

import numpy as np
import pytest
import torch

from playground.experiments.theory import figures as TF
from playground.experiments.theory import frames as FR
from playground.experiments.theory import runs as TR
from playground.gan.data import Mixture1D
from playground.gan.trainer import Trainer


def test_view_grid_covers_data_and_start_and_p_data_integrates_to_one():
    view = FR.make_view(TR.DATA_PRESETS["gaussian"], "uniform")
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
    view = FR.make_view(data, "normal", n=4000)
    frame = FR.compute_frame(Shift(2.0, 0.5), Constant(0.0), view)  # G(z) = 2 + 0.5 z with normal z: p_g = p_data
    assert frame.jsd == pytest.approx(0.0, abs=0.01)
    assert frame.value == pytest.approx(-math.log(4), abs=1e-6)  # D ≡ ½ gives −log 4 for any G
    assert frame.c_g == pytest.approx(-math.log(4) + 2 * frame.jsd, abs=1e-6)
    assert frame.d_mean_dev == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(frame.d_star[view.p_data > 0.1], 0.5, atol=0.1)


def test_generator_far_from_p_data_has_jsd_ln_2_and_c_of_g_zero():
    view = FR.make_view(TR.DATA_PRESETS["gaussian"], "uniform")
    frame = FR.compute_frame(Shift(-20.0, 0.1), Constant(0.0), view)  # off the canvas: the metric grid follows G
    assert frame.jsd == pytest.approx(math.log(2), abs=1e-3)
    assert frame.c_g == pytest.approx(0.0, abs=2e-3)
    assert frame.w1 == pytest.approx(22.0, abs=0.1)


def test_learned_value_never_exceeds_the_value_at_the_optimum():
    view = FR.make_view(TR.DATA_PRESETS["mixture"], "uniform")
    for logit in (-2.0, 0.0, 1.5):
        frame = FR.compute_frame(Shift(2.0, 1.0), Constant(logit), view)
        assert frame.value <= frame.c_g + 1e-9


def test_run_series_caches_one_frame_per_snapshot():
    data = TR.DATA_PRESETS["uniform"]
    trainer = Trainer(data, TR.THEORY_MODEL, TR.THEORY_TRAIN, "cpu")
    view, cache = FR.make_view(data, "uniform", n=500), {}
    trainer.step(50)
    series = FR.run_series(trainer, view, cache)
    assert list(series.step) == [0, 25, 50] and sorted(cache) == [0, 25, 50]
    assert series.c_g == pytest.approx(-math.log(4) + 2 * series.jsd, abs=1e-6)


def test_figures_build_with_fixed_axes():
    view = FR.make_view(TR.DATA_PRESETS["gaussian"], "normal", n=500)
    frame = FR.compute_frame(Shift(0.0, 0.1), Constant(0.0), view)
    fig = TF.figure_one(view, frame, "t")
    assert fig.layout.yaxis2.range == (0, 1.02) and fig.layout.yaxis.range[1] == pytest.approx(TF.density_top(view))
    assert len(TF.z_positions(view)) == len(frame.arrows)
    TF.objectives_figure({"minimax": 0.01, "nonsat": 0.02})
    TF.race_figure([0, 25], {"minimax": [2.0, 2.0], "nonsat": [2.0, 1.0]})


def test_jsd_axis_ticks_are_round_numbers_and_ln_2():
    fig = TF.theory_curves(FR.Series(*(np.array([0.0, 1.0]),) * 5))
    axis = fig.layout.yaxis2
    assert list(axis.tickvals) == pytest.approx([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, math.log(2)])
    assert list(axis.ticktext) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "ln 2"]
