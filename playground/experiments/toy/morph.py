"""Latent-to-data animation: the latent grid slides from z (t = 0) to G(z) (t = 1), as GAN Lab shows on hover.

At t = 0 each grid point sits at its latent coordinates (z₁, z₂) (a 1-D latent: (z₁, 0)), at t = 1 where G sends
it; in between on the straight segment, so a student sees which part of the noise lands on which mode.
"""

from __future__ import annotations

import numpy as np


def latent_plane(lines: np.ndarray) -> np.ndarray:
    """Latent grid lines [L, P, latent_dim] as points of the plane [L, P, 2]: their first two coordinates."""
    if lines.shape[-1] >= 2:
        return lines[..., :2]
    return np.concatenate([lines, np.zeros_like(lines)], axis=-1)


def morph(lines: np.ndarray, manifold: np.ndarray, t: float) -> np.ndarray:
    """(1 − t)·z + t·G(z) for every grid point: [L, P, 2]; ``manifold`` is G of the same lines [L, P, 2]."""
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be in [0, 1], not {t}")
    return (1.0 - t) * latent_plane(lines) + t * manifold
