"""The toy page's data choice: a built-in set, a CSV upload, or points drawn by hand on a canvas.

The canvas is a plotly chart of faint targets whose selection Streamlit reports (``on_select``): a click places
points around the nearest target, the toolbar's box or lasso around every target inside it (no custom JavaScript).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from playground.experiments.toy import drawing
from playground.experiments.toy.build import uploaded_dataset
from playground.experiments.toy.settings import DRAW, TOY, UPLOAD
from playground.gan.data import DataError, make_dataset
from playground.views.style import REAL_COLOUR
from webui import form, share

DRAWN = "toy.drawn"  # the drawn points [N, 2] (numpy)
CANVAS = "toy.canvas"  # bumps after each stroke: a fresh chart key clears plotly's selection, so a click can repeat


def data_ui(canvas) -> tuple[str | None, object | None]:
    """Dataset choice (with CSV upload, or the drawing canvas in ``canvas``, a container of the main area);
    returns (data id, dataset) or (None, None) when unusable."""
    name = form.widget(TOY, "dataset")
    if name == DRAW:
        return draw_ui(canvas)
    if name != UPLOAD:
        return name, make_dataset(name)
    upload = st.file_uploader(
        "CSV of points (x, y)",
        type=["csv"],
        key="toy.csv",
        disabled=share.locked(TOY.key("dataset")),
        help="First two columns are x and y; a header row is optional; at most 5 MB.",
    )
    if upload is None:
        if not share.has_linked_data(TOY):  # else the link's points are used, and the share box says so
            st.info("Choose a CSV file to train on your own points.")
        return None, None
    try:
        return uploaded_dataset(upload.getvalue())
    except DataError as exc:
        st.error(str(exc))
        return None, None


def _canvas(points: np.ndarray) -> go.Figure:
    grid = drawing.targets()
    targets = dict(type="scatter", x=grid[:, 0], y=grid[:, 1], mode="markers", name="click to place",
                   marker=dict(size=9, color="#888888", opacity=0.08), hovertemplate="place at %{x:.1f}, %{y:.1f}"
                   "<extra></extra>")  # fmt: skip
    drawn = dict(type="scatter", x=points[:, 0], y=points[:, 1], mode="markers", name="your points",
                 marker=dict(size=5, color=REAL_COLOUR), hoverinfo="skip")  # fmt: skip
    span = [-drawing.EXTENT, drawing.EXTENT]
    # Streamlit reports a click only while dragging pans (a drag selects otherwise); fixed axes make that drag a
    # no-op, and the toolbar's box and lasso tools paint areas
    layout = dict(height=480, width=520, margin=dict(l=10, r=10, t=10, b=10), showlegend=False, dragmode="pan",
                  xaxis=dict(range=span, constrain="domain", zeroline=True, fixedrange=True),
                  yaxis=dict(range=span, scaleanchor="x", scaleratio=1, zeroline=True, fixedrange=True))  # fmt: skip
    return go.Figure(dict(data=[targets, drawn], layout=layout), _validate=False)


def draw_ui(canvas) -> tuple[str | None, object | None]:
    """Brush and per-click count here; the canvas, Clear and the CSV download in ``canvas``; returns the drawn set
    once usable."""
    points = st.session_state.get(DRAWN, np.zeros((0, 2)))
    cols = st.columns(2)
    size = cols[0].selectbox("Brush", tuple(drawing.BRUSHES), index=1, key="toy.brush",
                             help="How far one click's points scatter (σ); 'point' places exactly one.")  # fmt: skip
    per_click = cols[1].selectbox("Points per click", drawing.PER_CLICK, index=2, key="toy.per_click",
                                  disabled=size == "point")  # fmt: skip
    with canvas:
        return _canvas_ui(points, size, per_click)


def _canvas_ui(points: np.ndarray, size: str, per_click: int) -> tuple[str | None, object | None]:
    st.subheader("Draw your data")
    st.caption("Click to place points; to paint an area, pick the box or lasso tool above the chart and drag.")
    stroke = st.session_state.get(CANVAS, 0)
    left, right = st.columns([3, 2])
    event = left.plotly_chart(_canvas(points), key=f"toy.canvas.{stroke}", on_select="rerun", width="content",
                              selection_mode=("points", "box", "lasso"), config={"displaylogo": False})  # fmt: skip
    chosen = [(p["x"], p["y"]) for p in event.selection.points if p.get("curve_number", 0) == 0]
    if chosen and len(points) < drawing.MAX_DRAWN:
        new = drawing.brush(np.array(chosen, dtype=float), size, per_click, seed=stroke)
        st.session_state[DRAWN] = np.concatenate([points, new])[: drawing.MAX_DRAWN]
        st.session_state[CANVAS] = stroke + 1
        st.rerun()
    cols = right.columns(2)
    if cols[0].button("Clear", key="toy.draw.clear", width="stretch", disabled=not len(points),
                      help="Remove every drawn point."):  # fmt: skip
        st.session_state[DRAWN] = np.zeros((0, 2))
        st.session_state[CANVAS] = stroke + 1
        st.rerun()
    cols[1].download_button("CSV", drawing.to_csv(points), "drawn_points.csv", "text/csv", key="toy.draw.csv",
                            width="stretch", disabled=not len(points))  # fmt: skip
    fits = "they travel in" if len(points) <= drawing.LINK_LIMIT else "too many for"
    right.caption(f"{len(points)} points ({fits} the share link: at most {drawing.LINK_LIMIT}). Press **Reset** "
                  "to train on them.")  # fmt: skip
    try:
        return drawing.drawn_dataset(points) if len(points) else (None, None)
    except DataError as exc:
        right.info(str(exc))
        return None, None
