"""Many seeds of one configuration trained at once, vectorised on a seed axis; the sweep command line.

python -m playground.sweep --preset collapse-ring8 --seeds 16 --out runs/sweep

Seed s of a ``SweepTrainer`` is the same run as ``Trainer(seed=s)``: the same initial weights, the same
random draws in the same order (one ``torch.Generator`` per seed), the same losses and optimizer maths;
the iteration is the seed-stacked engine's (``playground.engines.stacked``).

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

from playground.engines import fast_engine
from playground.engines.stacked import StackedDiscriminator, StackedMLP, core_state, stacked_engine, stacked_forward
from playground.experiments.toy.presets import PRESETS
from playground.gan import augment
from playground.gan.data import Mixture, make_dataset
from playground.gan.losses import LOSSES
from playground.gan.metrics import mode_metrics
from playground.gan.models import ModelConfig, init_weights, sample_latent
from playground.gan.remedies import REMEDIES, apply_remedies
from playground.gan.step import StepRecord
from playground.gan.trainer import TrainConfig, Trainer, make_optimizer, step_stats

N_SAMPLES = 2500  # the VEEGAN/PacGAN protocol's sample count
EVAL_SEED = 4322  # the sample seed of metrics.evaluate (4321 + 1), so numbers match the train CLI


class NotVectorised(ValueError):
    """The configuration needs a feature the stacked path does not have; use ``LoopSweep``."""


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
        self.engine = stacked_engine(self.G, self.D, train_cfg)  # hand-written where it applies, else autograd
        self.gens = [torch.Generator(device=self.device).manual_seed(s + 1) for s in self.seeds]
        self.loss = LOSSES[train_cfg.loss]
        self.opt_d = make_optimizer(train_cfg.optimizer, self.D.parameters(), train_cfg.lr_d, train_cfg, self.device)
        self.opt_g = make_optimizer(train_cfg.optimizer, self.G.parameters(), train_cfg.lr_g, train_cfg, self.device)
        self.step_count = 0
        self.diverged: str | None = None  # set only when every seed has diverged (one bad seed never stops the rest)
        self.seed_diverged = [False] * len(self.seeds)
        self.last_stats: torch.Tensor | None = None  # [S, len(STAT_NAMES)], mean over the last chunk
        self.lock = threading.Lock()
        self.published_g, self.published_d = self.G_ema.copy_weights(), self.D.net.copy_weights()
        self.published_step = 0

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    # ---- random draws, per seed and in Trainer's order (what the engine reads, as it reads a Trainer) ---------------
    def latent(self, m: int) -> torch.Tensor:
        return torch.stack([sample_latent(m, self.model_cfg, g, self.device) for g in self.gens])  # [S, m, z]

    def real_batch(self, m: int) -> tuple[torch.Tensor, None]:
        return torch.stack([self.data.sample(m, g, self.device) for g in self.gens]), None  # [S, m, d], no labels

    def seen_by_d(self, x: torch.Tensor, sigma: float) -> torch.Tensor:
        """x [S, m, d] with each seed's own instance noise (``Trainer.seen_by_d``; no image shift for 2-D data)."""
        if not sigma:
            return x
        eps = torch.stack([torch.randn(x.shape[1:], generator=g, device=x.device) for g in self.gens])
        return x + sigma * eps

    def noise_sigma(self) -> float:
        return augment.noise_sigma(self.cfg.instance_noise, self.cfg.noise_anneal_steps, self.step_count)

    # ---- the step: the stacked engine's iteration, then EMA ------------------------------------------------
    def train_step(self) -> torch.Tensor:
        """k D steps, then one G step, for every seed; returns the stats [S, len(STAT_NAMES)] (on device)."""
        return self._stats([self._iterate()])[0]

    def _stats(self, records: list[StepRecord]) -> torch.Tensor:
        """STAT_NAMES of every record and seed at once (``trainer.step_stats``): [len(records), S, len(STAT_NAMES)]."""
        stack = lambda name: torch.stack([getattr(r, name) for r in records]).flatten(0, 1)  # noqa: E731  [n·S, …]
        penalty = None if records[0].penalty is None else stack("penalty")
        stats = step_stats(self.loss, stack("d_logits"), stack("g_logits"), penalty, stack("norm_d"), stack("norm_g"))
        return stats.view(len(records), self.n_seeds, -1)

    def _iterate(self) -> StepRecord:
        """One iteration for every seed; returns what its stats are computed from, each per seed."""
        record = self.engine.iterate(self)
        self._update_ema()
        self.step_count += 1
        return record

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
        stats = self._stats(rows).mean(dim=0).cpu()  # [S, len(STAT_NAMES)]: the chunk's only host sync
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
        self.trainers = [Trainer(data, model_cfg, replace(train_cfg, seed=s), device, engine=fast_engine)
                         for s in self.seeds]  # fmt: skip
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
