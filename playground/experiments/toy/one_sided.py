"""Train D only / Train G only: one iteration in which a single network learns (GAN Lab's one-sided buttons).

It is an ordinary Trainer iteration with the other network frozen (``TrainConfig.freeze``), so it is recorded in
the history and published like any step; the run's own freeze setting is back in place afterwards.
"""

from __future__ import annotations

from playground.gan.trainer import Trainer

LEARNERS = {"d": "g", "g": "d"}  # the network that learns → the one frozen meanwhile


def one_sided_step(trainer: Trainer, learner: str) -> None:
    """One iteration in which only ``learner`` ("d": k D updates, "g": k_G G updates) changes."""
    if learner not in LEARNERS:
        raise ValueError(f"learner must be 'd' or 'g', not {learner!r}")
    before = trainer.cfg.freeze
    trainer.reconfigure(freeze=LEARNERS[learner])
    try:
        trainer.step(1)
    finally:
        trainer.reconfigure(freeze=before)
