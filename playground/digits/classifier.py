"""A small CNN that reads MNIST digits: the fixed judge behind classifier-FID / classifier-IS.

Its weights ship in `pretrained/classifier.safetensors` (trained by `pretrained/train_classifier.py`
on the embedded training split only, so the held-out split stays unseen). Loading never unpickles.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "pretrained" / "classifier.safetensors"
FEATURE_DIM = 128  # width of the penultimate layer: the feature space classifier-FID is measured in


class DigitClassifier(nn.Module):
    """conv32 → conv64 → fc128 → 10 logits; ~94k parameters, so the weights file stays ~0.4 MB."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # [N,32,14,14]
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # [N,64,7,7]
            nn.MaxPool2d(2),  # [N,64,3,3]: a third pool keeps the fc layer (and the file) small
        )  # fmt: skip
        self.fc = nn.Linear(64 * 3 * 3, FEATURE_DIM)
        self.dropout = nn.Dropout(0.3)  # 4,500 training digits: some regularisation helps held-out accuracy
        self.head = nn.Linear(FEATURE_DIM, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations [N, 128] for images [N, 1, 28, 28] in [-1, 1]."""
        h = self.conv(x).flatten(1)  # [N,64,3,3] -> [N,576]
        return torch.relu(self.fc(h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits [N, 10]."""
        return self.head(self.dropout(self.features(x)))


def load_classifier(path: str | Path = DEFAULT_WEIGHTS, device: str | torch.device = "cpu") -> DigitClassifier:
    """Build a DigitClassifier from safetensors weights, in eval mode with gradients off.

    Raises ValueError naming every missing, unexpected or mis-shaped tensor, so a stale or foreign
    file fails loudly instead of producing meaningless scores.
    """
    state = load_file(str(path), device="cpu")
    model = DigitClassifier()
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    problems = [f"missing {k} {s}" for k, s in expected.items() if k not in found]
    problems += [f"unexpected {k} {s}" for k, s in found.items() if k not in expected]
    problems += [
        f"{k}: file has {found[k]}, model needs {s}" for k, s in expected.items() if k in found and found[k] != s
    ]
    if problems:
        raise ValueError(f"{path} does not hold DigitClassifier weights: " + "; ".join(problems))
    model.load_state_dict(state)
    return model.to(device).eval().requires_grad_(False)
