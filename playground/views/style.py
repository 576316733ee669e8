"""What every plotly picture of a GAN shares: its colours, the font, the figure wrapper and a dashed reference line."""

from __future__ import annotations

import plotly.graph_objects as go

REAL_COLOUR, FAKE_COLOUR, ARROW_COLOUR = "#1b9e3e", "#ff7f0e", "#222222"
D_COLOURS = [[0.0, "#2c7bb6"], [0.5, "#f7f7f7"], [1.0, "#d7191c"]]  # blue: "fake", red: "real"
FONT = dict(size=15)  # readable from the back of a lecture hall


# Figures are assembled from plain dicts and wrapped without plotly's per-property validation:
# validating every trace costs tens of milliseconds, several times a second, on the cores training uses.
def figure(data: list[dict], layout: dict, title: str, revision: str) -> go.Figure:
    """A figure of plain-dict traces with the house title, font and legend; ``revision`` keeps zoom/pan."""
    base = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        uirevision=revision,
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.12),
    )
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)


def hline(y: float, text: str, colour: str = "grey", side: str = "right") -> tuple[dict, dict]:
    """A dashed horizontal line across the plot at ``y`` (a layout shape) and its label above it, at one side."""
    line = dict(dash="dash", color=colour, width=2)
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)
    x, anchor = (0.0, "left") if side == "left" else (1.0, "right")
    note = dict(xref="paper", x=x, xanchor=anchor, yref="y", y=y, yanchor="bottom", text=text, showarrow=False,
                font=dict(color=colour))  # fmt: skip
    return shape, note
