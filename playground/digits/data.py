"""MNIST digits for the image pages: full MNIST through torchvision, or the embedded 5,000-digit subset.

The app must work offline and on a fresh checkout, so every path that needs the network or a
data folder falls back to `assets/mnist_5k.npz` (500 real digits per class) and says so in
`MnistData.notice`, which the page shows. See `assets/README.md` for origin and licence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch

EMBEDDED_PATH = Path(__file__).parent / "assets" / "mnist_5k.npz"
HELDOUT_PER_CLASS = 50  # last 50 digits of each class in file order: 500 held out, 4,500 to train on

Split = Literal["train", "heldout"]


@dataclass(frozen=True, eq=False)  # eq=False: comparing tensors field by field is ambiguous
class MnistData:
    images: torch.Tensor  # [N, 1, 28, 28] float32 in [-1, 1], matching a tanh generator
    labels: torch.Tensor  # [N] int64
    source: str  # "torchvision" or "embedded"
    notice: str = ""  # why the embedded subset is used instead of what was asked for; "" when nothing to say


def _to_tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.as_tensor(images, dtype=torch.float32).unsqueeze(1)  # [N,28,28] -> [N,1,28,28]
    return x / 127.5 - 1.0, torch.as_tensor(labels, dtype=torch.int64)


@lru_cache(maxsize=1)
def _embedded_arrays() -> tuple[np.ndarray, np.ndarray]:
    with np.load(EMBEDDED_PATH) as f:
        return f["images"], f["labels"]


def embedded_split_indices(split: Split) -> np.ndarray:
    """Indices into the embedded file for `split`; fixed so held-out scores compare across runs."""
    _check_split(split)
    _, labels = _embedded_arrays()
    parts = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        parts.append(idx[-HELDOUT_PER_CLASS:] if split == "heldout" else idx[:-HELDOUT_PER_CLASS])
    return np.sort(np.concatenate(parts))


def embedded_mnist(split: Split = "train", notice: str = "") -> MnistData:
    """The embedded subset: 4,500 training or 500 held-out digits, 10 % of each class held out."""
    images, labels = _embedded_arrays()
    idx = embedded_split_indices(split)
    x, y = _to_tensors(images[idx], labels[idx])
    return MnistData(images=x, labels=y, source="embedded", notice=notice)


def load_mnist(root: str | None = None, download: bool = True, split: Split = "train") -> MnistData:
    """Full MNIST from `root` (train: 60,000; heldout: the 10,000 test digits), else the embedded subset.

    `root=None` means the embedded subset without touching disk or network. With a root, any
    failure (files missing and `download=False`, no network, corrupt files, no torchvision) falls
    back to the embedded subset with the reason in `notice`, so a page never breaks on data.
    """
    _check_split(split)
    if root is None:
        return embedded_mnist(split)
    try:
        from torchvision.datasets import MNIST  # optional at run time: only this path needs it

        ds = MNIST(root, train=split == "train", download=download)
        images, labels = ds.data.numpy(), ds.targets.numpy()
    except Exception as err:  # noqa: BLE001 -- every failure has the same remedy: the embedded subset
        notice = (
            f"MNIST could not be loaded from {root!r}{'' if download else ' (download disabled)'} "
            f"({type(err).__name__}: {err}). "
            f"Using the embedded subset instead: {'4,500 training' if split == 'train' else '500 held-out'} "
            "real MNIST digits (500 per class in all)."
        )
        return embedded_mnist(split, notice=notice)
    x, y = _to_tensors(images, labels)
    return MnistData(images=x, labels=y, source="torchvision")


def _check_split(split: str) -> None:
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")
