"""One MNIST run's live pictures and scores (experiments.mnist.live): drawn once per published step, scored on time."""

import threading
from dataclasses import replace

import pytest
import torch

from playground.digits.classifier import load_classifier
from playground.digits.data import embedded_mnist
from playground.digits.metrics import reference_stats
from playground.digits.models import MnistMLPConfig
from playground.experiments.mnist import run as R
from playground.experiments.mnist.figures import critic_means, sample_images
from playground.experiments.mnist.live import SCORE_EVERY_S, LiveDigits, ScoreKeeper
from playground.experiments.mnist.settings import MNIST


def test_score_keeper_runs_one_scoring_at_a_time_and_keeps_one_report_per_step():
    release = threading.Event()
    keeper = ScoreKeeper(lambda G: (release.wait(10), {"value": G})[1])
    assert keeper.submit(1, step=5)
    assert not keeper.submit(2, step=6)  # busy: the second is dropped, not queued
    release.set()
    for _ in range(200):
        if keeper.latest_step() == 5:
            break
        threading.Event().wait(0.01)
    keeper.score_now(3, step=5)  # the same step again: not a second report
    keeper.score_now(4, step=7)
    assert keeper.copy() == [{"step": 5, "value": 1}, {"step": 7, "value": 4}]


@pytest.fixture(scope="module")
def judge():
    classifier = load_classifier()
    return classifier, reference_stats(embedded_mnist("heldout").images, classifier)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _wait_for_score(live: LiveDigits, step: int) -> None:
    for _ in range(1000):
        if live.scorer.latest_step() == step:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"no score for step {step}")


def test_live_digits_draws_each_published_step_once_and_scores_every_few_seconds_while_training(judge):
    data = embedded_mnist("train")
    cfg = MnistMLPConfig(latent_dim=8, g_width=16, d_width=16)
    train = R.train_config({**MNIST.values({}), "model": "mlp"})
    trainer = R.build_trainer(cfg, train, data.images, data.labels, device=torch.device("cpu"))
    clock = Clock()
    live = LiveDigits(trainer, data.images, data.labels, *judge, clock=clock)
    assert live.real_png.startswith(b"\x89PNG") and not live.conditional

    snap = trainer.published
    live.refresh(snap, running=False)  # paused: scored at once
    step0 = live.grid
    assert step0[0] == 0 and step0[1].startswith(b"\x89PNG")
    assert [s["step"] for s in live.scores()] == [0] and live.scores()[0]["n"] == 500
    first = live.scores()[0]
    G, D = trainer.models_at(snap)
    assert (first["score_real"], first["score_fake"]) == pytest.approx(  # D's raw means, for a critic's readout
        critic_means(D, live.view, sample_images(G, live.view.z_eval)), abs=1e-5
    )
    live.refresh(snap, running=False)
    assert live.grid is step0  # same step: nothing redrawn

    live.refresh(replace(snap, step=10), running=True)  # the first scoring while training starts at once
    _wait_for_score(live, 10)
    clock.now += SCORE_EVERY_S - 1
    live.refresh(replace(snap, step=20), running=True)
    assert live.grid[0] == 20 and live.scorer.latest_step() == 10  # drawn, but too soon to score again
    clock.now += 1
    live.refresh(replace(snap, step=30), running=True)
    _wait_for_score(live, 30)
    assert [s["step"] for s in live.scores()] == [0, 10, 30]
