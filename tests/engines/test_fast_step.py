"""The MLP engine (hand-written backward pass) gives the reference step's training run (float rounding aside)."""

import pytest
import torch

from playground.engines import fast_engine
from playground.engines.mlp import MLPEngine, Stack
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

CASES = [
    (ModelConfig(), TrainConfig()),  # the benchmark's reference configuration
    (ModelConfig(pack=2, activation="tanh"), TrainConfig(loss="hinge", k=2, instance_noise=0.1)),
    (ModelConfig(activation="leaky_relu", depth=3, latent_dim=3), TrainConfig(loss="lsgan", optimizer="sgd")),
    (ModelConfig(activation="elu", prior="uniform"), TrainConfig(loss="minimax", optimizer="rmsprop")),
    (ModelConfig(pack=2), TrainConfig(k=2, reuse_fakes=True, instance_noise=0.1)),  # DCGAN-style reuse
]


def params(trainer: Trainer) -> list[torch.Tensor]:
    return [*trainer.G.parameters(), *trainer.D.parameters(), *trainer.G_ema.parameters()]


@pytest.mark.parametrize(("model_cfg", "train_cfg"), CASES)
def test_mlp_engine_matches_the_reference_step_on_a_short_run(model_cfg, train_cfg):
    fast = Trainer(make_dataset("ring8"), model_cfg, train_cfg, engine=fast_engine)
    slow = Trainer(make_dataset("ring8"), model_cfg, train_cfg)
    assert (fast.engine.name, slow.engine.name) == ("mlp", "reference")
    fast.step(12)
    slow.step(12)
    for a, b in zip(params(fast), params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    for name in ("d_loss", "g_loss", "value", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"):
        torch.testing.assert_close(
            torch.tensor(fast.history.columns[name]), torch.tensor(slow.history.columns[name]), rtol=1e-4, atol=1e-5
        )
    assert fast.step_count == slow.step_count == 12


def test_the_reference_step_runs_where_the_mlp_engine_does_not_apply():
    ring = make_dataset("ring8")
    spread = Trainer(ring, ModelConfig(mbstd_group=4), engine=fast_engine)  # the spread feature needs autograd
    assert spread.fast_engine is None and spread.engine.name == "reference"
    gp = Trainer(ring, ModelConfig(), TrainConfig(loss="wgan-gp"), engine=fast_engine)
    unrolled = Trainer(ring, ModelConfig(), TrainConfig(unroll_steps=2), engine=fast_engine)
    assert gp.engine.name == unrolled.engine.name == "reference"  # gradient penalty, unrolled D
    gp.reconfigure(loss="nonsat")
    assert gp.engine is gp.fast_engine  # a live loss change switches engines between steps
    gp.step(3)
    gp.reconfigure(loss="wgan-gp")  # and back: the optimizers' state made by the MLP engine serves autograd's
    assert gp.engine.name == "reference"
    gp.step(3)
    assert gp.step_count == 6 and gp.diverged is None


def test_stack_accepts_only_linear_and_known_activations():
    assert Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)))
    assert not Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout(), torch.nn.Linear(4, 1)))
    assert not Stack.supports(
        torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 1))
    )
    assert not Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.ReLU()))
    plain_d = torch.nn.Sequential(torch.nn.Linear(2, 1))  # not a Discriminator
    assert not MLPEngine.supports(torch.nn.Sequential(torch.nn.Linear(2, 2)), plain_d)
