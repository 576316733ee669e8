"""Several sessions' ``Trainer``s of one shape trained as one stacked step: the training pool's stacking.

The sweep's seed-stacked engine (``playground.engines.stacked``) generalised from seeds of one run to whole sessions:
member s of a ``TrainerStack`` keeps its own data set, random stream, learning rates (per-member columns in
``stacked_optim``), lr schedule, instance-noise σ and step count (so its own Adam bias corrections). Its weights and
optimizer moments sit on a member axis and each random draw comes from the member's own generator, in the order its
Trainer draws them, so member s computes what its Trainer alone computes, to float rounding (tests/engines/
test_group.py). ``stack_key`` says which trainers can share a stack: those whose networks, batch and maths agree.

The members' generators are used in place (a member's stream is always current); weights, moments and step counts
go back into the member Trainers on ``sync()`` (and at once for a member that diverges, which then stops, as a
Trainer alone does, while the others go on).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import NamedTuple

import torch

from playground.engines.stacked import (
    StackedAutogradEngine,
    StackedDiscriminator,
    StackedMLP,
    StackedMLPEngine,
    core_state,
    member_view,
    stacked_stats,
)
from playground.engines.stacked_optim import StackedOptimizer
from playground.gan import augment
from playground.gan.models import ModelConfig, sample_latent
from playground.gan.record import STAT_NAMES, Chunk, Snapshot
from playground.gan.step import StepRecord
from playground.gan.trainer import Trainer, _divergence, scheduled_lr

# Stacking saves the per-call overhead of a step, not its arithmetic: measured on a 2-core CPU, 20 sessions of
# hidden 32 / batch 64 ran 3.0× faster stacked, hidden 64 / batch 128 1.3–1.6×, but the default 128 / 256 (86 % of
# its step in 128×128 products already at one core's peak) only 0.8–1.1× alone and 0.3–0.5× inside the pool.
STACK_MAX_HIDDEN = 64


def stack_key(trainer: Trainer) -> tuple | None:
    """Trainers with equal keys can train as one stack; None: this one trains alone.

    The key holds everything that fixes the stacked tensors' shapes and the step's maths: the model config, batch,
    loss (and λ of its penalty), k, k_G, reuse of fakes, each network's optimizer and its β/momentum, the EMA decay
    and the engine (hand-written or autograd). Members may differ in seed, data set, learning rates and their
    schedule, instance noise and step count. Alone: not a 2-D MLP (MNIST, a class-conditional model), not on the
    CPU, unrolled D, a frozen network, already diverged, or layers wider than ``STACK_MAX_HIDDEN``.
    """
    cfg = trainer.cfg
    if (
        trainer.device.type != "cpu"
        or getattr(trainer.model_cfg, "hidden", 0) > STACK_MAX_HIDDEN
        or type(trainer.model_cfg) is not ModelConfig
        or trainer.classes
        or trainer.diverged
        or cfg.unroll_steps
        or cfg.freeze != "none"
        or trainer.engine.name not in ("mlp", "reference")
    ):
        return None
    optimizers = (cfg.d_optimizer, cfg.g_optimizer)
    return (
        trainer.model_cfg,
        cfg.batch_size,
        cfg.loss,
        cfg.gp_weight if trainer.loss.penalty else None,
        cfg.k,
        cfg.k_g,
        cfg.reuse_fakes,
        optimizers,
        (cfg.beta1, cfg.beta2) if "adam" in optimizers else None,
        cfg.momentum if "sgd" in optimizers else None,
        cfg.ema_decay,
        trainer.engine.name,
    )


class _Noise(NamedTuple):
    """Each member's instance-noise σ at this iteration: the numbers, and as a column [S, 1, 1]."""

    sigmas: list[float]
    column: torch.Tensor


class _Weights(NamedTuple):
    """One member's slices of stacked parameters, with the one method ``trainer._divergence`` reads of a module."""

    tensors: list[torch.Tensor]

    def parameters(self):
        return iter(self.tensors)


def _core_order(net: StackedMLP) -> list[torch.Tensor]:
    """A stacked MLP's parameters in the order of the core MLP's (0.weight, 0.bias, 2.weight, …)."""
    return [p for w, b in zip(net.weights, net.biases) for p in (w, b)]


class TrainerStack:
    """Trains ``trainers`` (all with one ``stack_key``) as one stacked step, each as its own Trainer would.

    It takes their current state (weights, G_ema, optimizer moments and step counters, step counts) and reads the
    members as an engine reads a Trainer (``latent``, ``real_batch``, ``seen_by_d``, ``noise_sigma``, the
    optimizers), so the sweep's stacked engines run it unchanged. A member Trainer's own tensors are stale until
    ``sync()``; a member that leaves the stack to train alone must be synced first and must not be stepped by the
    stack afterwards (they share its random generator).
    """

    def __init__(self, trainers: list[Trainer]) -> None:
        keys = {stack_key(t) for t in trainers}
        if not trainers or None in keys or len(keys) > 1:
            raise ValueError("a stack needs trainers with one stack_key (see stack_key)")
        lead = trainers[0]
        self.members = list(trainers)
        self.cfg, self.model_cfg, self.device, self.loss = lead.cfg, lead.model_cfg, lead.device, lead.loss
        act = self.model_cfg.activation
        self.G = StackedMLP([t.G for t in trainers], act).to(self.device)
        self.D = StackedDiscriminator([t.D for t in trainers], act).to(self.device)
        self.G_ema = StackedMLP([t.G_ema for t in trainers], act).to(self.device).requires_grad_(False)
        self._ema_pairs = (list(self.G_ema.parameters()), list(self.G.parameters()))
        self.engine = StackedMLPEngine(self.G, self.D) if lead.engine.name == "mlp" else StackedAutogradEngine()
        self.opt_d = StackedOptimizer.like([t.opt_d for t in trainers], _core_order(self.D.net), member_view)
        self.opt_g = StackedOptimizer.like([t.opt_g for t in trainers], _core_order(self.G), member_view)
        self.gens = [t.gen for t in trainers]  # the members' own streams, drawn from in place
        self.first_step = [t.step_count for t in trainers]
        self.done = 0  # iterations the stack has run (every member runs each one)
        self.frozen = [False] * len(trainers)  # diverged: synced, reported, no longer trained
        self._scheduled = any(t.cfg.lr_schedule != "constant" for t in trainers)

    def member_step(self, i: int) -> int:
        return self.first_step[i] + self.done

    # ---- random draws, member by member in its Trainer's order (what the engine reads) --------------------------
    def latent(self, m: int) -> torch.Tensor:
        return torch.stack([sample_latent(m, self.model_cfg, g, self.device) for g in self.gens])  # [S, m, z]

    def real_batch(self, m: int) -> tuple[torch.Tensor, None]:
        """Each member's minibatch from its own data set: [S, m, d] (no labels: 2-D data)."""
        return torch.stack([t.data.sample(m, g, self.device) for t, g in zip(self.members, self.gens)]), None

    def noise_sigma(self) -> _Noise | None:
        """Each member's σ at its own step (``Trainer.noise_sigma``); None when no member has instance noise now."""
        sigmas = [augment.noise_sigma(t.cfg.instance_noise, t.cfg.noise_anneal_steps, self.member_step(i))
                  for i, t in enumerate(self.members)]  # fmt: skip
        if not any(sigmas):
            return None
        return _Noise(sigmas, torch.tensor(sigmas, dtype=torch.float32, device=self.device).view(-1, 1, 1))

    def seen_by_d(self, x: torch.Tensor, noise: _Noise | None) -> torch.Tensor:
        """x [S, m, d] plus each member's σ·N(0, 1), drawn only by members whose σ > 0 (``augment.seen_by_d``)."""
        if noise is None:
            return x
        eps = torch.stack([torch.randn(x.shape[1:], generator=g, device=x.device) if s else x.new_zeros(x.shape[1:])
                           for g, s in zip(self.gens, noise.sigmas)])  # fmt: skip
        return x + noise.column * eps

    # ---- the step --------------------------------------------------------------------------------------------
    def _iterate(self) -> StepRecord:
        if self._scheduled:
            self._schedule_rates()
        record = self.engine.iterate(self)
        self._update_ema()
        self.done += 1
        return record

    def _schedule_rates(self) -> None:
        """Each scheduled member's rates at its own step (``Trainer._set_learning_rates``)."""
        for i, t in enumerate(self.members):
            c, step = t.cfg, self.member_step(i)
            if c.lr_schedule != "constant":
                self.opt_d.lrs[i] = scheduled_lr(c.lr_d, c.lr_schedule, c.lr_decay_steps, step)
                self.opt_g.lrs[i] = scheduled_lr(c.lr_g, c.lr_schedule, c.lr_decay_steps, step)

    @torch.no_grad()
    def _update_ema(self) -> None:
        torch._foreach_lerp_(self._ema_pairs[0], self._ema_pairs[1], 1 - self.cfg.ema_decay)

    def set_rates(self, i: int, lr_d: float, lr_g: float) -> None:
        """A live change of member i's learning rates (``Trainer.reconfigure(lr_d=…, lr_g=…)``); others untouched."""
        t = self.members[i]
        t.cfg = replace(t.cfg, lr_d=lr_d, lr_g=lr_g)  # validates
        c, step = t.cfg, self.member_step(i)
        self.opt_d.lrs[i] = scheduled_lr(lr_d, c.lr_schedule, c.lr_decay_steps, step)
        self.opt_g.lrs[i] = scheduled_lr(lr_g, c.lr_schedule, c.lr_decay_steps, step)

    def run_chunk(self, n: int, seconds: float | None = None) -> list[Chunk]:
        """Up to ``n`` iterations of every member (or until ``seconds`` pass): one Chunk per member, what its
        ``Trainer.run_chunk`` would have returned (a frozen member's is empty, as a diverged Trainer's)."""
        live = [i for i, frozen in enumerate(self.frozen) if not frozen]
        if not live or n < 1:
            return [Chunk(t.step_count, [], {}, 0.0, None, [], None) for t in self.members]
        start, records, snaps = time.perf_counter(), [], [[] for _ in self.members]
        for _ in range(n):
            records.append(self._iterate())
            for i in live:
                if self.member_step(i) % self.members[i].cfg.snapshot_every == 0:
                    snaps[i].append(self._snapshot(i))
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        stats = stacked_stats(self.loss, records).cpu()  # the chunk's only host sync: [n, S, len(STAT_NAMES)]
        rate = len(records) / max(time.perf_counter() - start, 1e-9)
        finite = self._finite_weights()
        columns = stats.permute(1, 2, 0).tolist()  # [S][stat][n]
        chunks = []
        for i, t in enumerate(self.members):
            if i not in live:
                chunks.append(Chunk(t.step_count, [], {}, 0.0, None, [], None))
                continue
            weights = None if finite[i] else _Weights([p[i] for p in (*self.G.parameters(), *self.D.parameters())])
            bad = _divergence(stats[:, i], *([weights] if weights else []))
            end = self.member_step(i)
            table = dict(zip(STAT_NAMES, columns[i]))
            steps = list(range(end - len(records) + 1, end + 1))
            chunks.append(Chunk(end, steps, table, rate, bad, snaps[i], None if bad else self._snapshot(i)))
            if bad:
                self._freeze(i, bad)
        return chunks

    def _finite_weights(self) -> list[bool]:
        """Whether each member's G and D weights are all finite, for all members at once."""
        ok = torch.ones(len(self.members), dtype=torch.bool, device=self.device)
        for p in (*self.G.parameters(), *self.D.parameters()):
            ok &= torch.isfinite(p.detach()).flatten(1).all(dim=1)
        return ok.tolist()

    def _freeze(self, i: int, reason: str) -> None:
        """A diverged member: its state goes back to its Trainer (which stops, as ``child`` stops one); the stack's
        slot draws from a copy of its stream from now on, so the member's own stays where it stopped."""
        self._sync_member(i)
        self.members[i].diverged = reason
        self.frozen[i] = True
        copy = torch.Generator(device=self.device)
        copy.set_state(self.gens[i].get_state())
        self.gens[i] = copy

    # ---- the members' state --------------------------------------------------------------------------------
    @torch.no_grad()
    def _snapshot(self, i: int) -> Snapshot:
        """Member i's ``Trainer._snapshot``: its step, G_ema and D under the core networks' state_dict keys."""
        return Snapshot(
            self.member_step(i),
            core_state(self.G_ema.index, self.G_ema.weights, self.G_ema.biases, i),
            core_state(self.D.net.index, self.D.net.weights, self.D.net.biases, i, prefix="net."),
        )

    def sync(self) -> None:
        """Write the stacked state back into every member Trainer (weights, G_ema, optimizer state in torch's format,
        step count), so that it continues alone exactly as if it had trained alone all along."""
        for i, frozen in enumerate(self.frozen):
            if not frozen:
                self._sync_member(i)

    @torch.no_grad()
    def _sync_member(self, i: int) -> None:
        t = self.members[i]
        t.G.load_state_dict(core_state(self.G.index, self.G.weights, self.G.biases, i))
        t.G_ema.load_state_dict(core_state(self.G_ema.index, self.G_ema.weights, self.G_ema.biases, i))
        t.D.load_state_dict(core_state(self.D.net.index, self.D.net.weights, self.D.net.biases, i, prefix="net."))
        self.opt_d.store_member(i, t.opt_d, member_view)
        self.opt_g.store_member(i, t.opt_g, member_view)
        t.step_count = self.member_step(i)
