"""The training pool (playground.runtime.pool): the same numbers as in-process whether a session trains alone,
round-robin with others or stacked; speed caps and budgets by count; a dead process fails only its members."""

import multiprocessing
import os
import signal
import socket
import time

import pytest
import torch

from playground.digits.data import embedded_mnist
from playground.digits.models import ImageSampler, MnistMLPConfig
from playground.engines import fast_engine
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.pool import PoolMember, TrainingPool
from playground.runtime.pool_process import Scheduler, available

pytestmark = pytest.mark.skipif(not available(), reason="pool training is Linux-only")


def make(engine=None, seed=0, **changes) -> Trainer:
    torch.set_num_threads(1)  # a pool process trains on one thread: the same kernels, the same rounding
    cfg = TrainConfig(batch_size=64, snapshot_every=7, seed=seed, **changes)
    return Trainer(make_dataset("ring8"), ModelConfig(hidden=32), cfg, device="cpu", engine=engine)


def make_mnist(seed=0) -> Trainer:
    torch.set_num_threads(1)
    model = MnistMLPConfig(latent_dim=8, g_width=16, d_width=16, dropout=0.0)  # dropout draws from a shared stream
    cfg = TrainConfig(batch_size=16, snapshot_every=5, seed=seed)
    return Trainer(ImageSampler(embedded_mnist("train").images[:256]), model, cfg, device="cpu", engine=fast_engine)


@pytest.fixture
def pool():
    before = set(multiprocessing.active_children())  # the server's POOL may have processes from other tests
    p = TrainingPool(processes=1)
    yield p
    p.close()
    assert set(multiprocessing.active_children()) <= before


def train_in_pool(members: list[PoolMember], steps: int, timeout: float = 60.0) -> None:
    """Every member trains (side by side in its process) until it has ``steps``, then comes home."""
    deadline = time.monotonic() + timeout
    for m in members:
        m.start(stop_at=steps)
    while any(m.trainer.step_count < steps for m in members) and time.monotonic() < deadline:
        for m in members:
            m.run(0.02, stop_at=steps)
    for m in members:
        m.detach()


def trained_alone(build, steps: int) -> Trainer:
    trainer = build()
    trainer.step(steps)
    return trainer


def assert_same_training(a: Trainer, b: Trainer) -> None:
    assert a.step_count == b.step_count
    for name in ("G", "D", "G_ema"):
        for (key, x), y in zip(getattr(a, name).state_dict().items(), getattr(b, name).state_dict().values()):
            assert torch.equal(x, y), f"{name}.{key}"
    for opt in ("opt_d", "opt_g"):
        sa, sb = getattr(a, opt).state_dict()["state"], getattr(b, opt).state_dict()["state"]
        assert all(torch.equal(sa[i]["exp_avg_sq"], sb[i]["exp_avg_sq"]) for i in sa)
    assert torch.equal(a.gen.get_state(), b.gen.get_state())
    assert a.history.copy()["d_loss"] == b.history.copy()["d_loss"]
    assert [s.step for s in a.snapshots] == [s.step for s in b.snapshots]
    assert a.published.step == b.published.step
    for key, value in a.published.generator.items():
        assert torch.equal(value, b.published.generator[key])


# ---- the same numbers, alone or round-robin ------------------------------------------------------------------
@pytest.mark.parametrize("engine", [None, fast_engine], ids=["reference", "fast"])
def test_a_member_trains_exactly_as_the_trainer_would_in_process(pool, engine):
    member = PoolMember(make(engine), pool)
    train_in_pool([member], 40)
    assert not member.attached and member.trainer.step_count == 40
    assert_same_training(trained_alone(lambda: make(engine), 40), member.trainer)


def test_members_stepped_round_robin_in_one_process_each_train_as_alone(pool):
    builds = [lambda: make(seed=1), lambda: make(fast_engine, seed=2, loss="lsgan"), lambda: make(seed=3, k=2)]
    members = [PoolMember(build(), pool) for build in builds]
    train_in_pool(members, 30)
    assert pool.loads() == [0]
    for build, member in zip(builds, members):
        assert_same_training(trained_alone(build, 30), member.trainer)


def assert_close_training(a: Trainer, b: Trainer) -> None:
    """Stacked: each member's numbers are its own Trainer's to float rounding (batched products round differently)."""
    assert a.step_count == b.step_count
    for name in ("G", "D", "G_ema"):
        torch.testing.assert_close(getattr(a, name).state_dict(), getattr(b, name).state_dict(), rtol=1e-4, atol=1e-5)
    ha, hb = a.history.copy(), b.history.copy()
    assert ha["step"] == hb["step"]
    torch.testing.assert_close(torch.tensor(ha["d_loss"]), torch.tensor(hb["d_loss"]), rtol=1e-4, atol=1e-5)
    assert torch.equal(a.gen.get_state(), b.gen.get_state())  # the same random draws, in the same order
    assert [s.step for s in a.snapshots] == [s.step for s in b.snapshots] and a.published.step == b.published.step


@pytest.mark.parametrize("engine", [None, fast_engine], ids=["reference", "fast"])
def test_matching_members_stacked_in_one_process_each_train_as_alone(pool, engine):
    builds = [lambda s=s: make(engine, seed=s, lr_d=1e-3 * (s + 1)) for s in range(3)]  # seeds and rates differ
    members = [PoolMember(build(), pool) for build in builds]
    for m in members:
        m.start()  # attached together: the pool process stacks them from the first slice
    train_in_pool(members, 30)
    for build, member in zip(builds, members):
        assert_close_training(trained_alone(build, 30), member.trainer)


def test_a_stacked_member_that_changes_its_learning_rate_leaves_the_others_undisturbed(pool):
    builds = [lambda s=s: make(fast_engine, seed=s) for s in range(3)]
    members = [PoolMember(build(), pool) for build in builds]
    changed, budgets = members[1], (40, 10, 40)  # it changes its rates at step 10, the others train on meanwhile
    deadline = time.monotonic() + 30
    while changed.trainer.step_count < 10 and time.monotonic() < deadline:
        for m, budget in zip(members, budgets):
            m.run(0.02, stop_at=budget)
    changed.detach()  # what the worker does before a live setting: the member leaves its stack with its state
    at = changed.trainer.step_count
    assert at == 10
    changed.trainer.reconfigure(lr_d=5e-4, lr_g=2e-4)
    train_in_pool(members, 40)  # it joins again; the stack is formed anew each time
    for i in (0, 2):
        assert_close_training(trained_alone(builds[i], 40), members[i].trainer)
    local = trained_alone(builds[1], at)
    local.reconfigure(lr_d=5e-4, lr_g=2e-4)
    local.step(40 - at)
    assert_close_training(local, changed.trainer)


def test_mnist_members_take_their_turns_beside_toy_members(pool):
    mnist, toy = PoolMember(make_mnist(seed=4), pool), PoolMember(make(seed=5), pool)
    train_in_pool([mnist, toy], 12)
    assert_same_training(trained_alone(lambda: make_mnist(seed=4), 12), mnist.trainer)
    assert_same_training(trained_alone(lambda: make(seed=5), 12), toy.trainer)


def test_changes_made_between_turns_reach_the_pool(pool):
    """A live setting (learning rate, loss) changed while detached is what the next turn trains with."""
    member, local = PoolMember(make(), pool), make()
    train_in_pool([member], 10)
    local.step(10)
    for t in (member.trainer, local):
        t.reconfigure(lr_d=3e-4, loss="lsgan", k=2)
    train_in_pool([member], 20)
    local.step(10)
    assert member.trainer.opt_d.param_groups[0]["lr"] == 3e-4 and member.trainer.cfg.loss == "lsgan"
    assert_same_training(local, member.trainer)


def test_a_member_stops_at_its_step_budget_and_waits_for_the_server(pool):
    member = PoolMember(make(), pool)
    deadline = time.monotonic() + 30
    while member.trainer.step_count < 33 and time.monotonic() < deadline:
        member.run(0.05, stop_at=33)
    assert member.run(0.2, stop_at=33) == 0 and member.attached  # trains no further
    member.run(0.05, stop_at=40)  # a new budget reaches the member where it is
    while member.trainer.step_count < 40 and time.monotonic() < deadline:
        member.run(0.05, stop_at=40)
    member.detach()
    assert_same_training(trained_alone(make, 40), member.trainer)


def test_a_diverged_member_stops_and_its_state_comes_home(pool):
    trainer = make(optimizer="sgd", lr_d=10.0, lr_g=10.0)
    with torch.no_grad():
        next(iter(trainer.D.parameters())).fill_(float("nan"))
    member, healthy = PoolMember(trainer, pool), PoolMember(make(), pool)
    deadline = time.monotonic() + 10
    while not trainer.diverged and time.monotonic() < deadline:
        member.run(0.05)
        healthy.run(0.0)
    assert trainer.diverged is not None
    member.detach()
    assert trainer.diverged is not None and not member.attached
    at = healthy.trainer.step_count
    while healthy.trainer.step_count == at and time.monotonic() < deadline:
        healthy.run(0.05)
    assert healthy.trainer.step_count > at  # the others train on
    healthy.detach()


# ---- processes: placement, crashes, errors, what a fork inherits --------------------------------------------
def test_members_go_to_the_least_loaded_process_and_leave_it_when_detached():
    before = set(multiprocessing.active_children())
    pool = TrainingPool(processes=2)
    try:
        members = [PoolMember(make(seed=i), pool) for i in range(3)]
        for m in members:
            m.start()
        assert sorted(pool.loads()) == [1, 2] and pool.training() == 3
        for m in members:
            m.detach()
        assert pool.loads() == [0, 0] and len(set(multiprocessing.active_children()) - before) == 2  # they stay
    finally:
        pool.close()
    assert set(multiprocessing.active_children()) <= before


def test_a_killed_process_fails_its_members_who_keep_their_last_state_and_a_fresh_one_serves_the_next(pool):
    members = [PoolMember(make(seed=i), pool) for i in range(2)]
    deadline = time.monotonic() + 30
    while any(m.trainer.step_count < 5 for m in members) and time.monotonic() < deadline:
        for m in members:
            m.run(0.05)
    process = members[0]._process.process
    os.kill(process.pid, signal.SIGKILL)
    for m in members:
        with pytest.raises(RuntimeError, match="stopped answering"):
            for _ in range(200):  # chunks already in the pipe are recorded first
                m.run(0.05)
        assert not m.attached
        assert m.trainer.step_count == m.trainer.published.step == m.trainer.history.copy()["step"][-1]
    fresh = PoolMember(make(seed=9), pool)
    train_in_pool([fresh], 5)
    assert fresh.trainer.step_count == 5 and pool.loads() == [0]
    assert_same_training(trained_alone(lambda: make(seed=9), 5), fresh.trainer)


def test_an_error_in_a_member_comes_back_with_its_traceback_and_spares_the_others(pool):
    healthy = PoolMember(make(), pool)
    healthy.start(stop_at=10)
    broken = make()
    broken.training_state = lambda: {"cfg": broken.cfg}  # a state the pool process cannot load
    member = PoolMember(broken, pool)
    with pytest.raises(RuntimeError, match="KeyError"):
        member.run(5.0)
    assert not member.attached
    train_in_pool([healthy], 10)
    assert healthy.trainer.step_count == 10


def test_the_pool_process_lets_go_of_the_servers_connections(pool):
    """A browser connection the server closes must not stay open because a pool process inherited it."""
    with socket.socket() as connection:
        member = PoolMember(make(), pool)
        member.run(0.05)
        try:
            ours = os.readlink(f"/proc/self/fd/{connection.fileno()}")  # socket:[inode]
            theirs = [os.readlink(f"/proc/{member._process.process.pid}/fd/{fd}")
                      for fd in os.listdir(f"/proc/{member._process.process.pid}/fd")]  # fmt: skip
            assert ours.startswith("socket:") and ours not in theirs  # (its own files may reuse the number)
        finally:
            member.detach()


# ---- the scheduler, in-process with a clock of its own ---------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_capped_member_gets_its_rate_in_steps_while_an_uncapped_one_takes_the_rest():
    clock = Clock()
    scheduler = Scheduler(slice_seconds=0.002, round_seconds=0.002, clock=clock)
    scheduler.add(1, make(seed=1), max_steps_per_s=20.0, stop_at=None)
    scheduler.add(2, make(seed=2), max_steps_per_s=None, stop_at=None)
    steps, slices = {1: 0, 2: 0}, {1: 0, 2: 0}
    for _ in range(100):  # one simulated second, a slice every 10 ms
        clock.now += 0.01
        for _, member_id, chunk in scheduler.run_slice():
            steps[member_id] += len(chunk.steps)
            slices[member_id] += 1
    assert 20 <= steps[1] <= 21  # 20 steps/s, and the first step at once
    assert slices[2] >= 100 - slices[1] - 1  # the uncapped member trained whenever the capped one waited


def test_a_pool_process_with_only_capped_members_sleeps_until_the_next_step_is_due():
    clock = Clock()
    scheduler = Scheduler(clock=clock)
    assert scheduler.wait_seconds() is None and scheduler.run_slice() == []  # nobody to train: wait for the server
    scheduler.add(1, make(), max_steps_per_s=10.0, stop_at=None)
    assert scheduler.wait_seconds() == 0.0  # the first step at once
    assert [len(chunk.steps) for _, _, chunk in scheduler.run_slice()] == [1]
    assert scheduler.wait_seconds() == pytest.approx(0.1)
    clock.now += 0.04
    assert scheduler.wait_seconds() == pytest.approx(0.06)
    assert scheduler.run_slice() == []


def test_members_that_cannot_stack_take_one_turn_each_per_round():
    scheduler = Scheduler(slice_seconds=0.001, round_seconds=0.001)
    for i, trainer in enumerate((make(seed=0), make(seed=1, loss="lsgan"), make(seed=2, k=2))):
        scheduler.add(i, trainer, max_steps_per_s=None, stop_at=None)
    order = [member_id for _ in range(12) for _, member_id, _ in scheduler.run_slice()]
    assert order == [0, 1, 2] * 4


def test_matching_members_train_as_one_stack_and_a_capped_one_alone():
    scheduler = Scheduler(slice_seconds=0.001, round_seconds=0.001, clock=Clock())  # the clock stands still
    for i in range(3):
        scheduler.add(i, make(seed=i), max_steps_per_s=None, stop_at=None)
    scheduler.add(3, make(seed=3), max_steps_per_s=1000.0, stop_at=None)
    turns = [sorted(member_id for _, member_id, _ in scheduler.run_slice()) for _ in range(6)]
    stack = [0, 1, 2]  # a turn of 3 members' shares, in chunks of at most round_seconds
    assert turns == [stack, stack, stack, [3], stack, stack]  # then the capped one's single token is spent


def test_members_stop_exactly_at_their_budgets():
    scheduler = Scheduler(slice_seconds=0.005)
    for i, budget in enumerate((7, 25, 40)):
        scheduler.add(i, make(seed=i), max_steps_per_s=None, stop_at=budget)
    while scheduler.wait_seconds() == 0.0:
        scheduler.run_slice()
    assert [m.step for m in scheduler.members.values()] == [7, 25, 40]
    assert scheduler.wait_seconds() is None  # all done: nothing trains until the server says
    assert scheduler.remove(1)["step_count"] == 25
