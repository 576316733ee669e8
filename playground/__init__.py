"""GAN Playground core: data, models, losses, training, metrics, figures and checkpoints (no UI)."""

__version__ = "0.1.0"
