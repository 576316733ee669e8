"""Freezing a network, k_G G steps per iteration and an optimizer per network (issue 25)."""

import pytest
import torch

from playground.engines import fast_engine
from playground.experiments.toy.one_sided import one_sided_step
from playground.gan import step as S
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

SMALL = ModelConfig(hidden=16, depth=2)


def trainer(**train) -> Trainer:
    return Trainer(make_dataset("ring8"), SMALL, TrainConfig(batch_size=32, **train))


def weights(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def changed(before: list[torch.Tensor], module: torch.nn.Module) -> list[bool]:
    return [not torch.equal(b, p) for b, p in zip(before, module.parameters(), strict=True)]


@pytest.mark.parametrize(("learner", "learns", "stays"), [("d", "D", "G"), ("g", "G", "D")])
def test_a_one_sided_step_changes_only_the_network_that_learns(learner, learns, stays):
    t = trainer(k=2, k_g=2)
    t.step(3)  # past the first step, so Adam has moments for both networks
    before = {name: weights(getattr(t, name)) for name in ("G", "D", "G_ema")}
    one_sided_step(t, learner)
    assert all(changed(before[learns], getattr(t, learns)))  # every tensor of the learner moved
    assert not any(changed(before[stays], getattr(t, stays)))
    assert any(changed(before["G_ema"], t.G_ema)) == (learner == "g")  # G's average follows G only
    assert t.step_count == 4 and t.cfg.freeze == "none"  # recorded as an iteration; the run's setting is back
    row = {name: t.history.columns[name][-1] for name in ("grad_norm_d", "grad_norm_g")}
    assert (row["grad_norm_d"] > 0, row["grad_norm_g"] > 0) == (learner == "d", learner == "g")


def test_freezing_keeps_a_network_fixed_over_many_iterations_and_picks_the_reference_step():
    t = Trainer(make_dataset("ring8"), SMALL, TrainConfig(batch_size=32, freeze="d"), engine=fast_engine)
    assert t.engine.name == "reference"  # the fast engine does not cover a frozen network
    d_before = weights(t.D)
    t.step(5)
    assert not any(changed(d_before, t.D))
    t.reconfigure(freeze="none")  # live: back to the fast engine
    assert t.engine.name == "mlp"
    t.step(1)
    assert all(changed(d_before, t.D))


def test_a_frozen_d_reports_its_verdict_on_the_minibatch():
    """With D frozen the statistics are D's loss on one minibatch it judged, by hand from the same draws."""
    t, by_hand = trainer(freeze="d"), trainer()
    t.step(1)
    batch = S.minibatch(by_hand, 32)
    with torch.no_grad():
        logits = by_hand.D(torch.cat([batch.real, batch.fake]))
    real, fake = logits.chunk(2)
    assert t.history.columns["d_loss"][0] == pytest.approx(float(by_hand.loss.d(real, fake)), rel=1e-6)
    assert t.history.columns["d_real"][0] == pytest.approx(float(torch.sigmoid(real).mean()), rel=1e-6)


def test_k_g_g_updates_each_on_fresh_noise_equal_the_steps_by_hand():
    t, by_hand = trainer(k_g=3), trainer()
    t.step(1)
    S.d_update(by_hand, S.minibatch(by_hand, 32))
    for _ in range(3):
        S.g_update(by_hand, *S.generate(by_hand, 32))
    for a, b in zip([*t.G.parameters(), *t.D.parameters()], [*by_hand.G.parameters(), *by_hand.D.parameters()]):
        assert torch.equal(a, b)
    assert torch.equal(t.gen.get_state(), by_hand.gen.get_state())  # the same draws, in the same order


def test_each_network_gets_its_own_optimizer_or_the_shared_one():
    t = trainer(optimizer="rmsprop", optimizer_d="sgd", lr_d=0.05, lr_g=0.002)
    assert type(t.opt_d) is torch.optim.SGD and type(t.opt_g) is torch.optim.RMSprop  # "same" follows `optimizer`
    assert t.opt_d.param_groups[0]["lr"] == 0.05 and t.opt_g.param_groups[0]["lr"] == 0.002
    default = trainer()
    assert type(default.opt_d) is type(default.opt_g) is torch.optim.Adam


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"k_g": 0}, "k_g (G steps per iteration) must be between 1 and 100"),
        ({"optimizer_g": "adagrad"}, "optimizer_g must be 'same' or one of adam, sgd, rmsprop, not 'adagrad'"),
        ({"freeze": "both"}, "freeze must be one of none, g, d"),
    ],
)
def test_bad_values_give_a_clear_message(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**changes)
