"""Hand-derived gradients of each loss in ``playground.gan.losses`` w.r.t. D's logits, for the hand-written engines.

Each returns ∂loss/∂a for the logits the loss was given (D: real and fake stacked, as [a_real; a_fake]); the batch
is along dim 0. tests/engines/test_loss_grads.py checks every one against autograd. The in-place ones take their
constants as 0-dim tensors: an in-place op converts a Python number into a tensor on every call (~2.7 µs on a CPU,
for a ~2 µs op). A loss with a gradient penalty (wgan-gp) has no entry: its D update needs autograd.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import torch


@functools.lru_cache(maxsize=64)
def _scalar(value: float) -> torch.Tensor:
    with torch.inference_mode(False):  # usable inside and outside inference mode, on any device (a CPU scalar)
        return torch.tensor(value)


def bce_d_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a_real softplus(−a)/n = (σ(a) − 1)/n;  ∂/∂a_fake softplus(a)/n = σ(a)/n (in place: 4 calls, not 6)."""
    n = a.shape[0] // 2  # (len(tensor) is a Python call: ~1 µs)
    grad = torch.sigmoid(a)
    grad[:n].sub_(_scalar(1.0))
    return grad.mul_(_scalar(1 / n))


def minimax_g_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a −softplus(a)/n = −σ(a)/n: vanishes while D rejects the fakes."""
    return torch.sigmoid(a).mul_(_scalar(-1 / a.shape[0]))


def nonsat_g_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a softplus(−a)/n = (σ(a) − 1)/n: strong while D rejects the fakes."""
    return torch.sigmoid(a).sub_(_scalar(1.0)).mul_(_scalar(1 / a.shape[0]))


def wasserstein_g_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a −mean(a) = −1/n."""
    return torch.full_like(a, -1.0 / len(a))


def lsgan_d_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a_real ½(a − 1)²/n = (a − 1)/n;  ∂/∂a_fake ½a²/n = a/n."""
    real, fake = a.chunk(2)
    return torch.cat([real - 1, fake]) / len(real)


def lsgan_g_grad(a: torch.Tensor) -> torch.Tensor:
    """∂/∂a ½(a − 1)²/n = (a − 1)/n."""
    return (a - 1) / len(a)


def hinge_d_grad(a: torch.Tensor) -> torch.Tensor:
    """−[a_real < 1]/n and [a_fake > −1]/n; ReLU'(0) = 0, as autograd takes it."""
    real, fake = a.chunk(2)
    return torch.cat([-(real < 1).to(a.dtype), (fake > -1).to(a.dtype)]) / len(real)


class LossGrads(NamedTuple):
    d: Callable[[torch.Tensor], torch.Tensor]  # ∂d_loss/∂[a_real; a_fake]
    g: Callable[[torch.Tensor], torch.Tensor]  # ∂g_loss/∂a_fake


LOSS_GRADS: dict[str, LossGrads] = {  # keys of playground.gan.losses.LOSSES
    "nonsat": LossGrads(bce_d_grad, nonsat_g_grad),
    "minimax": LossGrads(bce_d_grad, minimax_g_grad),
    "lsgan": LossGrads(lsgan_d_grad, lsgan_g_grad),
    "hinge": LossGrads(hinge_d_grad, wasserstein_g_grad),
}
