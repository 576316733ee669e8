"""Configurable MLP generator and discriminator for low-dimensional data.

The discriminator returns logits (no sigmoid): every loss works on logits for numerical stability.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh, "elu": nn.ELU}
PRIORS = ("normal", "uniform")


@dataclass(frozen=True)
class ModelConfig:
    data_dim: int = 2  # 2 for the toy sets, 1 for the theory page
    latent_dim: int = 2  # z = 2 is enough to cover 8 modes; 1 is too few (reference.md)
    hidden: int = 128  # 2-128-128 ReLU nets learn ring8 in < 5k steps on CPU
    depth: int = 2  # hidden layers in each network
    activation: str = "relu"
    prior: str = "normal"  # latent prior: standard normal, or uniform on [-1, 1]

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        if self.prior not in PRIORS:
            raise ValueError(f"prior must be one of {', '.join(PRIORS)}")
        for name in ("data_dim", "latent_dim", "hidden", "depth"):
            if not 1 <= getattr(self, name) <= 4096:
                raise ValueError(f"{name} must be between 1 and 4096")

    def to_dict(self) -> dict:
        return asdict(self)

    def build_generator(self) -> nn.Module:
        return build_generator(self)

    def build_discriminator(self) -> nn.Module:
        return build_discriminator(self)


def mlp(sizes: list[int], activation: str) -> nn.Sequential:
    """Linear layers with the activation between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def build_generator(cfg: ModelConfig) -> nn.Sequential:
    """G: z [N, latent_dim] → x [N, data_dim]."""
    return mlp([cfg.latent_dim] + [cfg.hidden] * cfg.depth + [cfg.data_dim], cfg.activation)


def build_discriminator(cfg: ModelConfig, in_dim: int | None = None) -> nn.Sequential:
    """D: x [N, in_dim] → logit [N, 1]; ``in_dim`` differs from data_dim when remedies widen D's input."""
    return mlp([in_dim or cfg.data_dim] + [cfg.hidden] * cfg.depth + [1], cfg.activation)


def init_weights(module: nn.Module, gen: torch.Generator) -> None:
    """PyTorch's default Linear init, drawn from a private generator so threads don't share a stream."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=gen)


def sample_latent(n: int, cfg: ModelConfig, gen: torch.Generator, device: torch.device | str) -> torch.Tensor:
    """z [n, latent_dim] from the configured prior."""
    if cfg.prior == "uniform":
        return 2 * torch.rand(n, cfg.latent_dim, generator=gen, device=device) - 1
    return torch.randn(n, cfg.latent_dim, generator=gen, device=device)
