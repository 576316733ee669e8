from dataclasses import replace

import pytest
import torch

from playground.gan.data import make_dataset
from playground.gan.models import Discriminator, ModelConfig
from playground.gan.remedies import REMEDIES, apply_remedies
from playground.gan.trainer import TrainConfig, Trainer


def test_packing_concatenates_consecutive_samples():
    d = Discriminator(ModelConfig(pack=2, hidden=8))
    assert d.net[0].in_features == 4
    x = torch.randn(6, 2)
    assert d(x).shape == (3, 1)
    torch.testing.assert_close(d(x)[1], d.net(torch.cat([x[2], x[3]]).unsqueeze(0))[0])


def test_minibatch_stddev_feature_is_computed_within_groups_only():
    d = Discriminator(ModelConfig(mbstd_group=2, hidden=8))
    real = torch.tensor([[0.0, 0.0], [2.0, 0.0]])  # per-axis std (biased) = (1, 0): mean 0.5
    fake = torch.tensor([[5.0, 5.0], [5.0, 5.0]])  # no spread at all
    captured = []
    d.net.register_forward_hook(lambda mod, inp, out: captured.append(inp[0]))
    d(torch.cat([real, fake]))
    torch.testing.assert_close(captured[0][:, 2], torch.tensor([0.5, 0.5, 0.0, 0.0]))


def test_score_points_gives_one_verdict_per_point():
    for cfg in (ModelConfig(), ModelConfig(pack=3), ModelConfig(pack=2, mbstd_group=4)):
        assert Discriminator(cfg).score_points(torch.randn(10, 2)).shape == (10, 1)


def test_instance_noise_anneals_linearly_to_zero():
    t = Trainer(make_dataset("ring8"), ModelConfig(hidden=8), TrainConfig(instance_noise=0.4, noise_anneal_steps=10))
    assert t.noise_sigma() == pytest.approx(0.4)
    t.step(5)
    assert t.noise_sigma() == pytest.approx(0.2)
    t.step(10)
    assert t.noise_sigma() == 0.0


def test_unrolling_rewinds_the_discriminator_after_the_generator_step():
    # SGD, because Adam's first step is lr·sign(gradient) and would hide a changed gradient
    # and a large D step so that the unrolled D differs visibly from the current one
    cfg = TrainConfig(batch_size=32, optimizer="sgd", lr_d=0.5)
    t = Trainer(make_dataset("ring8"), ModelConfig(hidden=8), replace(cfg, unroll_steps=3))
    plain = Trainer(make_dataset("ring8"), ModelConfig(hidden=8), cfg)
    t.step(1)
    plain.step(1)
    # D took exactly one real (k = 1) optimizer step in both; the unrolled steps were rewound
    assert t.opt_d.state[next(iter(t.D.parameters()))]["momentum_buffer"] is not None
    for a, b in zip(t.D.parameters(), plain.D.parameters()):
        torch.testing.assert_close(a, b)
    moved = [float((a - b).detach().abs().max()) for a, b in zip(t.G.parameters(), plain.G.parameters())]
    assert max(moved) > 1e-6  # G was scored against the unrolled D (float rounding is ~1e-8)


@pytest.mark.parametrize("spec", ["unrolled=2", "pacgan=2", "mbstd=4", "noise=0.2", "wgan-gp", "lsgan", "hinge"])
def test_every_remedy_trains_a_few_finite_steps(spec):
    model, train = apply_remedies(ModelConfig(hidden=16), TrainConfig(batch_size=64), [spec])
    t = Trainer(make_dataset("ring8"), model, train)
    t.step(3)
    assert t.diverged is None and t.step_count == 3


def test_remedies_combine_and_reject_bad_specs():
    model, train = apply_remedies(ModelConfig(), TrainConfig(), ["pacgan=4", "noise", "unrolled=2"])
    assert (model.pack, train.instance_noise, train.unroll_steps) == (4, REMEDIES["noise"].default, 2)
    with pytest.raises(ValueError, match="Unknown remedy"):
        apply_remedies(model, train, ["magic"])
    with pytest.raises(ValueError, match="takes no value"):
        apply_remedies(model, train, ["lsgan=3"])
    with pytest.raises(ValueError, match="pack"):
        apply_remedies(model, train, ["pacgan=0"])


def test_batch_must_divide_into_packs_and_groups():
    with pytest.raises(ValueError, match="multiple"):
        Trainer(make_dataset("ring8"), ModelConfig(pack=3), TrainConfig(batch_size=256))
