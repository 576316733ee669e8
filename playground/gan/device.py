"""Where tensors live: the best available accelerator unless the caller (or ``$PLAYGROUND_DEVICE``) says otherwise."""

from __future__ import annotations

import os

import torch

DEVICE_ENV = "PLAYGROUND_DEVICE"  # e.g. cpu or cuda: what the app's pages use instead of the best available device


def pick_device(override: str | None = None) -> torch.device:
    """``None``/"auto" → ``$PLAYGROUND_DEVICE`` if set, else cuda > mps > cpu; an explicit name must be available or we
    say why not."""
    if override in (None, "", "auto"):
        override = os.environ.get(DEVICE_ENV, "").strip() or "auto"
    if override == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(override)
    except RuntimeError:
        raise ValueError(f"Unknown device {override!r}; use auto, cpu, cuda or mps.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("MPS was requested but is not available on this machine; use --device cpu.")
    return device
