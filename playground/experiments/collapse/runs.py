"""The lab's three runs, each a ``Lockstep`` that also carries the fixed inputs its pictures are drawn from.

``pair_run`` / ``sweep_run`` / ``digits_run`` build each one's ``RunController`` from the page's setting
values; ``view`` turns its latest published state into what to draw. Fixed views and evaluation noise are
made once per run, so frames of a run compare, and both sides of a pair see the same noise (same seed).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping

import torch

from playground.digits.data import MnistData
from playground.digits.models import ImageSampler
from playground.engines import fast_engine
from playground.experiments.collapse import digits as CD
from playground.experiments.collapse.figures import density_grid
from playground.experiments.collapse.lab import Lockstep
from playground.experiments.collapse.settings import DIGITS_SETTINGS, PAIR_SETTINGS, SWEEP_SETTINGS
from playground.experiments.mnist import figures as MF
from playground.experiments.mnist.presets import MNIST_PAIR, MNIST_PRESETS
from playground.experiments.toy.presets import PRESETS
from playground.gan.data import make_dataset
from playground.gan.metrics import mode_metrics
from playground.gan.trainer import Trainer
from playground.runtime.controller import RunController
from playground.sweep import make_sweep
from playground.views import figures as F

EVAL_SAMPLES = 2500  # the VEEGAN/PacGAN protocol's sample count


class PresetPair(Lockstep):
    """Two toy presets trained from one seed, side by side, with the view each one is drawn on."""

    def __init__(self, left: str, right: str, seed: int) -> None:
        trainers, views = [], []
        for name in (left, right):
            preset = PRESETS[name]
            data = make_dataset(preset.dataset)
            train = dataclasses.replace(preset.train, seed=seed)
            trainers.append(Trainer(data, preset.model, train, device="cpu", engine=fast_engine))
            views.append(F.make_view(data, preset.model, seed=seed, n_eval=EVAL_SAMPLES))
        super().__init__(trainers)
        self.names, self.seed = (left, right), seed
        self.views: tuple[F.View, F.View] = (views[0], views[1])
        self.density = density_grid(views[0], trainers[0].data)  # same data and seed, so one grid serves both
        self._timelines: list[dict[int, tuple[object, list[float]]]] = [{}, {}]  # run → step → (snapshot, shares)
        self._nets: list[tuple | None] = [None, None]  # run → a (G, D) pair to load snapshots into
        self._timeline_lock = threading.Lock()  # two redraws of one session may score at once

    def mode_timeline(self, i: int) -> tuple[list[int], list[list[float]]]:
        """Run ``i``'s per-mode shares (``mode_metrics``' ``mode_share``) at each of its stored snapshots, on the
        view's fixed evaluation noise: (steps, shares [T][M]). Each snapshot is scored once.

        Snapshots are the trainer's timeline (every ``snapshot_every`` steps; past ``max_snapshots`` it thins the
        older ones), so this is exact at every checkpoint it shows and costs one G pass per new checkpoint.
        """
        trainer, z_eval = self.trainers[i], self.views[i].z_eval
        with trainer.lock:
            snaps = list(trainer.snapshots)
        with self._timeline_lock:
            old, new = self._timelines[i], {}
            for snap in snaps:
                hit = old.get(snap.step)
                if hit is not None and hit[0] is snap:  # a resumed run stores new snapshots at old step numbers
                    new[snap.step] = hit
                    continue
                self._nets[i] = trainer.models_at(snap, self._nets[i])
                with torch.no_grad():
                    fake = self._nets[i][0](z_eval)  # [E, 2] G(z_eval), as the page's frame draws it
                new[snap.step] = (snap, mode_metrics(fake, trainer.data)["mode_share"])
            self._timelines[i] = new
        steps = sorted(new)
        return steps, [new[s][1] for s in steps]


class SeedSweep(Lockstep):
    """Two presets, each trained on seeds 0 … n−1 at once (one stacked network per preset)."""

    def __init__(self, names: tuple[str, str], n_seeds: int) -> None:
        self.names, self.seeds = tuple(names), list(range(n_seeds))
        sweeps = []
        for name in self.names:
            preset = PRESETS[name]
            sweeps.append(make_sweep(make_dataset(preset.dataset), preset.model, preset.train, self.seeds))
        super().__init__(sweeps)
        self._results: tuple[int, dict[str, list[dict]]] | None = None

    def seed_metrics(self) -> dict[str, list[dict]]:
        """Preset → per-seed protocol numbers at the latest step (computed once per step: redraws are free)."""
        step = self.step_count
        if self._results is None or self._results[0] != step:
            self._results = (step, {n: s.seed_metrics(EVAL_SAMPLES) for n, s in zip(self.names, self.trainers)})
        return self._results[1]


class DigitPair(Lockstep):
    """The MNIST pair (``MNIST_PAIR``): same seed and nets, different objectives, judged by a digit classifier."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, seed: int) -> None:
        trainers, views = [], []
        for name in MNIST_PAIR:
            preset = MNIST_PRESETS[name]
            train = dataclasses.replace(preset.train, seed=seed)
            trainers.append(Trainer(ImageSampler(images, "cpu"), preset.model, train, device="cpu", engine=fast_engine))
            views.append(MF.make_view(preset.model, images, labels, seed=seed, rows=3))
        super().__init__(trainers)
        self.names = MNIST_PAIR
        self.views: tuple[MF.DigitView, MF.DigitView] = (views[0], views[1])
        self._reports: dict[int, tuple[int, dict]] = {}  # run index → (step, report)

    def report(self, i: int, G: torch.nn.Module, step: int, classifier) -> dict:
        """``digits.readable_digits`` of run ``i``'s generator ``G`` at ``step`` (scored once per step)."""
        cached = self._reports.get(i)
        if cached is None or cached[0] != step:
            self._reports[i] = cached = (step, CD.score(G, self.views[i], classifier))
        return cached[1]


# ---- the runs as the page holds them -----------------------------------------------------------------
def pair_run(values: Mapping[str, object]) -> RunController:
    """The side-by-side pair; it pauses once at the longer preset's step count, where their descriptions were
    measured (Train goes on past it)."""
    settings = {n: values[n] for n in PAIR_SETTINGS}
    left, right, seed = settings["left"], settings["right"], int(settings["seed"])
    budget = max(PRESETS[left].steps, PRESETS[right].steps)
    return RunController(lambda: PresetPair(left, right, seed), settings, max_steps=budget)


def sweep_run(values: Mapping[str, object]) -> RunController:
    """The many-seed sweep; it pauses at ``sweep_steps`` (the page keeps ``max_steps`` at the current value)."""
    settings = {n: values[n] for n in SWEEP_SETTINGS}
    names, n_seeds = (settings["left"], settings["right"]), int(settings["sweep_seeds"])
    steps = int(values["sweep_steps"])
    return RunController(lambda: SeedSweep(names, n_seeds), settings, max_steps=steps, chunk_seconds=0.2)


def digits_run(values: Mapping[str, object], data: MnistData) -> RunController:
    """The MNIST pair on ``data``'s training digits; it pauses once at the step count its presets' descriptions
    were measured at (Train goes on past it)."""
    settings = {n: values[n] for n in DIGITS_SETTINGS}
    seed = int(settings["seed"])
    budget = max(MNIST_PRESETS[name].steps for name in MNIST_PAIR)
    return RunController(lambda: DigitPair(data.images, data.labels, seed), settings, max_steps=budget)
