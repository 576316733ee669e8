"""The numbers above the toy page's planes: the game's averages over the last steps and the modes G covers.

``readout`` computes them, ``metrics`` words them as the page's metric row (label, value, tooltip).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from playground.gan.data import Mixture
from playground.gan.metrics import mode_metrics
from playground.views.figures import Frame

TAIL = 20  # per-batch numbers are noisy: the readout shows the mean of the last TAIL generator steps


@dataclass(frozen=True)
class Modes:
    captured: int
    total: int
    high_quality: float  # share of the fakes within 3σ of a mode


@dataclass(frozen=True)
class Readout:
    d_real: float  # mean D(x)
    d_fake: float  # mean D(G(z))
    value: float  # V(D, G); NaN before the first step
    modes: Modes | None  # None unless the data is a Gaussian mixture (ring8, grid25)


def tail_mean(column: list[float], tail: int = TAIL) -> float:
    """Mean of the last ``tail`` values; NaN for an empty column."""
    last = column[-tail:]
    return sum(last) / len(last) if last else math.nan


def readout(history: dict[str, list[float]], frame: Frame, data) -> Readout:
    """From the run's history (the frame's own D means before the first step) and the frame's eval fakes.

    Modes follow the VEEGAN protocol: a mode is captured when ≥ 1 of the fakes lies within 3σ of it.
    """
    trained = bool(history["step"])
    d_real = tail_mean(history["d_real"]) if trained else frame.d_real
    d_fake = tail_mean(history["d_fake"]) if trained else frame.d_fake
    value = tail_mean(history["value"]) if trained else math.nan
    modes = None
    if isinstance(data, Mixture):
        m = mode_metrics(torch.as_tensor(frame.eval_fake), data)
        modes = Modes(int(m["modes_captured"]), int(m["modes_total"]), float(m["high_quality"]))
    return Readout(d_real, d_fake, value, modes)


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str


def metrics(step: int, steps_per_s: float, r: Readout) -> tuple[Metric, ...]:
    """The metric row: step, speed, the D means, V(D, G) and the modes captured ("–" where undefined)."""
    if r.modes is None:
        modes = Metric("modes captured", "–", "Only defined for the Gaussian mixtures (ring8, grid25).")
    else:
        modes = Metric(
            "modes captured",
            f"{r.modes.captured}/{r.modes.total}",
            f"Modes with ≥ 1 of 1,000 fakes within 3σ (VEEGAN protocol); {r.modes.high_quality:.0%} of fakes are "
            "that close.",
        )
    return (
        Metric("step", f"{step:,}", "Generator steps so far (each after k D steps)."),
        Metric("steps/s", f"{steps_per_s:.0f}", "Training speed over the last 1.5 s (wall clock)."),
        Metric("mean D(x)", f"{r.d_real:.3f}", "D's belief that real points are real."),
        Metric("mean D(G(z))", f"{r.d_fake:.3f}", "D's belief that fakes are real; ½ at the optimum p_g = p_data."),
        Metric(
            "V(D,G)",
            "–" if math.isnan(r.value) else f"{r.value:.3f}",
            "E[log D(x)] + E[log(1 − D(G(z)))]; −log 4 ≈ −1.386 at the optimum.",
        ),
        modes,
    )
