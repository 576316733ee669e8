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
    # remedies that change what D sees (mode-collapse lab); both need batch_size divisible by them
    pack: int = 1  # PacGAN (Lin et al. 2018): D judges `pack` samples jointly
    mbstd_group: int = 0  # minibatch stddev (Karras et al. 2018): group size of the spread feature; 0 = off

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        if self.prior not in PRIORS:
            raise ValueError(f"prior must be one of {', '.join(PRIORS)}")
        for name in ("data_dim", "latent_dim", "hidden", "depth"):
            if not 1 <= getattr(self, name) <= 4096:
                raise ValueError(f"{name} must be between 1 and 4096")
        if not 1 <= self.pack <= 16 or not 0 <= self.mbstd_group <= 64 or self.mbstd_group == 1:
            raise ValueError("pack must be 1–16 and the minibatch-stddev group 0 (off) or 2–64")

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


class Discriminator(nn.Module):
    """D: x [N, data_dim] → logits [N / pack, 1], with PacGAN packing and a minibatch-stddev feature.

    Consecutive samples form a pack and consecutive packs a stddev group, so a batch of real samples
    followed by fake ones never mixes the two as long as the batch size is a multiple of both.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.pack, self.group = cfg.pack, cfg.mbstd_group
        in_dim = cfg.data_dim * cfg.pack + (1 if self.group else 0)
        self.net = mlp([in_dim] + [cfg.hidden] * cfg.depth + [1], cfg.activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(-1, self.pack * x.shape[-1])  # [N / pack, pack·dim]
        if self.group:
            groups = x.reshape(-1, self.group, x.shape[-1])  # [N / (pack·group), group, pack·dim]
            spread = groups.std(dim=1, unbiased=False).mean(dim=1, keepdim=True)  # [N / (pack·group), 1]
            x = torch.cat([x, spread.repeat_interleave(self.group, dim=0)], dim=1)
        return self.net(x)

    def score_points(self, x: torch.Tensor) -> torch.Tensor:
        """D's verdict on each point alone (for drawing the surface): [N, d] → [N, 1].

        With packing, each point is judged as a pack of copies of itself (and has zero spread).
        """
        if self.pack == 1 and not self.group:
            return self.net(x)
        tiled = x.repeat_interleave(self.pack, dim=0)  # [N·pack, d]: point i fills pack i
        packed = tiled.reshape(-1, self.pack * x.shape[-1])
        if self.group:
            packed = torch.cat([packed, torch.zeros(len(packed), 1, device=x.device)], dim=1)
        return self.net(packed)


def build_discriminator(cfg: ModelConfig) -> Discriminator:
    return Discriminator(cfg)


def init_weights(module: nn.Module, gen: torch.Generator) -> None:
    """PyTorch's default Linear init, drawn from a private generator so threads don't share a stream."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=gen)


def sample_latent(
    n: int, cfg: ModelConfig, gen: torch.Generator, device: torch.device | str, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """z [n, latent_dim] from the configured prior.

    A class-conditional generator (``cfg.num_classes`` > 0) reads its label from z too: z is then
    [n, latent_dim + num_classes], the noise followed by the label's one-hot code. The labels are ``labels``
    when given (e.g. one row per digit in a picture), else drawn uniformly after the noise.
    """
    if cfg.prior == "uniform":
        z = 2 * torch.rand(n, cfg.latent_dim, generator=gen, device=device) - 1
    else:
        z = torch.randn(n, cfg.latent_dim, generator=gen, device=device)
    classes = getattr(cfg, "num_classes", 0)
    if not classes:
        return z
    if labels is None:
        labels = torch.randint(classes, (n,), generator=gen, device=device)
    return torch.cat([z, nn.functional.one_hot(labels.to(device), classes).to(z.dtype)], dim=1)


def latent_labels(z: torch.Tensor, cfg) -> torch.Tensor | None:
    """The class labels a conditional generator's z carries (see ``sample_latent``); None if unconditional."""
    return z[:, cfg.latent_dim :].argmax(dim=1) if getattr(cfg, "num_classes", 0) else None
