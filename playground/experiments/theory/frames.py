"""What the 1-D theory page draws at one moment of a run: a fixed canvas, and G and D evaluated on it.

Plain torch/numpy on CPU copies of the networks, safe beside a training thread:
- a ``View1D`` (grid, p_data on it, fixed noise, fixed real samples) is made once per run so frames compare;
- ``compute_frame`` evaluates G and D on it and computes the theory's numbers (JSD, C(G), V(D,G), W1);
- ``run_series`` gives those numbers at every stored snapshot, one new frame per refresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm
from torch import nn

from playground.experiments.theory.settling import mean_d_deviation
from playground.gan.data import Mixture1D, Uniform1D
from playground.gan.theory import gaussian_kde_1d, jsd_on_grid, optimal_discriminator, value_at_optimum, wasserstein1_1d
from playground.gan.trainer import Trainer
from playground.views.plane import snapshot_models

LOG4 = math.log(4.0)  # C(G) = −log 4 at p_g = p_data: the game's optimum value
Data1D = Mixture1D | Uniform1D
MAX_METRIC_GRID = 800  # points of the grid behind JSD / C(G) / V: bounds memory when G wanders far off


def data_pdf(data: Data1D, x: np.ndarray) -> np.ndarray:
    """p_data on a numpy grid (exact density)."""
    return data.pdf(torch.as_tensor(x, dtype=torch.float32)).double().numpy()


def data_range(data: Data1D) -> tuple[float, float]:
    """Where p_data lives: ±3.5σ around every component, or the uniform's interval."""
    if isinstance(data, Uniform1D):
        return data.low, data.high
    pairs = list(zip(data.means, data.stds))
    return min(m - 3.5 * s for m, s in pairs), max(m + 3.5 * s for m, s in pairs)


@dataclass(frozen=True)
class View1D:
    """The fixed canvas of one run: the x grid, p_data on it, fixed noise and fixed real samples."""

    x: np.ndarray  # [R] evaluation grid (increasing)
    p_data: np.ndarray  # [R] exact density on the grid
    z: torch.Tensor  # [N, 1] fixed noise: samples → KDE of p_g and W1
    z_arrows: torch.Tensor  # [A, 1] evenly spaced quantiles of the prior: the arrows z → G(z)
    z_range: tuple[float, float]  # where the z line is drawn from/to (the prior's bulk)
    real: np.ndarray  # [N] fixed data samples (for W1)


def make_view(
    data: Data1D, prior: str = "uniform", seed: int = 0, n: int = 1000, n_arrows: int = 25, resolution: int = 300
) -> View1D:
    """Grid over p_data and G's starting point (0), padded; noise drawn from its own seed (training untouched)."""
    lo, hi = data_range(data)
    lo, hi = min(lo, -0.5), max(hi, 0.5)  # G starts near 0: keep it on the canvas
    pad = 0.1 * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, resolution)
    gen = torch.Generator().manual_seed(20_000 + seed)
    if prior == "uniform":
        z = 2 * torch.rand(n, 1, generator=gen) - 1
        z_arrows = torch.linspace(-1, 1, n_arrows).unsqueeze(1)  # [A, 1]
        z_range = (-1.0, 1.0)
    else:
        z = torch.randn(n, 1, generator=gen)
        q = np.linspace(0.5 / n_arrows, 1 - 0.5 / n_arrows, n_arrows)
        z_arrows = torch.tensor(norm.ppf(q), dtype=torch.float32).unsqueeze(1)  # equal-probability quantiles
        z_range = (float(norm.ppf(0.5 / n_arrows)), float(norm.ppf(1 - 0.5 / n_arrows)))
    real = data.sample(n, gen, "cpu").reshape(-1).double().numpy()
    return View1D(x, data_pdf(data, x), z, z_arrows, z_range, real)


@dataclass(frozen=True)
class Frame1D:
    """G and D evaluated on a View1D at one step, with the theory's numbers."""

    step: int
    p_g: np.ndarray  # [R] KDE of G(z) on the view's grid
    d: np.ndarray  # [R] the learned D(x) = σ(logit)
    d_star: np.ndarray  # [R] D*(x) = p_data / (p_data + p_g) for this G
    samples: np.ndarray  # [N] G(z) for the fixed noise
    arrows: np.ndarray  # [A] G(z) for the arrow noise
    jsd: float  # JSD(p_data ‖ p_g), nats, on a grid wide enough for every sample
    c_g: float  # C(G) = max_D V(D, G), from its definition
    value: float  # V(D, G) of the learned D (≤ C(G))
    w1: float  # Wasserstein-1 between fake and real samples
    d_mean_dev: float  # mean |D(x) − ½| under p_data: 0 when D has flattened to ½


@torch.no_grad()
def compute_frame(G: nn.Module, D: nn.Module, view: View1D, step: int = 0) -> Frame1D:
    """Evaluate eval-mode CPU copies of G and D on the view; every number on the page comes from here."""
    samples = G(view.z).reshape(-1).double().numpy()
    arrows = G(view.z_arrows).reshape(-1).double().numpy()
    if not np.isfinite(samples).all():
        raise ValueError("the generator produced NaN or infinite samples")
    d = torch.sigmoid(D.score_points(torch.as_tensor(view.x, dtype=torch.float32)[:, None])).reshape(-1)
    d = d.double().numpy()
    p_g = gaussian_kde_1d(samples, view.x)
    jsd, c_g, value = _grid_numbers(D, view, samples)
    p_data = view.p_data
    return Frame1D(
        step,
        p_g,
        d,
        optimal_discriminator(p_data, p_g),
        samples,
        arrows,
        jsd,
        c_g,
        value,
        wasserstein1_1d(samples, view.real),
        mean_d_deviation(d, p_data, view.x),
    )


def _grid_numbers(D: nn.Module, view: View1D, samples: np.ndarray) -> tuple[float, float, float]:
    """JSD, C(G) and V(D, G) on a grid that covers p_data and every sample (G may wander off the canvas)."""
    spread = samples.std(ddof=1) * samples.size ** (-1 / 5) if samples.size > 1 else 0.0
    h = max(spread, float(view.x[1] - view.x[0]))  # the KDE's bandwidth (Scott's rule), at least one grid step
    lo, hi = min(view.x[0], samples.min() - 5 * h), max(view.x[-1], samples.max() + 5 * h)
    step = min(float(view.x[1] - view.x[0]), h / 4)
    x = np.linspace(lo, hi, min(int((hi - lo) / step) + 2, MAX_METRIC_GRID))
    p_data = data_pdf_from_view(view, x)
    p_g = gaussian_kde_1d(samples, x, bandwidth=h)
    logits = D.score_points(torch.as_tensor(x, dtype=torch.float32)[:, None]).reshape(-1).double()
    log_d, log_1md = torch.nn.functional.logsigmoid(logits).numpy(), torch.nn.functional.logsigmoid(-logits).numpy()
    pd_n, pg_n = p_data / np.trapezoid(p_data, x), p_g / np.trapezoid(p_g, x)
    value = float(np.trapezoid(pd_n * log_d + pg_n * log_1md, x))  # V(D,G) = E_pdata log D + E_pg log(1 − D)
    return jsd_on_grid(p_data, p_g, x), value_at_optimum(p_data, p_g, x), value


def data_pdf_from_view(view: View1D, x: np.ndarray) -> np.ndarray:
    """p_data at new points, interpolated from the view's exact grid (0 outside it, where p_data has no mass)."""
    return np.interp(x, view.x, view.p_data, left=0.0, right=0.0)


def frame_at(trainer: Trainer, view: View1D, snap=None) -> Frame1D:
    """The frame of a snapshot (default: the latest published weights), safe beside a training thread."""
    G, D, step = snapshot_models(trainer, snap)
    return compute_frame(G, D, view, step)


@dataclass(frozen=True)
class Series:
    """The theory's numbers at each stored snapshot (and the latest published weights)."""

    step: np.ndarray
    jsd: np.ndarray
    c_g: np.ndarray
    value: np.ndarray
    w1: np.ndarray


def run_series(trainer: Trainer, view: View1D, cache: dict[int, Frame1D]) -> Series:
    """Numbers at every snapshot; ``cache`` (step → frame, owned by the caller) makes each refresh cost one frame."""
    with trainer.lock:
        snaps = [*trainer.snapshots, trainer.published]
    kept: dict[int, Frame1D] = {}
    for snap in snaps:
        if snap.step not in kept:
            kept[snap.step] = cache.get(snap.step) or frame_at(trainer, view, snap)
    cache.clear()
    cache.update(kept)
    frames = [kept[s] for s in sorted(kept)]
    col = lambda name: np.array([getattr(f, name) for f in frames], dtype=float)
    return Series(col("step"), col("jsd"), col("c_g"), col("value"), col("w1"))
