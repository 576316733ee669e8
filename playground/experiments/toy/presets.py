"""Named, documented experiment setups shared by the CLI (``--preset``), the sweep and the pages.

Each remedy preset is its collapse preset with exactly one remedy applied (``apply_remedies``), so a
comparison changes one thing. Descriptions state what was measured, on how many seeds, with the
VEEGAN/PacGAN protocol (2,500 EMA samples; modes captured = ≥ 1 sample within 3σ; HQ = share within 3σ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.gan.models import ModelConfig
from playground.gan.remedies import apply_remedies
from playground.gan.trainer import TrainConfig


@dataclass(frozen=True)
class Preset:
    dataset: str
    model: ModelConfig
    train: TrainConfig
    steps: int
    description: str  # what it shows, and over how many seeds that was measured
    base: str | None = None  # the preset this one starts from (remedy presets)
    remedies: tuple[str, ...] = field(default=())  # ``NAME[=VALUE]`` specs applied to ``base``


def _with_remedy(base_name: str, base: Preset, spec: str, description: str) -> Preset:
    model, train = apply_remedies(base.model, base.train, [spec])
    return Preset(base.dataset, model, train, base.steps, description, base_name, (spec,))


DEFAULT_PRESET = "default-ring8"  # what the CLI and the toy page start from

PRESETS: dict[str, Preset] = {
    "default-ring8": Preset(
        "ring8",
        ModelConfig(pack=2),  # PacGAN2: the plain GAN (pack=1) lost 1–3 ring modes on about half the seeds
        TrainConfig(),
        5000,
        "The app's starting point: 2-128-128 ReLU nets, z = 2, Adam 1e-3 β(0.5, 0.9), batch 256, "
        "non-saturating loss, EMA samples, D judging pairs (PacGAN2). CLI, seeds 0–2, 5,000 steps: 8/8 modes "
        "on every seed, 94–95 % high quality; the same without packing: 7 modes on seed 0, 8 on seeds 1 and 2.",
    ),
}

# ---- ring of 8 ---------------------------------------------------------------------------------------------
# Measured with playground.sweep (vectorised, seeds 0–7, 3,000 steps). Per seed: (captured, ≥ 1 %, HQ).
_COLLAPSE_RING8 = Preset(
    "ring8",
    ModelConfig(hidden=32),  # small nets …
    TrainConfig(lr_d=5e-3, lr_g=5e-3),  # … and large steps: G overshoots onto the modes D currently favours
    3000,
    "Vanilla GAN that partially collapses: 2-32-32 ReLU nets, z = 2, Adam 5e-3 β(0.5, 0.9), batch 256. "
    "Over 8 seeds (0–7, 3,000 steps): 7.25 ± 0.3 of 8 modes captured, 6.6 ± 0.5 holding ≥ 1 %, 90 % high "
    "quality; 5 of 8 seeds lose at least one mode, seed 5 keeps only 4 modes above 1 % (8 captured).",
)
PRESETS["collapse-ring8"] = _COLLAPSE_RING8
PRESETS["pacgan-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "pacgan=2",
    "collapse-ring8 with PacGAN2 (D judges pairs). Over 8 seeds (0–7, 3,000 steps): 8.0 of 8 modes captured "
    "and 8.0 holding ≥ 1 % on every seed, 86 % high quality (81–90 %).",
)
PRESETS["mbstd-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "mbstd=4",
    "collapse-ring8 with a minibatch-stddev feature (groups of 4). Over 8 seeds (0–7, 3,000 steps): 7.9 of 8 "
    "modes captured, 7.75 holding ≥ 1 %, 86 % high quality (73–95 %).",
)
PRESETS["noise-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "noise=0.3",
    "collapse-ring8 with instance noise σ₀ = 0.3 on D's inputs, annealed to 0 by step 2,000. Over 8 seeds "
    "(0–7, 3,000 steps): 8.0 of 8 modes captured on every seed, 7.9 holding ≥ 1 %, 90 % high quality "
    "(79–94 %).",
)

PRESETS["unrolled-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "unrolled=5",
    "collapse-ring8 with a 5-step unrolled D (about 6× slower per step; the sweep trains it seed by seed, not "
    "vectorised). Over 8 seeds (0–7, 3,000 steps): 7.4 of 8 modes captured, each holding ≥ 1 % (6–8 per seed), "
    "88 % high quality (82–95 %); on seed 5, where the vanilla run keeps only 4 modes above 1 %, it keeps 7.",
)

# A latent too small for the data: z = 1 draws one curve, which cannot visit 8 separate modes without
# leaving samples between them. A remedy can trade quality for coverage but not fix the capacity.
_COLLAPSE_RING8_Z1 = Preset(
    "ring8",
    ModelConfig(hidden=32, latent_dim=1),
    TrainConfig(lr_d=5e-3, lr_g=5e-3),
    3000,
    "collapse-ring8 with a 1-D latent z: collapses on every seed. Over 8 seeds (0–7, 3,000 steps): 5.25 ± 0.45 "
    "of 8 modes captured (4–7 per seed), 3.4 holding ≥ 1 %, 80 % high quality.",
)
PRESETS["collapse-ring8-z1"] = _COLLAPSE_RING8_Z1
PRESETS["pacgan-ring8-z1"] = _with_remedy(
    "collapse-ring8-z1",
    _COLLAPSE_RING8_Z1,
    "pacgan=2",
    "collapse-ring8-z1 with PacGAN2: more modes get samples, paid for in quality. Over 8 seeds (0–7, 3,000 "
    "steps): 6.5 of 8 modes captured, 4.4 holding ≥ 1 %, 48 % high quality.",
)

# ---- grid of 25 --------------------------------------------------------------------------------------------
# The app's default nets, trained long enough for the samples to sharpen (12,500 steps: about 4 minutes for a
# 5-seed vectorised sweep on one CPU core). Measured with playground.sweep, seeds 0–4; mean ± sd over seeds.
# Vanilla sharpens by dropping modes (as in the PacGAN paper's table: 17.3 modes, 95 % high quality);
# PacGAN2 keeps them but converges more slowly (at 5,000 steps it had 23.6 modes and only 16 % high quality).
_COLLAPSE_GRID25 = Preset(
    "grid25",
    ModelConfig(),
    TrainConfig(),
    12500,
    "Vanilla GAN with the app's default settings (2-128-128 ReLU, z = 2, Adam 1e-3 β(0.5, 0.9), batch 256, "
    "EMA samples) on the 25-mode grid: it sharpens by dropping modes. Over 5 seeds (0–4, 12,500 steps), mean ± sd: "
    "15.6 ± 3.4 of 25 modes captured (11–19), 9.8 ± 3.1 holding ≥ 1 %, 81.0 ± 6.7 % high quality; "
    "at 5,000 steps 17.2 ± 3.8 captured, 5.6 ± 1.9 holding ≥ 1 %, 46 ± 15 % high quality.",
)
PRESETS["collapse-grid25"] = _COLLAPSE_GRID25
PRESETS["pacgan-grid25"] = _with_remedy(
    "collapse-grid25",
    _COLLAPSE_GRID25,
    "pacgan=2",
    "collapse-grid25 with PacGAN2 (D judges pairs). Over 5 seeds (0–4, 12,500 steps), mean ± sd: all 25 modes "
    "captured on every seed, 24.0 ± 2.2 holding ≥ 1 %, 87.2 ± 2.3 % high quality (83–89 %), near the PacGAN "
    "paper's 23.8 modes and 91 %. Packing slows convergence: at 5,000 steps 23.6 ± 0.5 captured but only "
    "15.9 ± 3.3 % high quality.",
)


def presets_for(dataset: str) -> list[str]:
    """Names of the presets on one dataset, collapse setting first."""
    names = [n for n, p in PRESETS.items() if p.dataset == dataset]
    rank = lambda n: 0 if n.startswith("collapse") else 2 if PRESETS[n].base is None else 1  # stable: keeps order
    return sorted(names, key=rank)
