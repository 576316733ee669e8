"""experiments.collapse."""
