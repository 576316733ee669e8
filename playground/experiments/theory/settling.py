"""When has the 1-D game settled? Goodfellow et al.'s Figure 1 (d): p_g = p_data and D(x) = ½ wherever data lives.

The theory page's acceptance (issue 22) reads two numbers of a frame: JSD(p_data ‖ p_g) and the mean |D(x) − ½|
under p_data; a run has settled when both are small. Pure numpy on a grid, so it is tested on densities whose
answers are known by hand.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from playground.gan.theory import jsd_on_grid

JSD_LIMIT = 0.02  # nats: p_g is visibly p_data's shape at this distance
D_LIMIT = 0.03  # D(x) within ½ ± 0.03 on average where data lives: flat to the eye on the page's [0, 1] axis


def mean_d_deviation(d: np.ndarray, p_data: np.ndarray, x: np.ndarray) -> float:
    """E_{x∼p_data} |D(x) − ½| = ∫ |D − ½| p_data dx / ∫ p_data dx (trapezoid rule on the grid x)."""
    d, p_data, x = (np.asarray(a, dtype=float) for a in (d, p_data, x))
    return float(np.trapezoid(np.abs(d - 0.5) * p_data, x) / np.trapezoid(p_data, x))


class Settling(NamedTuple):
    jsd: float  # JSD(p_data ‖ p_g) in nats
    d_mean_dev: float  # E_pdata |D − ½|

    @property
    def settled(self) -> bool:
        return self.jsd <= JSD_LIMIT and self.d_mean_dev <= D_LIMIT


def settling(p_data: np.ndarray, p_g: np.ndarray, d: np.ndarray, x: np.ndarray) -> Settling:
    """The two readings of one moment of a run: how far p_g is from p_data and how far D is from ½ on the data."""
    return Settling(jsd_on_grid(p_data, p_g, x), mean_d_deviation(d, p_data, x))
