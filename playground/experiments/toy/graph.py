"""The model overview graph: the run's architecture and data flow as an SVG string (no JavaScript, no CDN).

z → G (its layer widths) → G(z) → D ← x, D's outputs → the two losses, and the gradients flowing back (dashed):
∇_θD from D's loss into D, ∇_θG from G's loss through D and G(z) into G. A slow-motion phase lights up the
parts it works on; live numbers (mean D(x), mean D(G(z)), the losses) sit beside the nodes they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

# which parts of the graph each slow-motion phase works on (``playground.experiments.toy.slowmo`` phase keys)
HIGHLIGHTS = {
    "sample": ("z", "x"),
    "generate": ("z", "G", "Gz", "z-G", "G-Gz"),
    "judge": ("Gz", "x", "D", "Gz-D", "x-D", "D-out"),
    "d_loss": ("D-out", "Ld", "out-Ld"),
    "d_update": ("Ld", "D", "grad-D"),
    "fresh_z": ("z", "G", "Gz", "z-G", "G-Gz"),
    "g_loss": ("Gz", "D", "Gz-D", "D-out", "Lg", "out-Lg"),
    "g_update": ("Lg", "D", "G", "Gz", "grad-G"),
}
ON, OFF = "#d62728", "#555555"  # a lit part, a resting one
FAKE_TEXT, REAL_TEXT = "#b35806", "#1b7837"  # darker than the plot colours, readable as text
WIDTH, HEIGHT = 820, 275


def layer_widths(model_cfg) -> tuple[list[int], list[int]]:
    """G's widths z → … → data and D's data·pack → … → 1, from the model config."""
    hidden = [model_cfg.hidden] * model_cfg.depth
    return [model_cfg.latent_dim, *hidden, model_cfg.data_dim], [model_cfg.data_dim * model_cfg.pack, *hidden, 1]


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def model_graph(model_cfg, loss: str, numbers: Mapping[str, float] | None = None, phase: str | None = None) -> str:
    """An SVG of the networks and the data flow. ``numbers``: d_real, d_fake, d_loss, g_loss (missing: "–");
    ``phase``: a slow-motion phase key to highlight (None: nothing lit)."""
    lit = set(HIGHLIGHTS.get(phase or "", ()))
    numbers = numbers or {}
    colour = lambda part: ON if part in lit else OFF  # noqa: E731
    weight = lambda part: 3.5 if part in lit else 1.5  # noqa: E731
    g_widths, d_widths = layer_widths(model_cfg)
    parts: list[str] = []

    def box(part: str, x: int, y: int, w: int, h: int, title: str, sub: str = "", fill: str = "#ffffff") -> None:
        parts.append(f'<g id="{part}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="{fill}" '
                     f'stroke="{colour(part)}" stroke-width="{weight(part)}"/>'
                     f'<text x="{x + w / 2}" y="{y + h / 2 - (6 if sub else -5)}" text-anchor="middle" '
                     f'font-size="16" font-weight="bold" fill="{colour(part)}">{escape(title)}</text>'
                     + (f'<text x="{x + w / 2}" y="{y + h / 2 + 14}" text-anchor="middle" font-size="12" '
                        f'fill="#333">{escape(sub)}</text>' if sub else "") + "</g>")  # fmt: skip

    def arrow(part: str, *points: float, dashed: bool = False) -> None:
        """A line through ``points`` (x1, y1, x2, y2, …) with a head at its end; dashed: a gradient."""
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        marker = ("back" if dashed else "fwd") + ("-on" if part in lit else "")
        coords = " ".join(f"{x},{y}" for x, y in zip(points[::2], points[1::2], strict=True))
        parts.append(f'<polyline id="{part}" points="{coords}" fill="none" stroke="{colour(part)}" '
                     f'stroke-width="{weight(part)}"{dash} marker-end="url(#{marker})"/>')  # fmt: skip

    def label(x: float, y: float, text: str, size: int = 12, fill: str = "#333") -> None:
        parts.append(f'<text x="{x}" y="{y}" text-anchor="middle" font-size="{size}" fill="{fill}">'
                     f"{escape(text)}</text>")  # fmt: skip

    box("z", 10, 60, 70, 50, "z", f"{model_cfg.latent_dim}-D {model_cfg.prior}", "#f3e8fb")
    box("G", 120, 50, 150, 70, "G", " → ".join(map(str, g_widths)))
    box("Gz", 310, 60, 80, 50, "G(z)", "fakes", "#fff1e0")
    box("x", 310, 170, 80, 50, "x", "real data", "#e6f5ea")
    box("D", 430, 95, 180, 70, "D", " → ".join(map(str, d_widths)) + (f" (packs of {model_cfg.pack})"
                                                                    if model_cfg.pack > 1 else ""))  # fmt: skip
    box("D-out", 632, 105, 56, 50, "D(·)", "", "#f7f7f7")
    box("Ld", 720, 40, 92, 50, "D loss", _fmt(numbers.get("d_loss")), "#e8f0fb")
    box("Lg", 720, 170, 92, 50, "G loss", _fmt(numbers.get("g_loss")), "#fdeee8")
    arrow("z-G", 80, 85, 118, 85)
    arrow("G-Gz", 270, 85, 308, 85)
    arrow("Gz-D", 390, 92, 428, 118)
    arrow("x-D", 390, 192, 428, 145)
    arrow("D-out", 610, 130, 630, 130)
    arrow("out-Ld", 688, 118, 718, 72)
    arrow("out-Lg", 688, 142, 718, 190)
    arrow("grad-D", 730, 38, 560, 93, dashed=True)  # ∇_θD L_D back into D
    arrow("grad-G", 766, 222, 766, 248, 195, 248, 195, 124, dashed=True)  # ∇_θG L_G back through D, G(z) into G
    label(650, 28, "∇θD L_D", 12, colour("grad-D"))
    label(480, 266, "∇θG L_G (back through D and G(z) into G)", 12, colour("grad-G"))
    label(350, 50, f"mean D(G(z)) {_fmt(numbers.get('d_fake'))}", 12, FAKE_TEXT)
    label(250, 200, f"mean D(x) {_fmt(numbers.get('d_real'))}", 12, REAL_TEXT)
    label(520, 185, f"loss: {loss}", 12)
    defs = "".join(
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{fill}"/></marker>'
        for name, fill in (("fwd", OFF), ("fwd-on", ON), ("back", OFF), ("back-on", ON))
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            f'style="max-width: {WIDTH}px" role="img" font-family="sans-serif" '
            f'aria-label="Model overview: z, G, G(z), x, D, losses and gradients">'
            f'<defs>{defs}</defs>{"".join(parts)}</svg>')  # fmt: skip
