"""The lab counts a digit only when the classifier reads it confidently: noise is no digit."""

import inspect

import numpy as np
import pytest

from playground.digits.metrics import digit_report
from playground.experiments.collapse.digits import CONFIDENT, readable_digits


def _probs(*rows):
    return np.array(rows, dtype=float)


def test_only_confident_samples_count_as_their_digit():
    sure_six = [0.0] * 6 + [0.95] + [0.05 / 3] * 3
    noise_six = [0.08] * 6 + [0.28] + [0.08] * 3  # argmax 6, as the classifier reads grey noise
    sure_three = [0.0, 0.0, 0.0, 0.99, 0.01] + [0.0] * 5
    report = readable_digits(_probs(sure_six, noise_six, noise_six, sure_three))
    assert report["class_counts"] == [0, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    assert report["unreadable"] == 2 and report["n"] == 4
    assert report["confident_fraction"] == pytest.approx(0.5)


def test_a_digit_is_present_when_its_confident_samples_reach_the_share_of_all_samples():
    one_hot = np.eye(10)
    rows = [one_hot[0]] * 3 + [one_hot[1]] * 1 + [np.full(10, 0.1)] * 96  # 100 samples: 3 zeros, 1 one, noise
    assert readable_digits(np.array(rows), present=0.02)["classes_present"] == 1  # 3 % yes, 1 % no
    assert readable_digits(np.array(rows), present=0.01)["classes_present"] == 2


def test_the_threshold_is_the_mnist_pages_confident_one():
    assert CONFIDENT == inspect.signature(digit_report).parameters["confident_threshold"].default == 0.9
    exactly = [0.9, 0.1] + [0.0] * 8
    assert readable_digits(_probs(exactly))["unreadable"] == 1  # "> 0.9", as digit_report's confident fraction
