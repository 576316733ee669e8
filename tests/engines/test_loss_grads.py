"""The engines' hand-derived ∂loss/∂logits against autograd on the losses themselves."""

import math

import pytest
import torch

from playground.engines.loss_grads import LOSS_GRADS
from playground.gan.losses import LOSSES


def test_every_loss_without_a_penalty_has_hand_written_gradients():
    assert set(LOSS_GRADS) == {name for name, loss in LOSSES.items() if not loss.penalty}


@pytest.mark.parametrize("name", list(LOSS_GRADS))
def test_hand_derived_logit_gradients_match_autograd(name):
    """Including both hinge kinks (a_real = 1, a_fake = −1)."""
    loss, grads = LOSSES[name], LOSS_GRADS[name]
    a = torch.tensor([[-3.0], [-1.0], [0.0], [0.5], [1.0], [2.5], [-0.2], [-1.0], [0.7], [4.0]])  # real 5, fake 5
    leaf = a.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(loss.d(*leaf.chunk(2)), leaf)
    torch.testing.assert_close(grads.d(a.clone()), expected)
    leaf = a.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(loss.g(leaf), leaf)
    torch.testing.assert_close(grads.g(a.clone()), expected)


def test_nonsaturating_gradient_by_hand():
    """−∂/∂a softplus(−a)/n at D = σ(a) = 0.001 is (1 − 0.001)/n: the strong early push on G."""
    a = torch.full((4, 1), math.log(0.001 / 0.999))
    assert LOSS_GRADS["nonsat"].g(a)[0, 0].item() == pytest.approx(-(1 - 0.001) / 4, rel=1e-5)
    assert LOSS_GRADS["minimax"].g(a)[0, 0].item() == pytest.approx(-0.001 / 4, rel=1e-4)  # the saturating one
