"""The lab's runs: a preset pair, a seed sweep and the MNIST pair step together and keep their fixed inputs."""

import pytest

from playground.digits.classifier import load_classifier
from playground.digits.data import load_mnist
from playground.experiments.collapse import view as CV
from playground.experiments.collapse.runs import PresetPair, SeedSweep, digits_run, pair_run, sweep_run
from playground.gan.metrics import mode_metrics

VALUES = {"dataset": "ring8", "left": "collapse-ring8", "right": "default-ring8", "seed": 7, "refresh": 2,
          "sweep_seeds": 2, "sweep_steps": 400}  # fmt: skip


def test_preset_pair_trains_both_from_the_seed_in_lockstep():
    pair = PresetPair("collapse-ring8", "pacgan-ring8", seed=7)
    assert [t.cfg.seed for t in pair.trainers] == [7, 7]
    assert pair.density.shape == (len(pair.views[0].ys), len(pair.views[0].xs))
    assert pair.step(3) == 3 and [t.step_count for t in pair.trainers] == [3, 3]


def test_pair_run_is_built_from_presets_and_seed_and_pauses_at_the_longer_budget():
    run = pair_run(VALUES)
    try:
        assert dict(run.settings) == {"left": "collapse-ring8", "right": "default-ring8", "seed": 7}
        assert run.max_steps == 6000  # collapse-ring8 runs 6,000 steps, default-ring8 5,000
        assert run.needs_reset({**VALUES, "seed": 8, "sweep_seeds": 4, "refresh": 4}) == ["seed"]
        run.step(2)
        assert [t.step_count for t in run.trainer.trainers] == [2, 2]
    finally:
        run.stop()


def test_sweep_run_pauses_at_its_steps_and_needs_reset_only_for_presets_and_seed_count():
    run = sweep_run(VALUES)
    try:
        assert dict(run.settings) == {"left": "collapse-ring8", "right": "default-ring8", "sweep_seeds": 2}
        assert run.max_steps == 400 and run.trainer.seeds == [0, 1]
        assert run.needs_reset({**VALUES, "sweep_steps": 800, "seed": 3}) == []  # Steps steers, seed is the pair's
        assert run.needs_reset({**VALUES, "sweep_seeds": 4}) == ["sweep_seeds"]
    finally:
        run.stop()


def test_seed_sweep_scores_every_seed_once_per_step():
    sweep = SeedSweep(("collapse-ring8", "pacgan-ring8"), n_seeds=2)
    first = sweep.seed_metrics()
    assert list(first) == ["collapse-ring8", "pacgan-ring8"]
    assert [r["seed"] for r in first["pacgan-ring8"]] == [0, 1]
    assert sweep.seed_metrics() is first  # nothing new: the redraw reuses the numbers
    sweep.step(1)
    again = sweep.seed_metrics()
    assert again is not first and again["collapse-ring8"][0]["step"] == 1


def test_mode_timeline_scores_each_stored_snapshot_once_and_rescores_a_resumed_run():
    pair = PresetPair("collapse-ring8", "pacgan-ring8", seed=7)
    left = pair.trainers[0]
    pair.step(200)  # a snapshot every 100 steps
    steps, shares = pair.mode_timeline(0)
    assert steps == [0, 100, 200] and len(shares[0]) == 8
    G, _ = left.models_at(left.snapshots[-1])
    assert shares[-1] == mode_metrics(G(pair.views[0].z_eval).detach(), left.data)["mode_share"]  # exact
    first = pair._timelines[0][100][1]
    assert pair.mode_timeline(0)[1][1] is first  # nothing new: the redraw reuses the scores
    left.republish()  # as a resume does: the published weights become the only snapshot
    steps, _ = pair.mode_timeline(0)
    assert steps == [200] and list(pair._timelines[0]) == [200]  # gone snapshots leave the cache


@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


def test_digit_run_scores_each_run_once_per_step_and_draws_its_grid(classifier):
    run = digits_run(VALUES, load_mnist())  # the embedded subset
    try:
        assert dict(run.settings) == {"seed": 7}
        assert run.max_steps == 7500  # where both MNIST presets were measured; Train goes on past it
        assert [t.cfg.loss for t in run.trainer.trainers] == ["nonsat", "wgan-gp"]  # only the objective differs
        left, right = CV.digit_columns(run, classifier)
        assert left.name == "collapse-mnist" and left.step == 0 and left.diverged is None
        assert sum(left.report["class_counts"]) + left.report["unreadable"] == 500  # the fixed evaluation noise
        assert left.report["unreadable"] > 400  # an untrained generator draws noise, which is no digit
        assert CV.digit_columns(run, classifier)[0].report is left.report  # scored once for step 0
        assert list(left.histogram.layout.yaxis.range) == list(right.histogram.layout.yaxis.range)
        assert left.grid_png.startswith(b"\x89PNG")
        run.step(1)
        assert CV.digit_columns(run, classifier)[1].step == 1
    finally:
        run.stop()
