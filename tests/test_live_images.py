"""The toy page's live pictures: same colours, orientation and points as the plotly figures."""

import io

import numpy as np
from PIL import Image

from playground import live_images as LI
from playground.data import make_dataset
from playground.figures import make_view
from playground.models import ModelConfig


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
