"""GAN objectives as small pure functions of discriminator logits (real first, then fake).

D(x) = σ(a) where a is the logit, so log D = −softplus(−a) and log(1 − D) = −softplus(a):
writing the losses with softplus keeps them finite when D saturates at 0 or 1.
Every function returns a scalar to *minimise*.
"""

from __future__ import annotations

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


class GanLoss(NamedTuple):
    d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g: Callable[[torch.Tensor], torch.Tensor]
    penalty: bool = False  # True: the trainer adds λ·gradient_penalty to the D loss


LOSSES: dict[str, GanLoss] = {
    "nonsat": GanLoss(bce_d_loss, nonsat_g_loss),
    "minimax": GanLoss(bce_d_loss, minimax_g_loss),
    "wgan-gp": GanLoss(wasserstein_d_loss, wasserstein_g_loss, penalty=True),
    "lsgan": GanLoss(lsgan_d_loss, lsgan_g_loss),
    "hinge": GanLoss(hinge_d_loss, wasserstein_g_loss),
}
