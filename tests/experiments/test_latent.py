import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from playground.experiments.latent.walks import (
    gif_bytes,
    images_to_grid,
    latent_walk,
    lerp,
    orthonormal_directions,
    slerp,
    to_png_bytes,
    z_from_text,
    z_to_text,
)

DIM = 64


def latents(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.randn(2, DIM, generator=torch.Generator().manual_seed(seed))
    return z[0], z[1]


@pytest.mark.parametrize("path", [lerp, slerp])
def test_paths_start_at_z0_and_end_at_z1(path):
    z0, z1 = latents()
    out = path(z0, z1, torch.linspace(0, 1, 7))
    assert out.shape == (7, DIM)
    torch.testing.assert_close(out[0], z0)
    torch.testing.assert_close(out[-1], z1)


def test_slerp_preserves_norm_between_equal_norm_endpoints():
    z0, z1 = latents()
    z1 = z1 * z0.norm() / z1.norm()
    norms = slerp(z0, z1, torch.linspace(0, 1, 11)).norm(dim=1)
    torch.testing.assert_close(norms, torch.full_like(norms, z0.norm().item()))


def test_slerp_midpoint_stays_on_the_shell_where_lerp_cuts_inside():
    d1, d2 = orthonormal_directions(DIM, torch.Generator().manual_seed(0))
    radius = math.sqrt(DIM)  # where N(0, I) samples concentrate
    z0, z1 = radius * d1, radius * d2
    half = torch.tensor([0.5])
    assert slerp(z0, z1, half)[0].norm().item() == pytest.approx(radius, rel=1e-5)
    assert lerp(z0, z1, half)[0].norm().item() == pytest.approx(radius / math.sqrt(2), rel=1e-5)


@pytest.mark.parametrize("factor", [2.0, -1.0, 0.0])
def test_slerp_falls_back_to_lerp_for_parallel_antiparallel_or_zero_endpoints(factor):
    z0, _ = latents()
    t = torch.linspace(0, 1, 5)
    out = slerp(z0, factor * z0, t)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, lerp(z0, factor * z0, t))


def test_orthonormal_directions_are_orthonormal_and_reproducible():
    d1, d2 = orthonormal_directions(DIM, torch.Generator().manual_seed(3))
    assert d1 @ d2 == pytest.approx(0.0, abs=1e-6)
    assert d1.norm().item() == pytest.approx(1.0, abs=1e-6)
    assert d2.norm().item() == pytest.approx(1.0, abs=1e-6)
    e1, e2 = orthonormal_directions(DIM, torch.Generator().manual_seed(3))
    torch.testing.assert_close((e1, e2), (d1, d2))


def test_orthonormal_directions_need_two_dimensions():
    with pytest.raises(ValueError, match="latent_dim ≥ 2"):
        orthonormal_directions(1, torch.Generator())


def test_latent_walk_is_a_row_major_grid_centred_on_z():
    z, _ = latents()
    d1, d2 = orthonormal_directions(DIM, torch.Generator().manual_seed(1))
    steps, span = 5, 2.0
    grid = latent_walk(z, d1, d2, span, steps)
    assert grid.shape == (steps * steps, DIM)
    torch.testing.assert_close(grid[steps * steps // 2], z)
    torch.testing.assert_close(grid[0], z - span * d1 - span * d2)  # top-left
    torch.testing.assert_close(grid[steps - 1], z + span * d1 - span * d2)  # top-right: d1 runs across
    torch.testing.assert_close(grid[-1], z + span * d1 + span * d2)  # bottom-right


def test_images_to_grid_maps_range_and_layout():
    images = torch.stack([torch.full((1, 28, 28), -1.0), torch.full((1, 28, 28), 1.0), torch.zeros(1, 28, 28)])
    grid = images_to_grid(images, nrow=2, pad=2)
    assert grid.dtype == np.uint8
    assert grid.shape == (2 * 30 + 2, 2 * 30 + 2)
    assert (grid[2:30, 2:30] == 0).all()  # −1 → black
    assert (grid[2:30, 32:60] == 255).all()  # 1 → white
    assert (grid[32:60, 2:30] == 128).all()  # 0 → mid grey
    assert (grid[0, :] == 128).all()  # padding
    assert (grid[32:60, 32:60] == 128).all()  # empty cell stays padding


def test_png_bytes_are_an_upscaled_png():
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    image = Image.open(io.BytesIO(to_png_bytes(array, scale=3)))
    assert image.format == "PNG"
    assert image.size == (12, 9)
    np.testing.assert_array_equal(np.asarray(image)[::3, ::3], array)


def test_gif_bytes_is_a_looping_animation_with_every_frame():
    frames = [np.full((28, 28), 20 * i, dtype=np.uint8) for i in range(6)]
    image = Image.open(io.BytesIO(gif_bytes(frames, duration_ms=50, scale=2)))
    assert image.format == "GIF"
    assert image.is_animated
    assert image.n_frames == 6
    assert image.info["loop"] == 0
    assert image.info["duration"] == 50
    assert image.size == (56, 56)


def test_gif_bytes_needs_a_frame():
    with pytest.raises(ValueError, match="at least one frame"):
        gif_bytes([])


def test_z_text_round_trips_bit_for_bit():
    z = torch.randn(DIM, generator=torch.Generator().manual_seed(4)) * torch.logspace(-8, 2, DIM)
    assert torch.equal(z_from_text(z_to_text(z), DIM), z)


def test_z_from_text_accepts_brackets_and_whitespace():
    torch.testing.assert_close(z_from_text(" [1, -2.5,\n3e-1] ", 3), torch.tensor([1.0, -2.5, 0.3]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1, 2", "expected 3 comma-separated numbers, got 2"),
        ("1, 2, 3, 4", "expected 3 comma-separated numbers, got 4"),
        ("", "expected 3 comma-separated numbers, got 0"),
        ("1, two, 3", r"entry 2 \('two'\) is not a number"),
        ("1, , 3", r"entry 2 \(''\) is not a number"),
        ("1, nan, 3", "entry 2 is 'nan'; every entry must be a finite number"),
        ("1, 2, -inf", "entry 3 is '-inf'; every entry must be a finite number"),
        ("1e4, 2, 3", r"entry 1 is 1e4; .*\|entry\| must be ≤ 1000"),
    ],
)
def test_z_from_text_rejects_bad_input_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        z_from_text(text, 3)
