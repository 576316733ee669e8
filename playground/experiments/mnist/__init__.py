"""experiments.mnist."""
