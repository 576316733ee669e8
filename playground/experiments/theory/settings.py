"""The 1-D theory page's settings, declared once: widgets, defaults, share link, lock, what needs Reset.

Every training setting needs Reset (the page rebuilds both networks); the speed cap and the D* overlay are each
student's own view, so a lecturer's ``lock=1`` link leaves them free. Defaults are the calibrated THEORY_* configs.
"""

from __future__ import annotations

from playground.experiments.theory.runs import CUSTOM_EXAMPLE, THEORY_MODEL, THEORY_TRAIN, parse_mixture
from playground.settings import Experiment, Setting

CUSTOM = "custom"  # the p_data choice that reads the user's mixture text instead of a preset
DATA_LABELS = {
    "gaussian": "Gaussian N(2, 0.5²)",
    "mixture": "Two Gaussians at 1.5 and 3.5",
    "uniform": "Uniform on [1, 3]",
    CUSTOM: "Your mixture…",
}
PRIOR_LABELS = {"uniform": "uniform on [−1, 1] (as in the paper)", "normal": "standard normal"}
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9 (the paper's)"}
LEARNING_RATES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2)
WIDTHS = (8, 16, 32, 64, 128)
SPEEDS = (5, 10, 20, 50, 100, "full")
_M, _T = THEORY_MODEL, THEORY_TRAIN

THEORY = Experiment(
    "theory",
    (
        Setting("data", "gaussian", "p_data",
                "The real distribution the generator must learn. All presets sit away from G's start at x ≈ 0. "
                "Needs Reset.",
                "select", tuple(DATA_LABELS), DATA_LABELS, group="Data"),
        Setting("custom", CUSTOM_EXAMPLE, "Mixture: weight, mean, std; …",
                "One Gaussian per ';'-separated triple, e.g. 0.7, 2, 0.4; 0.3, 4, 0.3. Weights are normalised. "
                "Needs Reset.",
                "text", check=parse_mixture, group="Data"),
        Setting("prior", _M.prior, "Noise z", "The generator maps this 1-D noise to x = G(z). Needs Reset.",
                "radio", tuple(PRIOR_LABELS), PRIOR_LABELS, group="Training"),
        Setting("hidden", _M.hidden, "Width (units per layer)", "Hidden units in both 2-layer MLPs. Needs Reset.",
                "select_slider", WIDTHS, group="Training"),
        Setting("optimizer", _T.optimizer, "Optimizer", "Optimizer of both players. Needs Reset.",
                "select", tuple(OPTIMIZER_LABELS), OPTIMIZER_LABELS, group="Training"),
        Setting("lr", _T.lr_d, "Learning rate", "For D and G. Needs Reset.",
                "select_slider", LEARNING_RATES, "{:g}".format, group="Training"),
        Setting("k", _T.k, "k: D steps per G step", "Algorithm 1's inner loop. Needs Reset.",
                "slider", (1, 10), group="Training"),
        Setting("seed", _T.seed, "Seed", "Initial weights and data draws.", "number", (0, 10_000), group="Training"),
        Setting("speed", "full", "Speed (steps/s)", "Cap the speed to watch slowly; 'full' is as fast as the CPU.",
                "select_slider", SPEEDS, view=True, group="Run"),
        Setting("show_dstar", True, "Show optimal D*", "D*(x) = p_data / (p_data + p_g) for the current G.",
                "toggle", view=True, group="View"),
    ),
)  # fmt: skip
