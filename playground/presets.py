"""Named, documented experiment setups shared by the CLI (``--preset``), the sweep and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from playground.models import ModelConfig
from playground.training import TrainConfig


@dataclass(frozen=True)
class Preset:
    dataset: str
    model: ModelConfig
    train: TrainConfig
    steps: int
    description: str  # what it shows, and over how many seeds that was measured


PRESETS: dict[str, Preset] = {
    "default-ring8": Preset(
        "ring8",
        ModelConfig(),
        TrainConfig(),
        5000,
        "The app's starting point: 2-128-128 ReLU nets, z = 2, Adam 1e-3 β(0.5, 0.9), batch 256, "
        "non-saturating loss, EMA samples.",
    ),
}
