"""Pictures and numbers for the MNIST page as pure functions: fixed view → images, reports → plotly figures.

A ``DigitView`` is made once per run (fixed z for the sample grid, fixed z for the classifier report,
a fixed row of real digits) so the same cells sharpen over time and scores compare across refreshes.
Only ``sample_images`` and ``score`` run networks; the figure functions only lay numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from playground.digits.metrics import Stats, digit_report
from playground.experiments.latent.walks import images_to_grid, to_png_bytes
from playground.gan.models import sample_latent
from playground.views.figures import FONT, hline

BAR_COLOUR, REAL_COLOUR, FLOOR_COLOUR = "#ff7f0e", "#1b9e3e", "#1b9e3e"


@dataclass(frozen=True)
class DigitView:
    """The fixed inputs of one run's pictures and scores."""

    z_grid: torch.Tensor  # [rows·cols, latent_dim] → the sample grid of every frame
    cols: int
    z_eval: torch.Tensor  # [n_eval, latent_dim] → the classifier report
    real: torch.Tensor  # [10, 1, 28, 28] one real digit of each class, 0 to 9, shown for comparison
    real_eval: torch.Tensor  # [n_eval, 1, 28, 28] real digits D's mean output is measured on
    real_eval_labels: torch.Tensor  # [n_eval] their classes
    eval_labels: torch.Tensor | None  # [n_eval] the classes z_eval asks a conditional G for (None: unconditional)


def make_view(model_cfg, real_images: torch.Tensor, real_labels: torch.Tensor, seed: int = 0, rows: int = 6,
              cols: int = 10, n_eval: int = 500) -> DigitView:  # fmt: skip
    """Draw the fixed noise and one real digit of each class 0…9 from their own seed (training is untouched).

    A class-conditional generator is asked for every class in turn: each grid column is one digit, and the
    scored samples hold each class equally often.
    """
    gen = torch.Generator().manual_seed(10_000 + seed)
    classes = getattr(model_cfg, "num_classes", 0) or 1
    z_grid = sample_latent(rows * cols, model_cfg, gen, "cpu", torch.arange(rows * cols) % cols % classes)
    eval_labels = torch.arange(n_eval) % classes
    z_eval = sample_latent(n_eval, model_cfg, gen, "cpu", eval_labels)
    order = torch.randperm(len(real_images), generator=gen)
    firsts = [int(order[real_labels[order] == digit][0]) for digit in range(10) if (real_labels == digit).any()]
    pick = order[:n_eval]
    conditional = bool(getattr(model_cfg, "num_classes", 0))
    return DigitView(z_grid, cols, z_eval, real_images[firsts], real_images[pick], real_labels[pick],
                     eval_labels if conditional else None)  # fmt: skip


@torch.no_grad()
def sample_images(G: nn.Module, z: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """G(z) [N, 1, 28, 28] from an eval-mode generator, in batches (CPU)."""
    return torch.cat([G(part) for part in z.split(batch_size)])


def grid_png(images: torch.Tensor, cols: int, scale: int = 3) -> bytes:
    """Images [N, 1, 28, 28] in [−1, 1] tiled `cols` per row as PNG bytes (nearest-neighbour upscaled)."""
    return to_png_bytes(images_to_grid(images, nrow=cols), scale=scale)


@torch.no_grad()
def critic_means(D: nn.Module, view: DigitView, fakes: torch.Tensor) -> tuple[float, float]:
    """D's mean raw output (its logit: a critic's score) on the view's real digits and on ``fakes`` = G(z_eval);
    a conditional D judges each image with its class."""
    if view.eval_labels is None:
        return float(D(view.real_eval).mean()), float(D(fakes).mean())
    return float(D(view.real_eval, view.real_eval_labels).mean()), float(D(fakes, view.eval_labels).mean())


def score(G: nn.Module, D: nn.Module, view: DigitView, classifier, ref: Stats) -> dict:
    """``digit_report`` of G on the view's fixed evaluation noise, with D's mean raw scores on real digits and on
    those samples (``score_real``, ``score_fake``: what a critic loss shows instead of probabilities)."""
    fakes = sample_images(G, view.z_eval)
    score_real, score_fake = critic_means(D, view, fakes)
    return {**digit_report(fakes, classifier, ref), "score_real": score_real, "score_fake": score_fake}


# ---- figures --------------------------------------------------------------------------------------
def _figure(data: list[dict], layout: dict, title: str, revision: str) -> go.Figure:
    base = dict(title=dict(text=title, x=0.01, xanchor="left"), font=FONT, uirevision=revision, height=300,
                margin=dict(l=10, r=10, t=44, b=70), legend=dict(orientation="h", y=-0.35))  # fmt: skip
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)  # see figures._figure


def class_histogram(counts: list[int], step: int, revision: str = "run") -> go.Figure:
    """Share of samples the classifier reads as each digit; a GAN covering every class sits near 10 % each."""
    total = max(sum(counts), 1)
    shares = [100 * c / total for c in counts]
    data = [dict(type="bar", x=[str(d) for d in range(10)], y=shares, marker=dict(color=BAR_COLOUR),
                 name="samples", hovertemplate="digit %{x}: %{y:.1f} %<extra></extra>")]  # fmt: skip
    shape, _ = hline(10.0, "", REAL_COLOUR)
    layout = dict(xaxis=dict(title=dict(text="digit the classifier reads"), type="category"),
                  yaxis=dict(title=dict(text="% of samples"), range=[0, max(40.0, max(shares) * 1.1)]),
                  shapes=[shape], showlegend=False)  # fmt: skip
    return _figure(data, layout, f"Digits G draws at step {step:,} (dashed: 10 % each, as in real data)", revision)


def score_curves(scores: list[dict], floor: dict, revision: str = "run") -> go.Figure:
    """Confident fraction (%) and classes present over generator steps, real digits' values dashed."""
    steps = [s["step"] for s in scores]
    data = [
        dict(type="scatter", x=steps, y=[100 * s["confident_fraction"] for s in scores], mode="lines+markers",
             name="confident digits %", line=dict(color=BAR_COLOUR, width=2)),
        dict(type="scatter", x=steps, y=[10 * s["classes_present"] for s in scores], mode="lines+markers",
             name="classes present ×10", line=dict(color="#7b3294", width=2, dash="dot")),
    ]  # fmt: skip
    shape, note = hline(
        100 * floor["confident_fraction"], f"real digits {floor['confident_fraction']:.0%}", FLOOR_COLOUR
    )
    layout = dict(xaxis=dict(title=dict(text="generator step")), yaxis=dict(title=dict(text="%"), range=[-2, 102]),
                  shapes=[shape], annotations=[note])  # fmt: skip
    return _figure(data, layout, "Readable digits over training", revision)


def decade_ticks(values: list[float]) -> list[float]:
    """The powers of ten from just below the smallest value to just above the largest (positive values): plain
    decade ticks for a log axis (plotly's own label the 2s and 5s between them: "1000, 5, 2, 100, …")."""
    lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    return [10.0**e for e in range(lo, max(hi, lo + 1) + 1)]


def fid_curve(scores: list[dict], floor: dict, revision: str = "run") -> go.Figure:
    """classifier-FID over generator steps (log axis: it falls from hundreds), the real-vs-real floor dashed."""
    steps = [s["step"] for s in scores]
    fids = [max(s["fid"], 1e-3) for s in scores]
    data = [dict(type="scatter", x=steps, y=fids, mode="lines+markers", name="classifier-FID",
                 line=dict(color="#2c7bb6", width=2))]  # fmt: skip
    shape, note = hline(max(floor["fid"], 1e-3), f"real-vs-real floor {floor['fid']:.1f}", FLOOR_COLOUR)
    note["y"] = np.log10(shape["y0"])  # on a log axis plotly places shapes by value, annotations by log10(value)
    ticks = decade_ticks([*fids, shape["y0"]])
    axis = dict(type="log", tickvals=ticks, ticktext=[f"{t:,g}" for t in ticks],
                range=[math.log10(ticks[0]), math.log10(ticks[-1])])  # fmt: skip
    layout = dict(xaxis=dict(title=dict(text="generator step")),
                  yaxis=dict(title=dict(text="classifier-FID (lower is better)"), **axis),
                  shapes=[shape], annotations=[note], showlegend=False)  # fmt: skip
    return _figure(data, layout, "classifier-FID over training", revision)
