"""Step slowly: one iteration of Algorithm 1 played phase by phase, with the numbers of the minibatch itself.

``play(trainer, grid)`` runs exactly one Trainer iteration (``Trainer.step(1)``: its history row, G's moving
average, the published weights) with the reference step's own functions (``playground.gan.step``) called in the
reference's order, and keeps what each phase saw: the noise, the real and fake points, D's verdicts, D's surface
before and after its update, the push on each fake, each fake's move. The extra looks (the surface, the push, G's
output after its update) draw nothing from the training stream and touch no gradient buffer, so afterwards the
weights, optimizer moments, random stream and statistics are those of one reference iteration from the same state
(tests/experiments/test_slowmo.py; the fast engine's iteration equals it up to float rounding,
tests/engines/test_fast_step.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from playground.gan.models import latent_labels
from playground.gan.record import STAT_NAMES
from playground.gan.step import Minibatch, StepRecord, d_update, g_update, judge
from playground.gan.trainer import Trainer, step_stats

# the phases of one D update, then of one G update, in the order they are played
D_PHASES = ("sample", "generate", "judge", "d_loss", "d_update")
G_PHASES = ("fresh_z", "g_loss", "g_update")
TITLES = {
    "sample": "Sample noise z and real data x",
    "generate": "Generate the fakes G(z)",
    "judge": "D judges both batches",
    "d_loss": "D's loss and its gradient",
    "d_update": "D's update: the surface before, after, and the difference",
    "fresh_z": "A fresh minibatch of noise for G",
    "g_loss": "G's loss and the push ∇ₓ on each fake",
    "g_update": "G's update: each fake moves",
}
D_LOSS = {  # D's objective by loss, over the minibatch of m real x and m fakes G(z)
    "nonsat": "L_D = −(1/m) Σᵢ [log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾)))]",
    "minimax": "L_D = −(1/m) Σᵢ [log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾)))]",
    "wgan-gp": "L_D = (1/m) Σᵢ [D(G(z⁽ⁱ⁾)) − D(x⁽ⁱ⁾)] + λ (1/m) Σᵢ (‖∇D(x̂⁽ⁱ⁾)‖ − 1)²",
    "lsgan": "L_D = (1/2m) Σᵢ [(D(x⁽ⁱ⁾) − 1)² + D(G(z⁽ⁱ⁾))²]",
    "hinge": "L_D = (1/m) Σᵢ [max(0, 1 − D(x⁽ⁱ⁾)) + max(0, 1 + D(G(z⁽ⁱ⁾)))]",
}
G_LOSS = {
    "nonsat": "L_G = −(1/m) Σᵢ log D(G(z⁽ⁱ⁾))",
    "minimax": "L_G = (1/m) Σᵢ log(1 − D(G(z⁽ⁱ⁾)))",
    "wgan-gp": "L_G = −(1/m) Σᵢ D(G(z⁽ⁱ⁾))",
    "lsgan": "L_G = (1/2m) Σᵢ (D(G(z⁽ⁱ⁾)) − 1)²",
    "hinge": "L_G = −(1/m) Σᵢ D(G(z⁽ⁱ⁾))",
}


@dataclass(frozen=True)
class DStep:
    """What one D update saw: its minibatch and D's verdicts (probabilities σ(logit) of each point alone)."""

    z: np.ndarray  # [m, latent_dim]
    real: np.ndarray  # [m, 2]
    fake: np.ndarray  # [m, 2] G(z)
    d_real: np.ndarray  # [m] D(x) before the update
    d_fake: np.ndarray  # [m] D(G(z)) before the update
    surface_before: np.ndarray  # [R·R] D on the grid before the update
    surface_after: np.ndarray  # [R·R] and after it
    numbers: dict[str, float]  # d_loss, d_real, d_fake, grad_norm_d (as the Trainer records them), and after


@dataclass(frozen=True)
class GStep:
    """What one G update saw: fresh noise, the fakes before and after, the push of G's loss on each fake."""

    z: np.ndarray  # [m, latent_dim]
    fake_before: np.ndarray  # [m, 2]
    fake_after: np.ndarray  # [m, 2] G(z) for the same z after G's update
    push: np.ndarray  # [m, 2] −∇ₓ L_G at each fake: where G's loss pulls it (D's verdict, without instance noise)
    numbers: dict[str, float]  # g_loss, d_fake (mean D(G(z)) before), grad_norm_g, and after the update


@dataclass(frozen=True)
class Phase:
    key: str  # one of D_PHASES or G_PHASES
    title: str  # "D step 1 of 2 · Sample noise z and real data x"
    formula: str
    numbers: tuple[tuple[str, float], ...]  # (label, value), the minibatch's own
    d_step: int | None  # which D update it belongs to (index into SlowIteration.d_steps)
    g_step: int | None


@dataclass(frozen=True)
class SlowIteration:
    step: int  # the step count after this iteration
    d_steps: tuple[DStep, ...]
    g_steps: tuple[GStep, ...]
    phases: tuple[Phase, ...]
    stats: dict[str, float]  # the Trainer's history row for this iteration (STAT_NAMES)


def covers(trainer: Trainer) -> str | None:
    """Why slow motion cannot play this run's iteration, or None when it can."""
    cfg = trainer.cfg
    if cfg.unroll_steps or cfg.freeze != "none":
        return "Slow motion plays the plain iteration: turn off unrolling and let both networks learn."
    if trainer.classes or getattr(trainer.model_cfg, "data_dim", 2) != 2:
        return "Slow motion draws 2-D points."
    return None


def _numpy(x: torch.Tensor) -> np.ndarray:
    return x.detach().float().cpu().numpy()


class _DSeen(NamedTuple):  # one D update as the recorder saw it (tensors, before the numbers are read off)
    z: torch.Tensor
    batch: Minibatch
    before: tuple[np.ndarray, np.ndarray]  # D on each real point and each fake, before the update
    after: tuple[np.ndarray, np.ndarray]  # and after it
    surface_before: np.ndarray
    surface_after: np.ndarray
    logits: torch.Tensor
    penalty: torch.Tensor | None
    norm: torch.Tensor


class _GSeen(NamedTuple):
    z: torch.Tensor
    fake: torch.Tensor
    moved: torch.Tensor  # G(z) after the update
    push: np.ndarray
    logits: torch.Tensor
    norm: torch.Tensor
    d_moved: np.ndarray  # D on each moved fake


class _Recorder:
    """An engine for the Trainer: the reference iteration (``step.iterate`` without freezing or unrolling),
    keeping what each phase saw."""

    name = "slow motion"

    def __init__(self, grid: torch.Tensor) -> None:
        self.grid, self.d_steps, self.g_steps = grid, [], []

    def covers(self, cfg) -> bool:
        return True

    @torch.no_grad()
    def _surface(self, t: Trainer) -> np.ndarray:
        return _numpy(torch.sigmoid(t.D.score_points(self.grid.to(t.device)))[:, 0])

    @torch.no_grad()
    def _each(self, t: Trainer, x: torch.Tensor) -> np.ndarray:
        return _numpy(torch.sigmoid(t.D.score_points(x))[:, 0])

    def _push(self, t: Trainer, fake: torch.Tensor, labels) -> np.ndarray:
        """−∇ₓ L_G at each fake (no parameter gradients: autograd.grad w.r.t. x only)."""
        x = fake.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(t.loss.g(judge(t.D, x, labels)), x)
        return _numpy(-grad)

    def iterate(self, t: Trainer) -> StepRecord:
        cfg, m, sigma = t.cfg, t.cfg.batch_size, t.noise_sigma()
        for i in range(cfg.k):  # (1) k D updates; the draws of ``step.minibatch``: noise, then examples
            with torch.set_grad_enabled(cfg.reuse_fakes and i == cfg.k - 1):
                z = t.latent(m)
                fake = t.G(z)
            real, real_labels = t.real_batch(m)
            batch = Minibatch(real, fake, real_labels, latent_labels(z, t.model_cfg))
            before, seen = self._surface(t), (self._each(t, real), self._each(t, fake.detach()))
            d_logits, penalty, norm_d = d_update(t, batch, sigma)
            after = (self._each(t, real), self._each(t, fake.detach()))
            self.d_steps.append(_DSeen(z, batch, seen, after, before, self._surface(t), d_logits, penalty, norm_d))
        for j in range(cfg.k_g):  # (2) k_G G updates, each on fresh noise (the draws of ``step.generate``)
            if not (cfg.reuse_fakes and j == 0):
                z = t.latent(m)
                fake = t.G(z)
            labels = latent_labels(z, t.model_cfg)
            push = self._push(t, fake, labels)
            g_logits, norm_g = g_update(t, fake, labels, sigma)
            with torch.no_grad():
                moved = t.G(z)
            self.g_steps.append(_GSeen(z, fake, moved, push, g_logits, norm_g, self._each(t, moved)))
        return StepRecord(d_logits, g_logits, penalty, norm_d, norm_g)


def _row(t: Trainer, d_logits, g_logits, penalty, norm_d, norm_g) -> dict[str, float]:
    """STAT_NAMES of one update, by the Trainer's own formula (``step_stats``) on a batch of one step."""
    one = lambda x: None if x is None else x[None]  # noqa: E731
    stats = step_stats(t.loss, d_logits[None], g_logits[None], one(penalty), norm_d[None], norm_g[None])[0]
    return dict(zip(STAT_NAMES, stats.tolist(), strict=True))


def play(trainer: Trainer, grid: torch.Tensor) -> SlowIteration:
    """Run one iteration of ``trainer`` (``Trainer.step(1)``) phase by phase; ``grid`` [R·R, 2]: where D's surface
    is drawn. Call it where the trainer's steps run (its worker thread); ``covers`` says when it cannot."""
    reason = covers(trainer)
    if reason:
        raise ValueError(reason)
    recorder, engine = _Recorder(grid), trainer.engine
    trainer.engine = recorder
    try:
        trainer.step(1)
    finally:
        trainer.engine = engine
    stats = {name: float(trainer.history.columns[name][-1]) for name in STAT_NAMES}
    last_d, last_g = recorder.d_steps[-1], recorder.g_steps[-1]
    d_steps = []
    for d in recorder.d_steps:
        row = _row(trainer, d.logits, last_g.logits, d.penalty, d.norm, last_g.norm)
        numbers = {n: row[n] for n in ("d_loss", "d_real", "d_fake", "grad_norm_d")}
        numbers.update(d_real_after=float(d.after[0].mean()), d_fake_after=float(d.after[1].mean()),
                       surface_change=float(np.abs(d.surface_after - d.surface_before).max()))  # fmt: skip
        d_steps.append(DStep(_numpy(d.z), _numpy(d.batch.real), _numpy(d.batch.fake), *d.before, d.surface_before,
                             d.surface_after, numbers))  # fmt: skip
    g_steps = []
    for g in recorder.g_steps:
        row = _row(trainer, last_d.logits, g.logits, last_d.penalty, last_d.norm, g.norm)
        shift = np.linalg.norm(_numpy(g.moved) - _numpy(g.fake), axis=1)
        numbers = {"g_loss": row["g_loss"], "d_fake": float(torch.sigmoid(g.logits.float()).mean()),
                   "grad_norm_g": row["grad_norm_g"], "d_fake_after": float(g.d_moved.mean()),
                   "mean_move": float(shift.mean()), "max_move": float(shift.max())}  # fmt: skip
        g_steps.append(GStep(_numpy(g.z), _numpy(g.fake), _numpy(g.moved), g.push, numbers))
    phases = _phases(trainer, d_steps, g_steps)
    return SlowIteration(trainer.step_count, tuple(d_steps), tuple(g_steps), phases, stats)


def _phases(t: Trainer, d_steps: list[DStep], g_steps: list[GStep]) -> tuple[Phase, ...]:
    """Each phase's title, formula and numbers, D's updates first."""
    cfg, m, loss = t.cfg, t.cfg.batch_size, t.cfg.loss
    lr_d, lr_g = t.opt_d.param_groups[0]["lr"], t.opt_g.param_groups[0]["lr"]  # as this iteration ran (a schedule)
    prior = "N(0, I)" if t.model_cfg.prior == "normal" else "U(−1, 1)"
    phases = []
    for i, d in enumerate(d_steps):
        n = d.numbers
        where = f"D step {i + 1} of {len(d_steps)} · "
        rows = {
            "sample": (f"z⁽ⁱ⁾ ~ p_z = {prior} (latent size {d.z.shape[1]}), x⁽ⁱ⁾ ~ p_data, i = 1…m",
                       (("m (minibatch)", m), ("mean ‖z‖", float(np.linalg.norm(d.z, axis=1).mean())),
                        ("mean x of the real points", float(d.real[:, 0].mean())),
                        ("mean y of the real points", float(d.real[:, 1].mean())))),
            "generate": ("x̃⁽ⁱ⁾ = G(z⁽ⁱ⁾): the generator maps each noise sample to a point",
                         (("mean x of G(z)", float(d.fake[:, 0].mean())),
                          ("mean y of G(z)", float(d.fake[:, 1].mean())),
                          ("spread of G(z) (std)", float(d.fake.std(axis=0).mean())),
                          ("spread of x (std)", float(d.real.std(axis=0).mean())))),
            "judge": ("D(x) = σ(a(x)) ∈ (0, 1): D's belief that a point is real",
                      (("mean D(x)", n["d_real"]), ("mean D(G(z))", n["d_fake"]))),
            "d_loss": (D_LOSS.get(loss, f"D's {loss} objective") + ";  g_D = ∇_θD L_D",
                       (("D loss L_D", n["d_loss"]), ("‖∇_θD L_D‖", n["grad_norm_d"]))),
            "d_update": (f"θ_D ← θ_D − η_D · {t.cfg.d_optimizer}(g_D),  η_D = {lr_d:g}",
                         (("mean D(x) after", n["d_real_after"]), ("mean D(G(z)) after", n["d_fake_after"]),
                          ("largest change of D on the plane", n["surface_change"]))),
        }  # fmt: skip
        phases += [Phase(k, where + TITLES[k], *rows[k], i, None) for k in D_PHASES]
    for j, g in enumerate(g_steps):
        n = g.numbers
        where = f"G step {j + 1} of {len(g_steps)} · "
        fresh = "the last D step's fakes again (DCGAN-style)" if cfg.reuse_fakes and j == 0 else "fresh"
        rows = {
            "fresh_z": (f"z⁽ⁱ⁾ ~ p_z, i = 1…m ({fresh}); x̃⁽ⁱ⁾ = G(z⁽ⁱ⁾)",
                        (("m (minibatch)", m), ("mean D(G(z)) now", n["d_fake"]))),
            "g_loss": (G_LOSS.get(loss, f"G's {loss} objective") + ";  arrows: −∇ₓ L_G at each fake",
                       (("G loss L_G", n["g_loss"]), ("mean D(G(z))", n["d_fake"]),
                        ("‖∇_θG L_G‖", n["grad_norm_g"]))),
            "g_update": (f"θ_G ← θ_G − η_G · {t.cfg.g_optimizer}(∇_θG L_G),  η_G = {lr_g:g}",
                         (("mean move of a fake", n["mean_move"]), ("largest move", n["max_move"]),
                          ("mean D(G(z)) after", n["d_fake_after"]))),
        }  # fmt: skip
        phases += [Phase(k, where + TITLES[k], *rows[k], None, j) for k in G_PHASES]
    return tuple(phases)
