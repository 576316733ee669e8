"""Toy distributions the GANs learn: 2-D sets looked up by name, a user's CSV, and 1-D mixtures.

Every sampler draws from a caller-owned ``torch.Generator`` so that concurrent trainers in one
process never share (or disturb) a random stream, and the same seed gives the same points.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch


class DataError(ValueError):
    """A dataset name or a user's file that cannot be used; the message is meant for the user."""


@dataclass(frozen=True)
class Mixture:
    """Equal-weight isotropic Gaussian mixture; knows its modes so coverage metrics can use them."""

    means: tuple[tuple[float, ...], ...]
    sigma: float

    @property
    def dim(self) -> int:
        return len(self.means[0])

    def means_tensor(self, device: torch.device | str = "cpu") -> torch.Tensor:
        return torch.tensor(self.means, dtype=torch.float32, device=device)  # [M, dim]

    @functools.lru_cache(maxsize=4)  # noqa: B019 (a mixture is a small immutable value): sampled every step
    def _means(self, device: torch.device | str) -> torch.Tensor:
        return self.means_tensor(device)

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        means = self._means(device)
        idx = torch.randint(len(self.means), (n,), generator=gen, device=device)
        noise = torch.randn(n, self.dim, generator=gen, device=device)
        return means.index_select(0, idx).add_(noise, alpha=self.sigma)  # [n, dim]; index_select: 7 → 5 µs

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        """Density at points x [N, dim] (used for the optimal discriminator D*)."""
        means = self.means_tensor(x.device)
        sq = torch.cdist(x.float(), means).pow(2)  # [N, M]
        norm = (2 * math.pi * self.sigma**2) ** (self.dim / 2)
        return torch.exp(-sq / (2 * self.sigma**2)).mean(dim=1) / norm


def ring(n_modes: int = 8, radius: float = 2.0, sigma: float = 0.02) -> Mixture:
    """Gaussians evenly spaced on a circle; ``endpoint=False`` spacing so no two modes coincide."""
    angles = [2 * math.pi * i / n_modes for i in range(n_modes)]
    return Mixture(tuple((radius * math.cos(a), radius * math.sin(a)) for a in angles), sigma)


def grid(side: int = 5, spacing: float = 2.0, sigma: float = 0.05) -> Mixture:
    """The VEEGAN/PacGAN grid: means at {-4, -2, 0, 2, 4}^2 for side 5."""
    offs = [spacing * (i - (side - 1) / 2) for i in range(side)]
    return Mixture(tuple((x, y) for x in offs for y in offs), sigma)


def _swissroll(n: int, gen: torch.Generator, device) -> torch.Tensor:
    # sklearn's make_swiss_roll (x, z columns), noise 0.25, scaled by 1/7.5 as in the WGAN-GP toy script
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=gen, device=device))
    pts = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1)
    return (pts + 0.25 * torch.randn(n, 2, generator=gen, device=device)) / 7.5


def _moons(n: int, gen: torch.Generator, device) -> torch.Tensor:
    # sklearn's make_moons with noise 0.05, centred on the origin
    upper = torch.rand(n, generator=gen, device=device) < 0.5
    t = math.pi * torch.rand(n, generator=gen, device=device)
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    pts = torch.stack([x - 0.5, y - 0.25], dim=1)
    return pts + 0.05 * torch.randn(n, 2, generator=gen, device=device)


def _circles(n: int, gen: torch.Generator, device) -> torch.Tensor:
    # sklearn's make_circles: outer radius 1, inner 0.5, noise 0.05
    radius = torch.where(torch.rand(n, generator=gen, device=device) < 0.5, 1.0, 0.5)
    t = 2 * math.pi * torch.rand(n, generator=gen, device=device)
    pts = radius.unsqueeze(1) * torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    return pts + 0.05 * torch.randn(n, 2, generator=gen, device=device)


def _spiral(n: int, gen: torch.Generator, device) -> torch.Tensor:
    # two interleaved Archimedean arms, radius growing to 2
    arm = (torch.rand(n, generator=gen, device=device) < 0.5).float()
    t = torch.sqrt(torch.rand(n, generator=gen, device=device))  # uniform along the arm's area
    angle = 3 * math.pi * t + math.pi * arm
    pts = 2 * t.unsqueeze(1) * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return pts + 0.04 * torch.randn(n, 2, generator=gen, device=device)


@dataclass(frozen=True)
class PointCloud:
    """A fixed set of points (a user's CSV), resampled with replacement."""

    points: torch.Tensor  # [N, 2]

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        idx = torch.randint(len(self.points), (n,), generator=gen, device=gen.device)
        return self.points.to(gen.device)[idx].to(device)


@dataclass(frozen=True)
class Curve:
    """A named continuous 2-D set (moons, swissroll, …)."""

    draw: Callable[[int, torch.Generator, object], torch.Tensor]

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        return self.draw(n, gen, device)


Dataset2D = Mixture | Curve | PointCloud

DATASETS: dict[str, Callable[[], Dataset2D]] = {
    "ring8": lambda: ring(8, radius=2.0, sigma=0.02),
    "grid25": lambda: grid(5, spacing=2.0, sigma=0.05),
    "swissroll": lambda: Curve(_swissroll),
    "moons": lambda: Curve(_moons),
    "circles": lambda: Curve(_circles),
    "spiral": lambda: Curve(_spiral),
}

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ABS_VALUE = 1e6
MIN_ROWS = 10


def points_from_csv(text: str) -> PointCloud:
    """Parse a user's CSV of 2-D points (first two columns; a header row is optional).

    Every problem raises ``DataError`` with one plain sentence: the file is untrusted input.
    """
    if len(text) > MAX_CSV_BYTES:
        raise DataError(f"CSV is larger than {MAX_CSV_BYTES // 2**20} MB.")
    try:
        rows = _numbered_rows(text)
    except csv.Error as exc:
        raise DataError(f"CSV could not be read: {exc}.") from None
    if rows and not _is_numeric_row(rows[0][1][:2]):
        rows = rows[1:]  # header
    if not rows:
        raise DataError("CSV has no data rows.")
    if min(len(r) for _, r in rows) < 2:
        raise DataError("CSV needs at least 2 columns (x, y) in every row.")
    values = []
    for line, row in rows:
        if not _is_numeric_row(row[:2]):
            raise DataError(f"CSV line {line} is not numeric: {','.join(row[:2])[:40]!r}.")
        values.append([float(row[0]), float(row[1])])
    pts = torch.tensor(values, dtype=torch.float32)
    if not torch.isfinite(pts).all():
        raise DataError("CSV contains NaN or infinite values.")
    if pts.abs().max() > MAX_ABS_VALUE:
        raise DataError(f"CSV values must lie within ±{MAX_ABS_VALUE:g}.")
    if len(pts) < MIN_ROWS:
        raise DataError(f"CSV has {_rows(len(pts))}; at least {MIN_ROWS} points are needed.")
    return PointCloud(pts)


def _numbered_rows(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows, each with the file's own line number (1 = the first line, header included), so a
    message points at the line a text editor shows."""
    reader = csv.reader(io.StringIO(text))
    return [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]


def _rows(n: int) -> str:
    return f"{n} data row" if n == 1 else f"{n} data rows"


def _is_numeric_row(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return len(cells) > 0


def make_dataset(name: str) -> Dataset2D:
    """Look a dataset up by name, or read a CSV file when ``name`` is a path ending in .csv."""
    if name in DATASETS:
        return DATASETS[name]()
    if name.lower().endswith(".csv"):
        path = Path(name)
        if not path.is_file():
            raise DataError(f"CSV file not found: {name}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"CSV file could not be read: {exc.__class__.__name__}.") from None
        return points_from_csv(text)
    raise DataError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)} or a .csv path.")


@dataclass(frozen=True)
class Mixture1D:
    """A 1-D Gaussian mixture p_data for the theory page (weights need not be normalised)."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    stds: tuple[float, ...]

    def _params(self, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        w = torch.tensor(self.weights, dtype=torch.float32, device=device)
        return w / w.sum(), torch.tensor(self.means, device=device), torch.tensor(self.stds, device=device)

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        w, mu, sd = self._params(device)
        idx = torch.multinomial(w, n, replacement=True, generator=gen)
        return (mu[idx] + sd[idx] * torch.randn(n, generator=gen, device=device)).unsqueeze(1)  # [n, 1]

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        w, mu, sd = self._params(x.device)
        z = (x.reshape(-1, 1) - mu) / sd  # [N, K]
        return (w * torch.exp(-0.5 * z**2) / (sd * math.sqrt(2 * math.pi))).sum(dim=1)


@dataclass(frozen=True)
class Uniform1D:
    """p_data uniform on [low, high] for the theory page."""

    low: float
    high: float

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        return self.low + (self.high - self.low) * torch.rand(n, 1, generator=gen, device=device)  # [n, 1]

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        inside = (x.reshape(-1) >= self.low) & (x.reshape(-1) <= self.high)
        return inside.float() / (self.high - self.low)
