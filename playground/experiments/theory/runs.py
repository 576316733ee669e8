"""The 1-D theory page's experiments (Goodfellow et al. 2014, Figure 1): presets, frames, panels (a)–(d), a race.

Everything here is plain torch/numpy on CPU copies of the networks, safe beside a training thread:
- ``DATA_PRESETS`` and ``parse_mixture`` give p_data; ``THEORY_MODEL`` / ``THEORY_TRAIN`` are the calibrated defaults;
- a ``View1D`` (grid, fixed noise, fixed real samples) is made once per run so frames compare;
- ``compute_frame`` evaluates G and D on it and computes the theory's numbers (JSD, C(G), V(D,G), W1);
- ``figure_one_panels`` rebuilds the paper's panels (a)–(d) from a run's snapshots;
- ``TrainerPair`` steps a saturating and a non-saturating trainer in lockstep from the same start.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy.stats import norm
from torch import nn

from playground.engines import fast_engine
from playground.gan import step as gan_step
from playground.gan.data import DataError, Mixture1D, Uniform1D
from playground.gan.models import ModelConfig
from playground.gan.theory import (
    gaussian_kde_1d,
    jsd_on_grid,
    optimal_discriminator,
    value_at_optimum,
    wasserstein1_1d,
)
from playground.gan.trainer import TrainConfig, Trainer
from playground.views.figures import snapshot_models

LOG4 = math.log(4.0)
Data1D = Mixture1D | Uniform1D

# p_data choices. G's initial output sits near 0 with a spread of ~0.05 (default init, 1-D z), so every preset
# lies clear of it: the run starts from disjoint supports (JSD = ln 2) and p_g has to travel, as in Figure 1.
DATA_PRESETS: dict[str, Data1D] = {
    "gaussian": Mixture1D((1.0,), (2.0,), (0.5,)),
    "mixture": Mixture1D((1.0, 1.0), (1.5, 3.5), (0.35, 0.35)),
    "uniform": Uniform1D(1.0, 3.0),
}
CUSTOM_EXAMPLE = "0.7, 2, 0.4; 0.3, 4, 0.3"  # weight, mean, std; … (the page's text box starts with this)
MAX_COMPONENTS = 8
MAX_METRIC_GRID = 800  # points of the grid behind JSD / C(G) / V: bounds memory when G wanders far off

# Calibrated on the busy 2-core CPU: width 64, Adam 5e-4, batch 256 takes N(2, 0.5²) from JSD ln 2 to 0.03–0.14 by
# step 1,000 (seeds 0–3, about a second each with the MLP engine), then hovers there (0.10–0.16 at 2,000: the game
# oscillates around p_data), with D within ½ ± 0.01–0.05 on the data.
THEORY_MODEL = ModelConfig(data_dim=1, latent_dim=1, hidden=64, depth=2, prior="uniform")  # the paper's uniform z
THEORY_TRAIN = TrainConfig(
    lr_d=5e-4,
    lr_g=5e-4,
    batch_size=256,
    ema_decay=0.0,  # draw the raw G: the page is about the game itself, not a smoothed generator
    snapshot_every=25,  # panels (a)–(d) need the approach to p_data, which takes only ~100–300 steps
    max_snapshots=120,
)


def parse_mixture(text: str) -> Mixture1D:
    """A user's mixture as ``weight, mean, std`` triples separated by ``;`` (e.g. ``0.7, 2, 0.4; 0.3, 4, 0.3``).

    Raises ``DataError`` with one plain sentence: the text is untrusted input.
    """
    parts = [p for p in text.replace("\n", ";").split(";") if p.strip()]
    if not parts:
        raise DataError("Enter at least one component as: weight, mean, std.")
    if len(parts) > MAX_COMPONENTS:
        raise DataError(f"At most {MAX_COMPONENTS} components, please.")
    rows = []
    for i, part in enumerate(parts, start=1):
        cells = [c.strip() for c in part.split(",")]
        try:
            values = [float(c) for c in cells]
        except ValueError:
            raise DataError(f"Component {i} is not three numbers: {part.strip()[:40]!r}.") from None
        if len(values) != 3 or not all(math.isfinite(v) for v in values):
            raise DataError(f"Component {i} needs exactly three finite numbers: weight, mean, std.")
        weight, mean, std = values
        if weight <= 0 or not 0.05 <= std <= 5 or abs(mean) > 20:
            raise DataError(f"Component {i}: weight must be > 0, std between 0.05 and 5, |mean| at most 20.")
        rows.append(values)
    weights, means, stds = zip(*rows)
    return Mixture1D(tuple(weights), tuple(means), tuple(stds))


def data_pdf(data: Data1D, x: np.ndarray) -> np.ndarray:
    """p_data on a numpy grid (exact density)."""
    return data.pdf(torch.as_tensor(x, dtype=torch.float32)).double().numpy()


def data_range(data: Data1D) -> tuple[float, float]:
    """Where p_data lives: ±3.5σ around every component, or the uniform's interval."""
    if isinstance(data, Uniform1D):
        return data.low, data.high
    pairs = list(zip(data.means, data.stds))
    return min(m - 3.5 * s for m, s in pairs), max(m + 3.5 * s for m, s in pairs)


# ---- fixed canvas and frames --------------------------------------------------------------------
@dataclass(frozen=True)
class View1D:
    """The fixed canvas of one run: the x grid, p_data on it, fixed noise and fixed real samples."""

    x: np.ndarray  # [R] evaluation grid (increasing)
    p_data: np.ndarray  # [R] exact density on the grid
    z: torch.Tensor  # [N, 1] fixed noise: samples → KDE of p_g and W1
    z_arrows: torch.Tensor  # [A, 1] evenly spaced quantiles of the prior: the arrows z → G(z)
    z_range: tuple[float, float]  # where the z line is drawn from/to (the prior's bulk)
    real: np.ndarray  # [N] fixed data samples (for W1)


def make_view(
    data: Data1D, prior: str = "uniform", seed: int = 0, n: int = 1000, n_arrows: int = 25, resolution: int = 300
) -> View1D:
    """Grid over p_data and G's starting point (0), padded; noise drawn from its own seed (training untouched)."""
    lo, hi = data_range(data)
    lo, hi = min(lo, -0.5), max(hi, 0.5)  # G starts near 0: keep it on the canvas
    pad = 0.1 * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, resolution)
    gen = torch.Generator().manual_seed(20_000 + seed)
    if prior == "uniform":
        z = 2 * torch.rand(n, 1, generator=gen) - 1
        z_arrows = torch.linspace(-1, 1, n_arrows).unsqueeze(1)  # [A, 1]
        z_range = (-1.0, 1.0)
    else:
        z = torch.randn(n, 1, generator=gen)
        q = np.linspace(0.5 / n_arrows, 1 - 0.5 / n_arrows, n_arrows)
        z_arrows = torch.tensor(norm.ppf(q), dtype=torch.float32).unsqueeze(1)  # equal-probability quantiles
        z_range = (float(norm.ppf(0.5 / n_arrows)), float(norm.ppf(1 - 0.5 / n_arrows)))
    real = data.sample(n, gen, "cpu").reshape(-1).double().numpy()
    return View1D(x, data_pdf(data, x), z, z_arrows, z_range, real)


@dataclass(frozen=True)
class Frame1D:
    """G and D evaluated on a View1D at one step, with the theory's numbers."""

    step: int
    p_g: np.ndarray  # [R] KDE of G(z) on the view's grid
    d: np.ndarray  # [R] the learned D(x) = σ(logit)
    d_star: np.ndarray  # [R] D*(x) = p_data / (p_data + p_g) for this G
    samples: np.ndarray  # [N] G(z) for the fixed noise
    arrows: np.ndarray  # [A] G(z) for the arrow noise
    jsd: float  # JSD(p_data ‖ p_g), nats, on a grid wide enough for every sample
    c_g: float  # C(G) = max_D V(D, G), from its definition
    value: float  # V(D, G) of the learned D (≤ C(G))
    w1: float  # Wasserstein-1 between fake and real samples
    d_mean_dev: float  # mean |D(x) − ½| under p_data: 0 when D has flattened to ½


@torch.no_grad()
def compute_frame(G: nn.Module, D: nn.Module, view: View1D, step: int = 0) -> Frame1D:
    """Evaluate eval-mode CPU copies of G and D on the view; every number on the page comes from here."""
    samples = G(view.z).reshape(-1).double().numpy()
    arrows = G(view.z_arrows).reshape(-1).double().numpy()
    if not np.isfinite(samples).all():
        raise ValueError("the generator produced NaN or infinite samples")
    d = torch.sigmoid(D.score_points(torch.as_tensor(view.x, dtype=torch.float32)[:, None])).reshape(-1)
    d = d.double().numpy()
    p_g = gaussian_kde_1d(samples, view.x)
    jsd, c_g, value = _grid_numbers(G, D, view, samples)
    p_data = view.p_data
    d_dev = float(np.trapezoid(np.abs(d - 0.5) * p_data, view.x) / np.trapezoid(p_data, view.x))
    return Frame1D(
        step,
        p_g,
        d,
        optimal_discriminator(p_data, p_g),
        samples,
        arrows,
        jsd,
        c_g,
        value,
        wasserstein1_1d(samples, view.real),
        d_dev,
    )


def _grid_numbers(G: nn.Module, D: nn.Module, view: View1D, samples: np.ndarray) -> tuple[float, float, float]:
    """JSD, C(G) and V(D, G) on a grid that covers p_data and every sample (G may wander off the canvas)."""
    spread = samples.std(ddof=1) * samples.size ** (-1 / 5) if samples.size > 1 else 0.0
    h = max(spread, float(view.x[1] - view.x[0]))  # the KDE's bandwidth (Scott's rule), at least one grid step
    lo, hi = min(view.x[0], samples.min() - 5 * h), max(view.x[-1], samples.max() + 5 * h)
    step = min(float(view.x[1] - view.x[0]), h / 4)
    x = np.linspace(lo, hi, min(int((hi - lo) / step) + 2, MAX_METRIC_GRID))
    p_data = data_pdf_from_view(view, x)
    p_g = gaussian_kde_1d(samples, x, bandwidth=h)
    logits = D.score_points(torch.as_tensor(x, dtype=torch.float32)[:, None]).reshape(-1).double()
    log_d, log_1md = torch.nn.functional.logsigmoid(logits).numpy(), torch.nn.functional.logsigmoid(-logits).numpy()
    pd_n, pg_n = p_data / np.trapezoid(p_data, x), p_g / np.trapezoid(p_g, x)
    value = float(np.trapezoid(pd_n * log_d + pg_n * log_1md, x))  # V(D,G) = E_pdata log D + E_pg log(1 − D)
    return jsd_on_grid(p_data, p_g, x), value_at_optimum(p_data, p_g, x), value


def data_pdf_from_view(view: View1D, x: np.ndarray) -> np.ndarray:
    """p_data at new points, interpolated from the view's exact grid (0 outside it, where p_data has no mass)."""
    return np.interp(x, view.x, view.p_data, left=0.0, right=0.0)


def frame_at(trainer: Trainer, view: View1D, snap=None) -> Frame1D:
    G, D, step = snapshot_models(trainer, snap)
    return compute_frame(G, D, view, step)


# ---- Figure 1, panels (a)–(d) ----------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    letter: str
    caption: str  # the paper's caption for this panel, reworded
    frame: Frame1D


def _scratch_trainer(trainer: Trainer, G: nn.Module, D: nn.Module, lr: float, seed: int) -> Trainer:
    """A throwaway Trainer of the run's model and data holding copies of G and D (Adam lr, β (0.5, 0.9), batch 256,
    non-saturating loss, its own random stream): the live run is never touched."""
    scratch = Trainer(trainer.data, trainer.model_cfg, TrainConfig(lr_d=lr, lr_g=lr, ema_decay=0.0, seed=seed), "cpu")
    scratch.G.load_state_dict(G.state_dict())
    scratch.D.load_state_dict(D.state_dict())
    return scratch


def train_d_only(
    trainer: Trainer, G: nn.Module, D: nn.Module, steps: int, lr: float = 1e-3, seed: int = 0
) -> nn.Module:
    """Panel (b): a copy of D trained ``steps`` times with G frozen — the inner loop, converging toward D*."""
    scratch = _scratch_trainer(trainer, G, D, lr, seed)
    gan_step.train_d_only(scratch, steps)
    return scratch.D.eval().requires_grad_(False)


def train_g_only(
    trainer: Trainer, G: nn.Module, D: nn.Module, steps: int, lr: float = 1e-3, seed: int = 0
) -> nn.Module:
    """Panel (c): a copy of G updated ``steps`` times against a frozen D — G(z) flows to where D says "data"."""
    scratch = _scratch_trainer(trainer, G, D, lr, seed)
    gan_step.train_g_only(scratch, steps)
    return scratch.G.eval().requires_grad_(False)


def _first_near(frames: list[Frame1D], near_jsd: float) -> int:
    """Index of the first frame whose JSD is below ``near_jsd`` after the start (else the closest one)."""
    for i, frame in enumerate(frames[1:], start=1):
        if frame.jsd <= near_jsd:
            return i
    return int(np.argmin([f.jsd for f in frames]))


def figure_one_panels(
    trainer: Trainer, view: View1D, data: Data1D, near_jsd: float = 0.45, d_steps: int = 300, g_steps: int = 10
) -> list[Panel]:
    """The paper's Figure 1 from a live run's snapshots.

    (a) the first snapshot whose JSD has fallen to ``near_jsd`` (near convergence); (b) its D trained ``d_steps``
    times with its G frozen; (c) its G updated ``g_steps`` times against that D; (d) the latest weights.
    """
    with trainer.lock:
        snaps = list(trainer.snapshots)
        latest = trainer.published
    frames = [frame_at(trainer, view, snap) for snap in snaps]
    i = _first_near(frames, near_jsd)
    G, D, step = snapshot_models(trainer, snaps[i])
    D_b = train_d_only(trainer, G, D, d_steps, seed=step)
    G_c = train_g_only(trainer, G, D_b, g_steps, seed=step)
    return [
        Panel(
            "a",
            f"Step {step:,}, near convergence: p_g is close to p_data and D is a partially accurate classifier.",
            frames[i],
        ),
        Panel(
            "b",
            f"D alone trained {d_steps} more steps with G frozen (the inner loop): D moves toward "
            "D*(x) = p_data / (p_data + p_g).",
            compute_frame(G, D_b, view, step),
        ),
        Panel(
            "c",
            f"G alone updated {g_steps} steps against that D: D's gradient has guided G(z) toward regions "
            "more likely to be classified as data.",
            compute_frame(G_c, D_b, view, step),
        ),
        Panel("d", latest_caption(last := frame_at(trainer, view, latest)), last),
    ]


SETTLED_JSD, SETTLED_D = 0.02, 0.03  # nats; mean |D − ½| over p_data: the picture shows Figure 1 (d)


def latest_caption(frame: Frame1D) -> str:
    """Panel (d)'s caption, true of the picture above it: the paper's optimum only when the run has reached it."""
    numbers = f"JSD {frame.jsd:.3f} nats, D is {frame.d_mean_dev:.3f} from ½ on average over p_data"
    if frame.jsd <= SETTLED_JSD and frame.d_mean_dev <= SETTLED_D:
        return (
            f"Step {frame.step:,} of the live run: p_g ≈ p_data and D(x) ≈ ½ across the data ({numbers}), the "
            "paper's global optimum."
        )
    return (
        f"Step {frame.step:,} of the live run, not at the optimum yet ({numbers}). With enough capacity and a "
        "converging schedule, training ends at p_g = p_data and D(x) = ½ everywhere."
    )


# ---- metrics over a run ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """The theory's numbers at each stored snapshot (and the latest published weights)."""

    step: np.ndarray
    jsd: np.ndarray
    c_g: np.ndarray
    value: np.ndarray
    w1: np.ndarray


def run_series(trainer: Trainer, view: View1D, cache: dict[int, Frame1D]) -> Series:
    """Numbers at every snapshot; ``cache`` (step → frame, owned by the caller) makes each refresh cost one frame."""
    with trainer.lock:
        snaps = [*trainer.snapshots, trainer.published]
    kept: dict[int, Frame1D] = {}
    for snap in snaps:
        if snap.step not in kept:
            kept[snap.step] = cache.get(snap.step) or frame_at(trainer, view, snap)
    cache.clear()
    cache.update(kept)
    frames = [kept[s] for s in sorted(kept)]
    col = lambda name: np.array([getattr(f, name) for f in frames], dtype=float)
    return Series(col("step"), col("jsd"), col("c_g"), col("value"), col("w1"))


# ---- saturating vs non-saturating ----------------------------------------------------------------------
# The race: the paper's plain stochastic gradient (no momentum: momentum lets the saturating G escape by
# accumulating tiny steps, then overshoot), and a D pre-trained until it rejects G's first samples confidently.
RACE_TRAIN = replace(THEORY_TRAIN, optimizer="sgd", momentum=0.0, lr_d=2e-3, lr_g=2e-3)
RACE_PRETRAIN_STEPS = 500  # Adam steps on D alone before the race: D(G(z)) ≈ 10⁻⁹ … 10⁻⁴ at the start (seeds 0–3)
RACE_PRETRAIN_LR = 1e-2
RACE_LOSSES = ("minimax", "nonsat")
RACE_STEPS = 500  # the race's length: the saturating G stays put through it on every seed tried (4 of 4)


def pretrain_discriminator(trainer: Trainer, steps: int, lr: float = RACE_PRETRAIN_LR) -> None:
    """Train D alone against the initial G (its own Adam; G and the trainer's optimizers untouched)."""
    gan_step.train_d_only(trainer, steps, opt=torch.optim.Adam(trainer.D.parameters(), lr=lr, betas=(0.5, 0.9)))
    trainer.republish()


class TrainerPair:
    """Saturating and non-saturating trainers from one start, stepped in lockstep; a worker can run it.

    Both are built with the same seed (same G, D and random stream); D is pre-trained once and copied, so the two
    runs differ only in the generator's loss. W1 to the view's real samples is recorded every ``record_every`` steps.
    """

    def __init__(
        self,
        data: Data1D,
        model_cfg: ModelConfig,
        train_cfg: TrainConfig,
        view: View1D,
        pretrain_steps: int = RACE_PRETRAIN_STEPS,
        max_steps: int = RACE_STEPS,
        record_every: int = 25,
    ) -> None:
        self.view, self.record_every, self.max_steps = view, record_every, max_steps
        self.trainers = {
            loss: Trainer(data, model_cfg, replace(train_cfg, loss=loss), "cpu", engine=fast_engine)
            for loss in RACE_LOSSES
        }
        first, *others = self.trainers.values()
        pretrain_discriminator(first, pretrain_steps)
        for other in others:
            other.D.load_state_dict(first.D.state_dict())
            other.gen.set_state(first.gen.get_state())
            other.republish()
        self.lock = threading.Lock()  # guards w1
        self.w1: dict[str, list[float]] = {loss: [] for loss in RACE_LOSSES}
        self.w1_steps: list[int] = []
        with torch.no_grad():  # D(G(z)) at the start: how confidently D rejects G's first samples
            logits = first.D(first.G(view.z.to(first.device)))
            self.d_fake_start = float(torch.sigmoid(logits).mean())
        self._record()

    @property
    def step_count(self) -> int:
        return min(t.step_count for t in self.trainers.values())

    @property
    def diverged(self) -> str | None:
        return next((f"{loss}: {t.diverged}" for loss, t in self.trainers.items() if t.diverged), None)

    @property
    def finished(self) -> bool:
        return self.step_count >= self.max_steps

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        """Up to ``n`` steps of each trainer (or until ``seconds`` pass), in chunks that end on record steps."""
        start, done = time.perf_counter(), 0
        if self.finished:
            time.sleep(seconds or 0.0)  # nothing left to do: don't let a running worker spin
            return 0
        while done < n and not self.diverged and not self.finished:
            chunk = min(
                n - done, self.record_every - self.step_count % self.record_every, self.max_steps - self.step_count
            )
            for trainer in self.trainers.values():
                trainer.step(chunk)
            done += chunk
            if self.step_count % self.record_every == 0:
                self._record()
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        return done

    @torch.no_grad()
    def _record(self) -> None:
        values = {}
        for loss, trainer in self.trainers.items():
            samples = trainer.G(self.view.z.to(trainer.device)).reshape(-1).double().cpu().numpy()
            values[loss] = wasserstein1_1d(samples, self.view.real) if np.isfinite(samples).all() else float("nan")
        with self.lock:
            self.w1_steps.append(self.step_count)
            for loss, value in values.items():
                self.w1[loss].append(value)

    def w1_history(self) -> tuple[list[int], dict[str, list[float]]]:
        with self.lock:
            return list(self.w1_steps), {loss: list(v) for loss, v in self.w1.items()}
