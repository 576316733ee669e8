import math

import pytest
import torch

from playground.gan.losses import (
    LOSSES,
    bce_d_loss,
    gradient_penalty,
    hinge_d_loss,
    lsgan_d_loss,
    lsgan_g_loss,
    minimax_g_loss,
    nonsat_g_loss,
    value_function,
    wasserstein_d_loss,
    wasserstein_g_loss,
)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_value_is_minus_log4_when_discriminator_is_half_everywhere():
    zeros = torch.zeros(7, 1)  # logit 0 ⇔ D = ½
    assert float(value_function(zeros, zeros)) == pytest.approx(-math.log(4))


def test_value_matches_hand_calculation():
    real = torch.tensor([[logit(0.8)], [logit(0.6)]])
    fake = torch.tensor([[logit(0.3)]])
    expected = 0.5 * (math.log(0.8) + math.log(0.6)) + math.log(1 - 0.3)
    assert float(value_function(real, fake)) == pytest.approx(expected, rel=1e-6)


def test_bce_discriminator_loss_is_minus_value():
    real, fake = torch.randn(9, 1), torch.randn(9, 1)
    assert float(bce_d_loss(real, fake)) == pytest.approx(-float(value_function(real, fake)), rel=1e-6)


def test_generator_losses_match_their_formulas():
    fake = torch.tensor([[logit(0.2)], [logit(0.7)]])
    assert float(minimax_g_loss(fake)) == pytest.approx(0.5 * (math.log(0.8) + math.log(0.3)), rel=1e-6)
    assert float(nonsat_g_loss(fake)) == pytest.approx(-0.5 * (math.log(0.2) + math.log(0.7)), rel=1e-6)


def test_saturating_gradient_vanishes_when_discriminator_rejects_fakes():
    # D(G(z)) ≈ 0.001: the paper's "log(1 − D(G(z))) saturates" regime
    for loss, expected in ((minimax_g_loss, -0.001), (nonsat_g_loss, -0.999)):
        a = torch.tensor([[logit(0.001)]], requires_grad=True)
        loss(a).backward()
        assert float(a.grad) == pytest.approx(expected, rel=1e-4)
    sat, nonsat = torch.tensor([[logit(0.001)]], requires_grad=True), torch.tensor([[logit(0.001)]], requires_grad=True)
    minimax_g_loss(sat).backward()
    nonsat_g_loss(nonsat).backward()
    assert abs(float(sat.grad)) < abs(float(nonsat.grad)) / 100


def test_losses_stay_finite_for_extreme_logits():
    extreme = torch.tensor([[-1e4], [1e4]])
    for spec in LOSSES.values():
        assert torch.isfinite(spec.d(extreme, extreme))
        assert torch.isfinite(spec.g(extreme))
    assert torch.isfinite(value_function(extreme, extreme))


def test_wasserstein_lsgan_and_hinge_match_hand_calculations():
    real, fake = torch.tensor([[2.0], [0.0]]), torch.tensor([[-1.0], [0.5]])
    assert float(wasserstein_d_loss(real, fake)) == pytest.approx(-0.25 - 1.0)
    assert float(wasserstein_g_loss(fake)) == pytest.approx(0.25)
    assert float(lsgan_d_loss(real, fake)) == pytest.approx(0.5 * (1 + 1) / 2 + 0.5 * (1 + 0.25) / 2)
    assert float(lsgan_g_loss(fake)) == pytest.approx(0.5 * (4 + 0.25) / 2)
    assert float(hinge_d_loss(real, fake)) == pytest.approx((0 + 1) / 2 + (0 + 1.5) / 2)


def test_gradient_penalty_is_zero_for_unit_slope_critic_and_known_for_steeper():
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    gen = torch.Generator().manual_seed(0)
    unit = lambda x: x @ torch.tensor([[0.6], [0.8]])  # ‖∇‖ = 1 everywhere
    steep = lambda x: 3 * x[:, :1]  # ‖∇‖ = 3 ⇒ penalty (3 − 1)² = 4
    assert float(gradient_penalty(unit, real, fake, gen)) == pytest.approx(0.0, abs=1e-10)
    assert float(gradient_penalty(steep, real, fake, gen)) == pytest.approx(4.0)


def test_loss_table_names_match_the_cli():
    assert set(LOSSES) == {"nonsat", "minimax", "wgan-gp", "lsgan", "hinge"}
    assert [k for k, v in LOSSES.items() if v.penalty] == ["wgan-gp"]
