"""experiments.theory."""
