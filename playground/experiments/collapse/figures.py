"""Pictures for the mode-collapse lab as pure functions: (view, samples, metrics) → plotly Figure.

They reuse ``figures``' fixed ``View`` (grid, real points, fixed noise) so frames of a run compare,
and draw the VEEGAN/PacGAN protocol's numbers: which modes get samples, and how that varies by seed.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch

from playground.gan.data import Mixture
from playground.views.figures import FAKE_COLOUR, FONT, View, hline

RUN_COLOURS = ("#d95f02", "#1b9e77", "#7570b3", "#e7298a")  # one per compared run (colour-blind safe)
MISSED_COLOUR, THIN_COLOUR, OFF_COLOUR, REAL_COLOUR = "#bbbbbb", "#fdb863", "#555555", "#1b9e3e"


def _figure(data: list[dict], layout: dict, title: str, revision: str) -> go.Figure:
    base = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        uirevision=revision,
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.12),
    )
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)  # see figures._figure


def density_grid(view: View, mixture: Mixture) -> np.ndarray:
    """log₁₀ p_data on the view's grid, [R, R], floored 6 decades below the peak (computed once per run)."""
    log_p = torch.log10(mixture.pdf(view.grid).double().clamp_min(1e-300))
    log_p = torch.clamp(log_p, min=float(log_p.max()) - 6)
    return log_p.reshape(len(view.ys), len(view.xs)).float().numpy()


def high_quality_mask(samples: np.ndarray, mixture: Mixture, hq_sigmas: float = 3.0) -> np.ndarray:
    """True where a sample lies within 3σ of its nearest mode (the protocol's 'high quality'): [N] bool."""
    dist = torch.cdist(torch.as_tensor(samples, dtype=torch.float32), mixture.means_tensor())  # [N, M]
    return (dist.min(dim=1).values / mixture.sigma < hq_sigmas).numpy()


def samples_over_density(
    view: View,
    log_density: np.ndarray,
    samples: np.ndarray,
    hq: np.ndarray,
    title: str,
    revision: str = "run",
    means: np.ndarray | None = None,
) -> go.Figure:
    """G's samples on the true density: high-quality ones (within 3σ of a mode) in orange, the rest dark.

    ``means`` [M, 2] numbers the modes as the per-mode bar chart does (1 … M), just outside each mode.
    """
    data = [
        dict(
            type="heatmap",
            x=view.xs,
            y=view.ys,
            z=log_density,
            colorscale=[[0.0, "#ffffff"], [0.6, "#c7e9c0"], [1.0, "#1b9e3e"]],  # white far from the data
            showscale=False,
            name="p_data",
            hovertemplate="x %{x:.2f}, y %{y:.2f}<br>log₁₀ p_data %{z:.1f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=samples[hq, 0],
            y=samples[hq, 1],
            mode="markers",
            name=f"within 3σ of a mode ({hq.mean():.0%})",
            marker=dict(color=FAKE_COLOUR, size=5, opacity=0.8, line=dict(color="black", width=0.5)),
        ),
        dict(
            type="scatter",
            x=samples[~hq, 0],
            y=samples[~hq, 1],
            mode="markers",
            name="off every mode",
            marker=dict(color=OFF_COLOUR, size=4, opacity=0.6, symbol="x-thin", line=dict(color=OFF_COLOUR, width=1)),
        ),
    ]
    if means is not None:
        offset = 0.06 * (view.x_range[1] - view.x_range[0])
        data.append(
            dict(
                type="scatter",
                x=means[:, 0] + offset,
                y=means[:, 1] + offset,
                mode="text",
                text=[str(i + 1) for i in range(len(means))],
                textfont=dict(size=13, color="#1b5e20"),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    layout = dict(
        xaxis=dict(range=list(view.x_range), constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(range=list(view.y_range), scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False),
    )
    return _figure(data, layout, title, revision)


def bars_top(*shares: list[float]) -> float:
    """One y-axis top (%) for bar charts compared side by side: the tallest bar of any, at least twice uniform."""
    n_modes = max(len(s) for s in shares)
    return max(2.0 / n_modes, *(max(s, default=0.0) for s in shares)) * 100 * 1.08


def mode_bars(
    share: list[float], n_samples: int, title: str, revision: str = "run", top: float | None = None
) -> go.Figure:
    """One bar per mode: its share of the samples (high quality, nearest to it).

    Grey: not captured (no high-quality sample); light orange: captured but under 1 %; dashed: the
    uniform share 1/M a perfect generator gives every mode. ``top``: the y-axis top in % (``bars_top`` of every
    chart shown beside it, so equal bars look equal); default this chart's own.
    """
    share_arr = np.asarray(share, dtype=float)
    n_modes = len(share_arr)
    counts = np.rint(share_arr * n_samples).astype(int)
    colours = [MISSED_COLOUR if c == 0 else THIN_COLOUR if s < 0.01 else FAKE_COLOUR for c, s in zip(counts, share_arr)]
    top = bars_top(share) if top is None else top
    data = [
        dict(
            type="bar",
            x=list(range(1, n_modes + 1)),
            y=share_arr * 100,
            marker=dict(color=colours, line=dict(color="black", width=0.5)),
            customdata=counts,
            name="share of samples",
            hovertemplate="mode %{x}: %{y:.1f} % (%{customdata} samples)<extra></extra>",
            showlegend=False,
        )
    ]
    uniform = 100 / n_modes
    shape, note = hline(uniform, f"uniform {uniform:.1f} %")
    layout = dict(
        height=260,
        bargap=0.15,
        xaxis=dict(title=dict(text="mode"), dtick=1 if n_modes <= 10 else 2),
        yaxis=dict(title=dict(text="% of samples"), range=[0, top]),
        shapes=[shape],
        annotations=[note],
    )
    return _figure(data, layout, title, revision)


def mode_timeline(steps: list[int], shares: list[list[float]], title: str, revision: str = "run") -> go.Figure:
    """Mode × step heatmap: each mode's share of the samples (%) at each checkpoint, so hopping reads as a sequence.

    The colour scale is fixed (0 to three times the uniform share), so two runs drawn side by side compare and a
    mode that holds a large share of the samples stands out; hover gives the exact share.
    """
    n_modes = len(shares[0]) if shares else 0
    z = (np.asarray(shares, dtype=float).reshape(len(shares), n_modes).T * 100).tolist()  # [M, T]
    data = [
        dict(
            type="heatmap",
            x=list(steps),
            y=list(range(1, n_modes + 1)),
            z=z,
            zmin=0.0,
            zmax=300.0 / max(n_modes, 1),
            colorscale=[[0.0, "#ffffff"], [0.03, "#fee6ce"], [0.5, "#fd8d3c"], [1.0, "#7f2704"]],
            colorbar=dict(title=dict(text="%"), thickness=12),
            hovertemplate="step %{x:,}<br>mode %{y}: %{z:.1f} % of samples<extra></extra>",
        )
    ]
    layout = dict(
        height=160 + 10 * n_modes,
        margin=dict(l=10, r=10, t=64, b=10),  # room for the title's second line
        xaxis=dict(title=dict(text="generator step")),
        yaxis=dict(title=dict(text="mode"), dtick=1 if n_modes <= 10 else 2, autorange="reversed"),
    )
    return _figure(data, layout, title, revision)


def digit_bars(counts: list[int], n: int, title: str, top: float, revision: str = "run") -> go.Figure:
    """Share (%) of all ``n`` samples the classifier reads confidently as each digit; ``top`` the y-axis top, the
    same for both runs of the pair."""
    shares = [100 * c / max(n, 1) for c in counts]
    data = [
        dict(
            type="bar",
            x=[str(d) for d in range(len(counts))],
            y=shares,
            marker=dict(color=FAKE_COLOUR, line=dict(color="black", width=0.5)),
            customdata=counts,
            hovertemplate="digit %{x}: %{y:.1f} % (%{customdata} samples)<extra></extra>",
            showlegend=False,
        )
    ]
    shape, note = hline(10.0, "10 % each, as in real data", REAL_COLOUR)
    layout = dict(
        height=300,
        xaxis=dict(title=dict(text="digit the classifier reads with > 90 % confidence"), type="category"),
        yaxis=dict(title=dict(text="% of all samples"), range=[0, top]),
        shapes=[shape],
        annotations=[note],
    )
    return _figure(data, layout, title, revision)


def seed_distribution(
    groups: dict[str, list[float]],
    title: str,
    y_title: str,
    y_range: list[float] | None = None,
    revision: str = "sweep",
) -> go.Figure:
    """A box per configuration with every seed drawn as a point beside it (few seeds: show them all)."""
    data = [
        dict(
            type="box",
            y=values,
            name=label,
            boxpoints="all",
            jitter=0.4,
            pointpos=-1.6,
            boxmean=True,  # dashed line: the mean the papers report
            marker=dict(color=RUN_COLOURS[i % len(RUN_COLOURS)], size=8, opacity=0.8),
            line=dict(color=RUN_COLOURS[i % len(RUN_COLOURS)]),
            hovertemplate="%{y}<extra>" + label + "</extra>",
        )
        for i, (label, values) in enumerate(groups.items())
    ]
    layout = dict(height=340, showlegend=False, yaxis=dict(title=dict(text=y_title), range=y_range))
    return _figure(data, layout, title, revision)


def modes_histogram(groups: dict[str, list[int]], n_modes: int, title: str, revision: str = "sweep") -> go.Figure:
    """How many seeds captured 0, 1, …, M modes, one bar colour per configuration (grouped)."""
    edges = np.arange(n_modes + 1)
    data = [
        dict(
            type="bar",
            x=edges,
            y=np.bincount(np.asarray(values, dtype=int), minlength=n_modes + 1)[: n_modes + 1],
            name=label,
            marker=dict(color=RUN_COLOURS[i % len(RUN_COLOURS)]),
            hovertemplate="%{y} seeds with %{x} modes<extra>" + label + "</extra>",
        )
        for i, (label, values) in enumerate(groups.items())
    ]
    layout = dict(
        height=340,
        barmode="group",
        xaxis=dict(title=dict(text="modes captured"), dtick=1 if n_modes <= 10 else 5, range=[-0.5, n_modes + 0.5]),
        yaxis=dict(title=dict(text="seeds")),
    )
    return _figure(data, layout, title, revision)


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (PacGAN's tables report mean ± s.e. over trials)."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(arr) == 0:
        return float("nan"), float("nan")
    return float(arr.mean()), float(arr.std(ddof=1) / math.sqrt(len(arr))) if len(arr) > 1 else 0.0
