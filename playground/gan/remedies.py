"""Remedies for mode collapse, by name, as edits of the model and training configs.

A remedy spec is ``NAME`` or ``NAME=VALUE`` (e.g. ``unrolled=5``, ``pacgan=2``); several combine
where they touch different fields. The same names are used by the CLI (``--remedy``) and the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig

Configs = tuple[ModelConfig, TrainConfig]


@dataclass(frozen=True)
class Remedy:
    summary: str  # one or two sentences for the page
    paper: str
    default: float | None  # the value used when the spec has none (None: takes no value)
    apply: Callable[[Configs, float], Configs]


REMEDIES: dict[str, Remedy] = {
    "unrolled": Remedy(
        "The generator is scored against the discriminator it would face after K more D steps, so it "
        "cannot win by hopping to the one mode D currently forgets.",
        "Metz et al. 2017, Unrolled Generative Adversarial Networks",
        5,
        lambda c, v: (c[0], replace(c[1], unroll_steps=int(v))),
    ),
    "pacgan": Remedy(
        "D judges m samples at once; a collapsed generator's packs look suspiciously alike, so collapse is penalised.",
        "Lin et al. 2018, PacGAN: The power of two samples in generative adversarial networks",
        2,
        lambda c, v: (replace(c[0], pack=int(v)), c[1]),
    ),
    "mbstd": Remedy(
        "D also sees how spread out a small group of samples is; fakes with too little variety stand out.",
        "Karras et al. 2018, Progressive Growing of GANs (minibatch standard deviation)",
        4,
        lambda c, v: (replace(c[0], mbstd_group=int(v)), c[1]),
    ),
    "noise": Remedy(
        "Gaussian noise on D's inputs, annealed to zero, makes the two distributions overlap early so "
        "D's gradients stay informative everywhere.",
        "Sønderby et al. 2017; Arjovsky & Bottou 2017 (instance noise)",
        0.3,
        lambda c, v: (c[0], replace(c[1], instance_noise=float(v))),
    ),
    "wgan-gp": Remedy(
        "A critic estimating the Wasserstein distance, kept 1-Lipschitz by a gradient penalty, gives "
        "useful gradients even where the distributions do not overlap.",
        "Gulrajani et al. 2017, Improved Training of Wasserstein GANs",
        None,
        lambda c, v: (c[0], replace(c[1], loss="wgan-gp", k=5)),
    ),
    "lsgan": Remedy(
        "A least-squares loss penalises fakes by their distance to the decision boundary, not just its side.",
        "Mao et al. 2017, Least Squares Generative Adversarial Networks",
        None,
        lambda c, v: (c[0], replace(c[1], loss="lsgan")),
    ),
    "hinge": Remedy(
        "A margin loss: D stops pushing samples it already classifies with a margin, which tames saturation.",
        "Lim & Ye 2017, Geometric GAN; Miyato et al. 2018",
        None,
        lambda c, v: (c[0], replace(c[1], loss="hinge")),
    ),
}


def apply_remedies(model: ModelConfig, train: TrainConfig, specs: list[str]) -> Configs:
    """Apply ``NAME[=VALUE]`` specs in order; raises ValueError with a plain message on a bad spec."""
    configs: Configs = (model, train)
    for spec in specs:
        name, _, raw = spec.partition("=")
        remedy = REMEDIES.get(name.strip())
        if remedy is None:
            raise ValueError(f"Unknown remedy {name!r}; choose from {', '.join(REMEDIES)}.")
        if raw and remedy.default is None:
            raise ValueError(f"Remedy {name!r} takes no value.")
        try:
            value = float(raw) if raw else remedy.default
        except ValueError:
            raise ValueError(f"Remedy value {raw!r} is not a number.") from None
        configs = remedy.apply(configs, value)
    return configs
