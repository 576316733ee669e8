"""What the latent explorer computes: generators as "z → picture", digit-seeking endpoints, labelled frame strips,
walk grids, the toy 2-D latent/data views, uploaded-checkpoint checks and the slider-latency measurement.

Pure functions of a generator (eval mode, CPU) and tensors; `app_pages/latent.py` only lays the results out.
Every network call runs under ``torch.no_grad()``: nothing here trains or changes a module.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from playground.digits.metrics import classify
from playground.experiments.latent.walks import gif_bytes, images_to_grid, latent_walk, lerp, slerp, to_png_bytes
from playground.gan.checkpoints import MODEL_CONFIGS, CheckpointError, model_type_of, read_checkpoint
from playground.views.figures import latent_lines

PATHS = {"lerp": lerp, "slerp": slerp}
DIGIT_SCALE = 10  # one 28-px digit → 280 px: big enough for the back row, still a ~2 KB PNG
FRAME_SCALE = 3  # interpolation frames and walk grids: many digits side by side
GIF_SCALE = 6  # the animation on the page: 168 px
SLIDES_GIF_SCALE = 16  # the GIF for slides: 448 px, still crisp on a projector (nearest-neighbour pixels)
REAL_COLOUR, FAKE_COLOUR, POINT_COLOUR = "#1b9e3e", "#bbbbbb", "#d7191c"
LINE_COLOURS = ("#7b3294", "#a6611a")  # the two families of grid lines, as in figures.generator_manifold
FONT = dict(size=15)


# ---- which generator ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LatentGenerator:
    """A generator ready for the explorer: eval-mode CPU module, its config, and where it came from."""

    G: nn.Module
    cfg: object
    source: str  # shown to the user: "pretrained DCGAN", "your MNIST run (step 1,200)", …
    label: int | None = None  # the class a conditional generator is asked for (``for_label``)

    @property
    def latent_dim(self) -> int:
        """The noise entries the sliders move (a conditional generator's label is set apart, ``for_label``)."""
        return self.cfg.latent_dim

    @property
    def classes(self) -> int:
        """How many class labels the generator reads beside z (0: unconditional)."""
        return getattr(self.cfg, "num_classes", 0)

    def for_label(self, label: int) -> LatentGenerator:
        """This conditional generator asked for one class: it then maps noise z [N, latent_dim] alone."""
        if not 0 <= label < self.classes:
            raise ValueError(f"label must be in 0…{self.classes - 1}")
        return LatentGenerator(FixedLabel(self.conditional_G, self.classes, label), self.cfg, self.source, label)

    @property
    def conditional_G(self) -> nn.Module:
        """A conditional generator's own network: [N, latent_dim + classes] (z, then the label code) → images."""
        return self.G.G if isinstance(self.G, FixedLabel) else self.G

    @property
    def prior(self) -> str:
        return self.cfg.prior

    @property
    def is_image(self) -> bool:
        """MNIST generators make [N, 1, 28, 28] images; the toy MLPs (``ModelConfig``) make 2-D points."""
        return not hasattr(self.cfg, "data_dim")


class FixedLabel(nn.Module):
    """A class-conditional generator with its label fixed: z [N, latent_dim] → G([z, one-hot(label)])."""

    def __init__(self, G: nn.Module, classes: int, label: int) -> None:
        super().__init__()
        self.G, self.code = G, nn.functional.one_hot(torch.tensor(label), classes).float()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.G(torch.cat([z, self.code.expand(len(z), -1)], dim=1))


def explorer_generator(G: nn.Module, cfg, source: str) -> LatentGenerator:
    """Wrap a generator for read-only use; refuses the 1-D theory generators (the explorer draws images or a plane)."""
    if getattr(cfg, "data_dim", 2) != 2:
        raise CheckpointError(
            f"This generator makes {cfg.data_dim}-D points; the explorer shows 2-D points or 28×28 digits."
        )
    return LatentGenerator(G.eval().requires_grad_(False), cfg, source)


def latent_range(prior: str) -> float:
    """Slider half-width: ±4 covers all but 0.006 % of N(0, 1) draws; a uniform prior lives in [−1, 1]."""
    return 1.0 if prior == "uniform" else 4.0


def sample_z(dim: int, prior: str, seed: int) -> torch.Tensor:
    """One latent [dim] from the prior, from its own seed (the same seed always gives the same z)."""
    gen = torch.Generator().manual_seed(seed)
    if prior == "uniform":
        return 2 * torch.rand(dim, generator=gen) - 1
    return torch.randn(dim, generator=gen)


# ---- uploaded checkpoints -------------------------------------------------------------------------
def config_from_json(text: str):
    """A model config from JSON: ``{"model_type": "dcgan", "config": {...}}`` or the fields with a model_type key.

    Raises CheckpointError with a message for the user (unknown type, unknown field, invalid value).
    """
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"The config is not valid JSON ({exc}).") from None
    if not isinstance(raw, dict):
        raise CheckpointError("The config must be a JSON object.")
    model_type = raw.get("model_type")
    values = raw.get("config", {k: v for k, v in raw.items() if k != "model_type"})
    cls = MODEL_CONFIGS.get(model_type)
    if cls is None:
        raise CheckpointError(f"The config's model_type must be one of {', '.join(MODEL_CONFIGS)}, got {model_type!r}.")
    if not isinstance(values, dict):
        raise CheckpointError("The config's 'config' entry must be a JSON object.")
    unknown = set(values) - {f.name for f in fields(cls)}
    if unknown:
        raise CheckpointError(f"Unknown {model_type} config field(s): {', '.join(sorted(unknown))}.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"The config is invalid: {exc}.") from None


def config_json(cfg) -> str:
    """The JSON `config_from_json` reads back: what the explorer asks for beside an uploaded checkpoint."""
    return json.dumps({"model_type": model_type_of(cfg), "config": cfg.to_dict()}, indent=2)


def load_uploaded(data: bytes, config_text: str | None = None, name: str = "upload") -> LatentGenerator:
    """Validate an uploaded generator checkpoint (and, if given, the config it should match).

    Every problem is a CheckpointError whose message names it: not safetensors, a discriminator, a config that
    differs (listing the fields that differ), tensors that do not fit the network.
    """
    G, cfg, _ = read_checkpoint(data, "generator")
    if config_text is not None and config_text.strip():
        expected = config_from_json(config_text)
        if type(expected) is not type(cfg):
            raise CheckpointError(
                f"The config describes a {model_type_of(expected)} model but the checkpoint holds a "
                f"{model_type_of(cfg)} model."
            )
        diffs = [
            f"{f.name}: config {getattr(expected, f.name)!r}, checkpoint {getattr(cfg, f.name)!r}"
            for f in fields(cfg)
            if getattr(expected, f.name) != getattr(cfg, f.name)
        ]
        if diffs:
            raise CheckpointError("The config does not match the checkpoint — " + "; ".join(diffs) + ".")
    return explorer_generator(G, cfg, f"uploaded {name}")


# ---- digits ---------------------------------------------------------------------------------------
@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """G on one latent [dim] or a batch [N, dim]; returns a batch ([N, 1, 28, 28] images or [N, 2] points)."""
    return G(z.reshape(-1, z.shape[-1]).float())


def digit_png(G: nn.Module, z: torch.Tensor, scale: int = DIGIT_SCALE) -> bytes:
    """The slider path: one latent [dim] → PNG bytes of its 28×28 digit, upscaled `scale`×."""
    return to_png_bytes(images_to_grid(generate(G, z), nrow=1, pad=0), scale=scale)


def labels_of(images: torch.Tensor, classifier) -> tuple[list[int], list[float]]:
    """The classifier's digit and its probability for each image [N, 1, 28, 28]."""
    probs, _ = classify(images, classifier)
    return probs.argmax(axis=1).tolist(), probs.max(axis=1).tolist()


def find_digit_z(G, classifier, digit: int, dim: int, prior: str, seed: int, candidates: int = 128):
    """A latent the classifier calls `digit`: the most confident of `candidates` seeded draws.

    Returns (z [dim], probability of `digit`); the probability is low when G rarely draws that digit.
    """
    gen = torch.Generator().manual_seed(seed)
    zs = (
        2 * torch.rand(candidates, dim, generator=gen) - 1
        if prior == "uniform"
        else torch.randn(candidates, dim, generator=gen)
    )
    probs, _ = classify(generate(G, zs), classifier)
    best = int(np.argmax(probs[:, digit]))
    return zs[best], float(probs[best, digit])


@dataclass(frozen=True)
class Strip:
    """An interpolation z0 → z1 rendered: one frame per step with the classifier's verdict and ‖z‖."""

    method: str
    frames: list[np.ndarray]  # uint8 [28, 28] each
    labels: list[int]
    confidences: list[float]
    norms: list[float]  # ‖z(t)‖: lerp dips towards the origin mid-way, slerp does not

    def captions(self) -> list[str]:
        return [f"{label} · {conf:.0%}" for label, conf in zip(self.labels, self.confidences, strict=True)]

    def pngs(self, scale: int = FRAME_SCALE) -> list[bytes]:
        return [to_png_bytes(frame, scale=scale) for frame in self.frames]


def label_codes(classes: int, a: int, b: int, steps: int) -> torch.Tensor:
    """A conditional generator's label moving from class a to class b in `steps` frames: [steps, classes].

    Row k is (1 − t)·one_hot(a) + t·one_hot(b) with t = k / (steps − 1), so each row sums to 1; mid-way the
    generator is told "half an a, half a b", which is how a 3 morphs into an 8.
    """
    one_hot = torch.eye(classes)
    t = torch.linspace(0, 1, steps).unsqueeze(1)  # [steps, 1]
    return (1 - t) * one_hot[a] + t * one_hot[b]


def interpolation_strip(
    G, classifier, z0: torch.Tensor, z1: torch.Tensor, steps: int, method: str, codes: torch.Tensor | None = None
) -> Strip:
    """Frames of G along PATHS[method] from z0 to z1 (`steps` ≥ 2 frames, endpoints included), labelled.

    With `codes` [steps, classes] (``label_codes``), G is a class-conditional network (``LatentGenerator
    .conditional_G``) fed each z(t) beside its label code, so the label moves along the path with z.
    """
    path = PATHS[method](z0, z1, torch.linspace(0, 1, steps))  # [steps, dim]
    images = generate(G, path if codes is None else torch.cat([path, codes], dim=1))  # [steps, 1, 28, 28]
    labels, confs = labels_of(images, classifier)
    frames = [images_to_grid(image[None], nrow=1, pad=0) for image in images]
    return Strip(method, frames, labels, confs, path.norm(dim=1).tolist())


def strip_gif(strip: Strip, duration_ms: int = 120, scale: int = GIF_SCALE, boomerang: bool = True) -> bytes:
    """Animated GIF of a strip; `boomerang` plays it forwards then backwards so the loop has no jump."""
    frames = strip.frames + strip.frames[-2:0:-1] if boomerang else strip.frames
    return gif_bytes(frames, duration_ms=duration_ms, scale=scale)


def axis_directions(dim: int, i: int, j: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Unit vectors along latent axes i and j (0-based): the walk then moves exactly two sliders."""
    if not (0 <= i < dim and 0 <= j < dim) or i == j:
        raise ValueError(f"need two different axes in 0…{dim - 1}, got {i} and {j}")
    eye = torch.eye(dim)
    return eye[i], eye[j]


def walk_grid_png(G, z: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor, span: float, steps: int) -> bytes:
    """One PNG of G over the grid z + a·d1 + b·d2, a across the columns, b down the rows (centre cell = z)."""
    images = generate(G, latent_walk(z, d1, d2, span, steps))  # [steps², 1, 28, 28]
    return to_png_bytes(images_to_grid(images, nrow=steps), scale=FRAME_SCALE)


# ---- toy 2-D generators ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ToyLatentFrame:
    """A toy generator seen around one latent z: the plane of two latent axes, and its image under G."""

    axes: tuple[int, int]  # the two latent axes (0-based) the grid varies; the others stay at z's values
    z_plane: np.ndarray  # [2] z's coordinates on those axes
    lines: np.ndarray  # [L, P, 2] latent grid lines in that plane
    warped: np.ndarray  # [L, P, 2] the same lines pushed through G (data space)
    point: np.ndarray  # [2] G(z)
    cloud: np.ndarray  # [N, 2] G on fixed noise: where the generator puts its mass


def toy_latent_frame(G, z: torch.Tensor, axes: tuple[int, int], prior: str, cloud_z: torch.Tensor) -> ToyLatentFrame:
    """Grid lines over `axes` (±2 for a normal prior, ±1 uniform) through z, their images, G(z) and G(cloud_z)."""
    dim = z.shape[-1]
    plane = latent_lines(min(dim, 2), prior)  # [L, P, 1 or 2], the latent plane's grid
    lines = z.expand(*plane.shape[:2], dim).clone()  # [L, P, dim]: every point starts as z
    lines[..., axes[0]] = plane[..., 0]
    if dim >= 2:
        lines[..., axes[1]] = plane[..., 1]
    warped = generate(G, lines.reshape(-1, dim)).reshape(*plane.shape[:2], -1)  # [L, P, 2]
    chosen = list(axes[:1]) if dim == 1 else list(axes)
    plane_xy = plane if dim >= 2 else torch.cat([plane, torch.zeros_like(plane)], dim=-1)
    z_plane = z[chosen] if dim >= 2 else torch.stack([z[0], torch.zeros(())])
    return ToyLatentFrame(
        axes, z_plane.numpy(), plane_xy.numpy(), warped.numpy(), generate(G, z)[0].numpy(), generate(G, cloud_z).numpy()
    )


def _lines_traces(lines: np.ndarray, names: tuple[str, str]) -> list[dict]:
    """Grid lines [L, P, 2] as (at most) two NaN-separated scatter traces, one per family."""
    halves = [lines] if len(lines) == 1 else [lines[: len(lines) // 2], lines[len(lines) // 2 :]]
    traces = []
    for part, colour, name in zip(halves, LINE_COLOURS, names, strict=False):
        gap = np.full((len(part), 1), np.nan)
        xs = np.concatenate([part[:, :, 0], gap], axis=1).ravel()  # [L·(P+1)], NaN between lines
        ys = np.concatenate([part[:, :, 1], gap], axis=1).ravel()
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name=name, line=dict(color=colour, width=1.5)))
    return traces


def _point(xy: np.ndarray, name: str) -> dict:
    return dict(
        type="scatter",
        x=[float(xy[0])],
        y=[float(xy[1])],
        mode="markers",
        name=name,
        marker=dict(color=POINT_COLOUR, size=16, symbol="star", line=dict(color="white", width=1)),
    )


def _layout(title: str, x_title: str, y_title: str, ranges=None) -> dict:
    square = dict(scaleanchor="x", scaleratio=1)
    return dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        margin=dict(l=10, r=10, t=44, b=10),
        legend=dict(orientation="h", y=-0.15),
        height=420,
        uirevision="latent",  # keep zoom while the sliders move
        xaxis=dict(title=x_title, zeroline=False, **({"range": list(ranges[0])} if ranges else {})),
        yaxis=dict(title=y_title, zeroline=False, **square, **({"range": list(ranges[1])} if ranges else {})),
    )


def toy_latent_figures(
    frame: ToyLatentFrame, real: np.ndarray | None = None, data_ranges=None
) -> tuple[go.Figure, go.Figure]:
    """(latent plane with z, data plane with G(z)): the same grid before and after G warps it."""
    i, j = frame.axes
    names = (f"z{j + 1} fixed", f"z{i + 1} fixed")  # a horizontal line varies z_i, holding z_j
    latent = go.Figure(
        dict(
            data=[*_lines_traces(frame.lines, names), _point(frame.z_plane, "your z")],
            layout=_layout("Latent space: your z on a grid", f"z{i + 1}", f"z{j + 1}"),
        ),
        _validate=False,
    )
    data = [
        dict(
            type="scatter",
            x=frame.cloud[:, 0],
            y=frame.cloud[:, 1],
            mode="markers",
            name="G's samples",
            marker=dict(color=FAKE_COLOUR, size=4, opacity=0.6),
        )
    ]
    if real is not None:
        data.append(
            dict(
                type="scatter",
                x=real[:, 0],
                y=real[:, 1],
                mode="markers",
                name="real x",
                marker=dict(color=REAL_COLOUR, size=4, opacity=0.35),
            )
        )
    data += [*_lines_traces(frame.warped, names), _point(frame.point, "G(z)")]
    space = go.Figure(
        dict(data=data, layout=_layout("Data space: the grid warped by G", "x", "y", data_ranges)), _validate=False
    )
    return latent, space


# ---- latency --------------------------------------------------------------------------------------
def latency_summary(times_ms: list[float]) -> tuple[float, float]:
    """(median, p95) of timings in ms; p95 by linear interpolation between order statistics."""
    if not times_ms:
        raise ValueError("no timings")
    ordered = sorted(times_ms)
    rank = 0.95 * (len(ordered) - 1)
    low, frac = int(math.floor(rank)), rank - math.floor(rank)
    p95 = ordered[low] + frac * (ordered[min(low + 1, len(ordered) - 1)] - ordered[low])
    return statistics.median(ordered), p95


def slider_latency(
    render: Callable[[torch.Tensor], object], z: torch.Tensor, changes: int = 60, seed: int = 0, limit: float = 4.0
) -> list[float]:
    """Time `render(z)` after each of `changes` simulated slider moves (one random entry set to a new value), in ms."""
    gen = torch.Generator().manual_seed(seed)
    z = z.clone()
    times = []
    for _ in range(changes):
        i = int(torch.randint(len(z), (1,), generator=gen))
        z[i] = float(torch.empty(()).uniform_(-limit, limit, generator=gen))
        start = time.perf_counter()
        render(z)
        times.append(1000 * (time.perf_counter() - start))
    return times
