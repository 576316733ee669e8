"""Curve charts of a run's history as pure functions: (history columns, chart spec) → plotly Figure.

A ``Curves`` spec names the history columns one chart shows, with labels, colours and a dashed reference; pages
pick theirs with ``curve_specs`` (a critic's scores instead of D's probabilities). Long runs are thinned so a
chart still redraws quickly. ``is_critic`` says whether D's output is a probability or a critic's score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.gan import losses as objectives
from playground.views.style import FAKE_COLOUR, REAL_COLOUR, figure

LOG4 = math.log(4.0)
MAX_CURVE_POINTS = 500
CRITIC_WHY = (
    "With this loss D is a critic: its output is a score, not a probability (only the cross-entropy losses "
    "train D to output P(real)), so there is no ½ boundary and no −log 4 optimum; higher means 'more real'."
)


def is_critic(loss: str) -> bool:
    """True when D is trained as a critic whose raw output is a score (WGAN-GP, hinge, LSGAN).

    D(x) = σ(logit) is a probability only when D minimises the cross-entropy (the non-saturating and minimax
    games share ``bce_d_loss``); then V(D, G), its −log 4 optimum and the D = ½ boundary are defined.
    """
    return objectives.LOSSES[loss].d is not objectives.bce_d_loss


def thin(history: dict[str, list[float]], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """At most MAX_CURVE_POINTS evenly spaced rows, so a long run still redraws quickly."""
    steps = np.asarray(history.get("step", []), dtype=float)
    idx = np.unique(np.linspace(0, len(steps) - 1, MAX_CURVE_POINTS).astype(int)) if len(steps) else np.arange(0)
    return {"step": steps[idx], **{n: np.asarray(history[n], dtype=float)[idx] for n in names}}


@dataclass(frozen=True)
class Curves:
    """What one curve chart shows: history columns, their labels and colours, an optional dashed reference."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    title: str
    y_title: str
    reference: tuple[float, str] | None = None  # (y, label) of a dashed horizontal line
    y_range: tuple[float, float] | None = None  # fixed range, or None to fit the data


LOSSES = Curves(("d_loss", "g_loss"), ("D loss", "G loss"), ("#2c7bb6", FAKE_COLOUR), "Losses", "loss")
D_OUTPUTS = Curves(
    ("d_real", "d_fake"),
    ("mean D(x)", "mean D(G(z))"),
    (REAL_COLOUR, FAKE_COLOUR),
    "Discriminator outputs",
    "D",
    reference=(0.5, "½"),
    y_range=(-0.02, 1.02),
)
VALUE = Curves(("value",), ("V(D,G)",), ("#7b3294",), "Value V(D,G)", "V", reference=(-LOG4, "−log 4 ≈ −1.386"))
# a critic's mean scores: the page records them (raw, from its own frames or score reports) under these names
CRITIC_SCORES = Curves(
    ("score_real", "score_fake"),
    ("mean critic score, real", "mean critic score, fake"),
    (REAL_COLOUR, FAKE_COLOUR),
    "Critic scores",
    "score",  # short: the live picture writes the y title beside its tick labels
)


def curve_specs(loss: str, specs: tuple[Curves, ...]) -> tuple[Curves, ...]:
    """The charts a page shows for ``loss``: a critic's scores instead of D's probabilities, and no V(D, G)
    (it is defined only for a probability D: ``is_critic``)."""
    if not is_critic(loss):
        return specs
    return tuple(CRITIC_SCORES if spec is D_OUTPUTS else spec for spec in specs if spec is not VALUE)


def curves_figure(history: dict[str, list[float]], spec: Curves, revision: str = "run") -> go.Figure:
    """The spec's history columns over generator steps (thinned), with its dashed reference line.

    The reference is a legend entry (its label on the plot would sit on a curve that reaches it), and the legend
    sits below the x axis title.
    """
    h = thin(history, spec.names)
    data = [
        dict(type="scatter", x=h["step"], y=h[n], mode="lines", name=label, line=dict(color=colour, width=2))
        for n, label, colour in zip(spec.names, spec.labels, spec.colours, strict=True)
    ]
    if spec.reference is not None:
        y, label = spec.reference
        steps = h["step"]
        xs = [float(steps[0]), float(steps[-1])] if len(steps) else [0.0, 1.0]
        data.append(dict(type="scatter", x=xs, y=[y, y], mode="lines", name=label, hoverinfo="skip",
                         line=dict(color="grey", width=2, dash="dash")))  # fmt: skip
    y_range = list(spec.y_range) if spec.y_range else None
    layout = dict(
        height=340,
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.3, yanchor="top", x=0),
        xaxis=dict(title=dict(text="generator step", standoff=4)),
        yaxis=dict(title=dict(text=spec.y_title), range=y_range),
    )
    return figure(data, layout, spec.title, revision)


def loss_curves(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """Losses of D and G (each as its loss function defines it) over generator steps."""
    return curves_figure(history, LOSSES, revision)


def d_output_curves(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """Mean D(x) and mean D(G(z)) per step; both tend to ½ when p_g = p_data (dashed)."""
    return curves_figure(history, D_OUTPUTS, revision)


def value_curve(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """V(D, G) per step with the optimum −log 4 ≈ −1.386 dashed."""
    return curves_figure(history, VALUE, revision)
