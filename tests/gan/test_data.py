import math

import pytest
import torch

from playground.gan.data import DATASETS, DataError, Mixture1D, make_dataset, points_from_csv


def test_ring8_has_eight_distinct_modes_on_radius_two():
    ring = make_dataset("ring8")
    means = ring.means_tensor()
    assert means.shape == (8, 2)
    torch.testing.assert_close(means.norm(dim=1), torch.full((8,), 2.0))
    assert torch.pdist(means).min() == pytest.approx(2 * 2 * math.sin(math.pi / 8), rel=1e-5)
    assert ring.sigma == 0.02


def test_grid25_means_and_sigma():
    grid = make_dataset("grid25")
    means = grid.means_tensor()
    assert means.shape == (25, 2)
    assert sorted(set(means[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert grid.sigma == 0.05


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_samples_reproducibly_with_the_right_shape(name):
    data = make_dataset(name)
    a = data.sample(500, torch.Generator().manual_seed(3), "cpu")
    b = data.sample(500, torch.Generator().manual_seed(3), "cpu")
    assert a.shape == (500, 2) and torch.isfinite(a).all()
    torch.testing.assert_close(a, b)
    assert a.abs().max() < 6


def test_mixture_samples_lie_near_their_modes():
    ring = make_dataset("ring8")
    x = ring.sample(4000, torch.Generator().manual_seed(0), "cpu")
    nearest = torch.cdist(x, ring.means_tensor()).min(dim=1).values
    assert float((nearest / ring.sigma).pow(2).mean()) == pytest.approx(2.0, rel=0.1)  # χ² with 2 dof


def test_mixture_pdf_integrates_to_one():
    grid = make_dataset("grid25")
    xs = torch.linspace(-5, 5, 801)
    pts = torch.cartesian_prod(xs, xs)
    cell = float(xs[1] - xs[0]) ** 2
    assert float(grid.pdf(pts).sum()) * cell == pytest.approx(1.0, rel=1e-3)


def test_csv_with_header_and_extra_column_reads_first_two_columns():
    text = "x,y,label\n" + "\n".join(f"{i},{2 * i},a" for i in range(12))
    cloud = points_from_csv(text)
    assert cloud.points.shape == (12, 2)
    assert cloud.points[3].tolist() == [3.0, 6.0]


def test_csv_without_header():
    cloud = points_from_csv("\n".join(f"{i * 0.5},{-i}" for i in range(10)))
    assert cloud.points.shape == (10, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no data rows"),
        ("x\n" + "1\n" * 20, "at least 2 columns"),
        ("a,b\n1,2\nfoo,3\n" + "1,2\n" * 10, "not numeric"),
        ("1,nan\n" + "1,2\n" * 10, "NaN"),
        ("1,inf\n" + "1,2\n" * 10, "NaN or infinite"),
        ("1,1e9\n" + "1,2\n" * 10, "within"),
        ("1,2\n", "at least 10"),
    ],
)
def test_bad_csv_raises_a_plain_message(text, message):
    with pytest.raises(DataError, match=message):
        points_from_csv(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x,y\n1,2\nfoo,3\n" + "1,2\n" * 10, 3),  # the header is line 1, as an editor numbers it
        ("1,2\n\n\n1,oops\n" + "1,2\n" * 10, 4),  # blank lines still count
        ('1,2\n"x\ny",1\n', 3),  # a quoted field over two lines: the line where the row ends
    ],
)
def test_a_bad_row_is_reported_by_the_files_own_line_number(text, line):
    with pytest.raises(DataError, match=rf"CSV line {line} is not numeric"):
        points_from_csv(text)


@pytest.mark.parametrize(("rows", "says"), [(1, "1 data row;"), (3, "3 data rows;")])
def test_too_few_rows_are_counted_in_good_english(rows, says):
    with pytest.raises(DataError) as caught:
        points_from_csv("x,y\n" + "1,2\n" * rows)
    assert str(caught.value) == f"CSV has {says} at least 10 points are needed."


def test_unknown_dataset_and_missing_csv():
    with pytest.raises(DataError, match="Unknown dataset"):
        make_dataset("ring9")
    with pytest.raises(DataError, match="not found"):
        make_dataset("/nonexistent/points.csv")


def test_mixture1d_pdf_and_sampling_agree():
    mix = Mixture1D(weights=(1, 3), means=(-2.0, 1.0), stds=(0.5, 0.3))
    x = mix.sample(20000, torch.Generator().manual_seed(0), "cpu")
    assert x.shape == (20000, 1)
    assert float(x.mean()) == pytest.approx(0.25 * -2 + 0.75 * 1, abs=0.03)
    grid = torch.linspace(-6, 6, 2001)
    assert float(mix.pdf(grid).sum() * (grid[1] - grid[0])) == pytest.approx(1.0, rel=1e-3)


def test_uniform1d_samples_inside_and_pdf_integrates_to_one():
    from playground.gan.data import Uniform1D

    u = Uniform1D(-1.0, 3.0)
    x = u.sample(5000, torch.Generator().manual_seed(0), "cpu")
    assert x.shape == (5000, 1) and float(x.min()) >= -1 and float(x.max()) <= 3
    assert float(x.mean()) == pytest.approx(1.0, abs=0.05)
    grid = torch.linspace(-2, 4, 6001)
    assert float(u.pdf(grid).sum() * (grid[1] - grid[0])) == pytest.approx(1.0, rel=1e-3)
