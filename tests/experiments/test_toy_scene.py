from types import SimpleNamespace

import numpy as np
import pytest

from playground.experiments.toy.scene import PLANE_HEIGHT, Scene
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer


@pytest.fixture
def scene():
    trainer = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=32, snapshot_every=1))
    return Scene(trainer, "run-1")


def test_a_run_s_scene_draws_its_trainer_under_its_run_id(scene):
    run = SimpleNamespace(trainer=scene.trainer, run_id="abc")
    assert Scene.of(run).revision == "abc" and Scene.of(run).data is scene.trainer.data


def test_a_frame_is_computed_once_per_published_step(scene):
    frame, dstar = scene.latest(dstar=False)
    assert frame.step == 0 and dstar is None
    assert scene.latest(dstar=False)[0] is frame  # a redraw with nothing new costs nothing
    scene.trainer.step(3)
    later, _ = scene.latest(dstar=False)
    assert later.step == 3 and later is not frame
    assert not np.allclose(later.d_grid, frame.d_grid)


def test_the_optimal_discriminator_comes_with_the_frame_when_asked(scene):
    frame, dstar = scene.latest(dstar=True)
    assert dstar.shape == frame.d_grid.shape == (60, 60)
    assert dstar.min() >= 0.0 and dstar.max() <= 1.0


def test_an_explicit_snapshot_is_drawn_at_its_own_step(scene):
    first = scene.snapshots()[0]
    scene.trainer.step(2)
    assert scene.latest(dstar=False, snap=first)[0].step == 0
    assert [s.step for s in scene.snapshots()] == [0, 1, 2]
    surface, manifold = scene.timeline_planes(scene.snapshots()[1])
    assert surface.layout.title.text == "D(x) and samples at step 1"
    assert surface.layout.uirevision == manifold.layout.uirevision == "run-1-timeline"
    assert not any(t.name.startswith("push on G") for t in surface.data)


def test_pictures_are_jpegs_reused_for_the_same_step_and_overlays(scene):
    frame, dstar = scene.latest(dstar=True)
    pictures = scene.pictures(frame, dstar, arrows=True)
    assert [p.title for p in pictures] == [
        "Discriminator D(x) at step 0",
        "Optimal D* for this G",
        "Generator: latent grid warped by G",  # z = 2: the whole latent grid
    ]
    assert all(p.jpeg[:2] == b"\xff\xd8" for p in pictures)  # JPEG magic
    assert scene.pictures(frame, dstar, arrows=True) is pictures
    assert len(scene.pictures(frame, None, arrows=True)) == 2  # no D* asked: surface and manifold


def test_planes_match_the_pictures_and_keep_zoom_per_run(scene):
    frame, dstar = scene.latest(dstar=True)
    surface, optimal, manifold = scene.planes(frame, dstar, arrows=True)
    assert surface.layout.height == PLANE_HEIGHT and surface.layout.uirevision == "run-1"
    assert surface.layout.title.text == "Discriminator D(x) at step 0"
    assert any(t.name.startswith("push on G") for t in surface.data)
    assert optimal.layout.title.text == "Optimal D* for this G"
    assert manifold.layout.title.text == "Generator: latent grid warped by G"
    surface, manifold = scene.planes(frame, None, arrows=False)
    assert not any(t.name.startswith("push on G") for t in surface.data)
