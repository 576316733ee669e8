"""Curve charts of a run's history, and the charts a page picks for its loss (views.curves)."""

import math

import pytest

from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.views import curves as F


@pytest.fixture(scope="module")
def history():
    trainer = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=64), device="cpu")
    trainer.step(5)
    return trainer.history.copy()


def test_curves_draw_their_reference_as_a_dashed_legend_entry_below_the_axis_title(history):
    d_fig = F.d_output_curves(history)
    assert [t.name for t in d_fig.data] == ["mean D(x)", "mean D(G(z))", "½"]
    half = d_fig.data[2]
    assert list(half.y) == [0.5, 0.5] and half.line.dash == "dash"
    assert list(half.x) == [history["step"][0], history["step"][-1]]  # across the whole curve
    v_fig = F.value_curve(history)
    assert v_fig.data[-1].name == "−log 4 ≈ −1.386" and v_fig.data[-1].y[0] == pytest.approx(-math.log(4))
    assert not v_fig.layout.annotations  # no label on the plot, where the curve runs along the optimum
    assert v_fig.layout.legend.y < 0 and v_fig.layout.legend.yanchor == "top"  # under the plot
    assert [t.name for t in F.loss_curves(history).data] == ["D loss", "G loss"]


def test_only_the_cross_entropy_losses_make_d_a_probability():
    assert not F.is_critic("nonsat") and not F.is_critic("minimax")
    assert F.is_critic("wgan-gp") and F.is_critic("hinge") and F.is_critic("lsgan")


def test_a_critic_gets_its_scores_instead_of_d_outputs_and_no_value_curve():
    specs = (F.LOSSES, F.D_OUTPUTS, F.VALUE)
    assert F.curve_specs("nonsat", specs) == specs
    assert F.curve_specs("wgan-gp", specs) == (F.LOSSES, F.CRITIC_SCORES)
    assert F.CRITIC_SCORES.reference is None and F.CRITIC_SCORES.labels[0] == "mean critic score, real"


def test_curves_are_thinned_for_long_histories():
    n = 5000
    history = {name: list(range(n)) for name in ("step", "d_loss", "g_loss")}
    fig = F.loss_curves(history)
    assert len(fig.data[0].x) <= F.MAX_CURVE_POINTS
