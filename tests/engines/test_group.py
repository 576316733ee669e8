"""A TrainerStack trains each member as its own Trainer would alone (playground/engines/group.py)."""

import math
from dataclasses import replace

import pytest
import torch

from playground.digits.models import ImageSampler, MnistMLPConfig
from playground.engines import fast_engine
from playground.engines.group import TrainerStack, stack_key
from playground.engines.stacked import member_view
from playground.engines.stacked_optim import StackedOptimizer
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

# (seed, data set, lr_d, steps trained alone before stacking, other settings): members differ in all of these
MEMBERS = [
    (0, "ring8", 1e-3, 0, {"snapshot_every": 25}),
    (5, "grid25", 2e-3, 7, {"snapshot_every": 10}),
    (9, "ring8", 5e-4, 0, {"instance_noise": 0.2, "noise_anneal_steps": 30}),  # σ reaches 0 inside the run
    (2, "grid25", 1e-3, 3, {"lr_schedule": "inverse", "lr_decay_steps": 20}),
]
CONFIGS = {  # (engine factory, model, training config): every member of a case has the same stack_key
    "adam, hand-written": (fast_engine, ModelConfig(hidden=16), TrainConfig(batch_size=32)),
    "sgd, k 2, reference": (None, ModelConfig(hidden=16), TrainConfig(batch_size=32, optimizer="sgd", k=2)),
    "rmsprop D, adam G, k_G 2, reuse fakes, pack 2": (
        fast_engine,
        ModelConfig(hidden=16, pack=2),
        TrainConfig(batch_size=32, optimizer_d="rmsprop", k_g=2, reuse_fakes=True),
    ),
    # the autograd stacked engine (minibatch stddev is not hand-written). tanh, not ReLU: the gradient penalty of a
    # ReLU net jumps when a float-rounding difference flips a unit, so two roundings part after ~20 steps
    "wgan-gp, mbstd, k_G 2, autograd": (
        fast_engine,
        ModelConfig(hidden=16, mbstd_group=4, activation="tanh"),
        TrainConfig(batch_size=32, loss="wgan-gp", k_g=2),
    ),
}
TOL = {"rtol": 0, "atol": 1e-5}


def make_members(engine, model_cfg, train_cfg) -> list[Trainer]:
    trainers = []
    for seed, dataset, lr, steps, extra in MEMBERS:
        cfg = replace(train_cfg, seed=seed, lr_d=lr, lr_g=0.7 * lr, **extra)
        if cfg.optimizer == "sgd":  # plain SGD needs larger steps; at ×20 the run is chaotic (rounding grows ×10³)
            cfg = replace(cfg, lr_d=5 * lr, lr_g=3.5 * lr)
        trainer = Trainer(make_dataset(dataset), model_cfg, cfg, device="cpu", engine=engine)
        if steps:
            trainer.step(steps)
        trainers.append(trainer)
    return trainers


def assert_same_chunk(ours, theirs) -> None:
    assert (ours.step_count, ours.steps, ours.diverged) == (theirs.step_count, theirs.steps, theirs.diverged)
    assert ours.table.keys() == theirs.table.keys()
    for name in theirs.table:
        torch.testing.assert_close(torch.tensor(ours.table[name]), torch.tensor(theirs.table[name]), **TOL)
    assert [s.step for s in ours.snapshots] == [s.step for s in theirs.snapshots]
    for a, b in zip([*ours.snapshots, ours.published], [*theirs.snapshots, theirs.published]):
        assert a.step == b.step
        torch.testing.assert_close(a.generator, b.generator, **TOL)
        torch.testing.assert_close(a.discriminator, b.discriminator, **TOL)


def assert_same_state(ours: Trainer, theirs: Trainer) -> None:
    a, b = ours.training_state(), theirs.training_state()
    for net in ("G", "D", "G_ema"):
        torch.testing.assert_close(a[net], b[net], **TOL)
    for opt in ("opt_d", "opt_g"):
        assert a[opt]["param_groups"] == b[opt]["param_groups"]  # torch's format, the same rates
        assert a[opt]["state"].keys() == b[opt]["state"].keys()
        for j, state in b[opt]["state"].items():
            assert a[opt]["state"][j].keys() == state.keys()
            torch.testing.assert_close(a[opt]["state"][j], state, **TOL)
    assert torch.equal(a["gen"], b["gen"])  # the same random draws, in the same order
    assert (a["step_count"], a["diverged"], a["cfg"]) == (b["step_count"], b["diverged"], b["cfg"])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_each_member_of_a_stack_computes_what_its_trainer_computes_alone(name):
    stacked, alone = make_members(*CONFIGS[name]), make_members(*CONFIGS[name])
    assert len({stack_key(t) for t in stacked}) == 1
    stack = TrainerStack(stacked)
    assert stack.engine.name == ("stacked-mlp" if stacked[0].engine.name == "mlp" else "stacked-autograd")
    for _ in range(3):  # 60 iterations, in chunks
        for ours, trainer in zip(stack.run_chunk(20), alone):
            assert_same_chunk(ours, trainer.run_chunk(20))
    stack.sync()
    for ours, theirs in zip(stacked, alone):
        assert_same_state(ours, theirs)


def test_after_sync_a_member_continues_alone_as_if_it_had_trained_alone_all_along():
    engine, model_cfg, train_cfg = CONFIGS["adam, hand-written"]
    stacked, alone = make_members(engine, model_cfg, train_cfg), make_members(engine, model_cfg, train_cfg)
    stack = TrainerStack(stacked)
    stack.run_chunk(30)
    stack.sync()
    for ours, theirs in zip(stacked, alone):
        theirs.run_chunk(30)
        assert_same_chunk(ours.run_chunk(25), theirs.run_chunk(25))  # fused Adam picks up the synced state
        assert_same_state(ours, theirs)


def test_set_rates_changes_that_member_only_as_reconfigure_does_alone():
    engine, model_cfg, train_cfg = CONFIGS["adam, hand-written"]
    stacked, alone = make_members(engine, model_cfg, train_cfg), make_members(engine, model_cfg, train_cfg)
    stack = TrainerStack(stacked)
    for ours, trainer in zip(stack.run_chunk(10), alone):
        assert_same_chunk(ours, trainer.run_chunk(10))
    stack.set_rates(1, 4e-3, 3e-3)
    alone[1].reconfigure(lr_d=4e-3, lr_g=3e-3)
    stack.set_rates(3, 2e-3, 2e-3)  # scheduled: the new base rate decays from this member's own step
    alone[3].reconfigure(lr_d=2e-3, lr_g=2e-3)
    for ours, trainer in zip(stack.run_chunk(20), alone):
        assert_same_chunk(ours, trainer.run_chunk(20))
    stack.sync()
    for ours, theirs in zip(stacked, alone):
        assert_same_state(ours, theirs)
    assert stacked[0].opt_d.param_groups[0]["lr"] == 1e-3 and stacked[1].opt_d.param_groups[0]["lr"] == 4e-3
    assert stacked[3].opt_g.param_groups[0]["lr"] == pytest.approx(2e-3 / (1 + (3 + 29) / 20))  # its last step


def test_a_diverged_member_stops_as_alone_and_the_others_go_on():
    engine, model_cfg, train_cfg = CONFIGS["adam, hand-written"]
    stacked, alone = make_members(engine, model_cfg, train_cfg), make_members(engine, model_cfg, train_cfg)
    with torch.no_grad():
        for t in (stacked[2], alone[2]):
            t.G[0].weight[0, 0] = float("nan")
    stack = TrainerStack(stacked)
    chunks = stack.run_chunk(10)
    for ours, trainer in zip(chunks, alone):
        assert_same_chunk(ours, trainer.run_chunk(10)) if ours.diverged is None else None
    assert chunks[2].diverged == "a loss or gradient became NaN or infinite" and chunks[2].published is None
    assert stacked[2].diverged == chunks[2].diverged and stacked[2].step_count == 10  # handed back, stopped
    after = stack.run_chunk(15)
    assert (after[2].steps, after[2].step_count) == ([], 10) and stacked[2].step_count == 10
    for i in (0, 1, 3):
        assert_same_chunk(after[i], alone[i].run_chunk(15))
    stack.sync()
    for i in (0, 1, 3):
        assert_same_state(stacked[i], alone[i])


def test_stack_key_groups_what_shares_shapes_and_maths_and_refuses_the_rest():
    data = make_dataset("ring8")
    small = ModelConfig(hidden=8)
    key = lambda model=small, engine=fast_engine, **cfg: stack_key(  # noqa: E731
        Trainer(data, model, TrainConfig(**{"batch_size": 16, **cfg}), device="cpu", engine=engine)
    )
    base = key()
    # members may differ in these
    assert key(seed=3, lr_d=0.01, lr_g=0.02, instance_noise=0.1, lr_schedule="cosine", snapshot_every=7) == base
    assert stack_key(Trainer(make_dataset("grid25"), ModelConfig(hidden=8), TrainConfig(batch_size=16),
                             engine=fast_engine)) == base  # fmt: skip
    # not in these
    for changed in (key(batch_size=32), key(model=ModelConfig(hidden=16)), key(loss="lsgan"), key(k=2),
                    key(optimizer="sgd"), key(beta1=0.9), key(ema_decay=0.0), key(engine=None), key(k_g=2),
                    key(reuse_fakes=True), key(optimizer_g="rmsprop")):  # fmt: skip
        assert changed is not None and changed != base
    assert key(loss="wgan-gp") != key(loss="wgan-gp", gp_weight=1.0)
    # alone: what a stack cannot train
    assert key(unroll_steps=2) is None and key(freeze="g") is None
    assert key(model=ModelConfig(hidden=64)) is not None and key(model=ModelConfig(hidden=128)) is None  # no gain
    mnist = MnistMLPConfig(latent_dim=4, g_width=8, d_width=8, dropout=0.0)
    assert stack_key(Trainer(ImageSampler(torch.zeros(4, 1, 28, 28)), mnist, TrainConfig(batch_size=4))) is None
    diverged = Trainer(data, ModelConfig(hidden=8), TrainConfig(batch_size=16), engine=fast_engine)
    diverged.diverged = "network weights became NaN or infinite"
    assert stack_key(diverged) is None
    with pytest.raises(ValueError, match="stack_key"):
        TrainerStack([diverged])
    with pytest.raises(ValueError, match="stack_key"):
        TrainerStack([Trainer(data, ModelConfig(hidden=8), TrainConfig(batch_size=b)) for b in (16, 32)])


@pytest.mark.parametrize(
    "make",
    [
        lambda ps, lr: torch.optim.Adam(ps, lr=lr, betas=(0.5, 0.9), fused=True),
        lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9, fused=True),
        lambda ps, lr: torch.optim.SGD(ps, lr=lr, fused=True),
        lambda ps, lr: torch.optim.RMSprop(ps, lr=lr, foreach=True),
    ],
    ids=["adam", "sgd-momentum", "sgd", "rmsprop"],
)
def test_the_stacked_optimizer_is_each_members_torch_optimizer(make):
    """Three members, each a weight [5, 4] and a bias [5] with its own torch optimizer, rate and number of steps
    taken before stacking; 20 steps on the same random gradients, stacked and one by one."""
    gen = torch.Generator().manual_seed(0)
    members = [[torch.randn(5, 4, generator=gen).requires_grad_(), torch.randn(5, generator=gen).requires_grad_()]
               for _ in range(3)]  # fmt: skip
    opts = [make(ps, lr) for ps, lr in zip(members, (1e-3, 3e-2, 5e-4))]
    for ps, opt, before in zip(members, opts, (0, 3, 7)):
        for _ in range(before):
            for p in ps:
                p.grad = torch.randn(p.shape, generator=gen)
            opt.step()
    weight = torch.stack([ps[0].detach().t() for ps in members]).requires_grad_()  # [S, in, out], as StackedMLP
    bias = torch.stack([ps[1].detach() for ps in members]).unsqueeze(1).requires_grad_()  # [S, 1, out]
    stacked = StackedOptimizer.like(opts, [weight, bias], member_view)
    twins = [make([p.detach().clone().requires_grad_() for p in ps], 1.0) for ps in members]  # to store into
    for _ in range(20):
        grads = [[torch.randn(p.shape, generator=gen) for p in ps] for ps in members]
        for ps, opt, gs in zip(members, opts, grads):
            for p, g in zip(ps, gs):
                p.grad = g
            opt.step()
        weight.grad = torch.stack([gs[0].t() for gs in grads])
        bias.grad = torch.stack([gs[1] for gs in grads]).unsqueeze(1)
        stacked.step()
    for i, (ps, opt, twin) in enumerate(zip(members, opts, twins)):
        torch.testing.assert_close(weight[i].t(), ps[0], rtol=0, atol=1e-6)
        torch.testing.assert_close(bias[i, 0], ps[1], rtol=0, atol=1e-6)
        stacked.store_member(i, twin, member_view)
        ours, theirs = twin.state_dict(), opt.state_dict()
        assert ours["param_groups"] == theirs["param_groups"] and ours["state"].keys() == theirs["state"].keys()
        torch.testing.assert_close(ours["state"], theirs["state"], rtol=0, atol=1e-6)
    if "step" in theirs["state"].get(0, {}):  # Adam, RMSprop: each member's own count (plain SGD keeps no state)
        assert [int(opt.state_dict()["state"][0]["step"]) for opt in opts] == [20, 23, 27] == stacked.steps


def test_adam_bias_correction_uses_each_members_own_step():
    """One Adam step by hand: g = 1 everywhere, fresh moments, so the update is lr·(1−β₁)/(1−β₁ᵗ) /
    (√((1−β₂)/(1−β₂ᵗ)) + ε) = lr / (1 + ε) at t = 1; a member at t = 3 with non-zero moments moves otherwise."""
    params = [torch.zeros(2, 1, 3, requires_grad=True)]
    opt = StackedOptimizer("adam", params, [0.1, 0.1], {"betas": (0.5, 0.9), "eps": 1e-8})
    opt.steps = [0, 2]
    opt.state[params[0]]["exp_avg"][1] = 1.0
    opt.state[params[0]]["exp_avg_sq"][1] = 1.0
    params[0].grad = torch.ones(2, 1, 3)
    opt.step()
    fresh = -0.1 / (1 + 1e-8)
    m, v = 1.0, 1.0  # member 1 at t = 3: m = 0.5·1 + 0.5·1, v = 0.9·1 + 0.1·1
    third = -0.1 / (1 - 0.5**3) * m / (math.sqrt(v) / math.sqrt(1 - 0.9**3) + 1e-8)
    torch.testing.assert_close(params[0].detach()[:, 0, 0], torch.tensor([fresh, third]))
    assert opt.steps == [1, 3]
