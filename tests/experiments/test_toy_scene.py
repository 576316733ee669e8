from types import SimpleNamespace

import numpy as np
import pytest

from playground.experiments.toy.scene import CURVES, PLANE_HEIGHT, Scene
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.views import figures as F


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


def test_a_critic_frame_is_drawn_as_scores_and_its_means_recorded_once_per_step(scene):
    frame, _ = scene.latest(dstar=False, critic=True)
    plain = scene.latest(dstar=False, critic=False)[0]  # the loss switched live: redrawn as D(x) = σ(score)
    assert frame.critic and not plain.critic
    np.testing.assert_allclose(1 / (1 + np.exp(-frame.d_grid)), plain.d_grid, atol=2e-3)  # raw scores, before σ
    scene.latest(dstar=False, critic=True)
    scene.trainer.step(2)
    later, _ = scene.latest(dstar=False, critic=True)
    assert scene.critic_history == {"step": [0, 2], "score_real": [frame.d_real, later.d_real],
                                    "score_fake": [frame.d_fake, later.d_fake]}  # fmt: skip
    assert scene.pictures(later, None, arrows=False)[0].title == "Critic score D(x) at step 2"
    surface, _ = scene.planes(later, None, arrows=False)
    assert [t.type for t in surface.data][:2] == ["heatmap", "scatter"]  # no ½ contour
    timeline, _ = scene.timeline_planes(scene.snapshots()[0], critic=True)
    assert timeline.layout.title.text == "Critic score and samples at step 0"


def test_curves_follow_the_loss_the_run_uses_now(scene):
    history = scene.trainer.history.copy()
    assert [(spec, h) for spec, h in scene.curves("nonsat", history)] == [(s, history) for s in CURVES]
    (losses, h1), (scores, h2) = scene.curves("hinge", history)
    assert (losses, h1) == (F.LOSSES, history)
    assert scores is F.CRITIC_SCORES and h2 is scene.critic_history
