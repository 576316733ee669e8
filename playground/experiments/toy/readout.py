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
    d_real: float  # mean D(x) (a critic: its mean score on the frame's real points)
    d_fake: float  # mean D(G(z)) (a critic: on the frame's fakes)
    value: float  # V(D, G), NaN before the first step; a critic: the score gap d_real − d_fake
    modes: Modes | None  # None unless the data is a Gaussian mixture (ring8, grid25)
    critic: bool = False  # D is a critic (``figures.is_critic``): its numbers are scores, not probabilities


def tail_mean(column: list[float], tail: int = TAIL) -> float:
    """Mean of the last ``tail`` values; NaN for an empty column."""
    last = column[-tail:]
    return sum(last) / len(last) if last else math.nan


def readout(history: dict[str, list[float]], frame: Frame, data) -> Readout:
    """From the run's history (the frame's own D means before the first step) and the frame's eval fakes.

    A critic frame's mean scores come from the frame itself (the history keeps only σ(score)), and its value is
    the gap between them, E[D(x)] − E[D(G(z))] (for WGAN-GP the critic's Wasserstein-1 estimate).
    Modes follow the VEEGAN protocol: a mode is captured when ≥ 1 of the fakes lies within 3σ of it.
    """
    trained = bool(history["step"])
    if frame.critic:
        d_real, d_fake = frame.d_real, frame.d_fake
        value = d_real - d_fake
    else:
        d_real = tail_mean(history["d_real"]) if trained else frame.d_real
        d_fake = tail_mean(history["d_fake"]) if trained else frame.d_fake
        value = tail_mean(history["value"]) if trained else math.nan
    modes = None
    if isinstance(data, Mixture):
        m = mode_metrics(torch.as_tensor(frame.eval_fake), data)
        modes = Modes(int(m["modes_captured"]), int(m["modes_total"]), float(m["high_quality"]))
    return Readout(d_real, d_fake, value, modes, frame.critic)


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str


def d_metrics(r: Readout) -> tuple[Metric, ...]:
    """D's means and the game's value: probabilities and V(D, G), or a critic's scores and their gap."""
    if r.critic:
        return (
            Metric("mean critic score, real", f"{r.d_real:.3f}",
                   "The critic's mean score on the real points drawn (a score, not a probability)."),
            Metric("mean critic score, fake", f"{r.d_fake:.3f}", "Its mean score on the fakes drawn."),
            Metric("critic gap", f"{r.value:.3f}",
                   "Mean score on real minus on fake. WGAN-GP: the critic's estimate of the Wasserstein-1 distance "
                   "between p_data and p_g; 0 when it cannot tell them apart. V(D,G) is defined only for a "
                   "probability D."),
        )  # fmt: skip
    return (
        Metric("mean D(x)", f"{r.d_real:.3f}", "D's belief that real points are real."),
        Metric("mean D(G(z))", f"{r.d_fake:.3f}", "D's belief that fakes are real; ½ at the optimum p_g = p_data."),
        Metric(
            "V(D,G)",
            "–" if math.isnan(r.value) else f"{r.value:.3f}",
            "E[log D(x)] + E[log(1 − D(G(z)))]; −log 4 ≈ −1.386 at the optimum.",
        ),
    )


def metrics(step: int, steps_per_s: float, r: Readout, training: bool = True) -> tuple[Metric, ...]:
    """The metric row: step, speed (0 unless training), D's numbers (``d_metrics``) and the modes captured
    ("–" where undefined). ``step``: the published step, the one the planes' titles show."""
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
        Metric("step", f"{step:,}", "Generator steps so far (each after k D steps), as drawn below."),
        Metric(
            "steps/s",
            f"{steps_per_s:.0f}" if training else "0",
            "Training speed over the last 1.5 s (wall clock); 0 while paused.",
        ),  # fmt: skip
        *d_metrics(r),
        modes,
    )
