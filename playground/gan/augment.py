"""What D sees of a batch: annealed instance noise and, for images, a random shift.

Both are applied to real and fake samples alike, in the same order of random draws in every engine
(noise first, then the shift), so the hand-written engines reproduce the reference step's numbers.
"""

from __future__ import annotations

import torch
from torch import nn


def noise_sigma(instance_noise: float, anneal_steps: int, step: int) -> float:
    """Instance noise σ_t = σ₀·max(0, 1 − t/T) (Sønderby et al. 2017): blurs both distributions early, so their
    supports overlap and D's gradient is informative, and vanishes by step T."""
    if not instance_noise:
        return 0.0
    return instance_noise * max(0.0, 1 - step / anneal_steps)


def shift_images(x: torch.Tensor, pixels: int, gen: torch.Generator) -> torch.Tensor:
    """Each image moved by its own random offset of up to ±``pixels`` in x and y, the gap filled with background.

    DiffAugment's translation (Zhao et al. 2020): applied to real and fake images alike before D sees them, and
    differentiable, so G learns through it. With 4,500 training digits D otherwise memorises the real set.
    """
    n, c, h, w = x.shape
    padded = nn.functional.pad(x, (pixels,) * 4, value=-1.0)  # −1 is the background of [−1, 1] images
    dy, dx = torch.randint(2 * pixels + 1, (2, n), generator=gen, device=gen.device).to(x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device)).view(n, 1, h, 1).expand(n, c, h, w + 2 * pixels)
    cols = (dx[:, None] + torch.arange(w, device=x.device)).view(n, 1, 1, w).expand(n, c, h, w)
    return padded.gather(2, rows).gather(3, cols)


def seen_by_d(x: torch.Tensor, sigma: float, shift: int, gen: torch.Generator) -> torch.Tensor:
    """A batch as D sees it: plus σ·N(0, 1) noise when σ > 0, then shifted by up to ±``shift`` pixels (images)."""
    x = x + sigma * torch.randn(x.shape, generator=gen, device=x.device) if sigma else x
    return shift_images(x, shift, gen) if shift and x.dim() == 4 else x
