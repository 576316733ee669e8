"""Metrics for 2-D (and 1-D) GANs: mode coverage, histogram divergences, Wasserstein, D*.

All inputs are tensors of samples [N, dim]; results are plain Python numbers so they serialise.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.stats import wasserstein_distance

from playground.gan.data import Mixture
from playground.gan.losses import value_function


def mode_metrics(samples: torch.Tensor, mixture: Mixture, hq_sigmas: float = 3.0) -> dict:
    """The VEEGAN/PacGAN protocol (Srivastava et al. 2017; Lin et al. 2018).

    A sample is *high quality* if ‖x − μ_nearest‖ / σ < 3; a mode is *captured* if at least one
    high-quality sample has it as its nearest mode. Reverse KL = KL(q ‖ uniform) = Σ q log(q·M),
    q the nearest-mode histogram of all samples. ``mode_share`` is each mode's fraction of the
    samples that are high quality and nearest to it (so a UI can count modes holding ≥ 1 %).
    """
    means = mixture.means_tensor(samples.device)
    dist = torch.cdist(samples.float(), means)  # [N, M]
    nearest_dist, nearest = dist.min(dim=1)
    hq = nearest_dist / mixture.sigma < hq_sigmas
    n_modes = len(means)
    hq_counts = torch.bincount(nearest[hq], minlength=n_modes)
    q = torch.bincount(nearest, minlength=n_modes).double() / len(samples)
    nz = q > 0
    reverse_kl = float((q[nz] * torch.log(q[nz] * n_modes)).sum())
    share = (hq_counts.double() / len(samples)).tolist()
    return {
        "modes_captured": int((hq_counts > 0).sum()),
        "modes_total": n_modes,
        "modes_over_1pct": int(sum(s >= 0.01 for s in share)),
        "high_quality": float(hq.double().mean()),
        "reverse_kl": reverse_kl,
        "mode_share": share,
    }


def histogram_divergences(p_samples: torch.Tensor, q_samples: torch.Tensor, bins: int = 50) -> dict:
    """KL(p‖q) and JS(p, q) between 2-D histograms on a shared grid, both normalised to sum 1.

    KL = Σ p log(p/q) with q floored at 1e-10 (it is infinite where p has mass and q none);
    JS = ½KL(p‖m) + ½KL(q‖m), m = ½(p + q), bounded by ln 2.
    """
    p_np, q_np = p_samples.detach().cpu().double().numpy(), q_samples.detach().cpu().double().numpy()
    both = np.concatenate([p_np, q_np])
    edges = [np.linspace(both[:, i].min(), both[:, i].max() + 1e-9, bins + 1) for i in range(2)]
    p = np.histogram2d(p_np[:, 0], p_np[:, 1], bins=edges)[0].ravel()
    q = np.histogram2d(q_np[:, 0], q_np[:, 1], bins=edges)[0].ravel()
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)
    return {"kl": _kl(p, np.maximum(q, 1e-10)), "js": 0.5 * _kl(p, m) + 0.5 * _kl(q, m)}


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, n_projections: int = 256, seed: int = 0) -> float:
    """Sliced W1: mean over random unit directions θ of W1(θ·a, θ·b) (1-D W1 by sorting/quantiles).

    For b = a + c it equals E_θ|θ·c|, which is 2‖c‖/π for uniform directions in 2-D.
    """
    gen = torch.Generator().manual_seed(seed)
    theta = torch.randn(a.shape[1], n_projections, generator=gen, dtype=torch.float64)
    theta = theta / theta.norm(dim=0, keepdim=True)  # [dim, P]
    pa = (a.detach().cpu().double() @ theta).sort(dim=0).values  # [Na, P]
    pb = (b.detach().cpu().double() @ theta).sort(dim=0).values
    if len(pa) != len(pb):  # compare on a common set of quantile levels
        levels = torch.linspace(0, 1, max(len(pa), len(pb)), dtype=torch.float64)
        pa, pb = torch.quantile(pa, levels, dim=0), torch.quantile(pb, levels, dim=0)
    return float((pa - pb).abs().mean())


def axis_wasserstein(a: torch.Tensor, b: torch.Tensor) -> list[float]:
    """1-D W1 between the marginals of a and b along each axis."""
    a_np, b_np = a.detach().cpu().double().numpy(), b.detach().cpu().double().numpy()
    return [float(wasserstein_distance(a_np[:, i], b_np[:, i])) for i in range(a_np.shape[1])]


def kde_density(samples: torch.Tensor, points: torch.Tensor, bandwidth: float | None = None) -> torch.Tensor:
    """Gaussian KDE of ``samples`` [N, d] evaluated at ``points`` [P, d].

    Default bandwidth: Scott's rule h = σ̂·N^(−1/(d+4)), σ̂ the mean per-axis std.
    """
    samples, points = samples.double(), points.double()
    n, dim = samples.shape
    if bandwidth is None:
        spread = float(samples.std(dim=0).mean()) if n > 1 else 1.0
        bandwidth = max(spread, 1e-3) * n ** (-1 / (dim + 4))
    sq = torch.cdist(points, samples).pow(2)  # [P, N]
    norm = n * (2 * math.pi * bandwidth**2) ** (dim / 2)
    return torch.exp(-sq / (2 * bandwidth**2)).sum(dim=1) / norm


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1); ½ where both are 0."""
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(1e-300), torch.full_like(total, 0.5))


@torch.no_grad()
def evaluate(trainer, n: int = 2500, seed: int = 4321) -> dict:
    """Final metrics of a 2-D (or 1-D) run on fresh samples: V(D,G), Wasserstein, divergences, modes."""
    gen = torch.Generator(device=trainer.device).manual_seed(seed)
    real = trainer.data.sample(n, gen, trainer.device)
    fake = trainer.sample(n, seed=seed + 1)
    d_real, d_fake = trainer.D(real), trainer.D(fake)
    out = {
        "step": trainer.step_count,
        "value": float(value_function(d_real, d_fake)),
        "mean_d_real": float(torch.sigmoid(d_real).mean()),
        "mean_d_fake": float(torch.sigmoid(d_fake).mean()),
        "sliced_w1": sliced_wasserstein(real, fake),
        "axis_w1": axis_wasserstein(real, fake),
    }
    if real.shape[1] == 2:
        out.update(histogram_divergences(real, fake))
    if isinstance(trainer.data, Mixture):
        out.update(mode_metrics(fake, trainer.data))
    return out
