import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from torch import nn

from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.views import figures as F


class LinearD(nn.Module):
    """D(x) = σ(w·x): ∇ₓD = σ'(w·x)·w points along w everywhere."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.tensor(w)

    def forward(self, x):
        return (x @ self.w).unsqueeze(1)

    score_points = forward  # one point, one verdict (no packing)


@pytest.fixture(scope="module")
def setup():
    data, cfg = make_dataset("ring8"), ModelConfig(hidden=16)
    trainer = Trainer(data, cfg, TrainConfig(batch_size=64), device="cpu")
    trainer.step(5)
    view = F.make_view(data, cfg, resolution=20, n_points=100, n_arrows=10)
    return trainer, view, F.frame_at(trainer, view)


def test_view_is_fixed_per_seed_and_square(setup):
    trainer, view, _ = setup
    again = F.make_view(trainer.data, trainer.model_cfg, resolution=20, n_points=100, n_arrows=10)
    torch.testing.assert_close(view.z, again.z)
    torch.testing.assert_close(view.real, again.real)
    width, height = np.diff(view.x_range)[0], np.diff(view.y_range)[0]
    assert width == pytest.approx(height)
    assert view.grid.shape == (400, 2)


def test_frame_shapes(setup):
    _, view, frame = setup
    assert frame.d_grid.shape == (20, 20)
    assert frame.fake.shape == (100, 2) and frame.grad.shape == (10, 2)
    assert frame.manifold.shape == (22, 40, 2)
    assert frame.d_grid.min() >= 0 and frame.d_grid.max() <= 1


def test_decision_surface_has_fixed_colour_scale_half_contour_and_points(setup):
    _, view, frame = setup
    fig = F.decision_surface(view, frame.d_grid, frame.fake, frame.grad)
    assert isinstance(fig, go.Figure)
    types = [t.type for t in fig.data]
    assert types == ["heatmap", "contour", "scatter", "scatter", "scatter"]
    heat, contour = fig.data[0], fig.data[1]
    assert (heat.zmin, heat.zmax) == (0.0, 1.0)
    assert contour.contours.start == contour.contours.end == 0.5
    assert list(fig.layout.xaxis.range) == list(view.x_range)
    assert list(fig.layout.yaxis.range) == list(view.y_range)
    assert [t.name for t in fig.data[2:4]] == ["real x", "fake G(z)"]


def test_arrows_point_along_the_gradient_of_a_linear_discriminator():
    points = np.array([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]])
    w = [3.0, 4.0]
    x = torch.tensor(points, dtype=torch.float32, requires_grad=True)
    (grad,) = torch.autograd.grad(torch.sigmoid(LinearD(w)(x)).sum(), x)
    trace = F.gradient_arrows(points, grad.numpy(), length=0.5)
    xs, ys = np.asarray(trace["x"]).reshape(-1, 3), np.asarray(trace["y"]).reshape(-1, 3)
    vectors = np.stack([xs[:, 1] - xs[:, 0], ys[:, 1] - ys[:, 0]], axis=1)
    directions = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    np.testing.assert_allclose(directions, np.tile([0.6, 0.8], (3, 1)), atol=1e-5)
    assert np.linalg.norm(vectors, axis=1).max() == pytest.approx(0.5)
    assert np.isnan(xs[:, 2]).all()  # segments are separated


def test_compute_frame_gradients_follow_a_hand_checkable_discriminator():
    data, cfg = make_dataset("ring8"), ModelConfig()
    view = F.make_view(data, cfg, resolution=10, n_points=20, n_arrows=5)
    G = nn.Identity() if cfg.latent_dim == 2 else None
    frame = F.compute_frame(G, LinearD([1.0, 0.0]), view)
    assert (frame.grad[:, 0] > 0).all()
    np.testing.assert_allclose(frame.grad[:, 1], 0.0, atol=1e-7)
    expected = torch.sigmoid(view.grid[:, 0]).reshape(10, 10).numpy()
    np.testing.assert_allclose(frame.d_grid, expected, atol=1e-3)


def test_generator_manifold_draws_two_families_of_grid_lines(setup):
    _, view, frame = setup
    fig = F.generator_manifold(view, frame.manifold, latent_dim=2)
    assert len(fig.data) == 3
    assert np.isnan(np.asarray(fig.data[1].x, dtype=float)).sum() == 11  # one gap after each line


def test_manifold_title_says_when_it_is_a_slice(setup):
    _, view, frame = setup
    assert F.manifold_title(2) == "Generator: latent grid warped by G"
    assert F.manifold_title(3) == "Generator: slice z₁, z₂ (others 0) through G"
    assert F.generator_manifold(view, frame.manifold, latent_dim=5).layout.title.text == F.manifold_title(5)


def test_latent_lines_slice_higher_dims_through_zero():
    lines = F.latent_lines(5, n_lines=3, points=4)
    assert lines.shape == (6, 4, 5)
    assert lines[:, :, 2:].abs().max() == 0


def test_curves_draw_their_reference_as_a_dashed_legend_entry_below_the_axis_title(setup):
    trainer, _, _ = setup
    history = trainer.history.copy()
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


def test_score_range_is_the_grid_s_own_range_and_never_empty():
    assert F.score_range(np.array([[-6.5, -2.0], [-3.0, -4.0]])) == (-6.5, -2.0)
    assert F.score_range(np.full((2, 2), 3.0)) == pytest.approx((2.9995, 3.0005))


def test_compute_frame_of_a_critic_keeps_raw_scores_and_their_gradient():
    data, cfg = make_dataset("ring8"), ModelConfig()
    view = F.make_view(data, cfg, resolution=10, n_points=20, n_arrows=5)
    frame = F.compute_frame(nn.Identity(), LinearD([2.0, 0.0]), view, critic=True)  # score(x) = 2·x₁
    assert frame.critic
    np.testing.assert_allclose(frame.d_grid, 2 * view.grid[:, 0].reshape(10, 10).numpy(), atol=1e-3)
    np.testing.assert_allclose(frame.grad, np.tile([2.0, 0.0], (5, 1)), atol=1e-6)  # ∇ₓ score, not of σ(score)
    assert frame.d_real == pytest.approx(2 * float(view.real[:, 0].mean()), abs=1e-5)


def test_a_critic_surface_has_a_score_scale_and_no_half_contour(setup):
    _, view, frame = setup
    scores = frame.d_grid * 10 - 7  # any range: [-7, 3]
    fig = F.decision_surface(view, scores, frame.fake, critic=True)
    assert [t.type for t in fig.data] == ["heatmap", "scatter", "scatter"]  # no contour
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax) == pytest.approx((scores.min(), scores.max()))
    assert heat.colorbar.title.text == "critic<br>score" and "critic score" in heat.hovertemplate


def test_curves_are_thinned_for_long_histories():
    n = 5000
    history = {name: list(range(n)) for name in ("step", "d_loss", "g_loss")}
    fig = F.loss_curves(history)
    assert len(fig.data[0].x) <= F.MAX_CURVE_POINTS


def test_optimal_discriminator_is_half_where_fakes_match_the_data(setup):
    trainer, view, _ = setup
    fake = trainer.data.sample(4000, torch.Generator().manual_seed(1)).numpy()
    dstar = F.optimal_d_grid(view, fake, make_dataset("moons"))  # a Curve: p_data is a KDE of the view's points
    assert dstar.shape == (20, 20)
    assert dstar.min() >= 0 and dstar.max() <= 1
