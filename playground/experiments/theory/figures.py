"""Pictures of the 1-D theory page as pure functions: (fixed view, computed frame or series) → plotly Figure.

The main picture follows Goodfellow et al. 2014, Figure 1: on one x-axis p_data (black dots), p_g (green), the
learned D(x) (blue dashed) and the optimal D*(x); below it, arrows from the z line up to the x line show x = G(z).
Axis ranges come from the view, not the frame, so successive frames compare.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.experiments.theory.runs import LOG4, Frame1D, Series, View1D
from playground.gan.theory import generator_objectives

DATA_COLOUR, G_COLOUR, D_COLOUR, DSTAR_COLOUR = "#111111", "#1a9850", "#2166ac", "#c51b7d"
RACE_COLOURS = {"minimax": "#d95f02", "nonsat": "#1b9e77"}
RACE_LABELS = {"minimax": "saturating: min log(1 − D(G(z)))", "nonsat": "non-saturating: min −log D(G(z))"}
FONT = dict(size=15)  # readable from the back of a lecture hall


def _layout(fig: go.Figure, title: str, revision: str, height: int) -> go.Figure:
    return fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=60, r=60, t=60, b=40),
        uirevision=revision,  # keep the user's zoom while frames replace each other
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        plot_bgcolor="white",
    )


def density_top(view: View1D) -> float:
    """A fixed top for the density axis: p_data's peak with head-room (p_g spikes beyond it are clipped)."""
    return 1.35 * float(view.p_data.max())


def figure_one(
    view: View1D,
    frame: Frame1D,
    title: str,
    revision: str = "run",
    height: int = 520,
    show_dstar: bool = True,
    show_arrows: bool = True,
    legend: bool = True,
) -> go.Figure:
    """p_data, p_g, D and D* over x (densities on the left axis, D on the right, both fixed); z → x arrows below."""
    rows = 2 if show_arrows else 1
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.72, 0.28][:rows],
        vertical_spacing=0.04,
        specs=[[{"secondary_y": True}]] + ([[{}]] if show_arrows else []),
    )
    x = view.x
    dots = slice(None, None, max(1, len(x) // 80))  # black dots as in the paper, ~80 of them
    fig.add_trace(
        go.Scatter(
            x=x[dots], y=view.p_data[dots], mode="markers", name="p_data", marker=dict(color=DATA_COLOUR, size=5)
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=x, y=frame.p_g, mode="lines", name="p_g (KDE of G(z))", line=dict(color=G_COLOUR, width=3)),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=x, y=frame.d, mode="lines", name="D(x) learned", line=dict(color=D_COLOUR, width=3, dash="dash")),
        row=1,
        col=1,
        secondary_y=True,
    )
    if show_dstar:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame.d_star,
                mode="lines",
                name="D*(x) optimal",
                line=dict(color=DSTAR_COLOUR, width=2, dash="dot"),
            ),
            row=1,
            col=1,
            secondary_y=True,
        )
    fig.add_hline(y=0.5, line=dict(color="#888888", width=1, dash="dot"), row=1, col=1, secondary_y=True)
    fig.update_yaxes(
        title_text="density",
        range=[0, density_top(view)],
        row=1,
        col=1,
        secondary_y=False,
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        title_text="D(x)",
        range=[0, 1.02],
        tickvals=[0, 0.5, 1],
        row=1,
        col=1,
        secondary_y=True,
        showgrid=True,
        gridcolor="#eeeeee",
    )
    if show_arrows:
        _mapping(fig, view, frame)
    fig.update_xaxes(range=[float(x[0]), float(x[-1])], showgrid=False, zeroline=False)
    fig.update_xaxes(title_text="x", row=rows, col=1)
    fig.update_layout(showlegend=legend)
    return _layout(fig, title, revision, height)


def z_positions(view: View1D) -> np.ndarray:
    """Where each arrow's z sits on the drawn z line: the prior's bulk stretched over the middle of the x range."""
    lo, hi = float(view.x[0]), float(view.x[-1])
    centre, half = (lo + hi) / 2, 0.35 * (hi - lo)
    z = view.z_arrows.reshape(-1).double().numpy()
    z_lo, z_hi = view.z_range
    return centre + half * (2 * (z - z_lo) / (z_hi - z_lo) - 1)


def _mapping(fig: go.Figure, view: View1D, frame: Frame1D) -> None:
    """Row 2: the z line (y = 0) and the x line (y = 1), an arrow from each z to G(z)."""
    lo, hi = float(view.x[0]), float(view.x[-1])
    zs, xs = z_positions(view), np.clip(frame.arrows, lo, hi)  # a G(z) off the canvas points at its edge
    seg_x = np.column_stack([zs, xs, np.full_like(zs, np.nan)]).reshape(-1)  # [3A]: from, to, gap
    seg_y = np.tile([0.0, 0.93, np.nan], len(zs))
    line = dict(color=G_COLOUR, width=1.5)
    fig.add_trace(
        go.Scatter(x=seg_x, y=seg_y, mode="lines", line=line, hoverinfo="skip", showlegend=False), row=2, col=1
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=np.full_like(xs, 0.93),
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(symbol="triangle-up", size=9, color=G_COLOUR),
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=zs,
            y=np.zeros_like(zs),
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(size=6, color=DATA_COLOUR),
        ),
        row=2,
        col=1,
    )
    for y in (0.0, 1.0):
        fig.add_shape(type="line", x0=lo, x1=hi, y0=y, y1=y, line=dict(color="#444444", width=1.5), row=2, col=1)
    fig.update_yaxes(
        range=[-0.15, 1.1], tickvals=[0, 1], ticktext=["z", "x"], showgrid=False, zeroline=False, row=2, col=1
    )


JSD_TICKS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, math.log(2))  # round values, and ln 2: disjoint supports


def theory_curves(series: Series, revision: str = "run", height: int = 520) -> go.Figure:
    """V(D,G) of the learned D and C(G) = −log 4 + 2·JSD over training, with the optimum −log 4 dashed; JSD right."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=series.step, y=series.value, mode="lines", name="V(D, G), learned D", line=dict(color=D_COLOUR, width=2.5)
        )
    )
    fig.add_trace(
        go.Scatter(
            x=series.step,
            y=series.c_g,
            mode="lines",
            name="C(G) = max_D V",
            line=dict(color=DSTAR_COLOUR, width=2.5, dash="dot"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=series.step, y=series.jsd, mode="lines", name="JSD(p_data ‖ p_g)", line=dict(color=G_COLOUR, width=2.5)
        ),
        secondary_y=True,
    )
    fig.add_hline(
        y=-LOG4, line=dict(color="#555555", dash="dash"), annotation_text="−log 4", annotation_position="bottom right"
    )
    fig.update_yaxes(title_text="V, C(G)", range=[-LOG4 - 0.1, 0.05], secondary_y=False)
    fig.update_yaxes(
        title_text="JSD (nats)",
        range=[-0.05 * math.log(2), math.log(2) * 1.02],
        tickmode="array",  # plotly's automatic ticks here read 0.683, 0.586, 0.49, …
        tickvals=JSD_TICKS,
        ticktext=[f"{t:g}" for t in JSD_TICKS[:-1]] + ["ln 2"],
        secondary_y=True,
        showgrid=False,
    )
    fig.update_xaxes(title_text="generator step")
    _layout(fig, "The game's value falls to −log 4 as the JSD falls to 0", revision, height)
    return fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0))


def objectives_figure(d_now: dict[str, float] | None = None, height: int = 380) -> go.Figure:
    """G's two losses and their slopes (w.r.t. D's logit) against D(G(z)); optional markers at a run's D(G(z))."""
    d = np.linspace(0.001, 0.999, 500)
    obj = generator_objectives(d)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("G's loss to minimise", "its slope ∂loss/∂logit"))
    sat, non = dict(color=RACE_COLOURS["minimax"], width=3), dict(color=RACE_COLOURS["nonsat"], width=3)
    fig.add_trace(go.Scatter(x=d, y=obj.saturating, name="log(1 − D)  saturating", line=sat), row=1, col=1)
    fig.add_trace(go.Scatter(x=d, y=obj.non_saturating, name="−log D  non-saturating", line=non), row=1, col=1)
    fig.add_trace(go.Scatter(x=d, y=obj.saturating_grad, name="−D", line=sat, showlegend=False), row=1, col=2)
    fig.add_trace(go.Scatter(x=d, y=obj.non_saturating_grad, name="−(1 − D)", line=non, showlegend=False), row=1, col=2)
    for col in (1, 2):
        fig.add_vrect(x0=0, x1=0.1, fillcolor="#fdae61", opacity=0.25, line_width=0, row=1, col=col)
        fig.update_xaxes(title_text="D(G(z))", range=[0, 1], row=1, col=col)
    fig.add_annotation(
        x=0.05, y=-1.05, text="early:<br>D rejects<br>fakes", showarrow=False, row=1, col=2, font=dict(size=12)
    )
    fig.update_yaxes(range=[-5, 5], row=1, col=1)
    fig.update_yaxes(range=[-1.1, 0.05], row=1, col=2)
    for loss, value in (d_now or {}).items():
        fig.add_vline(x=value, line=dict(color=RACE_COLOURS[loss], dash="dot"), row=1, col=2)
    return _layout(fig, "Same fixed point, very different early gradients", "objectives", height).update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0)
    )


def race_figure(steps: list[int], w1: dict[str, list[float]], revision: str = "race", height: int = 360) -> go.Figure:
    """W1(p_g, p_data) over generator steps for the two losses of the race."""
    fig = go.Figure()
    for loss, values in w1.items():
        fig.add_trace(
            go.Scatter(
                x=steps, y=values, mode="lines", name=RACE_LABELS[loss], line=dict(color=RACE_COLOURS[loss], width=3)
            )
        )
    fig.update_yaxes(title_text="W1 to p_data", rangemode="tozero")
    fig.update_xaxes(title_text="generator step")
    return _layout(fig, "Distance to p_data (Wasserstein-1): lower is better", revision, height).update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0)
    )
