import numpy as np
import pytest

from playground.experiments.collapse import figures as CF
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.views.figures import make_view


def test_mode_bars_grey_out_missed_modes_and_mark_thin_ones():
    share = [0.5, 0.004, 0.0, 0.3, 0.0, 0.0, 0.0, 0.1]
    fig = CF.mode_bars(share, 2500, "t")
    bar = fig.data[0]
    assert list(bar.y) == pytest.approx([50, 0.4, 0, 30, 0, 0, 0, 10])
    assert list(bar.customdata) == [1250, 10, 0, 750, 0, 0, 0, 250]
    assert bar.marker.color[0] == CF.FAKE_COLOUR
    assert bar.marker.color[1] == CF.THIN_COLOUR
    assert bar.marker.color[2] == CF.MISSED_COLOUR
    assert fig.layout.shapes[0].y0 == pytest.approx(12.5)  # the uniform share 1/8


def test_high_quality_means_within_three_sigma_of_a_mode():
    ring = make_dataset("ring8")  # radius 2, σ 0.02
    pts = np.array([[2.0, 0.0], [2.0 + 2.9 * 0.02, 0.0], [2.0 + 3.1 * 0.02, 0.0], [0.0, 0.0]])
    assert CF.high_quality_mask(pts, ring).tolist() == [True, True, False, False]


def test_density_grid_peaks_on_the_modes():
    ring = make_dataset("ring8")
    view = make_view(ring, ModelConfig(), resolution=41)
    log_p = CF.density_grid(view, ring)
    assert log_p.shape == (41, 41)
    centre = log_p[20, 20]  # the origin: far from every mode, so at the 6-decade floor
    assert centre == pytest.approx(log_p.max() - 6)


def test_seed_distribution_draws_one_box_per_configuration_with_every_seed():
    fig = CF.seed_distribution({"vanilla": [2, 5, 8], "pacgan": [8, 8, 7]}, "t", "modes")
    assert [trace.name for trace in fig.data] == ["vanilla", "pacgan"]
    assert fig.data[0].boxpoints == "all" and list(fig.data[1].y) == [8, 8, 7]


def test_modes_histogram_counts_seeds_per_number_of_modes():
    fig = CF.modes_histogram({"vanilla": [2, 2, 8]}, 8, "t")
    assert list(fig.data[0].y) == [0, 0, 2, 0, 0, 0, 0, 0, 1]


def test_mean_se_matches_the_formula():
    mean, se = CF.mean_se([6.0, 8.0, 7.0, 7.0])
    assert mean == pytest.approx(7.0)
    assert se == pytest.approx(np.std([6, 8, 7, 7], ddof=1) / 2)


def test_bars_compared_side_by_side_share_the_tallest_bars_top():
    low, high = [0.125] * 8, [0.5, 0.5] + [0.0] * 6
    assert CF.bars_top(low, high) == pytest.approx(50 * 1.08)  # the tallest bar of either, plus headroom
    assert CF.bars_top(low) == pytest.approx(25 * 1.08)  # at least twice the uniform 12.5 %
    fig = CF.mode_bars(low, 2500, "t", top=54.0)
    assert list(fig.layout.yaxis.range) == [0, 54.0]


def test_mode_timeline_puts_modes_on_rows_and_checkpoints_on_columns_in_percent():
    shares = [[0.9, 0.0, 0.1], [0.0, 0.5, 0.5]]  # two checkpoints, three modes
    fig = CF.mode_timeline([0, 100], shares, "t")
    heat = fig.data[0]
    assert list(heat.x) == [0, 100] and list(heat.y) == [1, 2, 3]
    assert [list(row) for row in heat.z] == [pytest.approx(r) for r in ([90, 0], [0, 50], [10, 50])]
    assert (heat.zmin, heat.zmax) == (0.0, pytest.approx(100.0))  # fixed: three times the uniform 33.3 %


def test_digit_bars_show_confident_digits_as_a_share_of_all_samples_on_the_given_scale():
    fig = CF.digit_bars([50, 0, 0, 0, 0, 0, 0, 0, 0, 25], 500, "t", top=30.0)
    assert list(fig.data[0].y) == pytest.approx([10, 0, 0, 0, 0, 0, 0, 0, 0, 5])
    assert list(fig.layout.yaxis.range) == [0, 30.0] and fig.layout.shapes[0].y0 == 10.0
