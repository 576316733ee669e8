import math

import pytest
import torch

from playground.gan.data import make_dataset
from playground.gan.metrics import (
    axis_wasserstein,
    histogram_divergences,
    kde_density,
    mode_metrics,
    optimal_discriminator,
    sliced_wasserstein,
)


def true_samples(name: str, n: int = 2500, seed: int = 0) -> torch.Tensor:
    return make_dataset(name).sample(n, torch.Generator().manual_seed(seed), "cpu")


@pytest.mark.parametrize(("name", "modes"), [("ring8", 8), ("grid25", 25)])
def test_true_mixture_captures_all_modes_with_the_gaussian_3sigma_mass(name, modes):
    result = mode_metrics(true_samples(name, 20000), make_dataset(name))
    assert result["modes_captured"] == modes
    assert result["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.003)  # ≈ 98.9 %
    assert result["reverse_kl"] == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize(("name", "modes"), [("ring8", 8), ("grid25", 25)])
def test_generator_stuck_on_one_mode_gives_one_mode_and_log_m_reverse_kl(name, modes):
    mix = make_dataset(name)
    stuck = mix.means_tensor()[3] + mix.sigma * torch.randn(2500, 2, generator=torch.Generator().manual_seed(1))
    result = mode_metrics(stuck, mix)
    assert result["modes_captured"] == 1
    assert result["modes_over_1pct"] == 1
    assert result["reverse_kl"] == pytest.approx(math.log(modes), rel=1e-9)


def test_mode_share_counts_high_quality_samples_per_mode():
    mix = make_dataset("ring8")
    means = mix.means_tensor()
    far = torch.tensor([[0.0, 0.0]])  # nearest to some mode but 100σ away: not high quality
    samples = torch.cat([means[0].repeat(6, 1), means[1].repeat(3, 1), far])
    result = mode_metrics(samples, mix)
    assert result["mode_share"][0] == pytest.approx(0.6)
    assert result["mode_share"][1] == pytest.approx(0.3)
    assert sum(result["mode_share"]) == pytest.approx(0.9)
    assert result["high_quality"] == pytest.approx(0.9)
    assert result["modes_captured"] == 2


def test_histogram_divergences_zero_for_same_samples_and_ln2_for_disjoint():
    a = torch.rand(5000, 2, generator=torch.Generator().manual_seed(0))
    same = histogram_divergences(a, a.clone())
    assert same["kl"] == pytest.approx(0.0, abs=1e-12)
    assert same["js"] == pytest.approx(0.0, abs=1e-12)
    disjoint = histogram_divergences(a, a + 10)
    assert disjoint["js"] == pytest.approx(math.log(2), rel=1e-9)
    assert disjoint["kl"] > 10


def test_sliced_wasserstein_of_a_shift_is_two_over_pi_times_its_length():
    a = torch.randn(4000, 2, generator=torch.Generator().manual_seed(0))
    shift = torch.tensor([3.0, 4.0])  # ‖c‖ = 5 ⇒ E_θ|θ·c| = 10/π
    assert sliced_wasserstein(a, a + shift, n_projections=4000) == pytest.approx(10 / math.pi, rel=0.02)
    assert sliced_wasserstein(a, a.clone()) == pytest.approx(0.0, abs=1e-12)


def test_sliced_wasserstein_handles_different_sample_counts():
    a = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    assert sliced_wasserstein(a, a[:500] + 1.0, n_projections=500) == pytest.approx(2 / math.pi * math.sqrt(2), rel=0.1)


def test_axis_wasserstein_of_a_shift_equals_the_shift_per_axis():
    a = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    assert axis_wasserstein(a, a + torch.tensor([0.5, -2.0])) == pytest.approx([0.5, 2.0], rel=1e-9)


def test_optimal_discriminator_is_half_when_densities_match():
    p = torch.tensor([0.3, 1.2, 0.0])
    torch.testing.assert_close(optimal_discriminator(p, p), torch.full((3,), 0.5))
    torch.testing.assert_close(optimal_discriminator(torch.tensor([3.0]), torch.tensor([1.0])), torch.tensor([0.75]))


def test_kde_integrates_to_one_and_peaks_at_the_samples():
    samples = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    xs = torch.linspace(-3, 4, 281)
    pts = torch.cartesian_prod(xs, xs)
    dens = kde_density(samples, pts, bandwidth=0.3)
    assert float(dens.sum()) * float(xs[1] - xs[0]) ** 2 == pytest.approx(1.0, rel=1e-3)
    at_sample = kde_density(samples, samples, bandwidth=0.3)
    expected = (1 + math.exp(-2 / (2 * 0.09))) / (2 * 2 * math.pi * 0.09)
    torch.testing.assert_close(at_sample, torch.full((2,), expected, dtype=torch.float64))
