"""Many seeds of one configuration trained at once, vectorised: parameters stacked along a seed axis.

python -m playground.sweep --preset collapse-ring8 --seeds 16 --out runs/sweep

Seed s of a ``SweepTrainer`` is the same run as ``Trainer(seed=s)``: the same initial weights, the same
random draws in the same order (one ``torch.Generator`` per seed), the same losses and optimizer maths.
Only the arithmetic is batched: a linear layer holds weights [S, in, out] and runs as one
``torch.baddbmm``, so S seeds cost little more than one on a CPU core. Adam, SGD and RMSprop are
elementwise, so one optimizer over the stacked tensors is S independent optimizers as long as the
per-seed losses are *summed* (a mean would scale every seed's gradient by 1/S).

Vectorised: every loss (WGAN-GP included), k D steps, PacGAN packing, minibatch stddev, annealed
instance noise, EMA. Not vectorised: unrolled D (its rewinding copies whole optimizer states); such a
config raises ``NotVectorised`` and ``make_sweep`` (and the CLI) fall back to a loop of ``Trainer``s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import threading
import time
from pathlib import Path

import torch
from torch import nn

from playground.engines.mlp import ACTIVATION_PASSES, optimizer_step
from playground.experiments.toy.presets import PRESETS
from playground.gan.data import Mixture, make_dataset
from playground.gan.losses import LOSSES, value_function
from playground.gan.metrics import mode_metrics
from playground.gan.models import ACTIVATIONS, Discriminator, ModelConfig, init_weights, sample_latent
from playground.gan.remedies import REMEDIES, apply_remedies
from playground.gan.trainer import TrainConfig, Trainer, make_optimizer

N_SAMPLES = 2500  # the VEEGAN/PacGAN protocol's sample count
EVAL_SEED = 4322  # the sample seed of metrics.evaluate (4321 + 1), so numbers match the train CLI
STATS = ("d_loss", "g_loss", "value", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")


class NotVectorised(ValueError):
    """The configuration needs a feature the stacked path does not have; use ``LoopSweep``."""


# ---- stacked networks -------------------------------------------------------------------------------
class StackedMLP(nn.Module):
    """S copies of a core ``mlp`` (Linear, act, Linear, …) evaluated at once: x [S, N, in] → [S, N, out]."""

    def __init__(self, nets: list[nn.Sequential], activation: str) -> None:
        super().__init__()
        linears = [[m for m in net if isinstance(m, nn.Linear)] for net in nets]
        self.index = [i for i, m in enumerate(nets[0]) if isinstance(m, nn.Linear)]  # keys of the core state_dict
        # stored transposed, [S, in, out], so that baddbmm(b, x, W) = x W + b per seed
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[j].weight.detach().t() for ls in linears])) for j in range(len(self.index))]
        )
        self.biases = nn.ParameterList(
            [
                nn.Parameter(torch.stack([ls[j].bias.detach() for ls in linears]).unsqueeze(1))
                for j in range(len(self.index))
            ]
        )  # [S, 1, out]
        self.act = ACTIVATIONS[activation]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return stacked_forward(x, list(self.weights), list(self.biases), self.act)

    def copy_weights(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Detached CPU copies (weights [S, in, out], biases [S, 1, out]): what a UI thread may read."""
        return [w.detach().to("cpu", copy=True) for w in self.weights], [
            b.detach().to("cpu", copy=True) for b in self.biases
        ]


def stacked_forward(x: torch.Tensor, weights, biases, act: nn.Module) -> torch.Tensor:
    """x [S, N, in] through Linear/act layers given as stacked weights [S, in, out] and biases [S, 1, out]."""
    for j, (w, b) in enumerate(zip(weights, biases)):
        x = torch.baddbmm(b, x, w)  # [S, N, out] = x W + b, seed by seed
        if j < len(weights) - 1:
            x = act(x)
    return x


def core_state(index: list[int], weights, biases, s: int, prefix: str = "") -> dict[str, torch.Tensor]:
    """Seed s's layers under the core ``mlp``'s state_dict keys (``0.weight`` is [out, in])."""
    out = {}
    for i, w, b in zip(index, weights, biases):
        out[f"{prefix}{i}.weight"] = w[s].t().contiguous()
        out[f"{prefix}{i}.bias"] = b[s, 0].clone()
    return out


class StackedDiscriminator(nn.Module):
    """The core ``Discriminator`` (packing, minibatch stddev) on x [S, N, d] → logits [S, N / pack, 1]."""

    def __init__(self, discs: list[Discriminator], activation: str) -> None:
        super().__init__()
        self.pack, self.group = discs[0].pack, discs[0].group
        self.net = StackedMLP([d.net for d in discs], activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        S = x.shape[0]
        x = x.reshape(S, -1, self.pack * x.shape[-1])  # [S, N / pack, pack·d]
        if self.group:
            groups = x.reshape(S, -1, self.group, x.shape[-1])  # [S, N / (pack·group), group, pack·d]
            spread = groups.std(dim=2, unbiased=False).mean(dim=2, keepdim=True)  # [S, N / (pack·group), 1]
            x = torch.cat([x, spread.repeat_interleave(self.group, dim=1)], dim=2)
        return self.net(x)


def _per_seed_norm(params) -> torch.Tensor:
    """‖∇‖₂ of each seed's parameters: [S]."""
    sq = [p.grad.pow(2).flatten(1).sum(dim=1) for p in params if p.grad is not None]
    return torch.stack(sq).sum(dim=0).sqrt()


class StackedFastStep:
    """The Trainer's hand-written backward pass (``playground.engines.mlp``) on a seed axis, for plain MLPs.

    Why: on a CPU the stacked tensors are [S, N, 128], so autograd's bookkeeping is cheap, but its extra passes
    over them are not: the 16-seed step took 26 ms with autograd, ~20 ms like this (2 threads). Used under the
    same conditions as the Trainer's fast path (no minibatch stddev, no gradient penalty); fills ``.grad``.
    """

    def __init__(self, G: StackedMLP, D: StackedDiscriminator) -> None:
        self.G, self.D, self.pack = G, D.net, D.pack
        self.act_forward, self.act_backward = ACTIVATION_PASSES[type(G.act)]

    @staticmethod
    def supports(G: StackedMLP, D: StackedDiscriminator) -> bool:
        return not D.group and type(G.act) in ACTIVATION_PASSES

    def forward(self, net: StackedMLP, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, input first (as ``Stack.forward``)."""
        outs, last = [x], len(net.weights) - 1
        for j, (w, b) in enumerate(zip(net.weights, net.biases)):
            x = _bmm(x, w, b)
            outs.append(self.act_forward(x) if j < last else x)
        return outs

    def backward(self, net: StackedMLP, outs: list[torch.Tensor], grad: torch.Tensor, params: bool):
        """Back-propagate ∂L/∂output seed by seed (as ``Stack.backward``); returns ∂L/∂input unless ``params``."""
        for j in range(len(net.weights) - 1, -1, -1):
            w, b = net.weights[j], net.biases[j]
            if j < len(net.weights) - 1:
                grad = self.act_backward(outs[j + 1], grad)
            if params:
                w.grad = _bmm(outs[j].transpose(1, 2), grad).contiguous()  # [S, in, out]
                b.grad = grad.sum(dim=1, keepdim=True)
                if j == 0:
                    return None
            grad = _bmm(grad, w.transpose(1, 2))
        return grad

    def _d_forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.forward(self.D, x.reshape(x.shape[0], -1, self.pack * x.shape[-1]))

    def d_grads(self, d_grad, x: torch.Tensor) -> torch.Tensor:
        """D's gradients for each seed's loss on x = [real; fake] (along dim 1); returns the logits [S, n, 1]."""
        outs = self._d_forward(x)
        self.backward(self.D, outs, _by_seed(d_grad, outs[-1]), params=True)
        return outs[-1]

    def g_grads(self, g_grad, g_outs: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """G's gradients when D judges x (its fakes, maybe noisy); returns D's logits."""
        outs = self._d_forward(x)
        grad_x = self.backward(self.D, outs, _by_seed(g_grad, outs[-1]), params=False).reshape(x.shape)
        self.backward(self.G, g_outs, grad_x, params=True)
        return outs[-1]


def _bmm(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """x @ w (+ bias) seed by seed, in the form that runs fast on a CPU: a narrow result (≤ 8 columns, e.g. D's logits)
    as (wᵀxᵀ)ᵀ, and a contraction over one column as a broadcast product. Measured for [16, 512, 128] with 2 threads:
    @ [16, 128, 1] 0.60 → 0.17 ms, its weight gradient 0.73 → 0.07 ms, the outer product 0.65 → 0.05 ms."""
    if w.shape[2] <= 8:
        wt, xt = w.transpose(1, 2), x.transpose(1, 2)
        return (torch.bmm(wt, xt) if bias is None else torch.baddbmm(bias.transpose(1, 2), wt, xt)).transpose(1, 2)
    if x.shape[2] == 1:
        return x * w if bias is None else torch.addcmul(bias, x, w)
    return torch.bmm(x, w) if bias is None else torch.baddbmm(bias, x, w)


def _by_seed(loss_grad, logits: torch.Tensor) -> torch.Tensor:
    """A core loss gradient (batch along dim 0) for stacked logits [S, n, 1]: seeds become columns [n, S]."""
    return loss_grad(logits[..., 0].t()).t().unsqueeze(2)


# ---- the vectorised trainer ---------------------------------------------------------------------------
class SweepTrainer:
    """Trains ``len(seeds)`` independent GANs of one configuration in lockstep, stacked on a seed axis.

    Steppable like ``Trainer`` (``step``, ``step_count``, ``diverged``, ``lock``), so the UI's worker can
    run it; ``published_g`` holds a consistent copy of the stacked EMA generator taken between chunks.
    """

    def __init__(
        self, data, model_cfg: ModelConfig, train_cfg: TrainConfig, seeds: list[int], device: str = "cpu"
    ) -> None:
        if train_cfg.unroll_steps:
            raise NotVectorised("unrolled GAN is not vectorised (it rewinds whole optimizer states); use a loop")
        if not isinstance(model_cfg, ModelConfig):
            raise NotVectorised("only the 2-D MLP models are vectorised")
        unit = model_cfg.pack * max(model_cfg.mbstd_group, 1)
        if train_cfg.batch_size % unit:
            raise ValueError(f"batch size must be a multiple of pack × minibatch-stddev group = {unit}")
        self.data, self.model_cfg, self.cfg, self.seeds = data, model_cfg, train_cfg, list(seeds)
        self.device = torch.device(device)
        gens, discs = [], []
        for seed in self.seeds:  # exactly Trainer.__init__'s initialisation, seed by seed
            init_gen = torch.Generator().manual_seed(seed)
            G, D = model_cfg.build_generator(), model_cfg.build_discriminator()
            init_weights(G, init_gen)
            init_weights(D, init_gen)
            gens.append(G)
            discs.append(D)
        self.G = StackedMLP(gens, model_cfg.activation).to(self.device)
        self.D = StackedDiscriminator(discs, model_cfg.activation).to(self.device)
        self.G_ema = StackedMLP(gens, model_cfg.activation).to(self.device).requires_grad_(False)
        self.fast = StackedFastStep(self.G, self.D) if StackedFastStep.supports(self.G, self.D) else None
        self.gens = [torch.Generator(device=self.device).manual_seed(s + 1) for s in self.seeds]
        self.loss = LOSSES[train_cfg.loss]
        # vmap turns each core loss (a mean over one batch) into one value per seed: [S]
        self._loss_d, self._loss_g = torch.vmap(self.loss.d), torch.vmap(self.loss.g)
        self._value = torch.vmap(value_function)
        self.opt_d = make_optimizer(train_cfg.optimizer, self.D.parameters(), train_cfg.lr_d, train_cfg, self.device)
        self.opt_g = make_optimizer(train_cfg.optimizer, self.G.parameters(), train_cfg.lr_g, train_cfg, self.device)
        self.step_count = 0
        self.diverged: str | None = None  # set only when every seed has diverged (one bad seed never stops the rest)
        self.seed_diverged = [False] * len(self.seeds)
        self.last_stats: torch.Tensor | None = None  # [S, len(STATS)], mean over the last chunk
        self.lock = threading.Lock()
        self.published_g, self.published_d = self.G_ema.copy_weights(), self.D.net.copy_weights()
        self.published_step = 0

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    # ---- random draws, per seed and in Trainer's order ----------------------------------------------------
    def _latent(self, m: int) -> torch.Tensor:
        return torch.stack([sample_latent(m, self.model_cfg, g, self.device) for g in self.gens])  # [S, m, z]

    def _real(self, m: int) -> torch.Tensor:
        return torch.stack([self.data.sample(m, g, self.device) for g in self.gens])  # [S, m, d]

    def _noise(self, x: torch.Tensor, sigma: float) -> torch.Tensor:
        if not sigma:
            return x
        eps = torch.stack([torch.randn(x.shape[1:], generator=g, device=x.device) for g in self.gens])
        return x + sigma * eps

    def noise_sigma(self) -> float:
        if not self.cfg.instance_noise:
            return 0.0
        return self.cfg.instance_noise * max(0.0, 1 - self.step_count / self.cfg.noise_anneal_steps)

    def _penalty(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """WGAN-GP per seed: E_x̂[(‖∇_x̂ D(x̂)‖₂ − 1)²] → [S] (seeds are independent, so one grad call)."""
        m = real.shape[1]
        eps = torch.stack([torch.rand(m, 1, generator=g, device=real.device) for g in self.gens])  # [S, m, 1]
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self.D(mixed).sum(), mixed, create_graph=True)
        return ((grad.norm(dim=2) - 1) ** 2).mean(dim=1)

    # ---- the step: Trainer.train_step on a seed axis ---------------------------------------------------
    def train_step(self) -> torch.Tensor:
        """k D steps, then one G step, for every seed; returns the stats [S, len(STATS)] (on device)."""
        return self._stats([self._iterate()])[0]

    def _stats(self, records: list[tuple]) -> torch.Tensor:
        """STATS of every record and seed, computed at once (as ``Trainer._stats``): [len(records), S, len(STATS)]."""
        d_real, d_fake = torch.stack([r[0] for r in records]).flatten(0, 1).float().chunk(2, dim=1)  # [n·S, …]
        d_loss = self._loss_d(d_real, d_fake)
        if records[0][2] is not None:
            d_loss = d_loss + torch.stack([r[2] for r in records]).flatten()
        g_loss = self._loss_g(torch.stack([r[1] for r in records]).flatten(0, 1).float())
        norms = (torch.stack([r[j] for r in records]).flatten() for j in (3, 4))  # ‖∇_D‖, ‖∇_G‖
        stats = (d_loss, g_loss, self._value(d_real, d_fake), torch.sigmoid(d_real).mean(dim=(1, 2)),
                 torch.sigmoid(d_fake).mean(dim=(1, 2)), *norms)  # fmt: skip
        return torch.stack([s.float() for s in stats], dim=1).view(len(records), self.n_seeds, -1)

    def _iterate(self) -> tuple:
        """One iteration for every seed; returns what its stats are computed from: (D's logits on [real; fake],
        D's logits on the fakes in the G step, λ·penalty or None, ‖∇_D‖, ‖∇_G‖), each per seed."""
        cfg, m, sigma = self.cfg, self.cfg.batch_size, self.noise_sigma()
        fast = self.fast if not self.loss.penalty else None  # the hand-written gradients (no penalty term)
        with torch.set_grad_enabled(not fast):
            # (1) update D k times: maximise log D(x) + log(1 − D(G(z))), each seed on its own batch
            for i in range(cfg.k):
                with torch.set_grad_enabled(not fast and i == cfg.k - 1):
                    z = self._latent(m)
                    g_outs = fast.forward(self.G, z) if fast else []
                    fake = g_outs[-1] if fast else self.G(z)  # [S, m, d]
                real = self._real(m)
                real_n, fake_n = self._noise(real, sigma), self._noise(fake.detach(), sigma)
                batch = torch.cat([real_n, fake_n], dim=1)
                logits = fast.d_grads(self.loss.d_grad, batch) if fast else self.D(batch)  # [S, 2m / pack, 1]
                penalty = None
                if not fast:
                    d_loss = self._loss_d(*logits.chunk(2, dim=1))  # [S]
                    if self.loss.penalty:
                        penalty = cfg.gp_weight * self._penalty(real_n, fake_n)
                        d_loss = d_loss + penalty
                    self.opt_d.zero_grad(set_to_none=True)
                    d_loss.sum().backward()  # summed: each seed's gradient is its own loss's
                grad_d = _per_seed_norm(self.D.parameters())
                optimizer_step(self.opt_d)
            # (2) update G once on the same fake batch
            if fast:
                g_logits = fast.g_grads(self.loss.g_grad, g_outs, self._noise(fake, sigma))
            else:
                self.D.requires_grad_(False)
                g_logits = self.D(self._noise(fake, sigma))
                self.opt_g.zero_grad(set_to_none=True)
                self._loss_g(g_logits).sum().backward()  # [S] losses, summed
                self.D.requires_grad_(True)
            grad_g = _per_seed_norm(self.G.parameters())
            optimizer_step(self.opt_g)
        self._update_ema()
        self.step_count += 1
        kept = (logits, g_logits, penalty, grad_d, grad_g)  # kept until the chunk's end: without their graphs
        return tuple(None if t is None else t.detach() for t in kept)

    @torch.no_grad()
    def _update_ema(self) -> None:
        for ema, live in zip(self.G_ema.parameters(), self.G.parameters()):
            ema.lerp_(live, 1 - self.cfg.ema_decay)

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        """Run up to ``n`` iterations (or until ``seconds`` pass); publish the EMA generator once at the end."""
        if self.diverged or n < 1:
            return 0
        start, rows = time.perf_counter(), []
        for _ in range(n):
            rows.append(self._iterate())
            if seconds is not None and time.perf_counter() - start >= seconds:
                break
        stats = self._stats(rows).mean(dim=0).cpu()  # [S, len(STATS)]: the chunk's only host sync
        finite = torch.isfinite(stats).all(dim=1)
        for p in self.G.parameters():
            finite &= torch.isfinite(p.detach()).flatten(1).all(dim=1).cpu()
        with self.lock:
            self.seed_diverged = [d or not bool(ok) for d, ok in zip(self.seed_diverged, finite)]
            if all(self.seed_diverged):
                self.diverged = "every seed's loss or weights became NaN or infinite"
            self.last_stats = stats
            self.published_g, self.published_d = self.G_ema.copy_weights(), self.D.net.copy_weights()
            self.published_step = self.step_count
        return len(rows)

    # ---- reading results ----------------------------------------------------------------------------
    def models_at(self, s: int) -> tuple[nn.Module, nn.Module]:
        """Eval-mode core G (EMA) and D of seed index s from the published weights, for the figures."""
        with self.lock:
            g, d = self.published_g, self.published_d
        G, D = self.model_cfg.build_generator(), self.model_cfg.build_discriminator()
        G.load_state_dict(core_state(self.G.index, *g, s))
        D.load_state_dict(core_state(self.D.net.index, *d, s, prefix="net."))
        return G.eval().requires_grad_(False), D.eval().requires_grad_(False)

    @torch.no_grad()
    def sample(self, n: int, seed: int = EVAL_SEED) -> torch.Tensor:
        """n samples per seed from the published EMA generators: [S, n, d]; every seed sees the same z."""
        gen = torch.Generator().manual_seed(seed)
        z = sample_latent(n, self.model_cfg, gen, "cpu")  # [n, z], drawn as Trainer.sample draws it
        with self.lock:
            weights, biases = self.published_g
        return stacked_forward(z.expand(self.n_seeds, -1, -1), weights, biases, self.G.act)  # [S, n, d]

    def seed_metrics(self, n: int = N_SAMPLES, seed: int = EVAL_SEED) -> list[dict]:
        """The VEEGAN/PacGAN numbers of every seed (a diverged seed counts as no modes, 0 % high quality)."""
        return _metrics_rows(self.seeds, self.sample(n, seed), self.data, self.seed_diverged, self.step_count)


def _metrics_rows(seeds, samples: torch.Tensor, data, diverged: list[bool], step: int) -> list[dict]:
    rows = []
    for s, (seed, pts) in enumerate(zip(seeds, samples)):
        bad = diverged[s] or not bool(torch.isfinite(pts).all())
        if bad:
            n_modes = len(data.means) if isinstance(data, Mixture) else 0
            m = {"modes_captured": 0, "modes_total": n_modes, "modes_over_1pct": 0, "high_quality": 0.0,
                 "reverse_kl": float("nan"), "mode_share": [0.0] * n_modes}  # fmt: skip
        else:
            m = mode_metrics(pts, data) if isinstance(data, Mixture) else {}
        rows.append({"seed": seed, "step": step, "diverged": bad, **m})
    return rows


class LoopSweep:
    """The fallback: one ``Trainer`` per seed, stepped in turn; same interface as ``SweepTrainer``."""

    def __init__(self, data, model_cfg, train_cfg: TrainConfig, seeds: list[int], device: str = "cpu") -> None:
        from dataclasses import replace

        self.data, self.model_cfg, self.cfg, self.seeds = data, model_cfg, train_cfg, list(seeds)
        self.trainers = [Trainer(data, model_cfg, replace(train_cfg, seed=s), device=device) for s in self.seeds]
        self.lock = threading.Lock()
        self.diverged: str | None = None

    @property
    def step_count(self) -> int:
        return min(t.step_count for t in self.trainers)

    @property
    def seed_diverged(self) -> list[bool]:
        return [t.diverged is not None for t in self.trainers]

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        done = min(t.step(n, None if seconds is None else seconds / len(self.trainers)) for t in self.trainers)
        if all(self.seed_diverged):
            self.diverged = "every seed's training diverged"
        return done

    @torch.no_grad()
    def sample(self, n: int, seed: int = EVAL_SEED) -> torch.Tensor:
        """[S, n, d] from each trainer's published EMA weights (safe beside a training thread)."""
        out = []
        for t in self.trainers:
            with t.lock:
                snap = t.published
            G = t.model_cfg.build_generator()
            G.load_state_dict(snap.generator)
            out.append(G(sample_latent(n, t.model_cfg, torch.Generator().manual_seed(seed), "cpu")))
        return torch.stack(out)

    def seed_metrics(self, n: int = N_SAMPLES, seed: int = EVAL_SEED) -> list[dict]:
        return _metrics_rows(self.seeds, self.sample(n, seed), self.data, self.seed_diverged, self.step_count)


class SeedGroups:
    """The seeds split into one ``SweepTrainer`` per CPU core, stepped side by side in threads, one torch thread each.

    Why: the stacked products are memory-bound at [16, 512, 128], so one 16-seed stack gains ~1.6× from a second
    core's thread; two 8-seed stacks, one per core, gain ~1.8× (16 seeds, 2 cores, 3 s rounds: 848–877 against
    736–788 seed-steps/s). Same interface as ``SweepTrainer`` for what the lab page and the CLI read.
    """

    def __init__(self, data, model_cfg, train_cfg: TrainConfig, seeds: list[int], device: str, groups: int) -> None:
        self.data, self.model_cfg, self.cfg, self.seeds = data, model_cfg, train_cfg, list(seeds)
        size = -(-len(self.seeds) // groups)
        self.parts = [SweepTrainer(data, model_cfg, train_cfg, self.seeds[i : i + size], device)
                      for i in range(0, len(self.seeds), size)]  # fmt: skip
        self.lock = threading.Lock()

    @property
    def step_count(self) -> int:
        return min(p.step_count for p in self.parts)

    @property
    def seed_diverged(self) -> list[bool]:
        return [d for p in self.parts for d in p.seed_diverged]

    @property
    def diverged(self) -> str | None:
        return "every seed's loss or weights became NaN or infinite" if all(self.seed_diverged) else None

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        """Every group ``n`` iterations (or ``seconds``) at once, then the slower ones catch up to the same step."""
        done, errors = [0] * len(self.parts), []

        def run(i: int) -> None:
            try:
                done[i] = self.parts[i].step(n, seconds)
            except Exception as exc:  # re-raised below, in the caller's thread
                errors.append(exc)

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a new thread takes the count set now, at its first parallel op
        try:
            workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(self.parts))]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        finally:
            torch.set_num_threads(threads)
        if errors:
            raise errors[0]
        target = max(p.step_count for p in self.parts if not p.diverged) if not self.diverged else self.step_count
        for p in self.parts:
            if not p.diverged and p.step_count < target:
                p.step(target - p.step_count)
        return min(done)

    @torch.no_grad()
    def sample(self, n: int, seed: int = EVAL_SEED) -> torch.Tensor:
        return torch.cat([p.sample(n, seed) for p in self.parts])  # [S, n, d]

    def seed_metrics(self, n: int = N_SAMPLES, seed: int = EVAL_SEED) -> list[dict]:
        return _metrics_rows(self.seeds, self.sample(n, seed), self.data, self.seed_diverged, self.step_count)


def cpu_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_sweep(data, model_cfg, train_cfg: TrainConfig, seeds: list[int], device: str = "cpu", loop: bool = False):
    """A vectorised sweep (on a CPU with several cores: ``SeedGroups``, one stacked group per core), or a
    ``LoopSweep`` when asked for or when the config is not vectorised."""
    if not loop:
        groups = min(cpu_cores(), len(seeds)) if torch.device(device).type == "cpu" else 1
        try:
            if groups > 1:
                return SeedGroups(data, model_cfg, train_cfg, seeds, device, groups)
            return SweepTrainer(data, model_cfg, train_cfg, seeds, device)
        except NotVectorised as exc:
            print(f"note: {exc}; training the seeds one after another", file=sys.stderr)
    return LoopSweep(data, model_cfg, train_cfg, seeds, device)


def summarise(rows: list[dict]) -> dict:
    """Mean ± standard error over seeds (as the PacGAN tables report), and the per-seed list of modes."""
    out: dict = {"seeds": len(rows), "diverged": sum(r["diverged"] for r in rows)}
    for key in ("modes_captured", "modes_over_1pct", "high_quality", "reverse_kl"):
        vals = torch.tensor([float(r[key]) for r in rows if key in r], dtype=torch.float64)
        vals = vals[torch.isfinite(vals)]
        if len(vals):
            se = float(vals.std() / len(vals) ** 0.5) if len(vals) > 1 else 0.0
            out[key] = {"mean": float(vals.mean()), "se": se}
    out["modes_per_seed"] = [r.get("modes_captured") for r in rows]
    return out


# ---- command line ---------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m playground.sweep", description=__doc__.split("\n")[0])
    p.add_argument("--preset", default="default-ring8", choices=list(PRESETS), help="the configuration to sweep")
    p.add_argument("--remedy", action="append", default=[], metavar="NAME[=VALUE]",
                   help=f"applied on top of the preset, repeatable: {', '.join(REMEDIES)}")  # fmt: skip
    p.add_argument("--seeds", type=int, default=16, help="number of seeds (first-seed … first-seed + seeds − 1)")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=None, help="generator steps (default: the preset's)")
    p.add_argument("--samples", type=int, default=N_SAMPLES, help="samples per seed for the metrics")
    p.add_argument("--loop", action="store_true", help="train the seeds one after another (for comparison)")
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (a vectorised sweep on a multi-core CPU runs one stacked group per core instead)",
    )
    p.add_argument("--out", required=True, help="output directory (metrics.csv, summary.json)")
    return p


def write_csv(path: Path, rows: list[dict]) -> None:
    n_modes = max((len(r.get("mode_share", [])) for r in rows), default=0)
    fields = ["seed", "step", "diverged", "modes_captured", "modes_total", "modes_over_1pct", "high_quality",
              "reverse_kl"] + [f"share_{i}" for i in range(n_modes)]  # fmt: skip
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(fields)
        for r in rows:
            shares = r.get("mode_share", [])
            writer.writerow([r.get(f, "") for f in fields[: len(fields) - n_modes]] + [f"{v:.5f}" for v in shares])


def main(argv: list[str] | None = None) -> dict:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(max(args.threads, 1))
    preset = PRESETS[args.preset]
    try:
        model_cfg, train_cfg = apply_remedies(preset.model, preset.train, args.remedy)
        if args.seeds < 1 or (args.steps is not None and args.steps < 1):
            raise ValueError("--seeds and --steps must be at least 1")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    steps = args.steps or preset.steps
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    sweep = make_sweep(make_dataset(preset.dataset), model_cfg, train_cfg, seeds, args.device, loop=args.loop)
    start = time.perf_counter()
    while sweep.step_count < steps and not sweep.diverged:
        sweep.step(min(250, steps - sweep.step_count))
    seconds = time.perf_counter() - start
    rows = sweep.seed_metrics(args.samples)
    summary = {"preset": args.preset, "remedies": args.remedy, "steps": sweep.step_count,
               "vectorised": not isinstance(sweep, LoopSweep), "seconds": round(seconds, 2),
               "steps_per_s": round(sweep.step_count / seconds, 2), **summarise(rows)}  # fmt: skip
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "metrics.csv", rows)
    config = {"dataset": preset.dataset, "model": model_cfg.to_dict(), "train": train_cfg.to_dict(), "seeds": seeds}
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()
