"""Curve charts that stay cheap while training: pictures while the run trains, plotly charts once it pauses."""

from __future__ import annotations

from collections.abc import Sequence

from playground.views import figures as F
from playground.views.pictures import curves_image
from webui.downloads import image_url


def curve_charts(cols, charts: Sequence[tuple[F.Curves, dict]], running: bool, revision: str, page: str) -> None:
    """One chart per column, each a (spec, history with the spec's columns and its own "step"): PNG pictures
    while training, interactive plotly charts once paused.

    Streamlit gives a plotly chart a new identity whenever its data change, so the browser rebuilds it on
    every redraw: in headless Chromium the three curve charts of the toy page took more than half of the
    page's JavaScript time (profiled), on the same cores training needs when the browser runs beside it.
    """
    for i, (col, (spec, history)) in enumerate(zip(cols, charts, strict=False)):
        if running:
            col.image(image_url(curves_image(history, spec), "image/png"))
        else:
            fig = F.curves_figure(history, spec, revision)
            col.plotly_chart(fig, key=f"{page}.curves{i}", config={"displaylogo": False})
