"""What the latent explorer page draws, as plain functions of its state: the generator choices, the z the sliders
mirror, the digit and its reading, the toy planes, interpolation endpoints and strips, the walk's directions.

`app_pages/latent.py` keeps widgets and layout; everything here runs without Streamlit (the page passes in what it
holds in session state and stores what comes back). The pictures themselves come from ``tools`` and ``walks``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from playground.experiments.latent import tools as LT
from playground.experiments.latent.settings import MAX_SLIDERS, TIPS
from playground.experiments.latent.walks import MAX_ABS_LATENT, orthonormal_directions, z_from_text
from playground.gan.checkpoints import CheckpointError
from playground.views.figures import make_view, snapshot_models

PRETRAINED_LABELS = {"dcgan": "DCGAN", "mlp": "MLP GAN", "dcgan_conditional": "class-conditional DCGAN"}
UPLOAD = "upload"
# source → (session-state key where that page keeps its run, how the explorer names it)
SESSION_RUNS = {"session:mnist": ("mnist.run", "MNIST"), "session:toy": ("toy.run", "toy 2-D")}
TIMINGS_KEPT = 200
SLIDER_DECIMALS = 2  # a slider shows z to 0.01; the number box beside it holds the exact value
TOY_CLOUD, TOY_CLOUD_SEED = 300, 10_000  # fixed noise for G's sample cloud, apart from the seeds a student picks
PATH_TITLES = {"lerp": "Straight line (lerp)", "slerp": "Great circle (slerp)"}
SLERP_WHY = (
    "**Why slerp?** A Gaussian latent z ~ N(0, I) in d dimensions almost always has length close to √d, so the "
    "straight line (lerp) between two samples cuts through short vectors near the origin that G never saw in "
    "training, while slerp travels along the sphere where the samples actually live."
)


# ---- which generator ------------------------------------------------------------------------------
def pretrained_names(folder: Path) -> list[str]:
    """The shipped generators ``<name>_generator.safetensors`` in `folder`, sorted by file name."""
    return [p.name.removesuffix("_generator.safetensors") for p in sorted(folder.glob("*_generator.safetensors"))]


def shipped_generator(name: str, loaded: tuple | None) -> LT.LatentGenerator:
    """The shipped generator `name` for the explorer, from its shared (G, config, metadata); None: the file is gone."""
    if loaded is None:
        raise CheckpointError(f"The shipped generator {name!r} is missing from pretrained/.")
    G, cfg, _ = loaded
    return LT.explorer_generator(G, cfg, f"pretrained {PRETRAINED_LABELS.get(name, name)}")


def source_options(pretrained: list[str], session_runs: set[str]) -> dict[str, str]:
    """Generator choices → their labels: shipped files, the runs of this session (`session_runs`), upload."""
    options = {f"pretrained:{n}": f"Pretrained {PRETRAINED_LABELS.get(n, n)} (shipped)" for n in pretrained}
    for source, (_, label) in SESSION_RUNS.items():
        if source in session_runs:
            options[source] = f"Your {label} run (this session)"
    options[UPLOAD] = "Upload a checkpoint…"
    return options


@dataclass(frozen=True)
class SessionCopy:
    """A frozen copy of a run's generator, and which run and step it was copied from."""

    source: str
    run: int  # id() of the run object: a Reset on the other page makes a new one
    step: int
    generator: LT.LatentGenerator


def published_step(run) -> int:
    """The step of the weights `run` last published (its trainer keeps training undisturbed)."""
    trainer = run.worker.trainer
    with trainer.lock:
        return trainer.published.step


def held_copy(held: SessionCopy | None, source: str, run) -> SessionCopy | None:
    """`held` if it is a copy of this very run, else None (another source, or the run was reset)."""
    return held if held is not None and (held.source, held.run) == (source, id(run)) else None


def copy_generator(source: str, run) -> SessionCopy:
    """Copy the run's latest published generator (its EMA weights when it keeps them) for read-only use."""
    trainer = run.worker.trainer
    G, _, step = snapshot_models(trainer)
    label = SESSION_RUNS[source][1]
    return SessionCopy(
        source, id(run), step, LT.explorer_generator(G, trainer.model_cfg, f"your {label} run at step {step:,}")
    )


def load_upload(held: tuple | None, data: bytes, config_text: str | None, name: str) -> tuple:
    """(digest, generator or why it can't be used) of an upload; `held` is reused while the bytes are the same."""
    digest = hashlib.sha1(data + (config_text or "").encode()).hexdigest()
    if held is not None and held[0] == digest:
        return held
    try:
        return digest, LT.load_uploaded(data, config_text, name)
    except CheckpointError as exc:
        return digest, str(exc)


def generator_key(source: str, gen: LT.LatentGenerator) -> str:
    """What a z belongs to: the choice and the generator behind it (a refreshed session copy is another one)."""
    return f"{source}|{gen.source}"


def slider_count(dim: int, wanted: int) -> tuple[int, int]:
    """(most sliders offered, sliders shown) for a latent of `dim` entries when `wanted` are asked for."""
    top = min(dim, MAX_SLIDERS)
    return top, min(wanted, top)


# ---- the current z --------------------------------------------------------------------------------
def first_z(gen: LT.LatentGenerator) -> torch.Tensor:
    """The z a generator starts from: the prior's draw from seed 0, the same every session."""
    return LT.sample_z(gen.latent_dim, gen.prior, seed=0)


def zero_z(dim: int) -> torch.Tensor:
    """z = 0, the centre of the prior."""
    return torch.zeros(dim)


def slider_value(value: float, limit: float) -> float:
    """Where a slider of half-width `limit` shows the entry `value`: rounded to its step, held at its ends."""
    return max(-limit, min(limit, round(float(value), SLIDER_DECIMALS)))


def slider_key(i: int) -> str:
    return f"latent.s{i}"


def number_key(i: int) -> str:
    return f"latent.n{i}"


def entry_slider(i: int, limit: float) -> dict:
    """The slider of entry i (0-based) of z: ±limit in steps of 0.01."""
    return dict(
        label=f"z{i + 1}",
        min_value=-limit,
        max_value=limit,
        step=0.01,
        key=slider_key(i),
        help=TIPS["entry"].format(n=i + 1),
    )


def entry_box(i: int, limit: float) -> dict:
    """The number box beside slider i: any value a pasted z may hold (±1000), two decimals shown, no label."""
    return dict(
        label=f"z{i + 1} value",
        min_value=-MAX_ABS_LATENT,
        max_value=MAX_ABS_LATENT,
        step=0.1,
        format="%.2f",
        key=number_key(i),
        label_visibility="collapsed",
        help=TIPS["exact"].format(n=i + 1, limit=limit),
    )


def widget_values(z: torch.Tensor, limit: float) -> dict[str, float]:
    """The slider and number-box values that show z: slider i rounded and held in ±limit, box i exact."""
    values = {}
    for i, value in enumerate(z.tolist()):
        values[slider_key(i)] = slider_value(value, limit)
        values[number_key(i)] = value
    return values


def fixed_caption(n: int, dim: int) -> str:
    """What the page says when only the first n of dim entries have sliders."""
    return (
        f"z{n + 1}…z{dim} are **fixed** at their current values (all {dim} are in the text below); "
        "raise 'Sliders shown' in the sidebar to move them."
    )


def parse_z(text: str, dim: int) -> tuple[torch.Tensor | None, str | None]:
    """(z, None) for `dim` pasted numbers, else (None, what is wrong with them)."""
    try:
        return z_from_text(text, dim), None
    except ValueError as exc:
        return None, str(exc)


def timing_caption(times_ms: list[float]) -> str:
    """Describe the latest server time (fragment start → image ready) and the recent ones."""
    median, p95 = LT.latency_summary(times_ms)
    return (
        f"Server time, slider change → new image: {times_ms[-1]:.0f} ms "
        f"(median {median:.0f} ms, p95 {p95:.0f} ms over the last {len(times_ms)})"
    )


def single_thread() -> None:
    """One small generator call: threads cost more to wake than they save (the explorer's every rerun)."""
    torch.set_num_threads(1)


# ---- what the Sliders tab shows -------------------------------------------------------------------
def digit_reading(gen: LT.LatentGenerator, z: torch.Tensor, classifier) -> tuple[int, float]:
    """The classifier's digit for G(z) and how sure it is."""
    labels, confs = LT.labels_of(LT.generate(gen.G, z), classifier)
    return labels[0], confs[0]


def toy_axes(dim: int, i: int, j: int) -> tuple[int, int]:
    """The two latent axes (0-based) the toy grid varies: the chosen ones (1-based i ≠ j), or all a small z has."""
    if dim <= 2:
        return (0, 1) if dim == 2 else (0, 0)
    return i - 1, j - 1


def toy_backdrop(run) -> tuple[np.ndarray | None, tuple | None]:
    """(the toy run's fixed real points [N, 2], its axis ranges); None without a run.

    Drawn from the run's own seed as the toy page draws its view (``figures.make_view``), so the explorer's data
    plane shows the same points on the same axes however that page keeps its run.
    """
    if run is None:
        return None, None
    trainer = run.worker.trainer
    view = make_view(trainer.data, trainer.model_cfg, seed=trainer.cfg.seed)
    return view.real.numpy(), (view.x_range, view.y_range)


@dataclass(frozen=True)
class ToyPictures:
    latent: object  # plotly Figure: the latent plane with z
    data: object  # plotly Figure: the data plane with G(z)
    point: tuple[float, float]  # G(z)


def toy_pictures(gen: LT.LatentGenerator, z: torch.Tensor, axes: tuple[int, int], real, ranges) -> ToyPictures:
    """The latent grid through z over `axes`, and the same grid warped by G beside G's samples (and the real ones)."""
    cloud_z = torch.stack([LT.sample_z(gen.latent_dim, gen.prior, seed=TOY_CLOUD_SEED + k) for k in range(TOY_CLOUD)])
    frame = LT.toy_latent_frame(gen.G, z, axes, gen.prior, cloud_z)
    latent, data = LT.toy_latent_figures(frame, real, ranges)
    return ToyPictures(latent, data, (float(frame.point[0]), float(frame.point[1])))


def toy_caption(pictures: ToyPictures) -> str:
    x, y = pictures.point
    return (
        f"The star is your z (left) and the point G(z) it lands on (right). The grid lines vary two "
        f"latent entries through z, the others held at z's values; G bends them into the curves on the "
        f"right. G(z) = ({x:.2f}, {y:.2f})."
    )


def axis_choices(dim: int, other: int | None = None) -> list[int]:
    """The latent entries (1-based) an axis selectbox offers, without the one the other axis took."""
    return [a for a in range(1, dim + 1) if a != other]


# ---- interpolation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    """One end of an interpolation: its z [latent_dim] and, for a class-conditional generator, the label asked for."""

    z: torch.Tensor
    label: int | None = None


def digit_endpoint(memo: dict, key: str, gen: LT.LatentGenerator, classifier, digit: int, seed: int):
    """(z, probability) of the best of 128 seeded draws for `digit`, memoised in `memo` (the search takes ~0.3 s).

    A class-conditional generator is asked for `digit` itself (not the sidebar's label): the z is then the one
    that draws the clearest `digit` when told to draw one.
    """
    asked = gen.for_label(digit) if gen.classes else gen
    slot = (key, asked.label, digit, seed)
    if slot not in memo:
        memo[slot] = LT.find_digit_z(asked.G, classifier, digit, gen.latent_dim, gen.prior, seed)
    return memo[slot]


def digit_end(gen: LT.LatentGenerator, z: torch.Tensor, digit: int) -> Endpoint:
    """The endpoint "a `digit` the classifier recognises": a conditional generator is asked for that digit there."""
    return Endpoint(z, digit if gen.classes else None)


def a_digit(digit: int) -> str:
    """'a 3', 'an 8'."""
    return f"an {digit}" if digit == 8 else f"a {digit}"


def endpoint_warning(gen: LT.LatentGenerator, digit: int, prob: float) -> str | None:
    """What to say when the best candidate is not clearly `digit` (probability < ½), else None."""
    if prob >= 0.5:
        return None
    if gen.classes:  # asked for the digit itself: the search, not the generator's range, fell short
        return (
            f"Asked for {a_digit(digit)}, the best of 128 tries is {prob:.0%} {a_digit(digit)} to the classifier: "
            "try another seed."
        )
    return f"This generator rarely draws {a_digit(digit)}: the best of 128 tries is {prob:.0%} {a_digit(digit)}."


def random_endpoint(gen: LT.LatentGenerator, seed: int) -> torch.Tensor:
    """The endpoint of a seed: offset by one so seed 0 is not the slider's first z."""
    return LT.sample_z(gen.latent_dim, gen.prior, seed=int(seed) + 1)


def strips(gen: LT.LatentGenerator, classifier, a: Endpoint, b: Endpoint, steps: int) -> dict:
    """Both paths from endpoint a to b rendered and labelled: method → Strip.

    A class-conditional generator's label moves with z, from a's label to b's (``tools.label_codes``).
    """
    if not gen.classes:
        return {m: LT.interpolation_strip(gen.G, classifier, a.z, b.z, steps, m) for m in LT.PATHS}
    codes = LT.label_codes(gen.classes, a.label, b.label, steps)
    return {m: LT.interpolation_strip(gen.conditional_G, classifier, a.z, b.z, steps, m, codes) for m in LT.PATHS}


def label_note(gen: LT.LatentGenerator, a: Endpoint, b: Endpoint) -> str | None:
    """For a class-conditional generator: how its label travels along the path (None for an unconditional one)."""
    if not gen.classes:
        return None
    if a.label == b.label:
        move = f"its label stays {a.label} along the path, only z moves"
    else:
        move = (
            f"its label moves with z, from {a.label} at A to {b.label} at B (mid-way it is told a blend of the two), "
            f"so {a_digit(a.label)} morphs into {a_digit(b.label)}"
        )
    return (
        f"**Class-conditional generator:** {move}. A digit endpoint asks for its own digit; the other kinds use "
        "the sidebar's 'Digit asked for'."
    )


def strip_heading(strip: LT.Strip) -> str:
    mid = strip.norms[len(strip.norms) // 2]
    return (
        f"**{PATH_TITLES[strip.method]}** — under each frame: the classifier's digit · its confidence. "
        f"‖z‖ mid-way: {mid:.1f}"
    )


def slerp_note(dim: int, z0: torch.Tensor, z1: torch.Tensor) -> str:
    """Why slerp, with this generator's √d and the endpoints' norms to compare."""
    return SLERP_WHY + f" Here √d = {dim**0.5:.1f}; A has ‖z‖ = {z0.norm():.1f}, B {z1.norm():.1f}."


# ---- latent walk ----------------------------------------------------------------------------------
def walk_directions(dim: int, dirs: str, seed: int, i: int, j: int) -> tuple[torch.Tensor, torch.Tensor, str, str]:
    """(d1, d2, name across, name down): a seeded random orthonormal pair, or latent axes i and j (1-based)."""
    if dirs == "random":
        d1, d2 = orthonormal_directions(dim, torch.Generator().manual_seed(int(seed)))
        return d1, d2, "direction 1", "direction 2"
    d1, d2 = LT.axis_directions(dim, i - 1, j - 1)
    return d1, d2, f"z{i}", f"z{j}"
