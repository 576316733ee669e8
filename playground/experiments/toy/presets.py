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
        "on every seed, 94 % high quality; the same without packing: 5 modes on seeds 0 and 1.",
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
    "Over 8 seeds (0–7, 3,000 steps): 7.1 ± 0.4 of 8 modes captured, 6.5 ± 0.7 holding ≥ 1 %, 90 % high "
    "quality; 6 of 8 seeds lose at least one mode, seed 1 keeps only 2 modes above 1 % (5 captured).",
)
PRESETS["collapse-ring8"] = _COLLAPSE_RING8
PRESETS["pacgan-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "pacgan=2",
    "collapse-ring8 with PacGAN2 (D judges pairs). Over 8 seeds (0–7, 3,000 steps): 8.0 of 8 modes captured "
    "and 8.0 holding ≥ 1 % on every seed, 84 % high quality (72–91 %).",
)
PRESETS["mbstd-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "mbstd=4",
    "collapse-ring8 with a minibatch-stddev feature (groups of 4). Over 8 seeds (0–7, 3,000 steps): 7.75 of 8 "
    "modes captured, 7.5 holding ≥ 1 %, 72 % high quality (two seeds near 31–40 %).",
)
PRESETS["noise-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "noise=0.3",
    "collapse-ring8 with instance noise σ₀ = 0.3 on D's inputs, annealed to 0 by step 2,000. Over 8 seeds "
    "(0–7, 3,000 steps): 8.0 of 8 modes captured and 8.0 holding ≥ 1 % on every seed, 90 % high quality "
    "(80–94 %).",
)

PRESETS["unrolled-ring8"] = _with_remedy(
    "collapse-ring8",
    _COLLAPSE_RING8,
    "unrolled=5",
    "collapse-ring8 with a 5-step unrolled D (about 6× slower per step; the sweep trains it seed by seed, not "
    "vectorised). Over 3 seeds (0–2, 3,000 steps): 8 of 8 modes captured and holding ≥ 1 % on each, 88 % high "
    "quality — including seed 1, where the vanilla run keeps only 2 modes above 1 %.",
)

# A latent too small for the data: z = 1 draws one curve, which cannot visit 8 separate modes without
# leaving samples between them. A remedy can trade quality for coverage but not fix the capacity.
_COLLAPSE_RING8_Z1 = Preset(
    "ring8",
    ModelConfig(hidden=32, latent_dim=1),
    TrainConfig(lr_d=5e-3, lr_g=5e-3),
    3000,
    "collapse-ring8 with a 1-D latent z: collapses on every seed. Over 8 seeds (0–7, 3,000 steps): 4.9 ± 0.2 "
    "of 8 modes captured (4–6 per seed), 3.9 holding ≥ 1 %, 81 % high quality.",
)
PRESETS["collapse-ring8-z1"] = _COLLAPSE_RING8_Z1
PRESETS["pacgan-ring8-z1"] = _with_remedy(
    "collapse-ring8-z1",
    _COLLAPSE_RING8_Z1,
    "pacgan=2",
    "collapse-ring8-z1 with PacGAN2: more modes get samples, paid for in quality. Over 8 seeds (0–7, 3,000 "
    "steps): 7.0 of 8 modes captured, 4.6 holding ≥ 1 %, 51 % high quality.",
)

# ---- grid of 25 --------------------------------------------------------------------------------------------
# The app's default nets, trained long enough for the samples to sharpen (12,500 steps: about 4 minutes for a
# 5-seed vectorised sweep on one CPU core). Measured with playground.sweep, seeds 0–4; mean ± sd over seeds.
# Vanilla sharpens by dropping modes (as in the PacGAN paper's table: 17.3 modes, 95 % high quality);
# PacGAN2 keeps them but converges more slowly (at 5,000 steps it had 22.8 modes and only 19 % high quality).
_COLLAPSE_GRID25 = Preset(
    "grid25",
    ModelConfig(),
    TrainConfig(),
    12500,
    "Vanilla GAN with the app's default settings (2-128-128 ReLU, z = 2, Adam 1e-3 β(0.5, 0.9), batch 256, "
    "EMA samples) on the 25-mode grid: it sharpens by dropping modes. Over 5 seeds (0–4, 12,500 steps), mean ± sd: "
    "13.8 ± 2.5 of 25 modes captured (10–16), 8.0 ± 1.9 holding ≥ 1 %, 83.7 ± 8.8 % high quality; "
    "at 5,000 steps 18.4 ± 1.5 captured, 6.4 ± 1.8 holding ≥ 1 %, 50 ± 17 % high quality.",
)
PRESETS["collapse-grid25"] = _COLLAPSE_GRID25
PRESETS["pacgan-grid25"] = _with_remedy(
    "collapse-grid25",
    _COLLAPSE_GRID25,
    "pacgan=2",
    "collapse-grid25 with PacGAN2 (D judges pairs). Over 5 seeds (0–4, 12,500 steps), mean ± sd: 24.8 ± 0.4 of "
    "25 modes captured (24–25), 23.0 ± 2.7 holding ≥ 1 %, 85.6 ± 4.1 % high quality (80–90 %), near the PacGAN "
    "paper's 23.8 modes and 91 %. Packing slows convergence: at 5,000 steps 22.8 ± 1.9 captured but only "
    "18.5 ± 7.0 % high quality.",
)


def presets_for(dataset: str) -> list[str]:
    """Names of the presets on one dataset, collapse setting first."""
    names = [n for n, p in PRESETS.items() if p.dataset == dataset]
    rank = lambda n: 0 if n.startswith("collapse") else 2 if PRESETS[n].base is None else 1  # stable: keeps order
    return sorted(names, key=rank)
