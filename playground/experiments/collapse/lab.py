"""Side-by-side runs for the mode-collapse lab: trainers stepped in lockstep, and what each one shows.

``Lockstep`` makes several steppable trainers (``Trainer`` or ``SweepTrainer``) look like one to a
``TrainingWorker``, so two runs compared on screen are always at the same generator step.
"""

from __future__ import annotations

import threading

import torch

from playground.gan.data import Mixture
from playground.gan.metrics import mode_metrics
from playground.views import figures as F


class Lockstep:
    """Steps every trainer the same number of iterations per chunk (a diverged one is skipped)."""

    def __init__(self, trainers: list) -> None:
        self.trainers = list(trainers)
        self.lock = threading.Lock()

    @property
    def step_count(self) -> int:
        return max(t.step_count for t in self.trainers)

    @property
    def diverged(self) -> str | None:
        """Set only when every run has diverged, so a blown-up run never stops its healthy neighbour."""
        reasons = [t.diverged for t in self.trainers]
        return "; ".join(reasons) if all(reasons) else None

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        live = [t for t in self.trainers if not t.diverged]
        if not live:
            return 0
        share = None if seconds is None else seconds / len(live)
        done = live[0].step(n, share)  # the first run sets the chunk (time-bounded) …
        target = live[0].step_count
        for t in live[1:]:  # … and the others catch up to exactly its step
            if target > t.step_count:
                t.step(target - t.step_count)
        return done


def frame_and_metrics(trainer, view: F.View, snap=None) -> tuple[F.Frame, dict]:
    """The frame of a snapshot (default: the latest published) and the protocol's numbers on the view's fixed
    evaluation noise."""
    G, D, step = F.snapshot_models(trainer, snap)
    frame = F.compute_frame(G, D, view, step)  # D scores each point alone (score_points)
    metrics = mode_metrics(torch.from_numpy(frame.eval_fake), trainer.data) if isinstance(trainer.data, Mixture) else {}
    return frame, metrics
