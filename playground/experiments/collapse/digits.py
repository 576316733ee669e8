"""How the lab reads an MNIST generator's samples: a digit counts only when the shipped classifier is confident.

Counting every sample by its argmax class would call grey noise a "6": a collapsing generator that draws noise
would then seem to cover a digit. The classifier was trained to give noise a flat prediction (pretrained/README.md),
so the MNIST page's "confident" threshold separates readable digits from the rest; the lab counts only those.
"""

from __future__ import annotations

import numpy as np
import torch

from playground.digits.metrics import classify
from playground.experiments.mnist import figures as MF

CONFIDENT = 0.9  # max softmax above this: a readable digit (the MNIST page's "confident", ``digit_report``'s)
PRESENT = 0.02  # a digit is present when it holds at least this share of all samples (as on the MNIST page)


def readable_digits(probs: np.ndarray, confident: float = CONFIDENT, present: float = PRESENT) -> dict:
    """Class counts of the confidently classified samples among probs [N, 10], and what they add up to.

    Keys: ``n``; ``class_counts`` (10 ints: samples read as each digit with max probability > ``confident``);
    ``unreadable`` (the other samples); ``confident_fraction``; ``classes_present`` (digits whose confident
    samples are at least ``present`` of all N).
    """
    probs = np.asarray(probs, dtype=float)
    sure = probs.max(axis=1) > confident
    counts = np.bincount(probs[sure].argmax(axis=1), minlength=probs.shape[1])
    n = len(probs)
    return {
        "n": n,
        "class_counts": counts.tolist(),
        "unreadable": int(n - sure.sum()),
        "confident_fraction": float(sure.mean()) if n else 0.0,
        "classes_present": int((counts >= present * n).sum()),
    }


@torch.no_grad()
def score(G: torch.nn.Module, view: MF.DigitView, classifier) -> dict:
    """``readable_digits`` of G's samples on the view's fixed evaluation noise."""
    probs, _ = classify(MF.sample_images(G, view.z_eval), classifier)
    return readable_digits(probs)
