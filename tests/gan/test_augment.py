"""What D sees: annealed instance noise and the image shift (``playground.gan.augment``)."""

import pytest
import torch

from playground.gan.augment import noise_sigma, seen_by_d, shift_images


def test_noise_sigma_falls_linearly_to_zero_at_the_anneal_step():
    assert [noise_sigma(0.4, 10, t) for t in (0, 5, 10, 20)] == pytest.approx([0.4, 0.2, 0.0, 0.0])
    assert noise_sigma(0.0, 10, 0) == 0.0


def test_seen_by_d_adds_sigma_times_the_streams_normal_noise_and_shifts_only_images():
    x = torch.zeros(5, 2)
    noisy = seen_by_d(x, 0.5, 2, torch.Generator().manual_seed(3))  # 2-D points: no shift
    torch.testing.assert_close(noisy, 0.5 * torch.randn(5, 2, generator=torch.Generator().manual_seed(3)))
    assert seen_by_d(x, 0.0, 0, torch.Generator()) is x  # σ = 0: untouched, no draw
    images = torch.full((3, 1, 28, 28), -1.0)
    images[:, 0, 14, 14] = 1.0
    shifted = seen_by_d(images, 0.0, 2, torch.Generator().manual_seed(0))
    torch.testing.assert_close(shifted, shift_images(images, 2, torch.Generator().manual_seed(0)))


def test_shift_moves_each_image_by_at_most_p_pixels_and_fills_background():
    x = torch.full((64, 1, 28, 28), -1.0)
    x[:, 0, 14, 14] = 1.0  # one bright pixel in the middle
    out = shift_images(x, 2, torch.Generator().manual_seed(0))
    rows, cols = (out[:, 0] == 1).nonzero()[:, 1:].T
    assert len(rows) == 64  # every image keeps its pixel …
    assert rows.sub(14).abs().max() == 2 and cols.sub(14).abs().max() == 2  # … moved by up to ±2, both ways seen
    assert (out[:, 0] == -1).sum() == 64 * (28 * 28 - 1)  # the rest is background
    y = x.clone().requires_grad_(True)
    shift_images(y, 2, torch.Generator().manual_seed(0)).sum().backward()
    assert y.grad.sum() == 64 * 28 * 28 - (y.grad == 0).sum()  # differentiable: each kept pixel passes grad 1
