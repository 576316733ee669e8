import csv
import math
from dataclasses import replace

import pytest
import torch

from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.record import STAT_NAMES
from playground.gan.trainer import TrainConfig, Trainer
from playground.sweep import LoopSweep, NotVectorised, SeedGroups, SweepTrainer, main, make_sweep

SEEDS = [0, 3, 7]
CONFIGS = {
    "vanilla": (ModelConfig(hidden=16), TrainConfig(batch_size=32)),
    # SGD would expose averaged (instead of summed) per-seed losses: Adam is nearly scale-invariant
    "sgd": (ModelConfig(hidden=16), TrainConfig(batch_size=32, optimizer="sgd", lr_d=0.05, lr_g=0.05)),
    "pacgan+mbstd+noise, k 2": (
        ModelConfig(hidden=16, pack=2, mbstd_group=4),
        TrainConfig(batch_size=32, instance_noise=0.3, k=2),
    ),
    "lsgan, rmsprop, z 3 uniform": (
        ModelConfig(hidden=16, latent_dim=3, prior="uniform"),
        TrainConfig(batch_size=32, loss="lsgan", optimizer="rmsprop"),
    ),
    "hinge": (ModelConfig(hidden=16), TrainConfig(batch_size=32, loss="hinge")),
    # the hand-written gradients (StackedMLPEngine) with packing, instance noise, k 2 and another activation
    "pacgan, noise, k 2, elu": (
        ModelConfig(hidden=16, pack=2, activation="elu"),
        TrainConfig(batch_size=32, instance_noise=0.3, k=2),
    ),
    "wgan-gp": (ModelConfig(hidden=16), TrainConfig(batch_size=32, loss="wgan-gp")),
    # DCGAN-style: G's update reuses the last D update's fakes, by hand and with autograd
    "reuse fakes, k 2": (ModelConfig(hidden=16), TrainConfig(batch_size=32, k=2, reuse_fakes=True)),
    "reuse fakes, wgan-gp": (ModelConfig(hidden=16), TrainConfig(batch_size=32, loss="wgan-gp", reuse_fakes=True)),
}


def separate(model_cfg, train_cfg, seeds=SEEDS) -> list[Trainer]:
    """One reference-step Trainer per seed."""
    return [Trainer(make_dataset("ring8"), model_cfg, replace(train_cfg, seed=s), device="cpu") for s in seeds]


def assert_same_networks(sweep: SweepTrainer, trainers: list[Trainer], **tol) -> None:
    sweep.published_g, sweep.published_d = sweep.G.copy_weights(), sweep.D.net.copy_weights()  # live G, not EMA
    for i, t in enumerate(trainers):
        G, D = sweep.models_at(i)
        for ours, theirs in ((G, t.G), (D, t.D)):
            mine, ref = ours.state_dict(), theirs.state_dict()
            assert mine.keys() == ref.keys()
            for key in ref:
                torch.testing.assert_close(mine[key], ref[key].detach(), **tol)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_one_vectorised_step_equals_separate_trainers_seed_by_seed(name):
    model_cfg, train_cfg = CONFIGS[name]
    sweep = SweepTrainer(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    by_hand = not model_cfg.mbstd_group and train_cfg.loss != "wgan-gp"  # hand-written gradients wherever they apply
    assert sweep.engine.name == ("stacked-mlp" if by_hand else "stacked-autograd")
    trainers = separate(model_cfg, train_cfg)
    assert_same_networks(sweep, trainers, rtol=0, atol=0)  # identical starting parameters
    stats = sweep.train_step()  # [S, n_stats]
    expected = torch.stack([t.train_step() for t in trainers])
    torch.testing.assert_close(stats, expected, rtol=1e-5, atol=1e-6)
    assert_same_networks(sweep, trainers, rtol=1e-5, atol=1e-6)


def test_several_steps_and_ema_samples_still_match_separate_trainers():
    model_cfg, train_cfg = CONFIGS["pacgan+mbstd+noise, k 2"]
    sweep = SweepTrainer(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    trainers = separate(model_cfg, train_cfg)
    sweep.step(10)
    for t in trainers:
        t.step(10)
    expected = torch.stack([t.sample(300, seed=11) for t in trainers])
    torch.testing.assert_close(sweep.sample(300, seed=11), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["vanilla", "wgan-gp"])  # hand-written gradients; autograd with its penalty
def test_a_chunks_statistics_are_its_steps_and_the_chunk_mean_matches_the_trainers(name):
    model_cfg, train_cfg = CONFIGS[name]
    sweep = SweepTrainer(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    records = [sweep._iterate() for _ in range(3)]
    table = sweep._stats(records)  # [3, S, n_stats]
    for row, record in zip(table, records, strict=True):
        torch.testing.assert_close(row, sweep._stats([record])[0])
    sweep.step(4)  # the chunk's mean is the mean of the trainers' per-step numbers
    trainers = separate(model_cfg, train_cfg)
    for t in trainers:
        t.step(3)
        t.step(4)
    expected = torch.tensor([[sum(t.history.columns[k][-4:]) / 4 for k in STAT_NAMES] for t in trainers])
    torch.testing.assert_close(sweep.last_stats, expected, rtol=1e-4, atol=1e-5)


def test_seed_groups_train_each_seed_as_its_own_trainer_and_stay_in_lockstep(monkeypatch):
    model_cfg, train_cfg = CONFIGS["vanilla"]
    monkeypatch.setattr("playground.sweep.cpu_cores", lambda: 2)
    groups = make_sweep(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    assert isinstance(groups, SeedGroups) and [p.seeds for p in groups.parts] == [[0, 3], [7]]
    threads = torch.get_num_threads()
    groups.step(4)
    groups.step(100, seconds=0.05)  # time-bounded: the groups may stop at different steps, then catch up
    assert torch.get_num_threads() == threads and len({p.step_count for p in groups.parts}) == 1
    trainers = separate(model_cfg, train_cfg)
    for t in trainers:
        t.step(groups.step_count)
    expected = torch.stack([t.sample(300, seed=11) for t in trainers])
    torch.testing.assert_close(groups.sample(300, seed=11), expected, rtol=1e-4, atol=1e-5)
    assert [r["seed"] for r in groups.seed_metrics(200)] == SEEDS and groups.diverged is None


def test_loop_fallback_gives_the_same_per_seed_metrics():
    model_cfg, train_cfg = CONFIGS["vanilla"]
    vec = SweepTrainer(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    loop = LoopSweep(make_dataset("ring8"), model_cfg, train_cfg, SEEDS)
    vec.step(5)
    loop.step(5)
    for a, b in zip(vec.seed_metrics(500), loop.seed_metrics(500)):
        assert (a["seed"], a["modes_captured"], a["step"]) == (b["seed"], b["modes_captured"], b["step"])
        assert a["high_quality"] == pytest.approx(b["high_quality"], abs=2e-3)


def test_unrolled_is_not_vectorised_and_make_sweep_falls_back_to_a_loop(capsys):
    cfg = TrainConfig(batch_size=32, unroll_steps=2)
    with pytest.raises(NotVectorised, match="unrolled"):
        SweepTrainer(make_dataset("ring8"), ModelConfig(hidden=8), cfg, [0, 1])
    sweep = make_sweep(make_dataset("ring8"), ModelConfig(hidden=8), cfg, [0, 1])
    assert isinstance(sweep, LoopSweep)
    assert "not vectorised" in capsys.readouterr().err
    assert sweep.step(2) == 2 and sweep.step_count == 2


def test_a_diverged_seed_does_not_stop_the_others():
    sweep = SweepTrainer(make_dataset("ring8"), ModelConfig(hidden=8), TrainConfig(batch_size=32), [0, 1])
    with torch.no_grad():
        sweep.G.weights[0][1].fill_(float("nan"))  # seed index 1 only
    sweep.step(3)
    assert sweep.seed_diverged == [False, True] and sweep.diverged is None
    assert all(torch.isfinite(w[0]).all() for w in sweep.G.weights)
    rows = sweep.seed_metrics(200)
    assert rows[1]["diverged"] and rows[1]["modes_captured"] == 0
    assert not rows[0]["diverged"]


def test_cli_writes_one_csv_row_per_seed(tmp_path, capsys):
    summary = main(["--preset", "collapse-ring8", "--seeds", "3", "--steps", "4", "--samples", "200",
                    "--out", str(tmp_path)])  # fmt: skip
    with open(tmp_path / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["seed"]) for r in rows] == [0, 1, 2]
    assert all(int(r["step"]) == 4 and 0 <= int(r["modes_captured"]) <= 8 for r in rows)
    assert all(math.isfinite(float(r["high_quality"])) for r in rows)
    assert {f"share_{i}" for i in range(8)} <= rows[0].keys()
    assert summary["vectorised"] is True and summary["seeds"] == 3
    assert (tmp_path / "summary.json").is_file() and (tmp_path / "config.json").is_file()


def test_cli_rejects_an_unknown_remedy(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--remedy", "magic", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "Unknown remedy" in capsys.readouterr().err
