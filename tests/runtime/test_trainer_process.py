"""Training in a child process (playground.runtime.child): the same numbers as in-process, and a clean exit."""

import multiprocessing
import os
import signal
import time

import pytest
import torch

from playground.engines import fast_engine
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.child import RemoteTrainer, available

pytestmark = pytest.mark.skipif(not available(), reason="child training is Linux-only")


def make(engine=None, **changes) -> Trainer:
    torch.set_num_threads(1)  # the child trains on one thread: the same kernels, the same rounding
    cfg = TrainConfig(batch_size=64, snapshot_every=7, **changes)
    return Trainer(make_dataset("ring8"), ModelConfig(hidden=32), cfg, device="cpu", engine=engine)


def train_remotely(remote: RemoteTrainer, steps: int) -> None:
    while remote.trainer.step_count < steps:
        remote.run(0.05)
    remote.detach()


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


@pytest.mark.parametrize("engine", [None, fast_engine], ids=["reference", "fast"])
def test_a_child_trains_exactly_as_the_trainer_would_in_process(engine):
    remote_trainer = make(engine)
    remote = RemoteTrainer(remote_trainer)
    train_remotely(remote, 40)
    assert not remote.attached  # bit-equal below: the child stepped with the same engine (they differ in rounding)
    local = make(engine)
    local.step(remote_trainer.step_count)
    assert_same_training(local, remote_trainer)


def test_changes_made_between_turns_reach_the_child():
    """A live setting (learning rate, loss) changed while detached is what the next turn trains with."""
    remote_trainer, local = make(), make()
    remote = RemoteTrainer(remote_trainer)
    train_remotely(remote, 10)
    local.step(remote_trainer.step_count)
    for t in (remote_trainer, local):
        t.reconfigure(lr_d=3e-4, loss="lsgan", k=2)
    train_remotely(remote, remote_trainer.step_count + 10)
    local.step(remote_trainer.step_count - local.step_count)
    assert remote_trainer.opt_d.param_groups[0]["lr"] == 3e-4 and remote_trainer.cfg.loss == "lsgan"
    assert_same_training(local, remote_trainer)


def test_a_child_stops_training_at_its_step_budget():
    remote_trainer = make()
    remote = RemoteTrainer(remote_trainer)
    deadline = time.monotonic() + 30
    while remote_trainer.step_count < 33 and time.monotonic() < deadline:
        remote.run(0.05, stop_at=33)
    assert remote.run(0.2, stop_at=33) == 0 and remote.attached  # waits for the server, trains no further
    remote.detach()
    local = make()
    local.step(33)
    assert_same_training(local, remote_trainer)


def test_the_child_ends_with_detach_and_nothing_is_left_running():
    remote = RemoteTrainer(make())
    remote.run(0.05)
    assert remote.attached and len(multiprocessing.active_children()) == 1
    remote.detach()
    assert not remote.attached and multiprocessing.active_children() == []
    remote.detach()  # a second detach is a no-op


def test_a_child_that_dies_is_reported_not_waited_for():
    remote = RemoteTrainer(make())
    remote.run(0.05)
    os.kill(remote._process.pid, signal.SIGKILL)
    time.sleep(0.2)
    with pytest.raises(RuntimeError, match="stopped answering"):
        for _ in range(50):  # chunks already in the pipe are recorded first
            remote.run(0.05)
    assert not remote.attached


def test_an_error_in_the_child_comes_back_with_its_traceback():
    trainer = make()
    trainer.training_state = lambda: {"cfg": trainer.cfg}  # a state the child cannot load
    remote = RemoteTrainer(trainer)
    with pytest.raises(RuntimeError, match="KeyError"):
        remote.run(5.0)
    assert not remote.attached


def test_a_diverged_child_stops_and_its_state_comes_home():
    trainer = make(optimizer="sgd", lr_d=10.0, lr_g=10.0)
    with torch.no_grad():
        next(iter(trainer.D.parameters())).fill_(float("nan"))
    remote = RemoteTrainer(trainer)
    deadline = time.monotonic() + 10
    while not trainer.diverged and time.monotonic() < deadline:
        remote.run(0.05)
    assert trainer.diverged is not None
    remote.detach()
    assert trainer.diverged is not None and not remote.attached


def test_the_child_lets_go_of_the_servers_connections():
    """A browser connection the server closes must not stay open because a child inherited it."""
    import socket

    with socket.socket() as connection:
        remote = RemoteTrainer(make())
        remote.run(0.05)
        try:
            assert str(connection.fileno()) in os.listdir("/proc/self/fd")
            assert str(connection.fileno()) not in os.listdir(f"/proc/{remote._process.pid}/fd")
        finally:
            remote.detach()
