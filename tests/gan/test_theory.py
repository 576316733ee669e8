import math

import numpy as np
import pytest
from scipy import integrate, stats

from playground.gan.theory import (
    gaussian_kde_1d,
    generator_objectives,
    jsd_on_grid,
    mixture_pdf_1d,
    optimal_discriminator,
    value_at_optimum,
    wasserstein1_1d,
)

X = np.linspace(-12.0, 12.0, 4001)


def gaussian(mean: float, std: float) -> np.ndarray:
    return stats.norm.pdf(X, mean, std)


def box(low: float, high: float) -> np.ndarray:
    return (np.abs(X - (low + high) / 2) <= (high - low) / 2).astype(float)


def test_optimal_discriminator_is_half_when_densities_match():
    p = gaussian(0.0, 1.0)
    np.testing.assert_allclose(optimal_discriminator(p, p), np.full_like(p, 0.5))


def test_optimal_discriminator_is_half_where_both_densities_vanish():
    d = optimal_discriminator(np.array([0.0, 2.0, 0.0]), np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(d, [0.5, 1.0, 0.0])


def test_optimal_discriminator_is_the_density_ratio():
    assert optimal_discriminator(np.array([3.0]), np.array([1.0]))[0] == pytest.approx(0.75)


def test_jsd_of_identical_densities_is_zero():
    p = mixture_pdf_1d(X, [0.3, 0.7], [-2.0, 1.5], [0.5, 1.0])
    assert jsd_on_grid(p, p, X) == pytest.approx(0.0, abs=1e-12)


def test_jsd_of_disjoint_densities_is_ln_2():
    assert jsd_on_grid(box(-3.0, -1.0), box(1.0, 4.0), X) == pytest.approx(math.log(2), rel=1e-12)


def test_jsd_is_symmetric_and_ignores_normalisation():
    p, q = gaussian(0.0, 1.0), gaussian(1.0, 2.0)
    assert jsd_on_grid(p, q, X) == pytest.approx(jsd_on_grid(3.0 * q, p, X), rel=1e-12)


def test_jsd_of_two_gaussians_matches_quadrature_of_the_definition():
    (mu_p, sd_p), (mu_q, sd_q) = (0.0, 1.0), (1.0, 1.5)

    def integrand(t: float) -> float:
        log_p, log_q = stats.norm.logpdf(t, mu_p, sd_p), stats.norm.logpdf(t, mu_q, sd_q)
        log_m = np.logaddexp(log_p, log_q) - math.log(2)
        return 0.5 * math.exp(log_p) * (log_p - log_m) + 0.5 * math.exp(log_q) * (log_q - log_m)

    expected, _ = integrate.quad(integrand, -np.inf, np.inf)
    assert jsd_on_grid(gaussian(mu_p, sd_p), gaussian(mu_q, sd_q), X) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("p_data", "p_g"),
    [
        (gaussian(0.0, 1.0), gaussian(0.0, 1.0)),
        (gaussian(0.0, 1.0), gaussian(2.0, 0.5)),
        (mixture_pdf_1d(X, [1, 1], [-3, 3], [0.5, 0.5]), gaussian(0.0, 2.0)),
        (box(-1.0, 1.0), gaussian(0.5, 1.0)),
        (box(-3.0, -1.0), box(1.0, 4.0)),
    ],
)
def test_value_at_optimum_is_minus_log_4_plus_twice_jsd(p_data, p_g):
    expected = -math.log(4) + 2 * jsd_on_grid(p_data, p_g, X)
    assert value_at_optimum(p_data, p_g, X) == pytest.approx(expected, abs=1e-10)


def test_value_at_optimum_reaches_minus_log_4_when_generator_matches_data():
    p = gaussian(1.0, 0.7)
    assert value_at_optimum(p, p, X) == pytest.approx(-math.log(4), abs=1e-12)


def test_objective_gradients_match_finite_differences_in_the_logit():
    a = np.linspace(-6.0, 6.0, 25)
    h = 1e-5

    def objectives(logit: np.ndarray):
        return generator_objectives(1 / (1 + np.exp(-logit)))

    up, down, here = objectives(a + h), objectives(a - h), objectives(a)
    np.testing.assert_allclose(here.saturating_grad, (up.saturating - down.saturating) / (2 * h), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        here.non_saturating_grad, (up.non_saturating - down.non_saturating) / (2 * h), rtol=1e-6, atol=1e-9
    )


def test_saturating_gradient_is_weaker_when_discriminator_rejects_fakes():
    d = np.array([1e-4, 0.01, 0.1, 0.3, 0.49])
    result = generator_objectives(d)
    assert np.all(np.abs(result.saturating_grad) < np.abs(result.non_saturating_grad))
    np.testing.assert_allclose(result.saturating_grad, -d)
    np.testing.assert_allclose(result.non_saturating_grad, -(1 - d))


def test_objective_gradients_are_equal_at_one_half():
    result = generator_objectives(np.array([0.5]))
    assert result.saturating_grad[0] == pytest.approx(result.non_saturating_grad[0])
    assert result.saturating[0] == pytest.approx(math.log(0.5))
    assert result.non_saturating[0] == pytest.approx(math.log(2))


@pytest.mark.parametrize("d", [0.0, 1.0, -0.1])
def test_objectives_reject_outputs_outside_the_open_unit_interval(d):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        generator_objectives(np.array([d]))


def test_kde_integrates_to_one():
    samples = np.random.default_rng(0).normal(0.5, 1.2, size=500)
    assert np.trapezoid(gaussian_kde_1d(samples, X), X) == pytest.approx(1.0, abs=1e-6)


def test_kde_default_bandwidth_is_scotts_rule_like_scipy():
    samples = np.random.default_rng(1).normal(-1.0, 0.8, size=300)
    np.testing.assert_allclose(gaussian_kde_1d(samples, X), stats.gaussian_kde(samples)(X), rtol=1e-8, atol=1e-12)


def test_kde_of_identical_samples_is_a_spike_that_integrates_to_one():
    density = gaussian_kde_1d(np.full(50, 2.0), X)
    assert X[np.argmax(density)] == pytest.approx(2.0, abs=X[1] - X[0])
    assert np.trapezoid(density, X) == pytest.approx(1.0, abs=1e-6)


def test_mixture_pdf_integrates_to_one_and_reduces_to_a_gaussian():
    assert np.trapezoid(mixture_pdf_1d(X, [2, 1, 1], [-4, 0, 4], [0.5, 1, 0.3]), X) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(mixture_pdf_1d(X, [5.0], [1.0], [2.0]), gaussian(1.0, 2.0), rtol=1e-12)


def test_wasserstein_of_a_shift_is_the_shift():
    a = np.random.default_rng(2).normal(size=1000)
    assert wasserstein1_1d(a, a + 3.0) == pytest.approx(3.0)
