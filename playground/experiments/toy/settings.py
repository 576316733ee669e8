"""The toy 2-D page's settings, declared once: widgets, defaults, share link, lock, live/reset split, presets.

The page starts from the default preset; every option a preset needs is offered, so ``?preset=NAME`` restores
it exactly. Presets with remedies other than packing need settings this page does not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace

from playground.experiments.toy.presets import DEFAULT_PRESET, PRESETS, Preset
from playground.gan.data import DATASETS
from playground.gan.losses import LOSSES
from playground.gan.models import ACTIVATIONS, ModelConfig
from playground.gan.trainer import OPTIMIZERS, TrainConfig
from playground.settings import Experiment, Setting
from playground.settings.labels import LOSS_FORMULAS, LOSS_LABELS, OPTIMIZER_LABELS

_M, _T = PRESETS[DEFAULT_PRESET].model, PRESETS[DEFAULT_PRESET].train

UPLOAD = "upload"  # the dataset option that asks for a CSV file (it cannot travel in a link)
DATASET_LABELS = {
    "ring8": "Ring of 8 Gaussians",
    "grid25": "Grid of 25 Gaussians",
    "swissroll": "Swiss roll",
    "moons": "Two moons",
    "circles": "Two circles",
    "spiral": "Two-arm spiral",
    UPLOAD: "Upload CSV…",
}
for _name in DATASETS:  # a dataset added to the core still shows up, with its key as label
    DATASET_LABELS.setdefault(_name, _name)
DATASET_OPTIONS = (*(n for n in DATASET_LABELS if n in DATASETS), UPLOAD)

# every preset's learning rates are offered too, so ?preset=… restores them exactly
LEARNING_RATES = tuple(
    sorted(
        {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}
        | {lr for p in PRESETS.values() for lr in (p.train.lr_d, p.train.lr_g)}
    )
)
BATCH_SIZES = (16, 32, 64, 128, 256, 512, 1024)
PACKS = (1, 2, 4)  # PacGAN pack sizes; every batch size above divides by them
WIDTHS = (8, 16, 32, 64, 128, 256, 512)
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, "full")
REFRESH_RATES = (1, 2, 4, 5, 8, 10)
_g = "{:g}".format

SETTINGS = (
    Setting("dataset", "ring8", "Dataset", "The real distribution p_data the generator must learn. Needs Reset.",
            "select", DATASET_OPTIONS, DATASET_LABELS, local=(UPLOAD,), group="Data"),
    Setting("loss", _T.loss, "Loss", f"The game's objective. {LOSS_FORMULAS} Applies live: switch it while training.",
            "select", tuple(LOSSES), LOSS_LABELS, live=True, group="Training"),
    Setting("optimizer", _T.optimizer, "Optimizer", "Optimizer for both players. Needs Reset (it has internal state).",
            "select", OPTIMIZERS, OPTIMIZER_LABELS, group="Training"),
    Setting("lr_d", _T.lr_d, "Learning rate D", "Discriminator step size. Applies live.",
            "select_slider", LEARNING_RATES, _g, live=True, group="Training"),
    Setting("lr_g", _T.lr_g, "Learning rate G", "Generator step size. Applies live.",
            "select_slider", LEARNING_RATES, _g, live=True, group="Training"),
    Setting("k", _T.k, "k: D steps per G step", "Algorithm 1 trains D k times, then G once. Applies live.",
            "slider", (1, 10), live=True, group="Training"),
    Setting("batch_size", _T.batch_size, "Batch size m", "Real and noise samples per step. Applies live.",
            "select_slider", BATCH_SIZES, live=True, group="Training"),
    Setting("reuse_fakes", _T.reuse_fakes, "G reuses D's fakes (DCGAN-style speed-up)",
            "Off (default): Algorithm 1 — G's update samples a fresh minibatch of noise. On: G's update reuses the "
            "fakes of the last D step (one G forward less per step). Applies live.",
            "toggle", live=True, group="Training"),
    Setting("seed", _T.seed, "Seed", "Seeds the initial weights and every random draw. Needs Reset.",
            "number", (0, 10_000), group="Training"),
    Setting("hidden", _M.hidden, "Width (units per layer)", "Hidden units in every layer of G and D. Needs Reset.",
            "select_slider", WIDTHS, group="Networks"),
    Setting("depth", _M.depth, "Depth (hidden layers)", "Hidden layers in G and in D. Needs Reset.",
            "slider", (1, 4), group="Networks"),
    Setting("activation", _M.activation, "Activation", "Non-linearity between layers. Needs Reset.",
            "select", tuple(ACTIVATIONS), group="Networks"),
    Setting("latent_dim", _M.latent_dim, "Latent dimension z",
            "Size of the noise z fed to G. 1 is too few to cover 8 modes. Needs Reset.",
            "slider", (1, 8), group="Networks"),
    Setting("pack", _M.pack, "D judges samples in packs of",
            "PacGAN (Lin et al. 2018): D sees this many samples at once, which punishes a generator that drops "
            "modes. 1 = the plain GAN of the paper (on ring8 it lost modes on about half the seeds we measured); "
            "2 kept all 8 on every seed. Needs Reset.",
            "select_slider", PACKS, group="Networks"),
    Setting("speed", "full", "Speed (steps/s)",
            "Cap the training speed to watch slowly; 'full' trains as fast as the CPU allows.",
            "select_slider", SPEEDS, control=True, group="Run"),
    Setting("refresh", 4, "Plot refresh (per s)",
            "How often the plots redraw while training; lower it on a slow machine.",
            "select_slider", REFRESH_RATES, view=True, group="Run"),
    Setting("show_arrows", True, "Gradient arrows on fakes",
            "Arrows: ∇ₓD(G(z)), the direction each fake point is pushed by the generator step.",
            "toggle", view=True, group="Overlays"),
    Setting("show_dstar", False, "Show optimal D*",
            "D*(x) = p_data/(p_data + p_g) for the current G, beside the learned D.",
            "toggle", view=True, group="Overlays"),
)  # fmt: skip
_NAMES = {s.name for s in SETTINGS}
MODEL_FIELDS = tuple(f.name for f in fields(ModelConfig) if f.name in _NAMES)  # what the page sets of each config
TRAIN_FIELDS = tuple(f.name for f in fields(TrainConfig) if f.name in _NAMES)


def model_config(values: Mapping[str, object]) -> ModelConfig:
    """The networks the page's settings (by name) describe; every other field keeps the default preset's value."""
    return replace(_M, **{f: values[f] for f in MODEL_FIELDS})


def train_config(values: Mapping[str, object]) -> TrainConfig:
    return replace(_T, **{f: values[f] for f in TRAIN_FIELDS})


def preset_values(preset: Preset) -> dict[str, object] | None:
    """A preset as the page's setting values, or None when it needs fields the page does not have (remedies)."""
    model = {f: getattr(preset.model, f) for f in MODEL_FIELDS}
    train = {f: getattr(preset.train, f) for f in TRAIN_FIELDS}
    exact = model_config(model) == preset.model and train_config(train) == preset.train
    return {"dataset": preset.dataset, **model, **train} if exact else None


TOY = Experiment(
    "toy",
    SETTINGS,
    presets={name: preset_values(p) for name, p in PRESETS.items()},
    presets_elsewhere="the Mode-collapse lab",
)
