"""End-to-end: the default configuration actually learns (short runs; the 5k-step ring8 check is in the notes)."""

import json

import numpy as np
import pytest

from playground.train import main


def banana(n: int, seed: int) -> np.ndarray:
    """A distribution no preset knows: x ~ N(0, 1), y = x²/2 + N(0, 0.1²)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    return np.c_[x, 0.5 * x**2 + rng.normal(0, 0.1, n)]


def test_a_custom_csv_is_learned(tmp_path):
    csv_path = tmp_path / "banana.csv"
    np.savetxt(csv_path, banana(3000, 0), delimiter=",", header="x,y", comments="")
    main(["--dataset", str(csv_path), "--steps", "2000", "--seed", "0", "--out", str(tmp_path / "run")])
    w1 = json.loads((tmp_path / "run" / "metrics.json").read_text())["axis_w1"]
    # Threshold 0.1: a tenth of x's standard deviation. Two independent 2,500-point samples of the
    # true distribution differ by ≈ 0.03 per axis; the untrained generator sits at ≈ 0.8.
    assert w1 == [pytest.approx(0.05, abs=0.05)] * 2


def test_an_untrained_generator_is_far_from_the_csv(tmp_path):
    csv_path = tmp_path / "banana.csv"
    np.savetxt(csv_path, banana(3000, 0), delimiter=",")
    main(["--dataset", str(csv_path), "--steps", "1", "--seed", "0", "--out", str(tmp_path / "run")])
    w1 = json.loads((tmp_path / "run" / "metrics.json").read_text())["axis_w1"]
    assert min(w1) > 0.5


@pytest.mark.parametrize("loss", ["nonsat", "minimax", "wgan-gp", "lsgan", "hinge"])
def test_every_loss_trains_on_moons_without_nan(tmp_path, loss):
    main(["--dataset", "moons", "--loss", loss, "--steps", "300", "--hidden", "64", "--out", str(tmp_path)])
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["diverged"] is None
    assert np.isfinite([metrics["value"], metrics["sliced_w1"], *metrics["axis_w1"]]).all()
