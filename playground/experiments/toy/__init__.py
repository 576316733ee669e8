"""experiments.toy."""
