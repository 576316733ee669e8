"""The toy page's two planes as JPEG pictures, for redrawing several times a second while training runs.

Why not plotly there: Streamlit gives a chart a new identity whenever its data change, so the browser
rebuilds the whole plotly figure on every redraw (~0.3 s of a core each in headless Chromium, measured):
at 5 redraws a second that is more than a core per student. Swapping a JPEG (~40 kB; quality 90 without
chroma subsampling keeps the points crisp) costs the browser almost nothing and the server a few ms.
The page shows the interactive plotly figures whenever training pauses. Same view, colours and ranges
as ``playground.figures``.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from playground.figures import ARROW_COLOUR, D_COLOURS, FAKE_COLOUR, REAL_COLOUR, View

SIZE = 460  # pixels per side (the planes are square)
MANIFOLD_COLOURS = ("#7b3294", "#a6611a")  # as generator_manifold: z₁ varies, z₂ varies


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


_STOPS = np.array([s for s, _ in D_COLOURS])
_COLOURS = np.array([_rgb(c) for _, c in D_COLOURS], dtype=np.float32)


_LEVELS = np.linspace(0.0, 1.0, 256)
_LUT = np.stack([np.interp(_LEVELS, _STOPS, _COLOURS[:, c]) for c in range(3)], axis=-1).round().astype(np.uint8)


def colour_map(d: np.ndarray) -> np.ndarray:
    """D values [H, W] in [0, 1] → RGB uint8 [H, W, 3] on the figures' blue–white–red scale (256 levels)."""
    return _LUT[(np.clip(d, 0.0, 1.0) * 255).round().astype(np.uint8)]


class Canvas:
    """A square picture of the view's plane: data coordinates → pixels (y up, as on the plotly axes)."""

    def __init__(self, view: View, size: int = SIZE) -> None:
        self.view, self.size = view, size
        self.image = Image.new("RGB", (size, size), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def px(self, points: np.ndarray) -> np.ndarray:
        (x0, x1), (y0, y1) = self.view.x_range, self.view.y_range
        cols = (points[..., 0] - x0) / (x1 - x0) * (self.size - 1)
        rows = (y1 - points[..., 1]) / (y1 - y0) * (self.size - 1)
        return np.stack([cols, rows], axis=-1)

    def surface(self, d_grid: np.ndarray) -> None:
        """D(x) as background colour, and the D = ½ boundary as a dark line."""
        rows, cols = d_grid.shape
        grid = Image.fromarray(d_grid[::-1].astype(np.float32), mode="F")  # row 0 of the grid is the lowest y
        # the grid's points are cell centres spanning the whole range: stretch them edge to edge
        big = np.asarray(grid.resize((self.size, self.size), Image.BILINEAR))
        self.image.paste(Image.fromarray(colour_map(big)))
        above = big > 0.5
        edge = np.zeros_like(above)
        edge[:-1] |= above[:-1] != above[1:]
        edge[:, :-1] |= above[:, :-1] != above[:, 1:]
        pixels = np.asarray(self.image).copy()
        pixels[edge] = (20, 20, 20)
        self.image.paste(Image.fromarray(pixels))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def points(self, points: np.ndarray, colour: str, radius: float, alpha: int = 220, outline: bool = False) -> None:
        fill = (*_rgb(colour), alpha)
        edge = (0, 0, 0, 200) if outline else None
        for c, r in self.px(points):
            self.draw.ellipse((c - radius, r - radius, c + radius, r + radius), fill=fill, outline=edge)

    def arrows(self, starts: np.ndarray, grad: np.ndarray, length: float) -> None:
        """Arrows along the gradient, the longest ``length`` long in data units (as gradient_arrows)."""
        norms = np.linalg.norm(grad, axis=1)
        tips = starts + grad * (length / max(float(norms.max(initial=0.0)), 1e-12))
        colour = (*_rgb(ARROW_COLOUR), 230)
        for (c0, r0), (c1, r1) in zip(self.px(starts), self.px(tips)):
            self.draw.line((c0, r0, c1, r1), fill=colour, width=2)
            dc, dr = c1 - c0, r1 - r0
            n = max((dc * dc + dr * dr) ** 0.5, 1e-9)
            ux, uy = dc / n, dr / n  # unit vector along the arrow; the head is a small triangle at the tip
            head = [
                (c1, r1),
                (c1 - 7 * ux + 4 * uy, r1 - 7 * uy - 4 * ux),
                (c1 - 7 * ux - 4 * uy, r1 - 7 * uy + 4 * ux),
            ]
            self.draw.polygon(head, fill=colour)

    def lines(self, lines: np.ndarray, colour: str) -> None:
        for line in self.px(lines):
            self.draw.line([tuple(p) for p in line], fill=(*_rgb(colour), 255), width=2)

    def jpeg(self) -> bytes:
        self.draw.rectangle((0, 0, self.size - 1, self.size - 1), outline=(120, 120, 120, 255))
        buffer = io.BytesIO()
        self.image.save(buffer, format="JPEG", quality=90, subsampling=0)  # 4 ms; PNG: 45 ms and 3× the bytes
        return buffer.getvalue()


def surface_image(view: View, d_grid: np.ndarray, fake: np.ndarray, grad: np.ndarray | None = None) -> bytes:
    """As ``figures.decision_surface``: D(x), the ½ boundary, real and fake points, G's gradient arrows."""
    canvas = Canvas(view)
    canvas.surface(d_grid)
    canvas.points(view.real.numpy(), REAL_COLOUR, 2.5)
    canvas.points(fake, FAKE_COLOUR, 3.5, alpha=235, outline=True)
    if grad is not None:
        canvas.arrows(fake[: len(grad)], grad, length=0.08 * (view.x_range[1] - view.x_range[0]))
    return canvas.jpeg()


def manifold_image(view: View, manifold: np.ndarray) -> bytes:
    """As ``figures.generator_manifold``: the latent grid lines pushed through G, over faint real points."""
    canvas = Canvas(view)
    canvas.points(view.real.numpy(), REAL_COLOUR, 2.0, alpha=90)
    halves = [manifold] if len(manifold) == 1 else [manifold[: len(manifold) // 2], manifold[len(manifold) // 2 :]]
    for part, colour in zip(halves, MANIFOLD_COLOURS, strict=False):
        canvas.lines(part, colour)
    return canvas.jpeg()
