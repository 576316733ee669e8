"""MNIST setups: each model family's default (the MNIST page and the CLI start from these), and for the
mode-collapse lab an MNIST run that collapses onto a few digits beside one that keeps them all.

The collapse pair is the paper-style MLP GAN on the embedded digits, from the same seed; only the objective
differs. The shipped classifier's class histogram makes the difference visible (playground.digits.metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.digits.models import DCGANConfig, MnistMLPConfig
from playground.gan.trainer import TrainConfig

# The settings that trained each family fastest on the 2-core CPU (README, "MNIST"). DCGAN: class-conditional
# (projection D), images shifted by ±2 px for D, batch 64, Adam 2e-3, EMA 0.99: 94–96 % confident digits with
# every class near 10 % after 60 s (batch 32: 91–92 %); the same GAN without labels levels off near 58–60 %
# (pretrained/README.md). MLP: WGAN-GP (k = 2, λ = 10), which keeps all ten digits where the non-saturating MLP
# GAN collapses.
_IMAGE_TRAIN = dict(gp_weight=10.0, snapshot_every=500, max_snapshots=20)
FAMILY_DEFAULTS: dict[str, tuple[DCGANConfig | MnistMLPConfig, TrainConfig]] = {
    "dcgan": (
        DCGANConfig(num_classes=10),
        TrainConfig(
            loss="nonsat", lr_d=2e-3, lr_g=2e-3, batch_size=64, ema_decay=0.99, augment_shift=2, **_IMAGE_TRAIN
        ),
    ),
    "mlp": (
        MnistMLPConfig(),
        TrainConfig(loss="wgan-gp", k=2, lr_d=2e-4, lr_g=2e-4, batch_size=32, ema_decay=0.995, **_IMAGE_TRAIN),
    ),
}


@dataclass(frozen=True)
class MnistPreset:
    label: str  # one line for the page
    model: MnistMLPConfig
    train: TrainConfig
    steps: int  # where the description's numbers were measured
    description: str  # what it shows, measured over how many seeds


# Dropout in D is off in both: with it (the MNIST page's default) the non-saturating run keeps ~7 classes.
_MLP = MnistMLPConfig(dropout=0.0)
_TRAIN = TrainConfig(lr_d=2e-4, lr_g=2e-4, batch_size=64, ema_decay=0.995, gp_weight=10.0, snapshot_every=500,
                     max_snapshots=20)  # fmt: skip

MNIST_PRESETS: dict[str, MnistPreset] = {
    "collapse-mnist": MnistPreset(
        "MLP GAN, non-saturating loss, no dropout in D",
        _MLP,
        _TRAIN,
        7500,
        "Collapses onto a few digits. Seeds 0 and 1, 7,500 steps, 1,000 samples judged by the shipped classifier: "
        "4 of 10 digits hold ≥ 2 % of the samples on both seeds (0, 2, 3 and 5; digits 1, 4, 6, 7, 8 and 9 get "
        "none), the largest one 45 % and 43 %; 35–37 % confidently classified, classifier-FID 428 and 461. "
        "The digits it draws change during training (seed 0 drew mostly 8s at step 1,500): a GAN hopping "
        "between modes",
    ),
    "wgan-gp-mnist": MnistPreset(
        "The same MLP GAN trained as a WGAN-GP critic (k = 2, λ = 10)",
        _MLP,
        TrainConfig(**{**_TRAIN.to_dict(), "loss": "wgan-gp", "k": 2}),
        7500,
        "Keeps all ten digits. Same seeds: 10 of 10 digits hold ≥ 2 % from step 3,000 on; at 7,500 steps "
        "(seed 0) every digit holds 7–15 % of the samples, 65 % are confidently classified, classifier-FID 45 "
        "(seed 1 at 6,000 steps: 10 digits, 7–13 %, 59 %, FID 57)",
    ),
}
MNIST_PAIR = ("collapse-mnist", "wgan-gp-mnist")  # the collapse lab's MNIST tab: left, right
