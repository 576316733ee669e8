"""Scores for generated digits, judged by the small MNIST classifier (`classifier.py`).

Fréchet distance and Inception Score are pure maths on arrays; `digit_report` is the part that
runs the classifier. With this classifier instead of Inception-v3 the numbers are
"classifier-FID / classifier-IS": comparable only within this project, so pages show them beside
the real-vs-real floor from `real_floor`.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
import torch
from scipy.special import xlogy

from playground.digits.classifier import DigitClassifier

Stats = tuple[np.ndarray, np.ndarray]  # (mean [D], covariance [D, D]) of classifier features


def feature_stats(features: np.ndarray | torch.Tensor) -> Stats:
    """Mean μ and covariance Σ (unbiased, rows = samples) of features [N, D], in float64 for sqrtm."""
    f = np.asarray(features.detach().cpu() if isinstance(features, torch.Tensor) else features, dtype=np.float64)
    return f.mean(axis=0), np.atleast_2d(np.cov(f, rowvar=False))


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray, eps: float = 1e-6
) -> float:
    """Fréchet distance between N(μ1, Σ1) and N(μ2, Σ2) (the FID formula):

        d² = ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^{1/2})

    Covariances of classifier features are often singular (dead ReLU units, fewer samples than
    dimensions); where scipy's sqrtm finds the product singular or returns non-finite values,
    eps·I is added to both diagonals. The tiny imaginary part that sqrtm returns from rounding is
    dropped, and a result below 0 from rounding is reported as 0.
    """
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise ValueError(f"shape mismatch: mu {mu1.shape}/{mu2.shape}, sigma {sigma1.shape}/{sigma2.shape}")
    covmean = _sqrtm_or_none(sigma1 @ sigma2)
    if covmean is None:
        offset = eps * np.eye(len(mu1))
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    diff = mu1 - mu2
    d2 = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean.real)
    return max(float(d2), 0.0)


def _sqrtm_or_none(a: np.ndarray) -> np.ndarray | None:
    """scipy's matrix square root, or None where scipy finds `a` singular or the result is not finite."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
        try:
            root = scipy.linalg.sqrtm(a)
        except scipy.linalg.LinAlgWarning:
            return None
    return root if np.isfinite(root).all() else None


def inception_score(probs: np.ndarray | torch.Tensor) -> float:
    """IS = exp(E_x KL(p(y|x) ‖ p(y))), with p(y) the mean of the rows of probs [N, K].

    1 when every sample gets the same prediction; K when predictions are confident (one-hot) and
    spread evenly over K classes. High IS = each digit readable and the classes varied.
    """
    p = np.asarray(probs.detach().cpu() if isinstance(probs, torch.Tensor) else probs, dtype=np.float64)
    p_y = p.mean(axis=0, keepdims=True)
    kl = (xlogy(p, p) - xlogy(p, p_y)).sum(axis=1)  # xlogy: 0·log 0 = 0
    return float(np.exp(kl.mean()))


@torch.no_grad()
def classify(images: torch.Tensor, classifier: DigitClassifier, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities [N, 10] and penultimate features [N, 128] for images [N, 1, 28, 28] in [-1, 1]."""
    device = next(classifier.parameters()).device
    probs, feats = [], []
    for batch in images.split(batch_size):
        f = classifier.features(batch.to(device))
        probs.append(torch.softmax(classifier.head(f), dim=1).cpu())  # eval mode: dropout is identity
        feats.append(f.cpu())
    return torch.cat(probs).numpy(), torch.cat(feats).numpy()


def reference_stats(real_images: torch.Tensor, classifier: DigitClassifier) -> Stats:
    """Feature statistics of real digits (the held-out split): the fixed target of classifier-FID."""
    return feature_stats(classify(real_images, classifier)[1])


def digit_report(
    images: torch.Tensor,
    classifier: DigitClassifier,
    real_features_stats: Stats,
    present_threshold: float = 0.02,
    confident_threshold: float = 0.9,
) -> dict:
    """How readable and varied a batch of digits [N, 1, 28, 28] in [-1, 1] is, as plain numbers.

    Keys: `n`; `class_counts` (10 ints, by argmax class); `confident_fraction` (max softmax >
    confident_threshold: readable digits); `classes_present` (classes with ≥ present_threshold of
    the samples: 10 = no mode dropped); `fid` (classifier-FID against `real_features_stats`, lower
    is better); `inception_score` (classifier-IS, 1…10, higher is better).
    """
    probs, feats = classify(images, classifier)
    counts = np.bincount(probs.argmax(axis=1), minlength=10)
    return {
        "n": len(probs),
        "class_counts": counts.tolist(),
        "confident_fraction": float((probs.max(axis=1) > confident_threshold).mean()),
        "classes_present": int((counts >= present_threshold * len(probs)).sum()),
        "fid": frechet_distance(*feature_stats(feats), *real_features_stats),
        "inception_score": inception_score(probs),
    }


def real_floor(
    real_images: torch.Tensor,
    classifier: DigitClassifier,
    real_features_stats: Stats,
    n: int = 1000,
    seed: int = 0,
    **thresholds: float,
) -> dict:
    """`digit_report` of n real training digits against the held-out statistics: the best a generator can do.

    FID from finite samples is biased upwards (more so for small n), so real digits do not score
    0; a generated score is only meaningful next to this floor computed with the same n. Draw the
    real digits from a split other than the one behind `real_features_stats`.
    """
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(real_images), generator=gen)[:n]
    return digit_report(real_images[idx], classifier, real_features_stats, **thresholds)
