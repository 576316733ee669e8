"""The live views as pictures (planes as JPEG, curves as PNG), for redrawing several times a second while training.

Why not plotly there: Streamlit gives a chart a new identity whenever its data change, so the browser
rebuilds the whole plotly figure on every redraw (~0.3 s of a core each in headless Chromium, measured):
at 5 redraws a second that is more than a core per student. Swapping a JPEG (~40 kB; quality 90 without
chroma subsampling keeps the points crisp) costs the browser almost nothing and the server a few ms.
The pages show the interactive plotly figures whenever training pauses. Same view, colours, ranges and
curve specs as ``playground.views.figures``.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.views.figures import ARROW_COLOUR, D_COLOURS, FAKE_COLOUR, REAL_COLOUR, Curves, View, score_range, thin

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


@lru_cache(maxsize=8)
def _disc(radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel offsets (dy, dx: [K] each) of a disc ``radius`` pixels wide, and which of them form its 1-pixel rim."""
    r = math.ceil(radius)
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    dist = np.hypot(dx, dy)
    inside = dist <= radius
    return dy[inside], dx[inside], dist[inside] > radius - 1


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

    def surface(self, d_grid: np.ndarray, critic: bool = False) -> None:
        """D(x) as background colour, and the D = ½ boundary as a dark line; a critic's raw scores are coloured
        over their own range (``figures.score_range``), with no boundary: a score has no ½."""
        if critic:
            lo, hi = score_range(d_grid)
            d_grid = (d_grid - lo) / (hi - lo)
        grid = Image.fromarray(d_grid[::-1].astype(np.float32), mode="F")  # row 0 of the grid is the lowest y
        # the grid's points are cell centres spanning the whole range: stretch them edge to edge
        big = np.asarray(grid.resize((self.size, self.size), Image.BILINEAR))
        self.image.paste(Image.fromarray(colour_map(big)))
        if critic:
            return
        above = big > 0.5
        edge = np.zeros_like(above)
        edge[:-1] |= above[:-1] != above[1:]
        edge[:, :-1] |= above[:, :-1] != above[:, 1:]
        pixels = np.asarray(self.image).copy()
        pixels[edge] = (20, 20, 20)
        self.image.paste(Image.fromarray(pixels))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def points(self, points: np.ndarray, colour: str, radius: float, alpha: int = 220, outline: bool = False) -> None:
        """Discs stamped with numpy: one PIL ellipse per point took ~6 ms a frame for 800 points, holding the GIL
        the training thread needs. Overlapping discs blend once (PIL's would darken where they pile up)."""
        dy, dx, rim = _disc(radius)
        centre = np.rint(self.px(np.asarray(points, dtype=float).reshape(-1, 2))).astype(int)  # [N, 2]: col, row
        rows, cols = centre[:, 1:2] + dy, centre[:, 0:1] + dx  # [N, K] every pixel of every disc
        pixels = np.array(self.image, dtype=np.float32)
        inside = (rows >= 0) & (rows < self.size) & (cols >= 0) & (cols < self.size)
        layers = [(~rim if outline else np.ones_like(rim), _rgb(colour), alpha)]
        if outline:
            layers.append((rim, (0, 0, 0), 200))
        for part, rgb, a in layers:
            keep = inside & part
            r, c = rows[keep], cols[keep]
            pixels[r, c] += (np.array(rgb, dtype=np.float32) - pixels[r, c]) * (a / 255)
        self.image = Image.fromarray(pixels.round().astype(np.uint8))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

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
            self.draw.line(line.ravel().tolist(), fill=(*_rgb(colour), 255), width=2)  # flat [x0, y0, x1, …]

    def jpeg(self) -> bytes:
        self.draw.rectangle((0, 0, self.size - 1, self.size - 1), outline=(120, 120, 120, 255))
        buffer = io.BytesIO()
        self.image.save(buffer, format="JPEG", quality=90, subsampling=0)  # 4 ms; PNG: 45 ms and 3× the bytes
        return buffer.getvalue()


def surface_image(
    view: View, d_grid: np.ndarray, fake: np.ndarray, grad: np.ndarray | None = None, critic: bool = False
) -> bytes:
    """As ``figures.decision_surface``: D(x), the ½ boundary, real and fake points, G's gradient arrows.

    ``critic``: ``d_grid`` holds raw scores (coloured over their own range, no ½ boundary)."""
    canvas = Canvas(view)
    canvas.surface(d_grid, critic)
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


# ---- curves ---------------------------------------------------------------------------------------
CURVE_SIZE = (520, 320)  # width, height; shown shrunk to a third of a wide page, so the text is large
_MARGIN = dict(left=70, right=16, top=48, bottom=76)  # room for tick labels, title, x title and legend
# Pillow's built-in font has no −, ½, ≈: picture text is spelled in ASCII
_ASCII = str.maketrans({"−": "-", "½": "1/2", "≈": "~"})


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def nice_ticks(low: float, high: float, least: int = 3) -> list[float]:
    """The coarsest round ticks (1, 5, 2.5 or 2 × 10ⁿ apart) of which at least ``least`` fall in [low, high]."""
    if not high > low:
        return [low]
    top = 10 ** math.ceil(math.log10(high - low))
    ticks: list[float] = []
    for spacing in (top * m / 10**k for k in range(6) for m in (1, 0.5, 0.25, 0.2)):
        first = math.ceil(low / spacing - 1e-9) * spacing
        ticks = [round(first + i * spacing, 12) for i in range(int((high - first) / spacing + 1e-9) + 1)]
        if len(ticks) >= least:
            break
    return ticks


def _tick_label(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:.6g}"


def _y_range(h: dict[str, np.ndarray], spec: Curves) -> tuple[float, float]:
    if spec.y_range is not None:
        return spec.y_range
    values = np.concatenate([h[n] for n in spec.names] + ([np.array([spec.reference[0]])] if spec.reference else []))
    values = values[np.isfinite(values)]
    if not len(values):
        return (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    pad = 0.05 * (high - low) if high > low else max(abs(high), 1.0) * 0.1
    return (low - pad, high + pad)


def curves_image(history: dict[str, list[float]], spec: Curves) -> bytes:
    """As ``figures._curves``: the spec's history columns over generator steps, dashed reference, legend (PNG)."""
    width, height = CURVE_SIZE
    m = _MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, title_font = _font(17), _font(21)
    draw.text((4, 6), spec.title.translate(_ASCII), fill=(40, 40, 40), font=title_font)
    h = thin(history, spec.names)
    left, right, top, bottom = m["left"], width - m["right"], m["top"], height - m["bottom"]
    steps = h["step"]
    x0, x1 = (float(steps[0]), float(steps[-1])) if len(steps) else (0.0, 1.0)
    x1 = x1 if x1 > x0 else x0 + 1.0
    y0, y1 = _y_range(h, spec)
    px = lambda x: left + (np.asarray(x, dtype=float) - x0) / (x1 - x0) * (right - left)
    py = lambda y: bottom - (np.clip(np.asarray(y, dtype=float), y0, y1) - y0) / (y1 - y0) * (bottom - top)
    grey, text = (225, 225, 225), (90, 90, 90)
    for y in nice_ticks(y0, y1):
        row = float(py(y))
        draw.line((left, row, right, row), fill=grey)
        draw.text((left - 6, row), _tick_label(y), fill=text, font=font, anchor="rm")
    for x in nice_ticks(x0, x1):
        col = float(px(x))
        draw.line((col, top, col, bottom), fill=grey)
        draw.text((col, bottom + 4), _tick_label(x), fill=text, font=font, anchor="ma")
    draw.text(((left + right) / 2, bottom + 24), "generator step", fill=text, font=font, anchor="ma")
    draw.text((4, (top + bottom) / 2), spec.y_title.translate(_ASCII), fill=text, font=font, anchor="lm")
    cols = px(steps)
    for name, colour in zip(spec.names, spec.colours, strict=True):
        rows, ok = py(h[name]), np.isfinite(h[name])
        # break the line where values are not finite (a diverged step) instead of joining across the gap
        for run in np.split(np.arange(len(ok)), np.flatnonzero(np.diff(ok.astype(int))) + 1):
            if len(run) > 1 and ok[run[0]]:
                draw.line(list(zip(cols[run].tolist(), rows[run].tolist())), fill=_rgb(colour), width=3)
    if spec.reference is not None:  # over the curves, label on a white patch: the optimum must stay readable
        y, label = spec.reference
        row = float(py(y))
        for start in range(left, right, 12):  # dashed
            draw.line((start, row, min(start + 7, right), row), fill=(110, 110, 110), width=2)
        box = draw.textbbox((left + 4, row - 3), label.translate(_ASCII), font=font, anchor="ld")
        draw.rectangle((box[0] - 2, box[1] - 1, box[2] + 2, box[3] + 1), fill="white")
        draw.text((left + 4, row - 3), label.translate(_ASCII), fill=(80, 80, 80), font=font, anchor="ld")
    draw.rectangle((left, top, right, bottom), outline=(160, 160, 160))
    x = left
    for label, colour in zip(spec.labels, spec.colours, strict=True):  # legend under the x title
        row = height - 14
        draw.line((x, row, x + 26, row), fill=_rgb(colour), width=4)
        draw.text((x + 32, row), label.translate(_ASCII), fill=(40, 40, 40), font=font, anchor="lm")
        x += 48 + int(draw.textlength(label.translate(_ASCII), font=font))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # lines on white: PNG keeps them crisp, JPEG would smear
    return buffer.getvalue()
