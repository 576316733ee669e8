"""Building one MNIST run from the page's settings (by name): the model config, the training config, the Trainer.

The page picks a model family, a starting point and the training fields; these functions turn that into
configs and a ready Trainer (warm-started from a pretrained generator when asked), with no Streamlit in sight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import torch
from torch import nn

from playground.digits.models import MNIST_MODELS, ImageSampler, start_from_generator
from playground.engines import fast_engine
from playground.experiments.mnist.presets import FAMILY_DEFAULTS
from playground.experiments.mnist.settings import TRAIN_NAMES, TRAIN_SETTINGS
from playground.gan.device import pick_device
from playground.gan.trainer import TrainConfig, Trainer

CONDITIONAL_MODELS = ("dcgan",)  # families with a class-conditional form (DCGANConfig.num_classes)


def pretrained_name(model: str, conditional: bool) -> str:
    """The stem of the shipped generator for a family: ``pretrained/<stem>_generator.safetensors``."""
    return model + ("_conditional" if conditional and model in CONDITIONAL_MODELS else "")


def model_config(values: Mapping[str, object], pretrained_cfg: object | None = None) -> object:
    """The pretrained generator's own config when starting from one, else the family's with the chosen z size.

    ``conditional`` only applies to families that have a class-conditional form (10 digit classes).
    """
    if pretrained_cfg is not None:
        return pretrained_cfg
    model, latent_dim = values["model"], values["latent_dim"]
    if model not in CONDITIONAL_MODELS:
        return MNIST_MODELS[model](latent_dim=latent_dim)
    return MNIST_MODELS[model](latent_dim=latent_dim, num_classes=10 if values["conditional"] else 0)


def train_config(values: Mapping[str, object]) -> TrainConfig:
    """The family's training config (its λ, EMA and snapshot settings) with the page's training settings."""
    fields = {TRAIN_NAMES.get(n, n): values[n] for n in TRAIN_SETTINGS if n in values}
    return replace(FAMILY_DEFAULTS[values["model"]][1], **fields)


def build_trainer(
    model_cfg: object,
    train_cfg: TrainConfig,
    images: torch.Tensor,
    labels: torch.Tensor,
    generator_state: dict[str, torch.Tensor] | None = None,
    device: torch.device | None = None,
) -> Trainer:
    """A Trainer on the real digits; D is told their classes only when the model is class-conditional.

    ``generator_state``: a pretrained generator's weights to start G (and its moving average) from.
    """
    device = device or pick_device()
    sampler = ImageSampler(images, device, labels if getattr(model_cfg, "num_classes", 0) else None)
    trainer = Trainer(sampler, model_cfg, train_cfg, device=device, engine=fast_engine)
    if generator_state is not None:
        start_from_generator(trainer, generator_state)
    return trainer


def builder(
    values: Mapping[str, object], images: torch.Tensor, labels: torch.Tensor, pretrained: tuple | None = None
) -> Callable[[], Trainer]:
    """The zero-argument build of a run (what ``RunController`` calls) from the page's settings by name.

    ``pretrained``: ``(G, config, metadata)`` of a shipped generator to start from; its config wins.
    """
    generator: nn.Module | None = pretrained[0] if pretrained else None
    model_cfg = model_config(values, pretrained[1] if pretrained else None)
    train_cfg = train_config(values)
    return lambda: build_trainer(
        model_cfg, train_cfg, images, labels, None if generator is None else generator.state_dict()
    )
