"""Display labels shared by several experiments' declarations (keys live in the core, words for people here)."""

from playground.gan.losses import LOSSES

LOSS_LABELS = {
    "nonsat": "Non-saturating (−log D(G(z)))",
    "minimax": "Minimax (paper: log(1 − D(G(z))))",
    "wgan-gp": "WGAN-GP",
    "lsgan": "Least squares (LSGAN)",
    "hinge": "Hinge",
}
for _name in LOSSES:  # a loss added to the core still shows up, with its key as label
    LOSS_LABELS.setdefault(_name, _name)
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9", "rmsprop": "RMSprop"}
