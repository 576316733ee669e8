"""experiments.latent."""
