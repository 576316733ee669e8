"""Goodfellow et al. 2014, Algorithm 1, as a steppable ``Trainer``.

The trainer owns the networks, optimizers, the random stream, history and snapshots; it knows nothing about
drawing. Each iteration is computed by its engine: the reference step (``playground.gan.step``, autograd) unless
the caller passes a faster one, e.g. ``Trainer(..., engine=playground.engines.fast_engine)``.
A UI runs ``trainer.step(n)`` in a worker thread (or ``run_chunk`` in a child process, whose chunks
``apply_chunk`` records here) and reads ``trainer.published`` (a consistent copy of the weights taken
between chunks) and ``trainer.history.copy()`` under ``trainer.lock``.

Per-step numbers are computed once per chunk, batched over its steps, from the logits each step keeps
(``StepRecord``), and read from the device once (no per-step host sync, ~30 fewer tensor calls a step);
optimizers use the fused/foreach kernels.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Protocol

import torch
from torch import nn

from playground.gan import augment
from playground.gan.device import pick_device
from playground.gan.losses import LOSSES, GanLoss, value_function
from playground.gan.models import init_weights, sample_latent
from playground.gan.record import STAT_NAMES, Chunk, History, Snapshot
from playground.gan.step import REFERENCE, Engine, StepRecord

OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class TrainConfig:
    loss: str = "nonsat"  # non-saturating: strong gradients early (reference.md, theory)
    optimizer: str = "adam"  # Adam β₁ 0.5 is the DCGAN setting; the paper used momentum SGD
    lr_d: float = 1e-3  # calibrated: ring8 8/8 modes in 5k steps with 2-128-128 nets
    lr_g: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.9  # β₂ 0.9 as in the WGAN-GP toy script: ring8 8/8 modes on every seed tried (0.999: 6–8)
    momentum: float = 0.9  # SGD momentum
    k: int = 1  # D steps per G step (the paper used k = 1)
    batch_size: int = 256  # minibatch m, for both real and noise samples
    # False: Algorithm 1, G's update draws a fresh minibatch of noise. True: DCGAN-style, G reuses the last D
    # update's fakes (one G forward less a step)
    reuse_fakes: bool = False
    gp_weight: float = 0.1  # WGAN-GP λ; 0.1 as in the WGAN-GP toy script
    # Samples come from an exponential moving average of G's weights (Yazıcı et al. 2019): it averages
    # out the game's oscillation (ring8 high-quality share at 5k steps 0.66–0.90 → 0.93); 0 = the raw G.
    ema_decay: float = 0.99
    # remedies for mode collapse that change the training procedure (D's own remedies are in ModelConfig)
    unroll_steps: int = 0  # unrolled GAN (Metz et al. 2017): G is scored against D after K more steps
    instance_noise: float = 0.0  # σ₀ of Gaussian noise on D's inputs (Sønderby et al. 2017; Arjovsky & Bottou)
    noise_anneal_steps: int = 2000  # σ falls linearly to 0 by this step
    augment_shift: int = 0  # images only: D sees real and fake shifted by up to ± this many pixels (DiffAugment)
    seed: int = 0
    history_len: int = 2000  # bounded: older entries are thinned, not dropped
    snapshot_every: int = 100  # G steps between stored snapshots (the timeline)
    max_snapshots: int = 60

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        if not (0 < self.lr_d <= 10 and 0 < self.lr_g <= 10):
            raise ValueError("learning rates must be in (0, 10]")
        if not 1 <= self.k <= 100:
            raise ValueError("k must be between 1 and 100")
        if not 0 <= self.unroll_steps <= 20:
            raise ValueError("unroll steps must be between 0 and 20")
        if not 0 <= self.augment_shift <= 8:
            raise ValueError("augment_shift must be between 0 and 8 pixels")
        if self.instance_noise < 0 or self.noise_anneal_steps < 1:
            raise ValueError("instance noise must be ≥ 0 and its annealing at least 1 step")
        if not 0 <= self.ema_decay < 1:
            raise ValueError("ema_decay must be in [0, 1)")
        if not 2 <= self.batch_size <= 65536:
            raise ValueError("batch size must be between 2 and 65536")

    def to_dict(self) -> dict:
        return asdict(self)


class ModelSpec(Protocol):
    latent_dim: int
    prior: str

    def build_generator(self) -> nn.Module: ...
    def build_discriminator(self) -> nn.Module: ...
    def to_dict(self) -> dict: ...


class Sampler(Protocol):
    def sample(self, n: int, gen: torch.Generator, device: torch.device | str) -> torch.Tensor: ...


def make_optimizer(name: str, params, lr: float, cfg: TrainConfig, device: torch.device):
    fused = device.type in ("cuda", "cpu")  # fused kernels exist for these (torch ≥ 2.4)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2), fused=fused)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, fused=fused)
    return torch.optim.RMSprop(params, lr=lr, foreach=True)


EngineFactory = Callable[["Trainer"], Engine | None]  # a trainer → its fast engine, or None where none applies


def step_stats(
    loss: GanLoss,
    d_logits: torch.Tensor,
    g_logits: torch.Tensor,
    penalty: torch.Tensor | None,
    norm_d: torch.Tensor,
    norm_g: torch.Tensor,
) -> torch.Tensor:
    """The numbers of STAT_NAMES for n steps at once: [n, 7], from D's logits on [real; fake] [n, 2m / pack, 1], on
    the fakes of the G step [n, m / pack, 1], λ·penalties [n] (or None) and gradient norms [n]."""
    real, fake = d_logits.float().chunk(2, dim=1)  # [n, m / pack, 1] each
    d_loss = torch.vmap(loss.d)(real, fake)
    if penalty is not None:
        d_loss = d_loss + penalty
    g_loss = torch.vmap(loss.g)(g_logits.float())
    stats = (d_loss, g_loss, torch.vmap(value_function)(real, fake), torch.sigmoid(real).mean(dim=(1, 2)),
             torch.sigmoid(fake).mean(dim=(1, 2)), norm_d, norm_g)  # fmt: skip
    return torch.stack([s.float() for s in stats], dim=1)


def _state_copy(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


class Trainer:
    """Owns G, D, their optimizers, the random stream, history and snapshots."""

    def __init__(
        self,
        data: Sampler,
        model_cfg: ModelSpec,
        train_cfg: TrainConfig = TrainConfig(),
        device: str | torch.device | None = None,
        engine: EngineFactory | None = None,
    ) -> None:
        """``engine``: makes the fast engine for these networks (e.g. ``playground.engines.fast_engine``); None, or
        a config it does not cover, runs the reference step."""
        self.device = pick_device(device) if not isinstance(device, torch.device) else device
        self.data, self.model_cfg, self.cfg = data, model_cfg, train_cfg
        self._check_batch(train_cfg.batch_size)
        self.classes = getattr(model_cfg, "num_classes", 0)  # > 0: G and D are told each sample's class
        if self.classes and getattr(data, "labels", None) is None:
            raise ValueError("a class-conditional model needs labelled data (e.g. ImageSampler(images, labels=…))")
        init_gen = torch.Generator().manual_seed(train_cfg.seed)
        self.G = model_cfg.build_generator()
        self.D = model_cfg.build_discriminator()
        init_weights(self.G, init_gen)
        init_weights(self.D, init_gen)
        self.G.to(self.device)
        self.D.to(self.device)
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)  # the generator that samples are drawn from
        self._ema_pairs = (list(self.G_ema.parameters()), list(self.G.parameters()),
                           list(zip(self.G_ema.buffers(), self.G.buffers())))  # fmt: skip
        self.gen = torch.Generator(device=self.device).manual_seed(train_cfg.seed + 1)
        self.loss = LOSSES[train_cfg.loss]
        self.opt_d = make_optimizer(train_cfg.optimizer, self.D.parameters(), train_cfg.lr_d, train_cfg, self.device)
        self.opt_g = make_optimizer(train_cfg.optimizer, self.G.parameters(), train_cfg.lr_g, train_cfg, self.device)
        self.make_engine = engine  # kept: a child process rebuilds this trainer with it
        self.fast_engine = engine(self) if engine else None
        self.engine: Engine = self._pick_engine()
        self.step_count = 0
        self.history = History(train_cfg.history_len)
        self.snapshots: list[Snapshot] = []
        self._spacing = train_cfg.snapshot_every  # steps between the timeline's snapshots (doubles as it fills)
        self.lock = threading.Lock()  # guards history, snapshots and published
        self.diverged: str | None = None  # plain-language reason once training produced NaN/Inf
        self.published = self._snapshot()
        self.snapshots.append(self.published)

    def _check_batch(self, batch_size: int) -> None:
        unit = getattr(self.model_cfg, "pack", 1) * max(getattr(self.model_cfg, "mbstd_group", 0), 1)
        if batch_size % unit:
            raise ValueError(f"batch size must be a multiple of pack × minibatch-stddev group = {unit}")

    # ---- the step -------------------------------------------------------------------------------
    def latent(self, n: int) -> torch.Tensor:
        return sample_latent(n, self.model_cfg, self.gen, self.device)

    def real_batch(self, m: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """A real batch, and its labels when the model is class-conditional (else None)."""
        if self.classes:
            return self.data.sample_labelled(m, self.gen, self.device)
        return self.data.sample(m, self.gen, self.device), None

    def noise_sigma(self) -> float:
        """Instance noise σ at this step (``augment.noise_sigma``)."""
        return augment.noise_sigma(self.cfg.instance_noise, self.cfg.noise_anneal_steps, self.step_count)

    def seen_by_d(self, x: torch.Tensor, sigma: float) -> torch.Tensor:
        """A batch as D sees it: with instance noise σ and, for images, the random shift (``augment.seen_by_d``)."""
        return augment.seen_by_d(x, sigma, self.cfg.augment_shift, self.gen)

    def _pick_engine(self) -> Engine:
        """The fast engine where it covers the config, else the reference step."""
        fast = self.fast_engine
        return fast if fast is not None and fast.covers(self.cfg) else REFERENCE

    def train_step(self) -> torch.Tensor:
        """One iteration of Algorithm 1: k D steps, then one G step. Returns the stats vector (on device)."""
        return self._stats([self._iterate()])[0]

    def _iterate(self) -> StepRecord:
        """One iteration by the engine, then G's moving average; returns what its statistics are computed from."""
        record = self.engine.iterate(self)
        self._update_ema()
        self.step_count += 1
        return record

    def _stats(self, records: list[StepRecord]) -> torch.Tensor:
        """The numbers of STAT_NAMES for each record, computed for all of them at once: [len(records), 7]."""
        stack = lambda name: torch.stack([getattr(r, name) for r in records])  # noqa: E731
        penalty = None if records[0].penalty is None else stack("penalty")
        return step_stats(self.loss, stack("d_logits"), stack("g_logits"), penalty, stack("norm_d"), stack("norm_g"))

    @torch.no_grad()
    def _update_ema(self) -> None:
        weight = 1 - self.cfg.ema_decay  # 1 copies G exactly (EMA off)
        torch._foreach_lerp_(self._ema_pairs[0], self._ema_pairs[1], weight)  # one call for all tensors
        for ema, live in self._ema_pairs[2]:
            ema.copy_(live)  # batch-norm statistics are not averaged

    # ---- chunks, history, snapshots ----------------------------------------------------------------
    def step(self, n: int = 1, seconds: float | None = None) -> int:
        """Run up to ``n`` iterations (or until ``seconds`` pass); record history once at the end."""
        chunk = self.run_chunk(n, seconds)
        self.apply_chunk(chunk)
        return len(chunk.steps)

    def run_chunk(self, n: int = 1, seconds: float | None = None) -> Chunk:
        """The training half of ``step``: the iterations and what they produced, not yet recorded.

        Split from ``apply_chunk`` so a child process can train (``playground.runtime.child``) while the
        server's copy of this trainer records the chunk for the pages.
        """
        if self.diverged:
            return Chunk(self.step_count, [], {}, 0.0, None, [], None)
        start, records, steps, snaps = time.perf_counter(), [], [], []
        for _ in range(n):
            records.append(self._iterate())
            steps.append(self.step_count)
            if self.step_count % self.cfg.snapshot_every == 0:
                snaps.append(self._snapshot())
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        stats = self._stats(records).cpu()  # the chunk's only host sync: [len(records), n_stats]
        rate = len(records) / max(time.perf_counter() - start, 1e-9)
        bad = _divergence(stats, self.G, self.D)
        table = {name: stats[:, j].tolist() for j, name in enumerate(STAT_NAMES)}
        return Chunk(self.step_count, steps, table, rate, bad, snaps, None if bad else self._snapshot())

    def apply_chunk(self, chunk: Chunk) -> None:
        """Record a chunk: history rows, timeline snapshots, the published weights or the divergence."""
        if not chunk.steps:
            return
        with self.lock:
            self.step_count = chunk.step_count
            self.history.extend({"step": chunk.steps, **chunk.table, "steps_per_s": [chunk.rate] * len(chunk.steps)})
            for snap in chunk.snapshots:
                self._keep_snapshot(snap)
            if chunk.diverged:
                self.diverged = chunk.diverged
            else:
                self.published = chunk.published

    def _keep_snapshot(self, snap: Snapshot) -> None:
        """Add a snapshot to the timeline, which stays evenly spaced over the whole run: when it is full, the spacing
        doubles and the snapshots off it go (the newest always stays). Halving the list instead left the past
        geometrically sparser: a 20,000-step 1-D run kept nothing between step 0 and ~10,000."""
        if len(self.snapshots) > 1 and self.snapshots[-1].step % self._spacing:
            self.snapshots.pop()  # kept only for being the newest
        self.snapshots.append(snap)
        while len(self.snapshots) > max(self.cfg.max_snapshots, 2):
            self._spacing *= 2
            self.snapshots = [s for s in self.snapshots[:-1] if s.step % self._spacing == 0] + [snap]

    def _snapshot(self) -> Snapshot:
        return Snapshot(self.step_count, _state_copy(self.G_ema), _state_copy(self.D))

    def training_state(self) -> dict:
        """Everything ``step`` changes besides history and snapshots: weights, optimizer moments, the random
        stream, the step count (and the config, which the UI may have changed). CPU copies."""
        return {
            "G": _state_copy(self.G),
            "D": _state_copy(self.D),
            "G_ema": _state_copy(self.G_ema),
            "opt_d": copy.deepcopy(self.opt_d.state_dict()),
            "opt_g": copy.deepcopy(self.opt_g.state_dict()),
            "gen": self.gen.get_state(),
            "step_count": self.step_count,
            "diverged": self.diverged,
            "cfg": self.cfg,
        }

    def load_training_state(self, state: dict) -> None:
        """The inverse of ``training_state`` (the networks keep their identity; only values change)."""
        self.cfg, self.loss = state["cfg"], LOSSES[state["cfg"].loss]  # learning rates: in the optimizers' state
        self.engine = self._pick_engine()
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.G_ema.load_state_dict(state["G_ema"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.gen.set_state(state["gen"])
        self.step_count, self.diverged = state["step_count"], state["diverged"]

    def models_at(
        self, snap: Snapshot | None = None, into: tuple[nn.Module, nn.Module] | None = None
    ) -> tuple[nn.Module, nn.Module]:
        """Eval-mode CPU copies of G and D with a snapshot's weights (default: the latest published).

        Builds fresh networks from the config (or loads into ``into``, a pair an earlier call returned:
        building costs more than drawing a frame), so it never reads the live ones a worker is updating.
        """
        if snap is None:
            with self.lock:
                snap = self.published
        g, d = into or (self.model_cfg.build_generator(), self.model_cfg.build_discriminator())
        g.load_state_dict(snap.generator)
        d.load_state_dict(snap.discriminator)
        return g.eval().requires_grad_(False), d.eval().requires_grad_(False)

    def republish(self) -> None:
        """Publish the current weights as the only snapshot, after changing them outside ``step``."""
        snap = self._snapshot()
        with self.lock:
            self.published = snap
            self.snapshots = [snap]
            self._spacing = self.cfg.snapshot_every

    def restore(self, snap: Snapshot | None = None) -> None:
        """Load a snapshot's weights (default: the last good published one) and clear a divergence."""
        snap = snap or self.published
        self.G.load_state_dict(snap.generator)
        self.G_ema.load_state_dict(snap.generator)
        self.D.load_state_dict(snap.discriminator)
        self.diverged = None

    LIVE_FIELDS = ("loss", "lr_d", "lr_g", "k", "batch_size", "gp_weight", "instance_noise", "unroll_steps",
                   "augment_shift", "reuse_fakes")  # fmt: skip

    def reconfigure(self, **changes) -> None:
        """Apply settings that need no new model (learning rates, k, loss, …) between chunks."""
        if set(changes) - set(self.LIVE_FIELDS):
            raise ValueError(f"only {', '.join(self.LIVE_FIELDS)} can change while training")
        cfg = replace(self.cfg, **changes)  # validates
        self._check_batch(cfg.batch_size)
        self.cfg = cfg
        self.loss = LOSSES[self.cfg.loss]
        self.engine = self._pick_engine()  # e.g. wgan-gp or an unrolled D: the reference step until changed back
        for opt, lr in ((self.opt_d, self.cfg.lr_d), (self.opt_g, self.cfg.lr_g)):
            for group in opt.param_groups:
                group["lr"] = lr

    @torch.no_grad()
    def sample(
        self, n: int, seed: int = 1234, generator: nn.Module | None = None, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """n generator samples from a private seed (does not disturb the training stream); ``labels``: the
        classes a conditional generator draws (default: random)."""
        gen = torch.Generator(device=self.device).manual_seed(seed)
        z = sample_latent(n, self.model_cfg, gen, self.device, labels)
        return (generator or self.G_ema)(z)


def _divergence(stats: torch.Tensor, *modules: nn.Module) -> str | None:
    """A plain-language reason when the chunk produced NaN/Inf, else None."""
    if not torch.isfinite(stats).all():
        return "a loss or gradient became NaN or infinite"
    for module in modules:
        if not all(torch.isfinite(p).all() for p in module.parameters()):
            return "network weights became NaN or infinite"
    if stats[:, STAT_NAMES.index("grad_norm_d")].max() > 1e6 or stats[:, -1].max() > 1e6:
        return "gradients exploded (norm above 10⁶)"
    return None
