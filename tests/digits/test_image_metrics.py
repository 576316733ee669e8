from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from playground.digits.classifier import FEATURE_DIM, DigitClassifier, load_classifier
from playground.digits.data import embedded_mnist
from playground.digits.metrics import (
    digit_report,
    feature_stats,
    frechet_distance,
    inception_score,
    real_floor,
    reference_stats,
)


@pytest.fixture(scope="module")
def classifier() -> DigitClassifier:
    return load_classifier()


@pytest.fixture(scope="module")
def heldout():
    return embedded_mnist("heldout")


@pytest.fixture(scope="module")
def heldout_stats(classifier, heldout):
    return reference_stats(heldout.images, classifier)


# --- Fréchet distance -------------------------------------------------------------------------


def test_frechet_distance_of_identical_gaussians_is_zero():
    a = np.random.default_rng(0).normal(size=(5, 5))
    sigma = a @ a.T + np.eye(5)
    mu = np.arange(5.0)
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_one_dimensional_gaussians_matches_hand_calculation():
    # means 0 and 2, variances 1 and 4: 2² + (√1 − √4)² = 5
    assert frechet_distance(0.0, 1.0, 2.0, 4.0) == pytest.approx(5.0)


def test_frechet_distance_of_diagonal_gaussians_is_sum_over_dimensions():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([0.5, 1.0, 1.0])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2 + (np.sqrt(s1) - np.sqrt(s2)) ** 2)  # 0.25+4 + 0+1 + 9+0.25
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)
    assert frechet_distance(mu2, np.diag(s2), mu1, np.diag(s1)) == pytest.approx(expected)


def test_frechet_distance_of_singular_covariances_matches_eigenvalue_formula():
    # fewer samples than dimensions, plus a dead unit: both covariances are rank-deficient
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 64)), rng.normal(size=(20, 64)) + 1
    a[:, 0] = b[:, 0] = 0.0
    (mu1, s1), (mu2, s2) = feature_stats(a), feature_stats(b)
    # Tr((Σ1 Σ2)^½) = Σ √λ over the eigenvalues λ ≥ 0 of Σ1 Σ2
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-4)


def test_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


def test_feature_stats_accepts_tensors_and_matches_numpy():
    x = torch.randn(100, 3, generator=torch.Generator().manual_seed(0))
    mu, sigma = feature_stats(x)
    np.testing.assert_allclose(mu, x.numpy().mean(0), rtol=1e-6)
    np.testing.assert_allclose(sigma, np.cov(x.numpy(), rowvar=False), rtol=1e-6)


# --- Inception score --------------------------------------------------------------------------


def test_inception_score_is_one_when_every_prediction_is_the_same():
    probs = np.tile([0.1, 0.6, 0.3], (50, 1))
    assert inception_score(probs) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [1, 4, 10])
def test_inception_score_is_k_for_confident_predictions_spread_evenly_over_k_classes(k):
    probs = np.eye(10)[np.repeat(np.arange(k), 25)]  # one-hot, 25 samples per class
    assert inception_score(torch.as_tensor(probs)) == pytest.approx(float(k))


# --- classifier and digit report --------------------------------------------------------------


def test_shipped_classifier_reads_heldout_digits(classifier, heldout):
    with torch.no_grad():
        logits = classifier(heldout.images)
        features = classifier.features(heldout.images[:7])
    accuracy = (logits.argmax(1) == heldout.labels).float().mean().item()
    assert 0.9 <= accuracy <= 1.0
    assert features.shape == (7, FEATURE_DIM)


def test_shipped_classifier_is_unsure_about_noise(classifier, heldout_stats):
    # an untrained generator emits noise; it must not count as confidently drawn digits
    noise = torch.rand(200, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    report = digit_report(noise, classifier, heldout_stats)
    assert 0.0 <= report["confident_fraction"] <= 0.05


def test_loader_rejects_weights_of_the_wrong_shape(tmp_path: Path):
    state = DigitClassifier().state_dict()
    state["fc.weight"] = torch.zeros(FEATURE_DIM, 100)
    path = tmp_path / "bad.safetensors"
    save_file(state, str(path))
    with pytest.raises(ValueError, match=r"fc\.weight"):
        load_classifier(path)


def test_digit_report_on_real_heldout_digits_finds_all_classes_readable(classifier, heldout, heldout_stats):
    report = digit_report(heldout.images, classifier, heldout_stats)
    assert report["n"] == 500
    assert sum(report["class_counts"]) == 500
    assert 9 <= report["classes_present"] <= 10
    assert 0.9 <= report["confident_fraction"] <= 1.0
    assert 8.0 <= report["inception_score"] <= 10.0
    assert report["fid"] == pytest.approx(0.0, abs=1e-3)  # the reference set against its own statistics


def test_digit_report_flags_a_collapsed_generator(classifier, heldout, heldout_stats):
    one_digit = heldout.images[heldout.labels == 3][:1].repeat(200, 1, 1, 1)  # [200,1,28,28]
    report = digit_report(one_digit, classifier, heldout_stats)
    assert report["classes_present"] == 1
    assert report["inception_score"] == pytest.approx(1.0)


def test_real_floor_is_far_below_noise(classifier, heldout_stats):
    train = embedded_mnist("train")
    floor = real_floor(train.images, classifier, heldout_stats, n=1000)
    noise = torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    noise_report = digit_report(noise, classifier, heldout_stats)
    assert floor["n"] == 1000
    assert floor["classes_present"] == 10
    assert 0.0 < floor["fid"] < noise_report["fid"] / 10
