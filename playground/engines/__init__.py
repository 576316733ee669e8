"""Speed engines: the GAN iteration of ``playground.gan.step``, computed faster, proven equal by tests/engines.

A caller that wants speed passes the factory to the Trainer (the GAN maths never imports this package):

    Trainer(data, model_cfg, train_cfg, device=device, engine=fast_engine)

- ``mlp``: plain MLP networks, hand-written backward pass and one fused-Adam kernel call per update;
- ``stacked``: many seeds of one MLP configuration on a seed axis (the sweep's ``SweepTrainer``);
- ``loss_grads``: each loss's gradient w.r.t. D's logits, for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.engines.mlp import MLPEngine

if TYPE_CHECKING:
    from playground.gan.trainer import Trainer


def fast_engine(trainer: Trainer) -> MLPEngine | None:
    """The fastest engine for the trainer's networks, or None (the reference step runs) where none applies."""
    return MLPEngine(trainer.G, trainer.D) if MLPEngine.supports(trainer.G, trainer.D) else None
