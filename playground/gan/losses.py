"""GAN objectives as small pure functions of discriminator logits (real first, then fake).

D(x) = σ(a) where a is the logit, so log D = −softplus(−a) and log(1 − D) = −softplus(a):
writing the losses with softplus keeps them finite when D saturates at 0 or 1.
Every function returns a scalar to *minimise*.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F


def value_function(d_real_logits: torch.Tensor, d_fake_logits: torch.Tensor) -> torch.Tensor:
    """V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))] (Goodfellow et al. 2014, eq. 1).

    −log 4 ≈ −1.386 at the global optimum, where D ≡ ½.
    """
    return F.logsigmoid(d_real_logits).mean() + F.logsigmoid(-d_fake_logits).mean()


def bce_d_loss(d_real_logits: torch.Tensor, d_fake_logits: torch.Tensor) -> torch.Tensor:
    """D ascends V: loss = −V = E[softplus(−a_real)] + E[softplus(a_fake)]."""
    return F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()


def minimax_g_loss(d_fake_logits: torch.Tensor) -> torch.Tensor:
    """Saturating G loss exactly as in the paper: minimise E_z[log(1 − D(G(z)))] = −E[softplus(a_fake)].

    Its gradient w.r.t. the logit is −D(G(z)): it vanishes while D confidently rejects fakes.
    """
    return -F.softplus(d_fake_logits).mean()


def nonsat_g_loss(d_fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating G loss: minimise −E_z[log D(G(z))] = E[softplus(−a_fake)].

    Same fixed point as the minimax loss; its logit gradient −(1 − D(G(z))) is strong early on.
    """
    return F.softplus(-d_fake_logits).mean()


def wasserstein_d_loss(d_real_logits: torch.Tensor, d_fake_logits: torch.Tensor) -> torch.Tensor:
    """WGAN critic: minimise E[D(G(z))] − E[D(x)] (add λ·gradient_penalty for WGAN-GP)."""
    return d_fake_logits.mean() - d_real_logits.mean()


def wasserstein_g_loss(d_fake_logits: torch.Tensor) -> torch.Tensor:
    """WGAN generator: minimise −E[D(G(z))]."""
    return -d_fake_logits.mean()


def lsgan_d_loss(d_real_logits: torch.Tensor, d_fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN (Mao et al. 2017, a=0, b=c=1): ½E[(D(x) − 1)²] + ½E[D(G(z))²] on raw outputs."""
    return 0.5 * ((d_real_logits - 1) ** 2).mean() + 0.5 * (d_fake_logits**2).mean()


def lsgan_g_loss(d_fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN generator: ½E[(D(G(z)) − 1)²]."""
    return 0.5 * ((d_fake_logits - 1) ** 2).mean()


def hinge_d_loss(d_real_logits: torch.Tensor, d_fake_logits: torch.Tensor) -> torch.Tensor:
    """Hinge (Lim & Ye 2017; SAGAN): E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1 - d_real_logits).mean() + F.relu(1 + d_fake_logits).mean()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    gen: torch.Generator,
) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E_x̂[(‖∇_x̂ D(x̂)‖₂ − 1)²], x̂ uniform on segments real–fake."""
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), generator=gen, device=real.device)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


# ---- hand-derived gradients w.r.t. the logits, for the trainer's fast path (playground.engines.mlp) ----
# Each returns ∂loss/∂a for the logits the loss was given (D: real and fake stacked, as [a_real; a_fake]).
# tests/test_losses.py checks every one against autograd. The in-place ones take their constants as 0-dim tensors: an
# in-place op converts a Python number into a tensor on every call (~2.7 µs on a CPU, for a ~2 µs op).
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
    return torch.sigmoid(a).mul_(_scalar(-1 / a.shape[0]))


def nonsat_g_grad(a: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(a).sub_(_scalar(1.0)).mul_(_scalar(1 / a.shape[0]))


def wasserstein_d_grad(a: torch.Tensor) -> torch.Tensor:
    real, fake = a.chunk(2)
    return torch.cat([torch.full_like(real, -1.0), torch.ones_like(fake)]) / len(real)


def wasserstein_g_grad(a: torch.Tensor) -> torch.Tensor:
    return torch.full_like(a, -1.0 / len(a))


def lsgan_d_grad(a: torch.Tensor) -> torch.Tensor:
    real, fake = a.chunk(2)
    return torch.cat([real - 1, fake]) / len(real)


def lsgan_g_grad(a: torch.Tensor) -> torch.Tensor:
    return (a - 1) / len(a)


def hinge_d_grad(a: torch.Tensor) -> torch.Tensor:
    """ReLU'(0) = 0, as autograd takes it."""
    real, fake = a.chunk(2)
    return torch.cat([-(real < 1).to(a.dtype), (fake > -1).to(a.dtype)]) / len(real)


class GanLoss(NamedTuple):
    d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g: Callable[[torch.Tensor], torch.Tensor]
    d_grad: Callable[[torch.Tensor], torch.Tensor]  # ∂d/∂[a_real; a_fake]
    g_grad: Callable[[torch.Tensor], torch.Tensor]  # ∂g/∂a_fake
    penalty: bool = False  # True: the trainer adds λ·gradient_penalty to the D loss


LOSSES: dict[str, GanLoss] = {
    "nonsat": GanLoss(bce_d_loss, nonsat_g_loss, bce_d_grad, nonsat_g_grad),
    "minimax": GanLoss(bce_d_loss, minimax_g_loss, bce_d_grad, minimax_g_grad),
    "wgan-gp": GanLoss(wasserstein_d_loss, wasserstein_g_loss, wasserstein_d_grad, wasserstein_g_grad, penalty=True),
    "lsgan": GanLoss(lsgan_d_loss, lsgan_g_loss, lsgan_d_grad, lsgan_g_grad),
    "hinge": GanLoss(hinge_d_loss, wasserstein_g_loss, hinge_d_grad, wasserstein_g_grad),
}
