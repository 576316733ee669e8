"""Pictures of a 2-D GAN as pure functions: (fixed view, computed frame or history) → plotly Figure.

A ``View`` is created once per run (evaluation grid, fixed real points, fixed noise, axis ranges) so
every frame is drawn on the same canvas and frames compare; ``compute_frame`` evaluates G and D on it
(the only torch work); the figure functions only lay numbers out. Figures are kept light (a 60×60
grid, a few hundred points) because they are redrawn several times a second beside training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from playground.gan import losses as objectives
from playground.gan.data import Mixture
from playground.gan.metrics import kde_density, optimal_discriminator
from playground.gan.models import sample_latent

REAL_COLOUR, FAKE_COLOUR, ARROW_COLOUR = "#1b9e3e", "#ff7f0e", "#222222"
D_COLOURS = [[0.0, "#2c7bb6"], [0.5, "#f7f7f7"], [1.0, "#d7191c"]]  # blue: "fake", red: "real"
LOG4 = math.log(4.0)
MAX_CURVE_POINTS = 500
FONT = dict(size=15)  # readable from the back of a lecture hall
CRITIC_WHY = (
    "With this loss D is a critic: its output is a score, not a probability (only the cross-entropy losses "
    "train D to output P(real)), so there is no ½ boundary and no −log 4 optimum; higher means 'more real'."
)


def is_critic(loss: str) -> bool:
    """True when D is trained as a critic whose raw output is a score (WGAN-GP, hinge, LSGAN).

    D(x) = σ(logit) is a probability only when D minimises the cross-entropy (the non-saturating and minimax
    games share ``bce_d_loss``); then V(D, G), its −log 4 optimum and the D = ½ boundary are defined.
    """
    return objectives.LOSSES[loss].d is not objectives.bce_d_loss


def score_range(grid: np.ndarray) -> tuple[float, float]:
    """The colour range of a critic's surface: the score's own range on the grid (a critic's level is arbitrary:
    WGAN's is fixed only up to a constant), at least 1e-3 wide so a flat surface still has a scale."""
    lo, hi = float(np.min(grid)), float(np.max(grid))
    if hi - lo < 1e-3:
        mid = (lo + hi) / 2
        lo, hi = mid - 5e-4, mid + 5e-4
    return lo, hi


@dataclass(frozen=True)
class View:
    """The fixed canvas of one run: where D is evaluated and which points are drawn."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    xs: np.ndarray  # [R] grid coordinates along x
    ys: np.ndarray  # [R]
    grid: torch.Tensor  # [R*R, 2], row-major: y changes down the rows, x along them
    real: torch.Tensor  # [N, 2] fixed data samples
    z: torch.Tensor  # [N, latent_dim] fixed noise → the fake points of every frame
    z_eval: torch.Tensor  # [E, latent_dim] more fixed noise, for mode counts (not drawn)
    n_arrows: int  # arrows are drawn on the first n_arrows fake points
    latent_lines: torch.Tensor  # [L, P, latent_dim] straight lines of a latent grid


@dataclass(frozen=True)
class Frame:
    """G and D evaluated on a View at one step (plain arrays, cheap to draw)."""

    step: int
    d_grid: np.ndarray  # [R, R] D(x) = σ(logit) on the grid; a critic's raw score when ``critic``
    fake: np.ndarray  # [N, 2] G(z) for the view's fixed noise
    grad: np.ndarray  # [n_arrows, 2] ∇ₓD(x) (a critic: ∇ₓ score) at the first fake points
    manifold: np.ndarray  # [L, P, 2] the latent grid lines pushed through G
    eval_fake: np.ndarray  # [E, 2] G(z_eval), for mode metrics
    d_real: float  # mean D (a critic: mean score) on the view's real points
    d_fake: float  # mean D (a critic: mean score) on its fake points
    critic: bool = False  # D's numbers are raw critic scores, not probabilities (``is_critic``)


def axis_ranges(points: torch.Tensor, pad: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """Square, padded bounds around ``points`` [N, 2], so circles look round and nothing touches an edge."""
    lo, hi = points.min(dim=0).values, points.max(dim=0).values
    centre, half = (lo + hi) / 2, float((hi - lo).max()) / 2 * (1 + pad) + 1e-3
    return tuple((float(c) - half, float(c) + half) for c in centre)  # type: ignore[return-value]


def make_view(
    data,
    model_cfg,
    seed: int = 0,
    n_points: int = 400,
    resolution: int = 60,
    n_arrows: int = 48,
    n_lines: int = 11,
    line_points: int = 40,
    n_eval: int = 1000,
) -> View:
    """Draw the fixed points and noise of a run from their own seed (the training stream is untouched)."""
    gen = torch.Generator().manual_seed(10_000 + seed)
    real = data.sample(n_points, gen, "cpu").float()  # [N, 2]
    x_range, y_range = axis_ranges(real)
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    gy, gx = np.meshgrid(ys, xs, indexing="ij")  # [R, R] each
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32)  # [R*R, 2]
    z = sample_latent(n_points, model_cfg, gen, "cpu")
    z_eval = sample_latent(n_eval, model_cfg, gen, "cpu")
    return View(
        x_range,
        y_range,
        xs,
        ys,
        grid,
        real,
        z,
        z_eval,
        min(n_arrows, n_points),
        latent_lines(model_cfg.latent_dim, model_cfg.prior, n_lines, line_points),
    )


def latent_lines(latent_dim: int, prior: str = "normal", n_lines: int = 11, points: int = 40) -> torch.Tensor:
    """Grid lines in the plane of the first two latent dims (others 0): [2·n_lines, points, latent_dim].

    Spans ±2 for a normal prior (95 % of the mass per axis) and ±1 for a uniform one; a 1-D latent
    gives a single line.
    """
    span = 1.0 if prior == "uniform" else 2.0
    ticks, along = torch.linspace(-span, span, n_lines), torch.linspace(-span, span, points)
    if latent_dim == 1:
        return along.reshape(1, points, 1)
    lines = torch.zeros(2 * n_lines, points, latent_dim)
    for i, t in enumerate(ticks):
        lines[i, :, 0], lines[i, :, 1] = along, t  # horizontal line z₂ = t
        lines[n_lines + i, :, 0], lines[n_lines + i, :, 1] = t, along  # vertical line z₁ = t
    return lines


def compute_frame(G: nn.Module, D: nn.Module, view: View, step: int = 0, critic: bool = False) -> Frame:
    """Evaluate eval-mode copies of G and D (CPU) on the view; the gradient is ∇ₓσ(D(x)) at G(z).

    ``critic``: keep D's raw scores (and their gradient) instead of σ: a critic's output is no probability.
    The surface and arrows score each point on its own (``score_points``: a PacGAN D sees a pack of copies).
    """
    out = (lambda logits: logits) if critic else torch.sigmoid
    with torch.no_grad():
        d_grid = out(D.score_points(view.grid)).reshape(len(view.ys), len(view.xs))  # [R, R]
        fake = G(view.z)  # [N, 2]
        eval_fake = G(view.z_eval)  # [E, 2]
        lines = view.latent_lines
        manifold = G(lines.reshape(-1, lines.shape[-1])).reshape(lines.shape[0], lines.shape[1], -1)
        d_real, d_fake = out(D(view.real)).mean(), out(D(fake)).mean()
    with torch.enable_grad():
        x = fake[: view.n_arrows].clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(out(D.score_points(x)).sum(), x)
    d_grid = d_grid.numpy().round(3)  # 3 decimals are plenty for a colour and halve the JSON sent
    return Frame(step, d_grid, fake.numpy(), grad.numpy(), manifold.numpy(), eval_fake.numpy(), float(d_real),
                 float(d_fake), critic)  # fmt: skip


def snapshot_models(trainer, snap=None, into=None) -> tuple[nn.Module, nn.Module, int]:
    """``trainer.models_at`` plus the step of the snapshot (default: the latest published)."""
    if snap is None:
        with trainer.lock:
            snap = trainer.published
    G, D = trainer.models_at(snap, into)
    return G, D, snap.step


def frame_at(trainer, view: View, snap=None, into=None, critic: bool = False) -> Frame:
    """The frame of a snapshot (default: the latest published weights), safe beside a training thread.

    ``into``: a (G, D) pair from an earlier call to reuse, for a page that draws frames several times a second.
    ``critic``: D's raw scores (``compute_frame``).
    """
    G, D, step = snapshot_models(trainer, snap, into)
    return compute_frame(G, D, view, step, critic)


def optimal_d_grid(view: View, fake: np.ndarray | torch.Tensor, data) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g) on the view's grid: p_g a KDE of the fakes, p_data exact for a Mixture."""
    fake_t = torch.as_tensor(fake, dtype=torch.float64)
    p_g = kde_density(fake_t, view.grid)
    p_data = data.pdf(view.grid).double() if isinstance(data, Mixture) else kde_density(view.real, view.grid)
    return optimal_discriminator(p_data, p_g).reshape(len(view.ys), len(view.xs)).float().numpy()


# ---- figures --------------------------------------------------------------------------------------
# Figures are assembled from plain dicts and wrapped without plotly's per-property validation:
# validating every trace costs tens of milliseconds, several times a second, on the cores training uses.
def _figure(data: list[dict], layout: dict, title: str, revision: str) -> go.Figure:
    base = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        uirevision=revision,  # keeps zoom/pan
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.12),
    )
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)


def _plane_layout(view: View) -> dict:
    return dict(
        xaxis=dict(range=list(view.x_range), constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(range=list(view.y_range), scaleanchor="x", scaleratio=1, showgrid=False, zeroline=False),
    )


def _points(points: np.ndarray, name: str, colour: str, size: int = 5, opacity: float = 0.8, **marker) -> dict:
    return dict(
        type="scatter",
        x=points[:, 0],
        y=points[:, 1],
        mode="markers",
        name=name,
        marker=dict(color=colour, size=size, opacity=opacity, **marker),
    )


def gradient_arrows(points: np.ndarray, grad: np.ndarray, length: float) -> dict:
    """Arrows from each point along its gradient, the longest ``length`` long (others in proportion).

    One scatter trace (a dict): segments separated by NaN, arrow heads as markers angled along the segment.
    """
    norms = np.linalg.norm(grad, axis=1)
    scale = length / max(float(norms.max(initial=0.0)), 1e-12)
    tips = points + grad * scale
    gap = np.full(len(points), np.nan)
    xs = np.column_stack([points[:, 0], tips[:, 0], gap]).ravel()  # [3·A]: start, tip, gap
    ys = np.column_stack([points[:, 1], tips[:, 1], gap]).ravel()
    return dict(
        type="scatter",
        x=xs,
        y=ys,
        mode="lines+markers",
        name="push on G: ∇ₓD(G(z))",
        hoverinfo="skip",
        line=dict(color=ARROW_COLOUR, width=1.5),
        connectgaps=False,
        marker=dict(symbol="arrow", angleref="previous", size=np.tile([0, 9, 0], len(points)), color=ARROW_COLOUR),
    )


def decision_surface(
    view: View,
    d_grid: np.ndarray,
    fake: np.ndarray | None = None,
    grad: np.ndarray | None = None,
    title: str = "Discriminator D(x)",
    revision: str = "run",
    critic: bool = False,
) -> go.Figure:
    """D(x) heatmap on the fixed grid, colour scale fixed to [0, 1], the D = ½ contour, real and fake points.

    ``critic``: ``d_grid`` holds raw scores: the colour scale spans the score's own range and there is no ½ contour.
    """
    if critic:
        (lo, hi), name, ticks = score_range(d_grid), "critic score", None
    else:
        (lo, hi), name, ticks = (0.0, 1.0), "D(x)", [0, 0.5, 1]
    data = [
        dict(
            type="heatmap",
            x=view.xs,
            y=view.ys,
            z=d_grid,
            zmin=lo,
            zmax=hi,
            colorscale=D_COLOURS,
            name=name,
            colorbar=dict(title=dict(text=name.replace(" ", "<br>")), tickvals=ticks, len=0.8, thickness=14),
            hovertemplate=f"x %{{x:.2f}}, y %{{y:.2f}}<br>{name} %{{z:.2f}}<extra></extra>",
        )
    ]
    if not critic:
        data.append(
            dict(
                type="contour",
                x=view.xs,
                y=view.ys,
                z=d_grid,
                showscale=False,
                name="D = ½",
                hoverinfo="skip",
                contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                line=dict(color="black", width=2, dash="dash"),
            )
        )
    data.append(_points(view.real.numpy(), "real x", REAL_COLOUR))
    if fake is not None:
        data.append(_points(fake, "fake G(z)", FAKE_COLOUR, opacity=0.9, line=dict(color="black", width=0.5)))
        if grad is not None:
            span = view.x_range[1] - view.x_range[0]
            data.append(gradient_arrows(fake[: len(grad)], grad, length=0.08 * span))
    return _figure(data, _plane_layout(view), title, revision)


def generator_manifold(view: View, manifold: np.ndarray, latent_dim: int, revision: str = "run") -> go.Figure:
    """A fixed latent grid [L, P, 2] warped through G (a slice through the first two latent dims, others 0)."""
    data = [_points(view.real.numpy(), "real x", REAL_COLOUR, size=4, opacity=0.35)]
    halves = [manifold] if len(manifold) == 1 else [manifold[: len(manifold) // 2], manifold[len(manifold) // 2 :]]
    for part, colour, label in zip(
        halves, ("#7b3294", "#a6611a"), ("G(z₁ varies, z₂ fixed)", "G(z₂ varies, z₁ fixed)"), strict=False
    ):
        gap = np.full((len(part), 1), np.nan)
        xs = np.concatenate([part[:, :, 0], gap], axis=1).ravel()  # [L·(P+1)], NaN between lines
        ys = np.concatenate([part[:, :, 1], gap], axis=1).ravel()
        data.append(dict(type="scatter", x=xs, y=ys, mode="lines", name=label, line=dict(color=colour, width=1.5)))
    return _figure(data, _plane_layout(view), manifold_title(latent_dim), revision)


def manifold_title(latent_dim: int) -> str:
    """What the manifold plane shows: the whole latent grid for z ≤ 2, else a slice through its first two dims."""
    return "Generator: latent grid warped by G" if latent_dim <= 2 else "Generator: slice z₁, z₂ (others 0) through G"


def thin(history: dict[str, list[float]], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """At most MAX_CURVE_POINTS evenly spaced rows, so a long run still redraws quickly."""
    steps = np.asarray(history.get("step", []), dtype=float)
    idx = np.unique(np.linspace(0, len(steps) - 1, MAX_CURVE_POINTS).astype(int)) if len(steps) else np.arange(0)
    return {"step": steps[idx], **{n: np.asarray(history[n], dtype=float)[idx] for n in names}}


@dataclass(frozen=True)
class Curves:
    """What one curve chart shows: history columns, their labels and colours, an optional dashed reference."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    title: str
    y_title: str
    reference: tuple[float, str] | None = None  # (y, label) of a dashed horizontal line
    y_range: tuple[float, float] | None = None  # fixed range, or None to fit the data


LOSSES = Curves(("d_loss", "g_loss"), ("D loss", "G loss"), ("#2c7bb6", FAKE_COLOUR), "Losses", "loss")
D_OUTPUTS = Curves(
    ("d_real", "d_fake"),
    ("mean D(x)", "mean D(G(z))"),
    (REAL_COLOUR, FAKE_COLOUR),
    "Discriminator outputs",
    "D",
    reference=(0.5, "½"),
    y_range=(-0.02, 1.02),
)
VALUE = Curves(("value",), ("V(D,G)",), ("#7b3294",), "Value V(D,G)", "V", reference=(-LOG4, "−log 4 ≈ −1.386"))
# a critic's mean scores: the page records them (raw, from its own frames or score reports) under these names
CRITIC_SCORES = Curves(
    ("score_real", "score_fake"),
    ("mean critic score, real", "mean critic score, fake"),
    (REAL_COLOUR, FAKE_COLOUR),
    "Critic scores",
    "score",  # short: the live picture writes the y title beside its tick labels
)


def curve_specs(loss: str, specs: tuple[Curves, ...]) -> tuple[Curves, ...]:
    """The charts a page shows for ``loss``: a critic's scores instead of D's probabilities, and no V(D, G)
    (it is defined only for a probability D: ``is_critic``)."""
    if not is_critic(loss):
        return specs
    return tuple(CRITIC_SCORES if spec is D_OUTPUTS else spec for spec in specs if spec is not VALUE)


def hline(y: float, text: str, colour: str = "grey", side: str = "right") -> tuple[dict, dict]:
    """A dashed horizontal line across the plot at ``y`` (a layout shape) and its label above it, at one side."""
    line = dict(dash="dash", color=colour, width=2)
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)
    x, anchor = (0.0, "left") if side == "left" else (1.0, "right")
    note = dict(xref="paper", x=x, xanchor=anchor, yref="y", y=y, yanchor="bottom", text=text, showarrow=False,
                font=dict(color=colour))  # fmt: skip
    return shape, note


def curves_figure(history: dict[str, list[float]], spec: Curves, revision: str = "run") -> go.Figure:
    """The spec's history columns over generator steps (thinned), with its dashed reference line.

    The reference is a legend entry (its label on the plot would sit on a curve that reaches it), and the legend
    sits below the x axis title.
    """
    h = thin(history, spec.names)
    data = [
        dict(type="scatter", x=h["step"], y=h[n], mode="lines", name=label, line=dict(color=colour, width=2))
        for n, label, colour in zip(spec.names, spec.labels, spec.colours, strict=True)
    ]
    if spec.reference is not None:
        y, label = spec.reference
        steps = h["step"]
        xs = [float(steps[0]), float(steps[-1])] if len(steps) else [0.0, 1.0]
        data.append(dict(type="scatter", x=xs, y=[y, y], mode="lines", name=label, hoverinfo="skip",
                         line=dict(color="grey", width=2, dash="dash")))  # fmt: skip
    y_range = list(spec.y_range) if spec.y_range else None
    layout = dict(
        height=340,
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.3, yanchor="top", x=0),
        xaxis=dict(title=dict(text="generator step", standoff=4)),
        yaxis=dict(title=dict(text=spec.y_title), range=y_range),
    )
    return _figure(data, layout, spec.title, revision)


def loss_curves(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """Losses of D and G (each as its loss function defines it) over generator steps."""
    return curves_figure(history, LOSSES, revision)


def d_output_curves(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """Mean D(x) and mean D(G(z)) per step; both tend to ½ when p_g = p_data (dashed)."""
    return curves_figure(history, D_OUTPUTS, revision)


def value_curve(history: dict[str, list[float]], revision: str = "run") -> go.Figure:
    """V(D, G) per step with the optimum −log 4 ≈ −1.386 dashed."""
    return curves_figure(history, VALUE, revision)
