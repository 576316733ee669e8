"""The toy page's live pictures: same colours, orientation and points as the plotly figures."""

import io

import numpy as np
from PIL import Image

from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.views import figures as F
from playground.views import pictures as LI
from playground.views.figures import make_view


def decode(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (LI.SIZE, LI.SIZE)
    return np.asarray(image.convert("RGB")).astype(int)


def test_colour_map_ends_and_middle_are_the_figures_colours():
    rgb = LI.colour_map(np.array([[0.0, 0.5, 1.0]]))[0].astype(int)
    expected = np.array([[0x2C, 0x7B, 0xB6], [0xF7, 0xF7, 0xF7], [0xD7, 0x19, 0x1C]])  # blue, white, red
    assert np.abs(rgb - expected).max() <= 2  # 256 levels: ½ falls between two


def test_surface_is_red_where_d_says_real_with_a_dark_half_line_and_y_pointing_up():
    view = make_view(make_dataset("ring8"), ModelConfig(), n_points=2)
    n = len(view.ys)
    d = np.zeros((n, n), dtype=np.float32)
    d[n // 2 :] = 1.0  # the upper half of the plane (larger y: later grid rows) is "real"
    far = np.array([[view.x_range[0], view.y_range[0]]]) + 1e9  # fakes off the picture
    pixels = decode(LI.surface_image(view, d, far))
    top, bottom = pixels[40, LI.SIZE // 2], pixels[-40, LI.SIZE // 2]
    assert top[0] > 180 and top[2] < 80  # red at the top
    assert bottom[2] > 150 and bottom[0] < 80  # blue at the bottom
    middle = pixels[LI.SIZE // 2 - 4 : LI.SIZE // 2 + 4, LI.SIZE // 4]
    assert middle.sum(axis=1).min() < 150  # the D = ½ boundary: a dark line across the middle


def test_a_critic_surface_spans_its_own_score_range_with_no_half_line():
    view = make_view(make_dataset("ring8"), ModelConfig(), n_points=2)
    n = len(view.ys)
    scores = np.broadcast_to(np.linspace(-8.0, -6.0, n, dtype=np.float32)[:, None], (n, n))  # all < 0, rising with y
    far = np.array([[view.x_range[0], view.y_range[0]]]) + 1e9
    pixels = decode(LI.surface_image(view, scores, far, critic=True))
    top, bottom = pixels[5, LI.SIZE // 2], pixels[-5, LI.SIZE // 2]
    assert top[0] > 180 and top[2] < 80  # the highest score is red, though every score is negative
    assert bottom[2] > 150 and bottom[0] < 80  # the lowest blue
    assert pixels[:, LI.SIZE // 4].sum(axis=1).min() > 200  # no dark (20, 20, 20) boundary anywhere down it


def test_fakes_are_drawn_where_they_are():
    view = make_view(make_dataset("ring8"), ModelConfig(), n_points=2)
    centre = np.array([[(view.x_range[0] + view.x_range[1]) / 2, (view.y_range[0] + view.y_range[1]) / 2]])
    d = np.full((len(view.ys), len(view.xs)), 0.5, dtype=np.float32)
    pixels = decode(LI.surface_image(view, d, centre))
    c = LI.SIZE // 2
    r, g, b = pixels[c, c]
    assert r > 200 and 90 < g < 170 and b < 90  # orange (#ff7f0e) at the centre
    manifold = decode(LI.manifold_image(view, np.zeros((2, 5, 2))))
    assert manifold.shape == (LI.SIZE, LI.SIZE, 3)


def test_nice_ticks_are_round_and_cover_the_range():
    assert LI.nice_ticks(-0.02, 1.02) == [0.0, 0.5, 1.0]
    assert LI.nice_ticks(1, 3000) == [1000, 2000, 3000]
    assert LI.nice_ticks(-1.45, -1.2) == [-1.4, -1.3, -1.2]
    assert LI.nice_ticks(0.6, 1.45) == [0.75, 1.0, 1.25]  # at least 3 ticks, however narrow the range
    assert LI.nice_ticks(2.0, 2.0) == [2.0]


def curve_pixels(history, spec) -> np.ndarray:
    image = Image.open(io.BytesIO(LI.curves_image(history, spec)))
    assert image.format == "PNG" and image.size == LI.CURVE_SIZE
    return np.asarray(image.convert("RGB")).astype(int)


def has_colour(pixels: np.ndarray, hex_colour: str, tolerance: int = 10) -> np.ndarray:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return (np.abs(pixels - rgb).max(axis=-1) <= tolerance).any(axis=-1)  # per row: is the colour there?


def test_curves_picture_draws_each_series_at_its_height_with_the_half_line_between():
    steps = list(range(1, 201))
    history = {"step": steps, "d_real": [0.9] * 200, "d_fake": [0.1] * 200}
    pixels = curve_pixels(history, F.D_OUTPUTS)
    m = LI._MARGIN
    plot = pixels[m["top"] : LI.CURVE_SIZE[1] - m["bottom"], m["left"] + 2 : LI.CURVE_SIZE[0] - m["right"] - 2]
    real_rows = np.flatnonzero(has_colour(plot, F.REAL_COLOUR))
    fake_rows = np.flatnonzero(has_colour(plot, F.FAKE_COLOUR))
    height = plot.shape[0]
    # the fixed range [−0.02, 1.02]: 0.9 sits near the top (y up), 0.1 near the bottom
    assert abs(real_rows.mean() / height - (1.02 - 0.9) / 1.04) < 0.03
    assert abs(fake_rows.mean() / height - (1.02 - 0.1) / 1.04) < 0.03
    grey_rows = np.flatnonzero((np.abs(plot - 110).max(axis=-1) <= 6).sum(axis=-1) > plot.shape[1] // 3)
    assert abs(grey_rows.mean() / height - (1.02 - 0.5) / 1.04) < 0.03  # the dashed D = ½ reference


def test_curves_picture_survives_nan_and_empty_histories():
    history = {"step": [1, 2, 3, 4], "value": [-1.0, float("nan"), float("inf"), -1.2]}
    assert curve_pixels(history, F.VALUE).shape[:2] == LI.CURVE_SIZE[::-1]
    assert curve_pixels({"step": [], "value": []}, F.VALUE).shape[:2] == LI.CURVE_SIZE[::-1]
