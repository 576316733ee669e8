"""The learning-rate schedule: its formula against hand values, and the Trainer applying it (both engines alike)."""

import math

import pytest
import torch

from playground.engines import fast_engine
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer, scheduled_lr


def test_constant_schedule_keeps_the_rate():
    assert scheduled_lr(1e-3, "constant", 100, 0) == scheduled_lr(1e-3, "constant", 100, 10**6) == 1e-3


def test_inverse_schedule_halves_at_t_and_thirds_at_2t():
    assert scheduled_lr(6e-4, "inverse", 2000, 0) == 6e-4
    assert scheduled_lr(6e-4, "inverse", 2000, 2000) == pytest.approx(3e-4)
    assert scheduled_lr(6e-4, "inverse", 2000, 4000) == pytest.approx(2e-4)
    assert scheduled_lr(6e-4, "inverse", 2000, 1000) == pytest.approx(4e-4)  # 6e-4 / 1.5


def test_cosine_schedule_halves_midway_and_is_zero_from_t_on():
    assert scheduled_lr(1e-3, "cosine", 100, 0) == 1e-3
    assert scheduled_lr(1e-3, "cosine", 100, 50) == pytest.approx(5e-4)
    assert scheduled_lr(1e-3, "cosine", 100, 25) == pytest.approx(1e-3 * (1 + math.sqrt(0.5)) / 2)
    assert scheduled_lr(1e-3, "cosine", 100, 100) == scheduled_lr(1e-3, "cosine", 100, 5000) == 0.0


def test_config_rejects_unknown_schedules_and_bad_lengths():
    with pytest.raises(ValueError, match="lr_schedule"):
        TrainConfig(lr_schedule="step")
    with pytest.raises(ValueError, match="lr_decay_steps"):
        TrainConfig(lr_schedule="inverse", lr_decay_steps=0)


def rates(trainer: Trainer) -> tuple[float, float]:
    return trainer.opt_d.param_groups[0]["lr"], trainer.opt_g.param_groups[0]["lr"]


def weights(trainer: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for p in (*trainer.G.parameters(), *trainer.D.parameters())]


@pytest.mark.parametrize("engine", [None, fast_engine])
def test_trainer_uses_the_scheduled_rate_and_a_finished_cosine_freezes_the_game(engine):
    cfg = TrainConfig(lr_d=2e-3, lr_g=1e-3, lr_schedule="cosine", lr_decay_steps=4, batch_size=32)
    trainer = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), cfg, engine=engine)
    trainer.step(3)  # iterations 0, 1, 2 ran; iteration 2 used t = 2, half the rate
    assert rates(trainer) == pytest.approx((1e-3, 5e-4))
    trainer.step(1)  # iteration 3: t = 3
    assert rates(trainer) == pytest.approx((2e-3 * (1 - math.sqrt(0.5)) / 2, 1e-3 * (1 - math.sqrt(0.5)) / 2))
    before = weights(trainer)
    trainer.step(3)  # t = 4, 5, 6: rate 0, Adam moves nothing
    assert rates(trainer) == (0.0, 0.0)
    for a, b in zip(before, weights(trainer), strict=True):
        assert torch.equal(a, b)


def test_reference_and_fast_engine_agree_under_a_schedule():
    cfg = TrainConfig(lr_schedule="inverse", lr_decay_steps=3, lr_d=5e-3, lr_g=5e-3)
    fast = Trainer(make_dataset("ring8"), ModelConfig(), cfg, engine=fast_engine)
    slow = Trainer(make_dataset("ring8"), ModelConfig(), cfg)
    constant = Trainer(make_dataset("ring8"), ModelConfig(), TrainConfig(lr_d=5e-3, lr_g=5e-3), engine=fast_engine)
    assert (fast.engine.name, slow.engine.name) == ("mlp", "reference")
    for trainer in (fast, slow, constant):
        trainer.step(10)
    for a, b in zip(weights(fast), weights(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    assert not all(torch.allclose(a, b) for a, b in zip(weights(fast), weights(constant)))  # the schedule mattered
    assert rates(fast) == rates(slow) == pytest.approx((5e-3 / 4, 5e-3 / 4))  # t = 9: 1 + 9/3


def test_reconfigure_keeps_the_schedule():
    cfg = TrainConfig(lr_schedule="inverse", lr_decay_steps=10, batch_size=32)
    trainer = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), cfg)
    trainer.step(10)
    trainer.reconfigure(lr_d=4e-3)  # a new base rate, scheduled at the current step t = 10
    assert rates(trainer) == pytest.approx((2e-3, 5e-4))


@pytest.mark.parametrize("engine", [None, fast_engine])
def test_a_schedule_for_g_only_keeps_ds_rate_and_d_still_learns_once_g_is_frozen(engine):
    cfg = TrainConfig(lr_d=2e-3, lr_g=1e-3, lr_schedule="cosine", lr_decay_steps=2, lr_schedule_d=False, batch_size=32)
    trainer = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), cfg, engine=engine)
    trainer.step(3)  # t = 2: G's rate is 0
    assert rates(trainer) == (2e-3, 0.0)
    g_before, d_before = [p.clone() for p in trainer.G.parameters()], [p.clone() for p in trainer.D.parameters()]
    trainer.step(2)
    assert all(torch.equal(a, b) for a, b in zip(g_before, trainer.G.parameters()))
    assert not any(torch.equal(a, b) for a, b in zip(d_before, trainer.D.parameters()))
