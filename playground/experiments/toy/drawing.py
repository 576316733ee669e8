"""Draw your own data: clicks on an empty plane become a point set to train on (GAN Lab's drawn distribution).

The page shows a grid of faint, clickable targets (Streamlit reports a plotly chart's selected points, not a click
on empty space, so a click selects the nearest target and a box or lasso drag selects many); each selected target
places ``per_click`` points scattered around it by the brush. The set trains like an uploaded CSV (the same checks),
downloads as CSV, and travels in a share link up to ``url.MAX_POINTS`` points.
"""

from __future__ import annotations

import hashlib

import numpy as np

from playground.gan.data import PointCloud, points_from_csv
from playground.settings.url import MAX_POINTS, POINT_DECIMALS

EXTENT = 4.0  # the canvas spans ±4 on both axes (the built-in sets lie within ±3)
TARGETS_PER_AXIS = 41  # clickable targets every 0.2
BRUSHES = {"point": 0.0, "small": 0.1, "medium": 0.25, "large": 0.5}  # σ of the scatter around a click
PER_CLICK = (1, 5, 10, 20)  # points placed per selected target
MAX_DRAWN = 5000  # enough for any distribution a person draws; the page stops adding beyond it
LINK_LIMIT = MAX_POINTS  # a drawn set of at most this many points travels in the share link


def targets() -> np.ndarray:
    """The clickable grid [T², 2], row-major."""
    axis = np.linspace(-EXTENT, EXTENT, TARGETS_PER_AXIS)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


def brush(centres: np.ndarray, size: str, per_click: int, seed: int) -> np.ndarray:
    """``per_click`` points around each centre [k, 2], Gaussian with the brush's σ (σ 0: the centre, once), inside
    the canvas, rounded as a link carries them (so a shared set is the drawn one exactly)."""
    sigma = BRUSHES[size]
    if sigma == 0:
        placed = centres
    else:
        rng = np.random.default_rng(seed)
        placed = np.repeat(centres, per_click, axis=0) + rng.normal(0.0, sigma, (len(centres) * per_click, 2))
    return np.clip(placed, -EXTENT, EXTENT).round(POINT_DECIMALS)


def to_csv(points: np.ndarray) -> str:
    return "x,y\n" + "".join(f"{x:.{POINT_DECIMALS}f},{y:.{POINT_DECIMALS}f}\n" for x, y in points)


def drawn_dataset(points: np.ndarray) -> tuple[str, PointCloud]:
    """(data id, points) for training; the id names the points, so drawing the same set again needs no Reset.

    Raises ``DataError`` (one sentence) like a CSV upload, e.g. for fewer than 10 points.
    """
    text = to_csv(points)
    return "drawn:" + hashlib.sha1(text.encode()).hexdigest()[:12], points_from_csv(text)
