"""GANs for 28×28 MNIST digits: an MLP GAN as in Goodfellow et al. (2014) and a small DCGAN (Radford et al. 2016).

Both configs plug into the same ``Trainer`` as the toy MLPs (they have ``latent_dim``, ``prior``,
``build_generator()``, ``build_discriminator()``, ``to_dict()``). Generators map z [N, latent_dim] to images
[N, 1, 28, 28] in [−1, 1] (tanh, matching ``playground.digits.data``'s scaling); discriminators return logits [N, 1].

No batch-norm in D: the Trainer passes real and fake through D as ONE concatenated batch, so batch
statistics would mix the two and D could tell them apart by the batch, not the digit (reference.md's
"lean DCGAN", without BN in D, trained best on this machine).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from playground.gan.models import PRIORS

IMAGE_SHAPE = (1, 28, 28)
IMAGE_PIXELS = 28 * 28


def _check(cfg, names: tuple[str, ...], low: int, high: int) -> None:
    if cfg.prior not in PRIORS:
        raise ValueError(f"prior must be one of {', '.join(PRIORS)}")
    for name in names:
        if not low <= getattr(cfg, name) <= high:
            raise ValueError(f"{name} must be between {low} and {high}")


# ---- MLP GAN ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MnistMLPConfig:
    latent_dim: int = 64  # z 64 → 256 → 512 → 784: 4,250 steps/min on 2 CPU cores (reference.md)
    prior: str = "normal"
    g_width: int = 256  # G: z → g_width → 2·g_width → 784
    d_width: int = 256  # D: 784 → 2·d_width → d_width → 1 (mirror image of G)
    # Dropout in D, as in the original paper, against D memorising the 4,500 embedded digits: with the
    # non-saturating loss G collapsed onto 3–4 classes by 7,500 steps without it, 7 classes with 0.3. (WGAN-GP
    # covered 9–10 classes without dropout.) It draws from torch's global random stream, so runs with dropout
    # repeat exactly only when nothing else draws from that stream.
    dropout: float = 0.3

    def __post_init__(self) -> None:
        _check(self, ("latent_dim", "g_width", "d_width"), 1, 4096)
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")

    def to_dict(self) -> dict:
        return asdict(self)

    def build_generator(self) -> nn.Module:
        return _seeded(MlpGenerator(self))

    def build_discriminator(self) -> nn.Module:
        return _seeded(MlpDiscriminator(self))


class MlpGenerator(nn.Module):
    def __init__(self, cfg: MnistMLPConfig) -> None:
        super().__init__()
        w = cfg.g_width
        self.net = nn.Sequential(
            nn.Linear(cfg.latent_dim, w), nn.ReLU(),
            nn.Linear(w, 2 * w), nn.ReLU(),
            nn.Linear(2 * w, IMAGE_PIXELS), nn.Tanh(),  # pixels in [−1, 1], like the real digits
        )  # fmt: skip

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, *IMAGE_SHAPE)  # [N, 784] → [N, 1, 28, 28]


class MlpDiscriminator(nn.Module):
    def __init__(self, cfg: MnistMLPConfig) -> None:
        super().__init__()
        w = cfg.d_width
        self.net = nn.Sequential(
            nn.Linear(IMAGE_PIXELS, 2 * w), nn.LeakyReLU(0.2), nn.Dropout(cfg.dropout),  # leaky: gradient everywhere
            nn.Linear(2 * w, w), nn.LeakyReLU(0.2), nn.Dropout(cfg.dropout),
            nn.Linear(w, 1),  # a logit; losses apply the sigmoid themselves
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))  # [N, 1, 28, 28] → [N, 784] → [N, 1]


# ---- fast layers ----------------------------------------------------------------------------------
# On this project's CPU (one torch thread) oneDNN is slow for convolutions with ONE input or output channel:
# G's last layer (32 → 1) and D's first (1 → 32) took 8.5 / 14.6 ms forward + backward at batch 64 / 128,
# written as a matrix product plus fold / unfold (col2im / im2col) 3.1 / 9.4 ms; a whole default DCGAN step
# at batch 32 went from 24–28 to 29–30 steps per CPU second (measured on a busy machine, so roughly). Same
# parameters, state_dict keys and numbers up to float rounding, so checkpoints load either way.
def _check_k4s2p1(layer: nn.Module) -> None:
    shape = (layer.kernel_size, layer.stride, layer.padding, layer.dilation, layer.groups)
    if shape != ((4, 4), (2, 2), (1, 1), (1, 1), 1):
        raise ValueError(f"{type(layer).__name__} supports kernel 4, stride 2, padding 1 only")


class FoldConvTranspose2d(nn.ConvTranspose2d):
    """ConvTranspose2d (kernel 4, stride 2, padding 1) as a matrix product and ``F.fold``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _check_k4s2p1(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        cols = torch.matmul(self.weight.view(c, -1).t(), x.reshape(n, c, h * w))  # [N, C_out·16, h·w]
        out = nn.functional.fold(cols, (2 * h, 2 * w), 4, padding=1, stride=2)  # [N, C_out, 2h, 2w]
        return out + self.bias.view(1, -1, 1, 1)


class UnfoldConv2d(nn.Conv2d):
    """Conv2d (kernel 4, stride 2, padding 1) as ``F.unfold`` and a matrix product."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _check_k4s2p1(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        cols = nn.functional.unfold(x, 4, padding=1, stride=2)  # [N, C_in·16, (h/2)·(w/2)]
        out = torch.matmul(self.weight.view(self.out_channels, -1), cols) + self.bias.view(1, -1, 1)
        return out.view(n, self.out_channels, h // 2, w // 2)


# ---- DCGAN --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DCGANConfig:
    latent_dim: int = 32  # the "lean DCGAN" of reference.md: 46 % confident digits after 60 s on CPU
    prior: str = "normal"
    g_channels: int = 32  # G: z → 2c·7·7 → c·14·14 → 1·28·28
    d_channels: int = 32  # D: 1·28·28 → c·14·14 → 2c·7·7 → 1
    batch_norm: bool = True  # in G only, after every layer but the last (as DCGAN does)
    # class-conditional when > 0: G reads the label's one-hot code after z (models.sample_latent), D is a
    # projection discriminator (Miyato & Koyama 2018): D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩
    num_classes: int = 0

    def __post_init__(self) -> None:
        _check(self, ("latent_dim",), 1, 4096)
        _check(self, ("g_channels", "d_channels"), 1, 512)
        _check(self, ("num_classes",), 0, 1000)

    def to_dict(self) -> dict:
        return asdict(self)

    def build_generator(self) -> nn.Module:
        return _seeded(DcganGenerator(self))

    def build_discriminator(self) -> nn.Module:
        return _seeded(DcganDiscriminator(self))


class DcganGenerator(nn.Module):
    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        c = cfg.g_channels
        norm = (lambda n: nn.BatchNorm2d(n)) if cfg.batch_norm else (lambda n: nn.Identity())
        self.c = c
        self.project = nn.Linear(cfg.latent_dim + cfg.num_classes, 2 * c * 7 * 7)  # z (+ label) → a 7×7 map
        self.net = nn.Sequential(
            norm(2 * c), nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), norm(c), nn.ReLU(),  # 7 → 14
            FoldConvTranspose2d(c, 1, 4, stride=2, padding=1), nn.Tanh(),  # 14 → 28
        )  # fmt: skip

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(-1, 2 * self.c, 7, 7)  # [N, 2c·49] → [N, 2c, 7, 7]
        return self.net(h)  # [N, 1, 28, 28]


class DcganDiscriminator(nn.Module):
    def __init__(self, cfg: DCGANConfig) -> None:
        super().__init__()
        c = cfg.d_channels
        self.net = nn.Sequential(
            UnfoldConv2d(1, c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),  # 28 → 14
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1), nn.LeakyReLU(0.2),  # 14 → 7
            nn.Flatten(),  # [N, 2c, 7, 7] → [N, 2c·49]
            nn.Linear(2 * c * 7 * 7, 1),
        )  # fmt: skip
        self.num_classes = cfg.num_classes
        if cfg.num_classes:  # one learned direction per class in D's last feature space
            self.embed = nn.Embedding(cfg.num_classes, 2 * c * 7 * 7)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """[N, 1, 28, 28] (and, if conditional, labels [N]) → logits [N, 1]."""
        if not self.num_classes:
            return self.net(x)
        if labels is None:
            raise ValueError("this discriminator is class-conditional: pass the labels")
        features = self.net[:-1](x)  # φ(x) [N, 2c·49]
        return self.net[-1](features) + (self.embed(labels) * features).sum(1, keepdim=True)


# ---- weights ------------------------------------------------------------------------------------
def init_image_weights(module: nn.Module, gen: torch.Generator) -> None:
    """PyTorch's default init for Linear, Conv2d and ConvTranspose2d, drawn from a private generator.

    ``models.init_weights`` (which the Trainer calls) only re-draws Linear layers; this covers the
    convolutions too, so building a network never touches the global random stream.
    """
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
        elif isinstance(layer, nn.Embedding):
            nn.init.normal_(layer.weight, generator=gen)  # PyTorch's default N(0, 1)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.ones_(layer.weight)
            nn.init.zeros_(layer.bias)


def _seeded(module: nn.Module, seed: int = 0) -> nn.Module:
    """Deterministic construction: the same config always gives the same starting weights.

    The Trainer then re-draws the Linear layers from its seed (``models.init_weights``); conv layers keep
    these weights until ``init_weights`` learns about them (see ``init_image_weights``).
    """
    init_image_weights(module, torch.Generator().manual_seed(seed))
    return module


@torch.no_grad()
def recalibrate_batch_norm(G: nn.Module, latent, batches: int = 20, batch_size: int = 500) -> nn.Module:
    """Re-estimate G's batch-norm running statistics for its current weights; returns G in eval mode.

    An EMA generator carries the live G's running statistics, which were measured on different weights;
    in eval mode that mismatch can blur samples. ``latent(n)`` draws z [n, latent_dim]. No-op without BN.
    """
    norms = [m for m in G.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if norms:
        saved = [m.momentum for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the batches below
        G.train()
        for _ in range(batches):
            G(latent(batch_size))
        for m, momentum in zip(norms, saved):
            m.momentum = momentum
    return G.eval()


def start_from_generator(trainer, state: dict[str, torch.Tensor]) -> None:
    """Warm start: G and its moving average take a pretrained generator's weights; D keeps its fresh ones.

    Call before training starts (the worker thread must not be running); republishes step 0's weights.
    """
    trainer.G.load_state_dict(state)
    trainer.G_ema.load_state_dict(state)
    trainer.republish()


# ---- real digits as a Trainer data source ---------------------------------------------------------
class ImageSampler:
    """Serves random real images [n, 1, 28, 28] from a tensor kept on one device (no per-step copy).

    Indexes are drawn from the caller's generator (the Trainer's), so the same seed gives the same batches.
    With ``labels`` [N] it also serves each image's class (``sample_labelled``), for class-conditional GANs.
    """

    def __init__(
        self, images: torch.Tensor, device: torch.device | str = "cpu", labels: torch.Tensor | None = None
    ) -> None:
        if images.dim() != 4 or tuple(images.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"images must be [N, 1, 28, 28], got {list(images.shape)}")
        if labels is not None and labels.shape != (len(images),):
            raise ValueError(f"labels must be [N] = [{len(images)}], got {list(labels.shape)}")
        self.images = images.to(device=device, dtype=torch.float32).contiguous()
        self.labels = None if labels is None else labels.to(device=device, dtype=torch.int64)

    def __len__(self) -> int:
        return len(self.images)

    def sample(self, n: int, gen: torch.Generator, device: torch.device | str = "cpu") -> torch.Tensor:
        return self.sample_labelled(n, gen, device)[0]  # [n, 1, 28, 28]

    def sample_labelled(
        self, n: int, gen: torch.Generator, device: torch.device | str = "cpu"
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n random images [n, 1, 28, 28] and their labels [n] (None when the sampler has none)."""
        idx = torch.randint(len(self.images), (n,), generator=gen, device=gen.device).to(self.images.device)
        labels = None if self.labels is None else self.labels[idx].to(device)
        return self.images[idx].to(device), labels


MNIST_MODELS: dict[str, type] = {"mlp": MnistMLPConfig, "dcgan": DCGANConfig}
