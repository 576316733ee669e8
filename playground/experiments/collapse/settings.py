"""The mode-collapse lab's settings, declared once: widgets, defaults, share link, lock, what each run is built from.

Three runs read them: the side-by-side pair (left, right, seed), the many-seed sweep (left, right, seed count;
its step budget steers the run) and the MNIST pair (seed). ``?preset=NAME`` shows that preset on the right,
beside the setting it starts from.
"""

from __future__ import annotations

from playground.experiments.toy.presets import PRESETS, presets_for
from playground.settings import Experiment, Setting

DATASET_LABELS = {"ring8": "Ring of 8 Gaussians", "grid25": "Grid of 25 Gaussians"}
REFRESH_RATES = (0.5, 1, 2, 4)
SEED_COUNTS = (2, 4, 8, 12, 16)
PAIR_SETTINGS = ("left", "right", "seed")  # what the side-by-side pair is built from
SWEEP_SETTINGS = ("left", "right", "sweep_seeds")  # … the many-seed sweep
DIGITS_SETTINGS = ("seed",)  # … the MNIST pair


def preset_label(name: str) -> str:
    """How a preset is listed in a selector: its name, and the remedies it applies in brackets."""
    remedies = PRESETS[name].remedies
    return f"{name} ({', '.join(remedies)})" if remedies else name


def usual_pair(dataset: str) -> dict[str, object]:
    """A data set's collapse preset on the left, its first remedy preset on the right, the left's step count."""
    names = presets_for(dataset)
    right = next((n for n in names[1:] if PRESETS[n].base), names[-1])
    return {"left": names[0], "right": right, "sweep_steps": PRESETS[names[0]].steps}


def preset_pair(name: str) -> dict[str, object]:
    """``?preset=NAME``: that preset on the right, beside the setting it starts from (or its data's collapse one)."""
    preset = PRESETS[name]
    left = preset.base or presets_for(preset.dataset)[0]
    return {"dataset": preset.dataset, "left": left, "right": name, "sweep_steps": preset.steps}


COLLAPSE = Experiment(
    "collapse",
    (
        Setting("dataset", "ring8", "Data",
                "The Gaussian mixture both runs learn; picking one selects its collapse preset and a remedy.",
                "radio", tuple(DATASET_LABELS), DATASET_LABELS, group="Setup"),
        Setting("left", "collapse-ring8", "Left run",
                "A named setting (see the README); 'collapse-…' is a vanilla GAN that loses modes. Needs Reset.",
                "select", tuple(PRESETS), preset_label, group="Setup"),
        Setting("right", "pacgan-ring8", "Right run",
                "Usually the same setting plus one remedy, trained from the same seed. Needs Reset.",
                "select", tuple(PRESETS), preset_label, group="Setup"),
        # seed 0: collapse-ring8 keeps 4 of 8 modes there and pacgan-ring8 all 8 (presets.py, 6,000 steps)
        Setting("seed", 0, "Seed",
                "Both runs start from this seed: the same initial generator and the same data. Needs Reset.",
                "number", (0, 10_000), group="Setup"),
        Setting("refresh", 2, "Plot refresh (per s)",
                "How often the plots redraw while training; lower leaves more CPU to training.",
                "select_slider", REFRESH_RATES, view=True, group="Setup"),
        Setting("sweep_seeds", 8, "Seeds per configuration",
                "Every seed trains at once in one stacked network per configuration (vectorised). Needs Reset.",
                "select_slider", SEED_COUNTS, group="Many seeds"),
        Setting("sweep_steps", usual_pair("ring8")["sweep_steps"], "Steps",
                "Training pauses here; the presets' descriptions were measured at their own step count.",
                "number", (100, 20_000), control=True, group="Many seeds"),
    ),
    presets={name: preset_pair(name) for name, p in PRESETS.items() if p.dataset in DATASET_LABELS},
)  # fmt: skip
