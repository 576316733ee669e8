"""Latent-space helpers for the explorer page: paths and walks through z, image grids, PNG/GIF bytes, z as text.

Pure functions of tensors and arrays; the page samples the generator and lays out the results.
"""

from __future__ import annotations

import io
import math

import numpy as np
import torch
from PIL import Image

# Entries of z ~ N(0, I) beyond a few units are already rare; |z_i| > 1e3 in pasted text is a typo, not a latent.
MAX_ABS_LATENT = 1e3


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Straight line z(t) = (1 − t)·z0 + t·z1 for every fraction in t: [dim], [dim], [T] → [T, dim]."""
    t = t.to(z0.dtype).unsqueeze(1)  # [T, 1], broadcasts against [dim]
    return (1 - t) * z0 + t * z1


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Great-circle path z(t) = sin((1 − t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1 with cos Ω = z0·z1 / (‖z0‖‖z1‖).

    Why: samples of N(0, I_d) concentrate near the sphere of radius √d, and lerp's midpoints cut through the
    low-norm interior the generator never saw, whereas slerp keeps the norm (exactly, when ‖z0‖ = ‖z1‖).
    When z0 and z1 are (anti)parallel the great circle is undefined (sin Ω ≈ 0), so this falls back to lerp.
    Shapes: [dim], [dim], [T] → [T, dim].
    """
    a, b = z0.double(), z1.double()  # float64 so Ω is accurate for nearly parallel vectors
    norms = a.norm() * b.norm()
    if norms == 0:  # a zero vector has no direction to rotate from
        return lerp(z0, z1, t)
    cos_omega = (a @ b / norms).clamp(-1.0, 1.0)
    sin_omega = torch.sqrt(1 - cos_omega**2)
    if sin_omega < 1e-6:
        return lerp(z0, z1, t)
    omega = torch.arccos(cos_omega)
    t = t.double().unsqueeze(1)  # [T, 1]
    path = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / sin_omega  # [T, dim]
    return path.to(z0.dtype)


def orthonormal_directions(dim: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two random orthonormal directions in R^dim (QR of a [dim, 2] Gaussian matrix): a 2-D slice of latent space."""
    if dim < 2:
        raise ValueError(f"a 2-D latent walk needs latent_dim ≥ 2, got {dim}")
    q, _ = torch.linalg.qr(torch.randn(dim, 2, generator=generator))  # q: [dim, 2], orthonormal columns
    return q[:, 0], q[:, 1]


def latent_walk(z: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor, span: float, steps: int) -> torch.Tensor:
    """Grid of latents z + a·d1 + b·d2 with a, b in linspace(−span, span, steps): [dim] → [steps*steps, dim].

    Row-major like `images_to_grid(..., nrow=steps)`: a (along d1) changes across a row, b (along d2) down the
    rows, so the picture reads as a map of the plane spanned by d1 and d2. With odd `steps` the centre is z.
    """
    offsets = span * torch.linspace(-1.0, 1.0, steps, dtype=z.dtype)  # [steps]
    b, a = torch.meshgrid(offsets, offsets, indexing="ij")  # [steps, steps] each; b indexes rows
    return z + a.reshape(-1, 1) * d1 + b.reshape(-1, 1) * d2  # [steps*steps, dim]


def images_to_grid(images: torch.Tensor, nrow: int, pad: int = 2, pad_value: int = 128) -> np.ndarray:
    """Tile [N, 1, H, W] (or [N, H, W]) images in [−1, 1] into one uint8 [rows·(H+pad)+pad, nrow·(W+pad)+pad] image.

    Pixel = round((x + 1) · 127.5), clipped, so −1 is black and 1 is white; `nrow` images per row (the torchvision
    convention). The grey padding separates digits whose background is black; empty cells stay grey.
    """
    n, h, w = images.shape[0], images.shape[-2], images.shape[-1]
    pixels = ((images.detach().cpu().reshape(n, h, w).clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
    rows = math.ceil(n / nrow)
    grid = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad), pad_value, dtype=np.uint8)
    for i, image in enumerate(pixels):
        top, left = pad + (i // nrow) * (h + pad), pad + (i % nrow) * (w + pad)
        grid[top : top + h, left : left + w] = image
    return grid


def _upscaled(array: np.ndarray, scale: int) -> Image.Image:
    """Nearest-neighbour upscale: 28-px digits stay crisp instead of being blurred by the browser."""
    image = Image.fromarray(array)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def to_png_bytes(array: np.ndarray, scale: int = 4) -> bytes:
    """PNG of a uint8 [H, W] (or [H, W, 3]) array, upscaled `scale`× by nearest neighbour."""
    buffer = io.BytesIO()
    _upscaled(array, scale).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes(frames: list[np.ndarray], duration_ms: int = 80, scale: int = 4) -> bytes:
    """Animated GIF, looping forever, of uint8 [H, W] frames shown `duration_ms` each, upscaled `scale`×.

    Pillow merges consecutive identical frames (adding their durations), so `n_frames` counts distinct ones.
    """
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    first, *rest = [_upscaled(frame, scale) for frame in frames]
    buffer = io.BytesIO()
    first.save(buffer, format="GIF", save_all=True, append_images=rest, duration=duration_ms, loop=0)
    return buffer.getvalue()


def z_to_text(z: torch.Tensor) -> str:
    """Comma-separated entries of z (flattened), each the shortest decimal that reads back to the same float32."""
    values = z.detach().cpu().reshape(-1).to(torch.float32).numpy()
    return ", ".join(str(v) for v in values)  # numpy's str is the shortest round-tripping repr


def z_from_text(text: str, dim: int) -> torch.Tensor:
    """Parse `dim` comma-separated numbers (optionally in [brackets]) into a float32 [dim] latent.

    Inverse of `z_to_text`, bit for bit, so a pasted z reproduces its image. Raises ValueError naming the first
    problem: wrong count, an entry that is not a number, NaN/Inf, or |entry| > MAX_ABS_LATENT.
    """
    body = text.strip().strip("[]").strip()
    entries = [entry.strip() for entry in body.split(",")] if body else []
    if len(entries) != dim:
        raise ValueError(f"expected {dim} comma-separated numbers, got {len(entries)}")
    values = []
    for i, entry in enumerate(entries, start=1):
        try:
            value = float(entry)
        except ValueError:
            raise ValueError(f"entry {i} ({entry!r}) is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"entry {i} is {entry!r}; every entry must be a finite number")
        if abs(value) > MAX_ABS_LATENT:
            raise ValueError(
                f"entry {i} is {entry}; latents are drawn from N(0, I), so |entry| must be ≤ {MAX_ABS_LATENT:g}"
            )
        values.append(value)
    return torch.tensor(values, dtype=torch.float32)
