"""The settling criterion of the 1-D theory page on densities whose answers are known by hand."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from playground.experiments.theory.settling import D_LIMIT, JSD_LIMIT, mean_d_deviation, settling

X01 = np.linspace(0.0, 1.0, 2001)
X = np.linspace(-8.0, 8.0, 4001)


def test_d_deviation_is_zero_for_a_flat_half_and_the_offset_for_a_constant():
    uniform = np.ones_like(X01)
    assert mean_d_deviation(np.full_like(X01, 0.5), uniform, X01) == 0.0
    assert mean_d_deviation(np.full_like(X01, 0.7), uniform, X01) == pytest.approx(0.2)
    assert mean_d_deviation(np.full_like(X01, 0.1), 3 * uniform, X01) == pytest.approx(0.4)  # unnormalised p_data


def test_d_deviation_of_d_equal_x_under_two_densities():
    # E|x − ½| = 1/4 under U(0, 1), and ∫ 2x |x − ½| dx = 1/24 + 5/24 = 1/4 under the triangle 2x
    assert mean_d_deviation(X01, np.ones_like(X01), X01) == pytest.approx(0.25, abs=1e-6)
    assert mean_d_deviation(X01, 2 * X01, X01) == pytest.approx(0.25, abs=1e-6)


def test_d_deviation_counts_only_where_data_lives():
    p_data = norm.pdf(X, 2, 0.5)
    d = np.where(X < -2, 0.0, 0.5)  # D wrong only far from the data
    assert mean_d_deviation(d, p_data, X) == pytest.approx(0.0, abs=1e-9)


def test_matching_densities_and_a_flat_d_have_settled():
    p = norm.pdf(X, 2, 0.5)
    reading = settling(p, p, np.full_like(X, 0.5), X)
    assert reading.jsd == pytest.approx(0.0, abs=1e-12) and reading.d_mean_dev == 0.0
    assert reading.settled


def test_a_small_shift_settles_a_larger_one_does_not():
    # JSD(N(0, 1) ‖ N(μ, 1)) ≈ μ² / 8 for small μ (Fisher information 1)
    p, half = norm.pdf(X, 0, 1), np.full_like(X, 0.5)
    near, far = settling(p, norm.pdf(X, 0.2, 1), half, X), settling(p, norm.pdf(X, 0.6, 1), half, X)
    assert near.jsd == pytest.approx(0.2**2 / 8, rel=0.02) and near.settled
    assert far.jsd == pytest.approx(0.6**2 / 8, rel=0.05) and far.jsd > JSD_LIMIT and not far.settled


def test_disjoint_densities_are_ln2_apart_and_an_unflat_d_is_not_settled():
    p = norm.pdf(X, -4, 0.3)
    assert settling(p, norm.pdf(X, 4, 0.3), np.full_like(X, 0.5), X).jsd == pytest.approx(math.log(2), abs=1e-6)
    tilted = settling(p, p, np.full_like(X, 0.5 + D_LIMIT + 0.01), X)
    assert tilted.jsd == pytest.approx(0.0, abs=1e-12) and not tilted.settled
