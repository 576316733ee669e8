"""What each slow-motion phase draws: pure (played iteration, phase, view) → plotly figures, left to right.

The planes share the run's fixed view (its grid and axis ranges) and the live page's colours, so a student sees
the same surface the live view shows, only one update at a time.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.experiments.toy.slowmo import DStep, GStep, Phase, SlowIteration
from playground.views.style import ARROW_COLOUR, D_COLOURS, FAKE_COLOUR, REAL_COLOUR

HEIGHT = 380  # px: three planes side by side fit a lecture screen
N_ARROWS = 64  # arrows on this many fakes (all 256 hide the points they start from)
CHANGE_COLOURS = [[0.0, "#5e3c99"], [0.5, "#f7f7f7"], [1.0, "#e66101"]]  # ΔD: purple down, orange up


def _layout(view, title: str, plane: bool = True) -> dict:
    axes = {}
    if plane:
        axes = dict(
            xaxis=dict(range=list(view.x_range), constrain="domain", showgrid=False, zeroline=False),
            yaxis=dict(range=list(view.y_range), scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False),
        )
    return dict(title=dict(text=title, x=0.01, xanchor="left"), height=HEIGHT, margin=dict(l=10, r=10, t=44, b=10),
                legend=dict(orientation="h", y=-0.12), **axes)  # fmt: skip


def _figure(data: list[dict], view, title: str, plane: bool = True) -> go.Figure:
    return go.Figure(dict(data=data, layout=_layout(view, title, plane)), _validate=False)


def _points(xy: np.ndarray, name: str, colour, size: int = 6, **marker) -> dict:
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="markers", name=name,
                marker=dict(color=colour, size=size, **marker))  # fmt: skip


def _judged(xy: np.ndarray, d: np.ndarray, name: str, symbol: str) -> dict:
    """Points coloured by D's verdict on each (the surface's colour scale), outlined so they stand out."""
    return dict(type="scatter", x=xy[:, 0], y=xy[:, 1], mode="markers", name=name, text=[f"D = {v:.3f}" for v in d],
                hovertemplate="%{text}<extra></extra>",
                marker=dict(color=d, cmin=0, cmax=1, colorscale=D_COLOURS, size=9, symbol=symbol,
                            line=dict(color="black", width=1)))  # fmt: skip


def _surface(view, values: np.ndarray, name: str = "D(x)") -> dict:
    grid = values.reshape(len(view.ys), len(view.xs))
    return dict(type="heatmap", x=view.xs, y=view.ys, z=grid, zmin=0, zmax=1, colorscale=D_COLOURS, name=name,
                colorbar=dict(title=dict(text=name), tickvals=[0, 0.5, 1], len=0.8, thickness=12),
                hovertemplate=f"x %{{x:.2f}}, y %{{y:.2f}}<br>{name} %{{z:.3f}}<extra></extra>")  # fmt: skip


def _segments(start: np.ndarray, end: np.ndarray, name: str, colour: str) -> dict:
    """Lines from each start to its end, arrow heads at the ends (one trace, NaN between segments)."""
    gap = np.full(len(start), np.nan)
    return dict(type="scatter", x=np.column_stack([start[:, 0], end[:, 0], gap]).ravel(),
                y=np.column_stack([start[:, 1], end[:, 1], gap]).ravel(), mode="lines+markers", name=name,
                hoverinfo="skip", line=dict(color=colour, width=1.5),
                marker=dict(symbol="arrow", angleref="previous", size=np.tile([0, 9, 0], len(start)),
                            color=colour))  # fmt: skip


def latent_figure(view, z: np.ndarray, title: str) -> go.Figure:
    """The noise minibatch in the plane of its first two latent dimensions (one dimension: along a line)."""
    xy = z[:, :2] if z.shape[1] > 1 else np.column_stack([z[:, 0], np.zeros(len(z))])
    layout = dict(xaxis=dict(title="z₁", range=[-3.5, 3.5]), yaxis=dict(title="z₂", range=[-3.5, 3.5]))
    fig = _figure([_points(xy, "z ~ p_z", "#7b3294")], view, title, plane=False)
    fig.update_layout(**layout)
    return fig


def verdict_histogram(view, d: DStep, title: str) -> go.Figure:
    """D(x) of each real point and D(G(z)) of each fake: the loss is small when reals sit at 1 and fakes at 0."""
    bins = dict(start=0, end=1, size=0.05)
    data = [dict(type="histogram", x=d.d_real, name="D(x), real", marker=dict(color=REAL_COLOUR), opacity=0.7,
                 xbins=bins),
            dict(type="histogram", x=d.d_fake, name="D(G(z)), fake", marker=dict(color=FAKE_COLOUR), opacity=0.7,
                 xbins=bins)]  # fmt: skip
    fig = _figure(data, view, title, plane=False)
    fig.update_layout(barmode="overlay", xaxis=dict(title="D's output", range=[0, 1]), yaxis=dict(title="points"))
    return fig


def _d_figures(view, d: DStep, key: str) -> list[go.Figure]:
    real, fake = _points(d.real, "real x", REAL_COLOUR), _points(d.fake, "fake G(z)", FAKE_COLOUR)
    if key == "sample":
        return [latent_figure(view, d.z, "Noise z (first two dims)"), _figure([real], view, "Real x ~ p_data")]
    if key == "generate":
        return [latent_figure(view, d.z, "Noise z"), _figure([real, fake], view, "x̃ = G(z) beside the real x")]
    judged = [_judged(d.real, d.d_real, "D(x), real", "circle"), _judged(d.fake, d.d_fake, "D(G(z)), fake", "x")]
    if key == "judge":
        return [_figure([_surface(view, d.surface_before), *judged], view, "D on the plane and on each point")]
    if key == "d_loss":
        return [verdict_histogram(view, d, "D's verdicts: the loss wants reals at 1, fakes at 0"),
                _figure([_surface(view, d.surface_before), *judged], view, "D before its update")]  # fmt: skip
    change = d.surface_after - d.surface_before
    span = max(float(np.abs(change).max()), 1e-6)
    diff = dict(_surface(view, change, "ΔD"), zmin=-span, zmax=span, colorscale=CHANGE_COLOURS,
                colorbar=dict(title=dict(text="ΔD"), len=0.8, thickness=12))  # fmt: skip
    return [_figure([_surface(view, d.surface_before), real, fake], view, "D before"),
            _figure([_surface(view, d.surface_after), real, fake], view, "D after"),
            _figure([diff, real, fake], view, "Change: after − before")]  # fmt: skip


def _g_figures(view, surface: np.ndarray, real: np.ndarray, g: GStep, key: str) -> list[go.Figure]:
    base = [_surface(view, surface), _points(real, "real x", REAL_COLOUR, size=4, opacity=0.5)]
    fake = _points(g.fake_before, "fake G(z)", FAKE_COLOUR, line=dict(color="black", width=0.5))
    if key == "fresh_z":
        return [latent_figure(view, g.z, "Fresh noise z"), _figure([*base, fake], view, "G(z) on D's new surface")]
    if key == "g_loss":
        start, push = g.fake_before[:N_ARROWS], g.push[:N_ARROWS]
        length = 0.08 * (view.x_range[1] - view.x_range[0])
        tips = start + push * (length / max(float(np.linalg.norm(push, axis=1).max(initial=0.0)), 1e-12))
        arrows = _segments(start, tips, f"push −∇ₓ L_G (first {len(start)})", ARROW_COLOUR)
        return [_figure([*base, fake, arrows], view, "Where G's loss pushes each fake")]
    moved = _points(g.fake_after, "G(z) after", "#a6611a", size=6, line=dict(color="black", width=0.5))
    faint = dict(fake, name="G(z) before", marker=dict(color=FAKE_COLOUR, size=6, opacity=0.35))
    paths = _segments(g.fake_before[:N_ARROWS], g.fake_after[:N_ARROWS], f"move (first {N_ARROWS})", ARROW_COLOUR)
    return [_figure([*base, faint, paths, moved], view, "Each fake's move (same z)")]


def phase_figures(played: SlowIteration, phase: Phase, view) -> list[go.Figure]:
    """The figures of one phase, left to right; ``view``: the run's fixed view (grid ``xs``/``ys``, ranges)."""
    if phase.d_step is not None:
        return _d_figures(view, played.d_steps[phase.d_step], phase.key)
    last = played.d_steps[-1]  # G plays against D as its last update left it
    return _g_figures(view, last.surface_after, last.real, played.g_steps[phase.g_step], phase.key)
