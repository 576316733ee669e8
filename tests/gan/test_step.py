"""The reference step (``playground.gan.step``): Algorithm 1's draws, both updates by hand, D-only and G-only runs."""

import pytest
import torch

from playground.gan import step
from playground.gan.data import Mixture1D, make_dataset
from playground.gan.models import ModelConfig, sample_latent
from playground.gan.trainer import TrainConfig, Trainer

SMALL = ModelConfig(hidden=8)


def make(**kw) -> Trainer:
    return Trainer(make_dataset("ring8"), SMALL, TrainConfig(batch_size=16, **kw), device="cpu")


def record_inputs(module: torch.nn.Module) -> list[torch.Tensor]:
    seen: list[torch.Tensor] = []
    module.register_forward_hook(lambda mod, args, out: seen.append(args[0].detach().clone()))
    return seen


def test_g_update_draws_a_fresh_minibatch_of_noise_after_the_d_update():
    t = make()
    g_inputs = record_inputs(t.G)
    replay = torch.Generator().manual_seed(t.cfg.seed + 1)  # the trainer's stream: z, real, then z again
    z_d = sample_latent(16, SMALL, replay, "cpu")
    t.data.sample(16, replay, "cpu")
    z_g = sample_latent(16, SMALL, replay, "cpu")
    t.step(1)
    assert len(g_inputs) == 2  # one G forward for D's update, one for G's
    torch.testing.assert_close(g_inputs[0], z_d, rtol=0, atol=0)
    torch.testing.assert_close(g_inputs[1], z_g, rtol=0, atol=0)
    assert not torch.equal(z_d, z_g)


def test_reuse_fakes_scores_g_on_the_last_d_updates_fakes():
    t = make(reuse_fakes=True, k=2)
    g_inputs, d_inputs = record_inputs(t.G), record_inputs(t.D)
    t.step(1)
    assert len(g_inputs) == 2  # k = 2 D updates, and no G forward of its own for G's update
    assert len(d_inputs) == 3
    last_fakes = d_inputs[1][16:]  # the second D update saw [real; fake]
    torch.testing.assert_close(d_inputs[2], last_fakes, rtol=0, atol=0)


def test_fresh_noise_and_reuse_give_different_runs_from_one_start():
    fresh, reuse = make(), make(reuse_fakes=True)
    fresh.step(3)
    reuse.step(3)
    assert fresh.history.columns["d_loss"][0] == reuse.history.columns["d_loss"][0]  # the same first D update
    assert fresh.history.columns["g_loss"][0] != reuse.history.columns["g_loss"][0]  # G judged on other fakes


def test_d_update_ascends_log_d_real_plus_log_one_minus_d_fake_by_hand():
    """D(x) = σ(w·x + b) at w = b = 0, real x = 1, fake x = −1: ∂(−V)/∂w = −½·1 + ½·(−1) = −1, ∂(−V)/∂b = −½ + ½ = 0,
    so one SGD step of lr 0.1 gives w = 0.1, b = 0, and the logits it reports are D's before the update (0)."""
    t = Trainer(Mixture1D((1.0,), (2.0,), (0.5,)), ModelConfig(data_dim=1, latent_dim=1, hidden=2), device="cpu")
    t.D = torch.nn.Linear(1, 1)
    torch.nn.init.zeros_(t.D.weight)
    torch.nn.init.zeros_(t.D.bias)
    opt = torch.optim.SGD(t.D.parameters(), lr=0.1)
    batch = step.Minibatch(torch.ones(1, 1), -torch.ones(1, 1), None, None)
    logits, penalty, norm = step.d_update(t, batch, opt=opt)
    torch.testing.assert_close(logits, torch.zeros(2, 1))
    assert penalty is None and float(norm) == pytest.approx(1.0)
    assert (t.D.weight.item(), t.D.bias.item()) == pytest.approx((0.1, 0.0))


def test_g_update_moves_the_fakes_toward_where_d_says_data():
    """D(x) = σ(x) calls larger x more real; G(z) = z + c: the non-saturating step raises c, and D is untouched."""
    t = Trainer(Mixture1D((1.0,), (2.0,), (0.5,)), ModelConfig(data_dim=1, latent_dim=1, hidden=2), device="cpu")
    t.D = torch.nn.Linear(1, 1)
    with torch.no_grad():
        t.D.weight.fill_(1.0)
        t.D.bias.zero_()
    shift = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([shift], lr=0.1)
    fake = torch.zeros(4, 1) + shift
    step.g_update(t, fake, opt=opt)
    # ∂/∂c mean softplus(−(z + c)) at 0 = −σ(0) = −½: c ← 0 + 0.1·½
    assert shift.item() == pytest.approx(0.05)
    assert t.D.weight.item() == 1.0 and t.D.weight.requires_grad


def test_train_d_only_changes_only_d_and_train_g_only_only_g():
    t = make()
    before = {name: [p.detach().clone() for p in net.parameters()] for name, net in (("G", t.G), ("D", t.D))}

    def moved(name: str) -> bool:
        net = t.G if name == "G" else t.D
        return any(not torch.equal(a, b) for a, b in zip(net.parameters(), before[name]))

    step.train_d_only(t, 3)
    assert moved("D") and not moved("G") and not t.opt_g.state  # G's optimizer never stepped
    before["D"] = [p.detach().clone() for p in t.D.parameters()]
    step.train_g_only(t, 3)
    assert moved("G") and not moved("D")
    assert all(p.requires_grad for p in t.D.parameters())  # D's parameters thawed again after G's updates
    assert t.step_count == 0  # neither is an iteration of the game


def test_unrolled_d_is_rewound_and_only_the_reference_step_runs_it():
    t = make(unroll_steps=2)
    assert t.engine is step.REFERENCE
    t.step(2)
    assert t.step_count == 2 and t.diverged is None
