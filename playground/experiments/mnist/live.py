"""The MNIST page's live pictures and classifier scores of one run, recomputed only when a new step is published.

``LiveDigits`` is made once per run beside its trainer: the fixed view (figures.DigitView), the last drawn
sample grid and the classifier reports. ``refresh`` is what the page's live fragment calls on every redraw with
the run's published snapshot: it draws the grid only when the step changed, and scores it every few seconds in
a background thread while training (at once when paused, so a Step shows its score).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import torch
from torch import nn

from playground.digits.metrics import Stats
from playground.experiments.mnist.figures import grid_png, make_view, sample_images, score
from playground.gan.record import Snapshot
from playground.gan.trainer import Trainer

SCORE_EVERY_S = 4.0  # classifier report cadence while training: ~1 s of CPU each, taken from training


class ScoreKeeper:
    """Classifier reports of one run, computed in a daemon thread so a redraw never waits for them.

    Scoring 500 digits takes ~1 s of CPU (seconds on a busy machine): longer than a frame. ``submit``
    starts at most one scoring at a time and returns at once; ``score_now`` is the blocking form for a
    paused run. ``scores`` is a list of ``{"step": …, **score_fn(nets)}``, oldest first.
    """

    def __init__(self, score_fn: Callable[[object], dict]) -> None:
        self.score_fn = score_fn
        self.scores: list[dict] = []
        self._lock = threading.Lock()
        self._busy = False

    def latest_step(self) -> int | None:
        with self._lock:
            return self.scores[-1]["step"] if self.scores else None

    def copy(self) -> list[dict]:
        with self._lock:
            return list(self.scores)

    def submit(self, nets: object, step: int) -> bool:
        """Score ``nets`` (private eval-mode copies) in the background unless a scoring is running already."""
        with self._lock:
            if self._busy:
                return False
            self._busy = True
        threading.Thread(target=self._run, args=(nets, step), name="mnist-scorer", daemon=True).start()
        return True

    def score_now(self, nets: object, step: int) -> None:
        with self._lock:
            self._busy = True
        self._run(nets, step)

    def _run(self, nets: object, step: int) -> None:
        try:
            report = {"step": step, **self.score_fn(nets)}
            with self._lock:
                if not self.scores or self.scores[-1]["step"] != step:
                    self.scores.append(report)
        finally:
            with self._lock:
                self._busy = False


class LiveDigits:
    """One run's sample grid (PNG of the latest published step), real-digit row and classifier reports.

    ``trainer``: the run's (``RunController.trainer``); only its published snapshots are read, never the
    networks its worker is updating. The fixed noise is seeded from the run's seed.
    """

    def __init__(
        self,
        trainer: Trainer,
        images: torch.Tensor,
        labels: torch.Tensor,
        classifier: nn.Module,
        ref: Stats,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.trainer = trainer
        self.conditional = bool(getattr(trainer.model_cfg, "num_classes", 0))  # each grid column one digit
        self.view = make_view(trainer.model_cfg, images, labels, seed=trainer.cfg.seed)
        self.scorer = ScoreKeeper(lambda nets: score(*nets, self.view, classifier, ref))  # nets: (G, D)
        self.real_png = grid_png(self.view.real, self.view.cols)  # constant for the run
        self.grid: tuple[int, bytes] | None = None  # (step, PNG) of the last drawn sample grid
        self._clock = clock
        self._scored_at = -math.inf  # clock() of the last submitted scoring

    @classmethod
    def of(cls, run, images: torch.Tensor, labels: torch.Tensor, classifier: nn.Module, ref: Stats) -> LiveDigits:
        """The pictures of a ``RunController``'s run (built right after it, beside it in session state)."""
        return cls(run.trainer, images, labels, classifier, ref)

    def refresh(self, snap: Snapshot, running: bool) -> None:
        """Redraw the grid if ``snap`` (the trainer's published snapshot) is a new step; score it when due."""
        step = snap.step
        if self.grid is not None and self.grid[0] == step and self.scorer.latest_step() == step:
            return
        G, D = self.trainer.models_at(snap)  # fresh eval-mode CPU copies: the scorer thread may keep them
        if self.grid is None or self.grid[0] != step:
            self.grid = (step, grid_png(sample_images(G, self.view.z_grid), self.view.cols))
        if self.scorer.latest_step() == step:
            return
        if not running:
            self.scorer.score_now((G, D), step)
        elif self._clock() - self._scored_at >= SCORE_EVERY_S and self.scorer.submit((G, D), step):
            self._scored_at = self._clock()

    def scores(self) -> list[dict]:
        """The reports so far, oldest first (a copy: the scorer thread may append)."""
        return self.scorer.copy()
