"""The 1-D theory page's runs (Goodfellow et al. 2014, Figure 1): presets, panels (a)–(d), a race.

Everything here is plain torch/numpy on CPU copies of the networks, safe beside a training thread (what is drawn
at each moment of a run, the canvas and the frames, lives in ``frames``):
- ``DATA_PRESETS`` and ``parse_mixture`` give p_data; ``THEORY_MODEL`` / ``THEORY_TRAIN`` are the calibrated defaults;
- ``figure_one_panels`` rebuilds the paper's panels (a)–(d) from a run's snapshots;
- ``TrainerPair`` steps a saturating and a non-saturating trainer in lockstep from the same start.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import torch
from torch import nn

from playground.engines import fast_engine
from playground.experiments.theory.frames import Data1D, Frame1D, View1D, compute_frame, frame_at
from playground.experiments.theory.settling import Settling
from playground.gan import step as gan_step
from playground.gan.data import DataError, Mixture1D, Uniform1D
from playground.gan.models import ModelConfig
from playground.gan.theory import wasserstein1_1d
from playground.gan.trainer import TrainConfig, Trainer
from playground.views.plane import snapshot_models

# p_data choices. G's initial output sits near 0 with a spread of ~0.05 (default init, 1-D z), so every preset
# lies clear of it: the run starts from disjoint supports (JSD = ln 2) and p_g has to travel, as in Figure 1.
DATA_PRESETS: dict[str, Data1D] = {
    "gaussian": Mixture1D((1.0,), (2.0,), (0.5,)),
    "mixture": Mixture1D((1.0, 1.0), (1.5, 3.5), (0.35, 0.35)),
    "uniform": Uniform1D(1.0, 3.0),
}
CUSTOM_EXAMPLE = "0.7, 2, 0.4; 0.3, 4, 0.3"  # weight, mean, std; … (the page's text box starts with this)
MAX_COMPONENTS = 8

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


# ---- Figure 1, panels (a)–(d) ----------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    letter: str
    caption: str  # the paper's caption for this panel, reworded
    frame: Frame1D


def train_one_player(
    trainer: Trainer, G: nn.Module, D: nn.Module, player: Literal["D", "G"], steps: int, lr: float = 1e-3, seed: int = 0
) -> nn.Module:
    """Panel (b) (``player="D"``): a copy of D trained ``steps`` times with G frozen, the inner loop converging
    toward D*; panel (c) (``"G"``): a copy of G updated against a frozen D, G(z) flowing to where D says "data".

    The copies sit in a throwaway Trainer of the run's model and data (Adam lr, β (0.5, 0.9), batch 256,
    non-saturating loss, its own random stream): the live run is never touched.
    """
    scratch = Trainer(trainer.data, trainer.model_cfg, TrainConfig(lr_d=lr, lr_g=lr, ema_decay=0.0, seed=seed), "cpu")
    scratch.G.load_state_dict(G.state_dict())
    scratch.D.load_state_dict(D.state_dict())
    train_alone = gan_step.train_d_only if player == "D" else gan_step.train_g_only
    train_alone(scratch, steps)
    return getattr(scratch, player).eval().requires_grad_(False)


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
    D_b = train_one_player(trainer, G, D, "D", d_steps, seed=step)
    G_c = train_one_player(trainer, G, D_b, "G", g_steps, seed=step)
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


def latest_caption(frame: Frame1D) -> str:
    """Panel (d)'s caption, true of the picture above it: the paper's optimum only when the run has settled there."""
    numbers = f"JSD {frame.jsd:.3f} nats, D is {frame.d_mean_dev:.3f} from ½ on average over p_data"
    if Settling(frame.jsd, frame.d_mean_dev).settled:
        return (
            f"Step {frame.step:,} of the live run: p_g ≈ p_data and D(x) ≈ ½ across the data ({numbers}), the "
            "paper's global optimum."
        )
    return (
        f"Step {frame.step:,} of the live run, not at the optimum yet ({numbers}). With enough capacity and a "
        "converging schedule, training ends at p_g = p_data and D(x) = ½ everywhere."
    )


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
