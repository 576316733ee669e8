"""The toy page's pretrained models: for each built-in 2-D set a small G and D in ``pretrained/`` (safetensors +
JSON, written by ``pretrained/train_toy.py``), loaded with one click to show a trained state at once and train on.

A record names the page's setting values it was trained with, so loading sets those and builds the run from them;
the weights then replace the fresh networks' (G and its moving average both start from the shipped G; the
optimizers start afresh). Files are checked like any checkpoint (``playground.gan.checkpoints``).
"""

from __future__ import annotations

import json
from pathlib import Path

from playground.gan.checkpoints import CheckpointError, read_checkpoint
from playground.gan.trainer import Trainer

FOLDER = Path(__file__).resolve().parents[3] / "pretrained"


def record(dataset: str, folder: Path = FOLDER) -> dict | None:
    """The JSON record of a set's pretrained pair (settings, steps, metrics, command), or None if none is shipped."""
    path = folder / f"toy_{dataset}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def load_into(trainer: Trainer, dataset: str, folder: Path = FOLDER) -> Trainer:
    """Put the shipped G and D of ``dataset`` into a trainer built from the record's settings (same networks), and
    publish them as its state at step 0; raises ``CheckpointError`` (a sentence) when they do not fit."""
    files = {kind: folder / f"toy_{dataset}_{kind}.safetensors" for kind in ("generator", "discriminator")}
    G, _, _ = read_checkpoint(files["generator"], "generator", expect_cfg=trainer.model_cfg)
    D, _, _ = read_checkpoint(files["discriminator"], "discriminator", expect_cfg=trainer.model_cfg)
    trainer.G.load_state_dict(G.state_dict())
    trainer.G_ema.load_state_dict(G.state_dict())
    trainer.D.load_state_dict(D.state_dict())
    trainer.republish()
    return trainer


__all__ = ["CheckpointError", "FOLDER", "load_into", "record"]
