import math

import pytest
import torch

from playground.experiments.toy.readout import Modes, Readout, metrics, readout, tail_mean
from playground.gan.data import PointCloud, make_dataset
from playground.views.figures import Frame


def frame(d_real=0.5, d_fake=0.5, eval_fake=None):
    """A frame with only what the readout reads: the D means on the fixed points and the eval fakes."""
    fakes = torch.zeros(4, 2).numpy() if eval_fake is None else eval_fake
    return Frame(0, None, None, None, None, fakes, d_real, d_fake)


def test_tail_mean_averages_only_the_last_values():
    assert tail_mean([1.0, 2.0, 3.0, 4.0], tail=2) == pytest.approx(3.5)
    assert tail_mean([5.0], tail=20) == pytest.approx(5.0)
    assert math.isnan(tail_mean([]))


def test_readout_averages_the_last_twenty_steps():
    n = 25  # d_real 0..24: the last 20 are 5..24, mean 14.5
    history = {"step": list(range(n)), "d_real": [float(i) for i in range(n)], "d_fake": [0.25] * n,
               "value": [-1.0] * 5 + [-1.5] * 20}  # fmt: skip
    r = readout(history, frame(0.9, 0.1), PointCloud(torch.zeros(10, 2)))
    assert (r.d_real, r.d_fake, r.value) == pytest.approx((14.5, 0.25, -1.5))
    assert r.modes is None  # modes exist only for a Gaussian mixture


def test_readout_before_the_first_step_shows_the_frame_and_no_value():
    empty = {"step": [], "d_real": [], "d_fake": [], "value": []}
    r = readout(empty, frame(0.6, 0.4), PointCloud(torch.zeros(10, 2)))
    assert (r.d_real, r.d_fake) == pytest.approx((0.6, 0.4))
    assert math.isnan(r.value)


def test_readout_counts_the_modes_the_fakes_sit_on():
    ring = make_dataset("ring8")  # radius 2, σ 0.02: a fake within 0.06 of a mean is high quality
    means = ring.means_tensor()
    fakes = torch.cat([means[:3], torch.tensor([[0.0, 0.0]])])  # on modes 0, 1, 2 and one in the centre
    empty = {"step": [], "d_real": [], "d_fake": [], "value": []}
    r = readout(empty, frame(eval_fake=fakes.numpy()), ring)
    assert r.modes == Modes(captured=3, total=8, high_quality=pytest.approx(0.75))


def test_the_metric_row_words_the_readout():
    r = Readout(d_real=0.51234, d_fake=0.4, value=-1.3862, modes=Modes(7, 8, 0.934))
    row = metrics(12345, 59.6, r)
    assert [(m.label, m.value) for m in row] == [
        ("step", "12,345"),
        ("steps/s", "60"),
        ("mean D(x)", "0.512"),
        ("mean D(G(z))", "0.400"),
        ("V(D,G)", "-1.386"),
        ("modes captured", "7/8"),
    ]
    assert "93% of fakes are that close" in row[-1].help
    assert all(m.help for m in row)


def test_undefined_numbers_show_a_dash():
    row = metrics(0, 0.0, Readout(0.5, 0.5, math.nan, None))
    assert row[4].value == row[5].value == "–"
    assert "Gaussian mixtures" in row[5].help


def test_a_critic_s_readout_is_its_mean_scores_on_the_frame_and_their_gap():
    history = {"step": [1, 2], "d_real": [0.002, 0.002], "d_fake": [0.001, 0.001], "value": [-6.2, -6.3]}  # σ(score)
    critic = Frame(2, None, None, None, None, torch.zeros(4, 2).numpy(), -6.25, -7.0, critic=True)
    r = readout(history, critic, PointCloud(torch.zeros(10, 2)))
    assert (r.d_real, r.d_fake, r.value, r.critic) == pytest.approx((-6.25, -7.0, 0.75, True))
    row = metrics(2, 100.0, r)
    assert [(m.label, m.value) for m in row[2:5]] == [
        ("mean critic score, real", "-6.250"),
        ("mean critic score, fake", "-7.000"),
        ("critic gap", "0.750"),
    ]
    assert not any(m.label == "D(x)" or m.label == "V(D,G)" for m in row)


def test_steps_per_second_reads_zero_unless_training():
    r = Readout(0.5, 0.5, -1.4, None)
    assert metrics(10, 59.6, r, training=True)[1].value == "60"
    assert metrics(10, 59.6, r, training=False)[1].value == "0"  # the last measured speed is stale once paused
