"""Display labels shared by several experiments' declarations (keys live in the core, words for people here)."""

from playground.gan.losses import LOSSES

LOSS_LABELS = {  # short enough for the sidebar's select box; the formulas belong in the help text
    "nonsat": "Non-saturating",
    "minimax": "Minimax (paper)",
    "wgan-gp": "WGAN-GP",
    "lsgan": "Least squares",
    "hinge": "Hinge",
}
# the help text of every loss select box: what each option's generator minimises
LOSS_FORMULAS = (
    "Non-saturating: G minimises −log D(G(z)) (strong gradients early). Minimax (paper): G minimises "
    "log(1 − D(G(z))), which saturates while D rejects the fakes. WGAN-GP: a critic score and a gradient penalty. "
    "Least squares: (D − 1)² on raw outputs. Hinge: max(0, 1 ∓ D) for the critic."
)
for _name in LOSSES:  # a loss added to the core still shows up, with its key as label
    LOSS_LABELS.setdefault(_name, _name)
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9", "rmsprop": "RMSprop"}
