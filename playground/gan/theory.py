"""1-D GAN theory on a grid (Goodfellow et al. 2014, Figure 1 and Section 4): D*, C(G), JSD, saturation.

Densities are numpy arrays sampled on an increasing grid x; integrals use the trapezoid rule, and every density is
normalised by the same rule first, so identities such as C(G) = −log 4 + 2·JSD hold to rounding error.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import rel_entr  # p·log(p/q), with 0·log(0/q) = 0 where p vanishes
from scipy.stats import wasserstein_distance


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) elementwise, ½ where both are 0 (no evidence either way)."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _normalised(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """p / ∫p dx (trapezoid), after checking p is a non-negative density with positive mass on x."""
    p = np.asarray(p, dtype=float)
    if np.any(p < 0):
        raise ValueError("densities must be non-negative")
    mass = np.trapezoid(p, x)
    if mass <= 0:
        raise ValueError("density has no mass on the grid")
    return p / mass


def jsd_on_grid(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2, in nats: 0 when p = q, ln 2 for disjoint supports."""
    x = np.asarray(x, dtype=float)
    p, q = _normalised(p, x), _normalised(q, x)
    m = (p + q) / 2
    return float(np.trapezoid(0.5 * rel_entr(p, m) + 0.5 * rel_entr(q, m), x))


def value_at_optimum(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """C(G) = max_D V(D, G) = E_pdata[log D*(x)] + E_pg[log(1 − D*(x))] = −log 4 + 2·JSD(p_data ‖ p_g).

    Computed from the definition (not the identity), so the page can show both sides agreeing.
    """
    x = np.asarray(x, dtype=float)
    p_data, p_g = _normalised(p_data, x), _normalised(p_g, x)
    total = p_data + p_g
    # p·log D* = p·log(p / (p + q)) and q·log(1 − D*) = q·log(q / (p + q)); 0·log 0 = 0 where a density vanishes.
    return float(np.trapezoid(rel_entr(p_data, total) + rel_entr(p_g, total), x))


def gaussian_kde_1d(samples: np.ndarray, x: np.ndarray, bandwidth: float | None = None) -> np.ndarray:
    """p̂(x) = (1/n) Σ_i N(x; s_i, h²), with Scott's rule h = σ̂·n^(−1/5) unless a bandwidth is given.

    Identical samples (σ̂ = 0, a fully collapsed generator) get h = one grid step, so they still draw as a spike.
    """
    samples, x = np.asarray(samples, dtype=float).reshape(-1), np.asarray(x, dtype=float)
    if bandwidth is None:
        spread = samples.std(ddof=1) if samples.size > 1 else 0.0
        bandwidth = spread * samples.size ** (-1 / 5)
        if bandwidth == 0:
            bandwidth = float(np.min(np.diff(x)))
    if bandwidth <= 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}")
    u = (x[:, None] - samples[None, :]) / bandwidth  # [len(x), n]
    return np.exp(-0.5 * u**2).mean(axis=1) / (bandwidth * np.sqrt(2 * np.pi))


def mixture_pdf_1d(x: np.ndarray, weights: np.ndarray, means: np.ndarray, stds: np.ndarray) -> np.ndarray:
    """p(x) = Σ_k w_k N(x; μ_k, σ_k²), weights rescaled to sum to 1 so the result is a density."""
    x = np.asarray(x, dtype=float)
    weights, means, stds = (np.asarray(v, dtype=float).reshape(-1) for v in (weights, means, stds))
    if not len(weights) == len(means) == len(stds):
        raise ValueError("weights, means and stds must have the same length")
    if np.any(weights < 0) or weights.sum() <= 0 or np.any(stds <= 0):
        raise ValueError("weights must be non-negative with a positive sum, and stds positive")
    u = (x[..., None] - means) / stds  # [..., K]
    components = np.exp(-0.5 * u**2) / (stds * np.sqrt(2 * np.pi))
    return components @ (weights / weights.sum())


class GeneratorObjectives(NamedTuple):
    """The two generator losses at D(G(z)) = d and their slopes with respect to D's logit a (d = σ(a))."""

    saturating: np.ndarray  # log(1 − d), minimised by G in the original minimax game
    non_saturating: np.ndarray  # −log d, the paper's practical alternative
    saturating_grad: np.ndarray  # d/da log(1 − σ(a)) = −σ(a) = −d
    non_saturating_grad: np.ndarray  # d/da [−log σ(a)] = −(1 − σ(a)) = −(1 − d)


def generator_objectives(d: np.ndarray) -> GeneratorObjectives:
    """log(1 − d) and −log d with their derivatives −d and −(1 − d) with respect to the logit a, for d in (0, 1).

    Why the paper switches: early in training D rejects fakes confidently (d ≈ 0), where the saturating slope −d
    vanishes and G learns nothing, while the non-saturating slope −(1 − d) stays ≈ −1. Both push d up and share
    the same fixed point; the two slopes are equal at d = ½.
    """
    d = np.asarray(d, dtype=float)
    if np.any((d <= 0) | (d >= 1)):
        raise ValueError("discriminator outputs must lie strictly between 0 and 1")
    return GeneratorObjectives(
        saturating=np.log1p(-d),
        non_saturating=-np.log(d),
        saturating_grad=-d,
        non_saturating_grad=-(1 - d),
    )


def wasserstein1_1d(a: np.ndarray, b: np.ndarray) -> float:
    """W1(a, b) = ∫ |F_a(t) − F_b(t)| dt between the empirical CDFs of two 1-D sample sets.

    Unlike JSD it keeps growing with the distance between disjoint distributions, which is the WGAN argument.
    """
    return float(wasserstein_distance(np.asarray(a, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)))
