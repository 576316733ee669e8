"""Slow motion plays exactly one Trainer iteration: the same weights, random stream and statistics (issue 25)."""

import copy

import numpy as np
import pytest
import torch

from playground.engines import fast_engine
from playground.experiments.toy import slowmo
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.record import STAT_NAMES
from playground.gan.trainer import TrainConfig, Trainer

GRID = torch.cartesian_prod(torch.linspace(-3, 3, 7), torch.linspace(-3, 3, 7))  # [49, 2]


def pair(model_cfg: ModelConfig, train_cfg: TrainConfig, warmup: int = 3) -> tuple[Trainer, Trainer]:
    """Two trainers in the same state (the reference step), a few iterations in."""
    a = Trainer(make_dataset("ring8"), model_cfg, train_cfg)
    a.step(warmup)
    b = Trainer(make_dataset("ring8"), model_cfg, train_cfg)
    b.load_training_state(copy.deepcopy(a.training_state()))
    b.history = copy.deepcopy(a.history)
    return a, b


def everything(t: Trainer) -> list[torch.Tensor]:
    state = t.training_state()
    moments = [v for opt in ("opt_d", "opt_g") for s in state[opt]["state"].values() for v in s.values()]
    return [*state["G"].values(), *state["D"].values(), *state["G_ema"].values(), *moments, state["gen"]]


CASES = [
    (ModelConfig(hidden=16), TrainConfig(batch_size=32)),
    (ModelConfig(hidden=16, pack=2), TrainConfig(batch_size=32, k=2, k_g=2, loss="hinge", instance_noise=0.1)),
    (ModelConfig(hidden=16), TrainConfig(batch_size=32, loss="wgan-gp", optimizer_d="sgd", reuse_fakes=True)),
]


@pytest.mark.parametrize(("model_cfg", "train_cfg"), CASES)
def test_slow_motion_leaves_exactly_the_state_and_statistics_of_one_trainer_iteration(model_cfg, train_cfg):
    slow, normal = pair(model_cfg, train_cfg)
    played = slowmo.play(slow, GRID)
    normal.step(1)
    assert slow.step_count == normal.step_count == played.step == 4
    for a, b in zip(everything(slow), everything(normal), strict=True):
        assert torch.equal(a, b)
    for name in ("step", *STAT_NAMES):
        assert slow.history.columns[name] == normal.history.columns[name]
    assert slow.engine is slow.fast_engine or slow.engine.name == "reference"  # its own engine is back
    assert played.stats == {n: normal.history.columns[n][-1] for n in STAT_NAMES}


@pytest.mark.parametrize(("model_cfg", "train_cfg"), CASES)
def test_the_phases_report_the_trainers_numbers_for_that_iteration(model_cfg, train_cfg):
    slow, normal = pair(model_cfg, train_cfg)
    played = slowmo.play(slow, GRID)
    normal.step(1)
    row = {n: normal.history.columns[n][-1] for n in STAT_NAMES}
    last_d, last_g = played.d_steps[-1].numbers, played.g_steps[-1].numbers
    for name in ("d_loss", "d_real", "d_fake", "grad_norm_d"):
        assert last_d[name] == row[name]
    assert last_g["g_loss"] == row["g_loss"] and last_g["grad_norm_g"] == row["grad_norm_g"]
    cfg = train_cfg
    expected = [*slowmo.D_PHASES * cfg.k, *slowmo.G_PHASES * cfg.k_g]
    assert [p.key for p in played.phases] == expected
    judged = [p for p in played.phases if p.key == "judge"][-1]
    assert dict(judged.numbers) == {"mean D(x)": row["d_real"], "mean D(G(z))": row["d_fake"]}
    assert all(p.formula and p.numbers and np.isfinite([v for _, v in p.numbers]).all() for p in played.phases)


def test_what_the_phases_saw_is_the_minibatch_and_the_updates_by_hand():
    slow, normal = pair(ModelConfig(hidden=16), TrainConfig(batch_size=32))
    g_before, d_before = copy.deepcopy(normal.G), copy.deepcopy(normal.D)
    played = slowmo.play(slow, GRID)
    d, g = played.d_steps[0], played.g_steps[0]
    with torch.no_grad():  # the fakes are G(z) of the recorded noise, D's verdicts σ(D) before and after
        np.testing.assert_allclose(d.fake, g_before(torch.from_numpy(d.z)).numpy(), rtol=0, atol=1e-6)
        np.testing.assert_allclose(d.d_real, torch.sigmoid(d_before(torch.from_numpy(d.real)))[:, 0].numpy(),
                                   atol=1e-6)  # fmt: skip
        np.testing.assert_allclose(d.surface_after, torch.sigmoid(slow.D(GRID))[:, 0].numpy(), atol=1e-6)
        np.testing.assert_allclose(g.fake_after, slow.G(torch.from_numpy(g.z)).numpy(), atol=1e-6)
    assert not np.array_equal(d.surface_before, d.surface_after)
    mean_move = np.linalg.norm(g.fake_after - g.fake_before, axis=1).mean()
    assert g.numbers["mean_move"] == pytest.approx(mean_move, rel=1e-6) and mean_move > 0
    # the push: −∇ₓ of G's non-saturating loss E[softplus(−D(x))] at each fake, with D after its update (the
    # normal trainer's D once it has run the same iteration: G's update leaves D as it is)
    normal.step(1)
    x = torch.from_numpy(g.fake_before).requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.nn.functional.softplus(-normal.D(x)).mean(), x)
    np.testing.assert_allclose(g.push, -grad.numpy(), atol=1e-7)


def test_the_fast_engine_iteration_agrees_with_slow_motion_up_to_rounding():
    cfg = (ModelConfig(hidden=16), TrainConfig(batch_size=32, k_g=2))
    slow, _ = pair(*cfg)
    fast = Trainer(make_dataset("ring8"), *cfg, engine=fast_engine)
    fast.load_training_state(copy.deepcopy(slow.training_state()))
    slowmo.play(slow, GRID)
    fast.step(1)
    assert fast.engine.name == "mlp"
    for a, b in zip(everything(slow)[:-1], everything(fast)[:-1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_slow_motion_declines_what_it_does_not_play():
    t = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=32, freeze="g"))
    assert slowmo.covers(t) is not None
    with pytest.raises(ValueError, match="both networks learn"):
        slowmo.play(t, GRID)
    assert t.step_count == 0


def test_each_phase_draws_what_it_names():
    from playground.experiments.toy.slowmo_figures import phase_figures
    from playground.views.plane import make_view

    slow, _ = pair(ModelConfig(hidden=16), TrainConfig(batch_size=32))
    view = make_view(slow.data, slow.model_cfg, resolution=7)
    played = slowmo.play(slow, view.grid)
    counts = {p.key: len(phase_figures(played, p, view)) for p in played.phases}
    assert counts == {"sample": 2, "generate": 2, "judge": 1, "d_loss": 2, "d_update": 3, "fresh_z": 2,
                      "g_loss": 1, "g_update": 1}  # fmt: skip
    d_update = next(p for p in played.phases if p.key == "d_update")
    before, after, change = (fig.data[0].z for fig in phase_figures(played, d_update, view))
    np.testing.assert_allclose(change, after - before)  # the third plane is the difference of the first two
    g_update = next(p for p in played.phases if p.key == "g_update")
    moved = phase_figures(played, g_update, view)[0].data[-1]
    np.testing.assert_array_equal(np.column_stack([moved.x, moved.y]), played.g_steps[0].fake_after)


def test_the_update_formulas_show_the_rates_the_iteration_ran_with():
    from playground.gan.trainer import scheduled_lr

    cfg = TrainConfig(batch_size=32, lr_d=0.004, lr_g=0.002, optimizer_g="sgd", lr_schedule="inverse", lr_decay_steps=2)
    slow, _ = pair(ModelConfig(hidden=16), cfg)
    played = slowmo.play(slow, GRID)
    formulas = {p.key: p.formula for p in played.phases}
    assert formulas["d_update"] == f"θ_D ← θ_D − η_D · adam(g_D),  η_D = {scheduled_lr(0.004, 'inverse', 2, 3):g}"
    assert formulas["g_update"].startswith("θ_G ← θ_G − η_G · sgd(∇_θG L_G)")
    assert formulas["g_update"].endswith(f"η_G = {scheduled_lr(0.002, 'inverse', 2, 3):g}")
