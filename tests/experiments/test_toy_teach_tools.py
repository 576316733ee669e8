"""Drawn data, the latent-to-data slide and the pretrained toy models (issue 25)."""

import numpy as np
import pytest
import torch

from playground.experiments.toy import drawing, morph, pretrained
from playground.experiments.toy.build import make_trainer
from playground.experiments.toy.settings import DATASET_OPTIONS, DRAW, TOY
from playground.gan.data import DATASETS, DataError, make_dataset
from playground.settings import url as U


def test_a_brush_scatters_points_around_each_click_and_a_point_brush_places_one():
    centres = np.array([[1.0, 1.0], [-2.0, 0.5]])
    assert np.array_equal(drawing.brush(centres, "point", 10, seed=0), centres)
    placed = drawing.brush(centres, "medium", 400, seed=0)
    assert placed.shape == (800, 2)
    first, second = placed[:400], placed[400:]  # each click's points, in order
    np.testing.assert_allclose(first.mean(axis=0), [1.0, 1.0], atol=0.05)
    np.testing.assert_allclose(second.std(axis=0), [drawing.BRUSHES["medium"]] * 2, rtol=0.15)
    assert np.abs(drawing.brush(np.array([[4.0, -4.0]]), "large", 50, 1)).max() <= drawing.EXTENT  # on the canvas


def test_drawn_points_train_like_an_upload_and_travel_in_a_link_when_small():
    points = drawing.brush(np.array([[0.5, 0.5], [-1.0, 1.0]]), "small", 20, seed=3)
    data_id, cloud = drawing.drawn_dataset(points)
    assert data_id.startswith("drawn:") and data_id == drawing.drawn_dataset(points.copy())[0]
    np.testing.assert_allclose(cloud.points.numpy(), points, atol=1e-6)
    text = U.encode_points(points.tolist())  # what the share box puts in the link
    assert text is not None and np.allclose(U.decode_points(text), points)
    assert U.encode_points(np.zeros((drawing.LINK_LIMIT + 1, 2)).tolist()) is None  # too many for a link
    with pytest.raises(DataError, match="at least 10 points"):
        drawing.drawn_dataset(points[:3])
    assert drawing.to_csv(points[:2]).splitlines()[0] == "x,y"


def test_drawing_is_a_local_dataset_option_the_cli_and_links_do_not_take():
    assert DRAW in DATASET_OPTIONS and DRAW in TOY["dataset"].local
    assert U.decode(TOY.schema(), {"dataset": DRAW}).errors  # a link carries points, not "draw"


def test_the_latent_grid_slides_from_z_to_g_of_z():
    lines = np.random.default_rng(0).normal(size=(4, 5, 3))
    manifold = np.random.default_rng(1).normal(size=(4, 5, 2))
    np.testing.assert_array_equal(morph.morph(lines, manifold, 0.0), lines[..., :2])
    np.testing.assert_array_equal(morph.morph(lines, manifold, 1.0), manifold)
    np.testing.assert_allclose(morph.morph(lines, manifold, 0.25), 0.75 * lines[..., :2] + 0.25 * manifold)
    one = morph.latent_plane(np.ones((2, 3, 1)))
    assert one.shape == (2, 3, 2) and (one[..., 1] == 0).all()
    with pytest.raises(ValueError):
        morph.morph(lines, manifold, 1.5)


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_built_in_set_ships_a_pretrained_pair_that_loads_into_the_pages_trainer(dataset):
    rec = pretrained.record(dataset)
    assert rec is not None and rec["dataset"] == dataset and rec["command"].startswith("python -m playground.train")
    t = make_trainer(make_dataset(dataset), TOY.values({TOY.key(k): v for k, v in rec["settings"].items()}))
    fresh = [p.clone() for p in t.G.parameters()]
    pretrained.load_into(t, dataset)
    assert not all(torch.equal(a, b) for a, b in zip(fresh, t.G.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(t.G.parameters(), t.G_ema.parameters()))
    assert t.published.generator.keys() == t.G.state_dict().keys() and t.step_count == 0
    t.step(2)  # and it trains on from there
    assert t.step_count == 2 and t.diverged is None


def test_a_pretrained_pair_refuses_networks_of_another_shape():
    rec = pretrained.record("ring8")
    values = TOY.values({**{TOY.key(k): v for k, v in rec["settings"].items()}, TOY.key("hidden"): 16})
    with pytest.raises(pretrained.CheckpointError, match="does not match"):
        pretrained.load_into(make_trainer(make_dataset("ring8"), values), "ring8")


def test_the_ring8_pretrained_g_captures_every_mode():
    from playground.gan.metrics import evaluate

    rec = pretrained.record("ring8")
    t = make_trainer(make_dataset("ring8"), TOY.values({TOY.key(k): v for k, v in rec["settings"].items()}))
    report = evaluate(pretrained.load_into(t, "ring8"), 2500)
    assert report["modes_captured"] == 8 and report["modes_total"] == 8
