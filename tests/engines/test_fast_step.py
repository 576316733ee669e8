"""The hand-written backward pass gives the same training run as autograd (float rounding aside)."""

import pytest
import torch

from playground.engines.mlp import FastStep, Stack
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

CASES = [
    (ModelConfig(), TrainConfig()),  # the benchmark's reference configuration
    (ModelConfig(pack=2, activation="tanh"), TrainConfig(loss="hinge", k=2, instance_noise=0.1)),
    (ModelConfig(activation="leaky_relu", depth=3, latent_dim=3), TrainConfig(loss="lsgan", optimizer="sgd")),
    (ModelConfig(activation="elu", prior="uniform"), TrainConfig(loss="minimax", optimizer="rmsprop")),
]


def params(trainer: Trainer) -> list[torch.Tensor]:
    return [*trainer.G.parameters(), *trainer.D.parameters(), *trainer.G_ema.parameters()]


@pytest.mark.parametrize(("model_cfg", "train_cfg"), CASES)
def test_fast_path_matches_autograd_on_a_short_run(model_cfg, train_cfg):
    fast = Trainer(make_dataset("ring8"), model_cfg, train_cfg, fast=True)
    slow = Trainer(make_dataset("ring8"), model_cfg, train_cfg, fast=False)
    assert fast.fast_step is not None and slow.fast_step is None
    fast.step(12)
    slow.step(12)
    for a, b in zip(params(fast), params(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    for name in ("d_loss", "g_loss", "value", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"):
        torch.testing.assert_close(
            torch.tensor(fast.history.columns[name]), torch.tensor(slow.history.columns[name]), rtol=1e-4, atol=1e-5
        )
    assert fast.step_count == slow.step_count == 12


def test_fast_path_falls_back_to_autograd_where_it_does_not_apply():
    ring = make_dataset("ring8")
    assert Trainer(ring, ModelConfig(mbstd_group=4)).fast_step is None  # the spread feature needs autograd
    gp = Trainer(ring, ModelConfig(), TrainConfig(loss="wgan-gp"))
    unrolled = Trainer(ring, ModelConfig(), TrainConfig(unroll_steps=2))
    assert gp._fast() is None and unrolled._fast() is None  # gradient penalty, unrolled D
    gp.reconfigure(loss="nonsat")
    assert gp._fast() is gp.fast_step  # a live loss change switches paths between steps
    gp.step(3)
    gp.reconfigure(loss="wgan-gp")  # and back: the optimizers' state made on the fast path serves autograd's
    gp.step(3)
    assert gp.step_count == 6 and gp.diverged is None


def test_stack_accepts_only_linear_and_known_activations():
    assert Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)))
    assert not Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout(), torch.nn.Linear(4, 1)))
    assert not Stack.supports(
        torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 1))
    )
    assert not Stack.supports(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.ReLU()))
    assert not FastStep.supports(torch.nn.Sequential(torch.nn.Linear(2, 2)), torch.nn.Sequential(torch.nn.Linear(2, 1)))
