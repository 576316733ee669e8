"""The MNIST page's settings, declared once: widgets, defaults, share link, lock, live/reset split.

The page starts from the DCGAN family's best settings (presets.FAMILY_DEFAULTS); picking a model sets that
family's (``family_values``). The share link keeps its parameter names (``augment``, not the TrainConfig field
``augment_shift``): ``TRAIN_NAMES`` translates them for the run (``run_settings``, ``run.train_config``).
"""

from __future__ import annotations

from collections.abc import Mapping

from playground.digits.models import MNIST_MODELS
from playground.experiments.mnist.presets import FAMILY_DEFAULTS
from playground.gan.losses import LOSSES
from playground.gan.trainer import OPTIMIZERS
from playground.settings import Experiment, Setting
from playground.settings.labels import LOSS_FORMULAS, LOSS_LABELS, OPTIMIZER_LABELS

MODEL_LABELS = {"mlp": "MLP GAN (Goodfellow et al. 2014)", "dcgan": "DCGAN (Radford et al. 2016)"}
START_LABELS = {"scratch": "Random weights", "pretrained": "Pretrained generator"}
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2)
BATCH_SIZES = (16, 32, 64, 128, 256)
LATENT_DIMS = (2, 8, 16, 32, 64, 100, 128)
REFRESH_RATES = (0.5, 1, 2, 4)
AUGMENT_SHIFTS = (0, 1, 2, 3, 4)
DEFAULT_MODEL = "dcgan"


def family_settings(model: str) -> dict[str, object]:
    """The settings that trained ``model`` best here (presets.FAMILY_DEFAULTS), by setting name."""
    m, t = FAMILY_DEFAULTS[model]
    return {"loss": t.loss, "k": t.k, "lr_d": t.lr_d, "lr_g": t.lr_g, "latent_dim": m.latent_dim,
            "conditional": bool(getattr(m, "num_classes", 0)), "augment": t.augment_shift,
            "batch_size": t.batch_size}  # fmt: skip


_F = family_settings(DEFAULT_MODEL)
_g = "{:g}".format

SETTINGS = (
    Setting("model", DEFAULT_MODEL, "Model",
            "MLP: fully connected layers on the 784 pixels, as in the original GAN paper. DCGAN: transposed "
            "convolutions up (7×7 → 14×14 → 28×28) and strided convolutions down. Picking one sets the loss, k and "
            "learning rates that trained it best here. Needs Reset.",
            "radio", tuple(MNIST_MODELS), MODEL_LABELS, group="Model"),
    Setting("conditional", _F["conditional"], "Class-conditional: tell G and D the digit",
            "G gets the digit's label (one-hot) beside z and draws that digit; D judges image and label together "
            "(projection discriminator, Miyato & Koyama 2018). Each grid column is then one digit. Off: the plain "
            "GAN, which must find the ten digits by itself (slower, and it can lose some). DCGAN only. Needs Reset. "
            "With a pretrained start it picks the shipped conditional or plain DCGAN.",
            "checkbox", group="Model"),
    Setting("start", "scratch", "Start from",
            "Random weights: watch digits emerge from noise. Pretrained: G starts from the shipped generator "
            "(trained for minutes, see pretrained/README.md) and D from scratch. Needs Reset.",
            "radio", tuple(START_LABELS), START_LABELS, group="Model"),
    Setting("latent_dim", _F["latent_dim"], "Latent dimension z", "Size of the noise vector z fed to G. Needs Reset.",
            "select_slider", LATENT_DIMS, group="Model"),
    Setting("loss", _F["loss"], "Loss",
            f"The game's objective. {LOSS_FORMULAS} Applies live: switch it while training. WGAN-GP uses the "
            "paper's image setting λ = 10 for its gradient penalty.",
            "select", tuple(LOSSES), LOSS_LABELS, live=True, group="Training"),
    Setting("optimizer", "adam", "Optimizer", "Optimizer for both players. Needs Reset (it has internal state).",
            "select", OPTIMIZERS, OPTIMIZER_LABELS, group="Training"),
    Setting("lr_d", _F["lr_d"], "Learning rate D", "Discriminator step size. Applies live.",
            "select_slider", LEARNING_RATES, _g, live=True, group="Training"),
    Setting("lr_g", _F["lr_g"], "Learning rate G", "Generator step size. Applies live.",
            "select_slider", LEARNING_RATES, _g, live=True, group="Training"),
    Setting("k", _F["k"], "k: D steps per G step", "Algorithm 1: k D steps, then one G step. Applies live.",
            "slider", (1, 5), live=True, group="Training"),
    Setting("batch_size", _F["batch_size"], "Batch size m", "Real digits and noise samples per step. Applies live.",
            "select_slider", BATCH_SIZES, live=True, group="Training"),
    Setting("augment", _F["augment"], "Shift D's images by up to ± px",
            "Data augmentation for D (DiffAugment, Zhao et al. 2020): every real and fake image is moved by a "
            "random offset before D judges it, so D cannot memorise the 4,500 training digits and G learns faster. "
            "0 = off. Applies live.",
            "select_slider", AUGMENT_SHIFTS, live=True, group="Training"),
    Setting("seed", 0, "Seed",
            "Seeds the initial weights, every random draw and the fixed z of the sample grid. Needs Reset.",
            "number", (0, 10_000), group="Training"),
    Setting("refresh", 1, "Picture refresh (per s)",
            "How often samples and plots redraw while training; lower leaves more CPU to training.",
            "select_slider", REFRESH_RATES, view=True, group="Run"),
)  # fmt: skip
MNIST = Experiment("mnist", SETTINGS)

TRAIN_NAMES = {"augment": "augment_shift"}  # setting → TrainConfig field, where the share link's name is shorter
TRAIN_SETTINGS = ("loss", "optimizer", "lr_d", "lr_g", "k", "batch_size", "augment", "seed")
LIVE_FIELDS = tuple(TRAIN_NAMES.get(n, n) for n in MNIST.live_names)  # what the trainer's reconfigure takes


def family_values(model: str) -> dict[str, object]:
    """Widget values that picking ``model`` sets: the settings that trained that family best."""
    return MNIST.preset(family_settings(model))


def run_settings(values: Mapping[str, object]) -> dict[str, object]:
    """What a run is built from and updated with, under the trainer's names (``LIVE_FIELDS`` among them)."""
    return {TRAIN_NAMES.get(n, n): v for n, v in MNIST.run_settings(values).items()}
