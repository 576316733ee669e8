"""RunController: status transitions, live settings, resume after divergence, and the lock-free view."""

import threading
import time

import pytest
import torch

from playground.experiments.collapse.lab import Lockstep
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.child import available
from playground.runtime.controller import HISTORY_COLUMNS, RunController, Status
from playground.runtime.memory import snapshot_cap
from playground.runtime.slots import TrainerSlots
from playground.runtime.worker import SESSION_CLOSED

SETTINGS = {"dataset": "ring8", "hidden": 16, "seed": 0, "lr_d": 2e-4, "lr_g": 2e-4, "loss": "nonsat"}
LIVE = ("lr_d", "lr_g", "loss")


def build(settings=SETTINGS):
    """What a page's build function does: a Trainer from the settings (tiny nets: the tests take seconds)."""
    model = ModelConfig(hidden=settings["hidden"])
    cfg = TrainConfig(batch_size=32, seed=settings["seed"], lr_d=settings["lr_d"], lr_g=settings["lr_g"])
    return lambda: Trainer(make_dataset(settings["dataset"]), model, cfg, device="cpu")


def controller(process=False, max_steps=None, slots=None) -> RunController:
    return RunController(build(), SETTINGS, LIVE, process=process, max_steps=max_steps, slots=slots)


@pytest.fixture(params=[False, True], ids=["thread", "child-process"])
def run(request):
    if request.param and not available():
        pytest.skip("child training is Linux-only")
    torch.set_num_threads(1)  # the child trains on one thread: the same kernels, the same rounding
    c = controller(process=request.param)
    yield c
    c.stop()


def poison(trainer: Trainer) -> None:
    """NaN in D's live weights: the next chunk diverges (its weights are never published)."""
    with torch.no_grad():
        next(iter(trainer.D.parameters())).fill_(float("nan"))


def test_a_run_is_idle_then_training_then_idle_again_on_pause(run, wait_for):
    assert run.status is Status.IDLE and run.view().step == 0
    run.train()
    assert run.status is Status.TRAINING
    assert wait_for(lambda: run.view().step > 0)
    run.pause()
    assert wait_for(lambda: run.status is Status.IDLE)
    assert run.worker.wait_idle()
    assert run.view().status is Status.IDLE and run.view().queue is None


def test_continuous_training_finishes_at_exactly_max_steps_and_train_goes_on_past_it(wait_for):
    run = controller(max_steps=25)
    try:
        run.train()
        assert wait_for(lambda: run.status is Status.FINISHED, timeout=30)
        view = run.view()
        assert view.step == 25 and view.history["step"][-1] == 25 and view.status is Status.FINISHED
        run.train()
        assert run.max_steps is None and run.status is Status.TRAINING
        assert wait_for(lambda: run.view().step > 25)
        run.pause()
        assert run.worker.wait_idle() and run.status is Status.IDLE
        run.max_steps = run.view().step + 10  # a budget set on a paused run: Train stops there
        run.train()
        assert wait_for(lambda: run.status is Status.FINISHED, timeout=30)
        assert run.view().step == run.max_steps
    finally:
        run.stop()


def test_a_diverged_run_resumes_from_its_last_good_weights_with_fresh_optimizer_state(run, wait_for):
    run.step(5)
    good = run.view().published
    run.worker.call(poison)
    run.train()
    assert wait_for(lambda: run.status is Status.DIVERGED, timeout=30)
    view = run.view()
    assert view.status is Status.DIVERGED and ("NaN" in view.diverged or "exploded" in view.diverged)
    assert view.published is good  # the blown-up weights were never published
    run.resume()
    trainer = run.trainer
    assert run.status is Status.IDLE and run.view().diverged is None
    for name, tensor in trainer.G.state_dict().items():
        torch.testing.assert_close(tensor, good.generator[name])
    for name, tensor in trainer.D.state_dict().items():
        torch.testing.assert_close(tensor, good.discriminator[name])
    assert trainer.opt_d.state == {} and trainer.opt_g.state == {}
    run.step(3)
    assert run.status is Status.IDLE and run.view().step == view.step + 3


def test_resume_restores_only_the_diverged_member_of_a_lockstep(wait_for):
    make = build()
    run = RunController(lambda: Lockstep([make(), make()]), SETTINGS, slots=None)
    try:
        run.step(4)
        healthy, sick = run.trainer.trainers
        run.worker.call(lambda lock: poison(lock.trainers[1]))
        run.step(20)
        view = run.view()
        assert view.status is Status.IDLE  # one healthy run keeps the pair going
        assert [m.status for m in view.members] == [Status.IDLE, Status.DIVERGED]
        assert [m.run_id for m in view.members] == [f"{run.run_id}-0", f"{run.run_id}-1"]
        assert view.members[0].step == view.step == 24 and view.members[1].diverged
        assert view.published == (view.members[0].published, view.members[1].published)
        weights = {k: v.clone() for k, v in healthy.G.state_dict().items()}
        moments = len(healthy.opt_d.state)
        run.resume()
        assert sick.diverged is None and sick.opt_d.state == {}
        assert len(healthy.opt_d.state) == moments  # the healthy run is left as it was
        for name, tensor in healthy.G.state_dict().items():
            assert torch.equal(tensor, weights[name])
    finally:
        run.stop()


def test_a_lockstep_pair_finishes_with_both_runs_on_the_budget_step(wait_for):
    make = build()
    run = RunController(lambda: Lockstep([make(), make()]), SETTINGS, max_steps=30, slots=None)
    try:
        run.train()
        assert wait_for(lambda: run.status is Status.FINISHED, timeout=30)
        view = run.view()
        assert view.step == 30 and [m.step for m in view.members] == [30, 30]
        assert [m.published.step for m in view.members] == [30, 30]
    finally:
        run.stop()


def test_a_closed_session_stops_the_run_and_a_crash_is_reported(wait_for):
    run = controller()
    run.worker.grace = 0.1
    run.train()
    run.worker.release()  # the browser session went away
    assert wait_for(lambda: run.status is Status.STOPPED)
    assert run.view().stop_reason == SESSION_CLOSED
    run.train()
    assert run.status is Status.TRAINING
    run.worker.call(lambda trainer: 1 / 0)  # a bug in the worker thread
    assert wait_for(lambda: run.status is Status.CRASHED)
    run.stop()


def test_a_run_waiting_for_a_slot_is_queued_with_its_place_in_line(wait_for):
    slots = TrainerSlots(limit=1, turn_seconds=None)
    first, second = controller(slots=slots), controller(slots=slots)
    try:
        first.train()
        assert wait_for(lambda: first.view().step > 0)
        second.train()
        assert wait_for(lambda: second.status is Status.QUEUED)
        assert second.view().queue == (1, 1, 1) and first.view().queue is None
        first.pause()
        assert wait_for(lambda: second.status is Status.TRAINING)
        assert second.view().queue is None
    finally:
        first.stop()
        second.stop()


def test_live_settings_reach_the_trainer_between_chunks(run, wait_for):
    run.train()
    run.apply({**SETTINGS, "lr_d": 1e-3, "loss": "lsgan"})
    trainer = run.trainer
    assert wait_for(lambda: trainer.opt_d.param_groups[0]["lr"] == 1e-3)
    run.pause()
    assert run.worker.wait_idle()
    assert trainer.cfg.loss == "lsgan" and trainer.opt_g.param_groups[0]["lr"] == 2e-4
    assert run.settings["lr_d"] == 1e-3 and run.needs_reset({**SETTINGS, "lr_d": 1e-3}) == []


def test_needs_reset_lists_exactly_the_changed_reset_settings():
    run = controller()
    assert run.needs_reset(SETTINGS) == []
    assert run.needs_reset({**SETTINGS, "lr_d": 1e-3, "loss": "hinge"}) == []  # live: no reset
    assert run.needs_reset({**SETTINGS, "seed": 3, "hidden": 32, "lr_g": 1e-3}) == ["hidden", "seed"]
    assert run.needs_reset({"seed": 3, "speed": 10}) == ["seed"]  # names the run was not built from: skipped
    with pytest.raises(ValueError, match="not among"):
        RunController(build(), SETTINGS, live=("refresh",))


def test_view_takes_no_lock_in_the_caller_and_reads_history_and_step_together(run, wait_for):
    run.train()
    views = []
    for _ in range(30):  # while the worker publishes
        views.append(run.view())
        wait_for(lambda: run.view().step > views[-1].step, timeout=1.0)
    run.pause()
    assert run.worker.wait_idle()
    for view in views:
        assert set(view.history) == set(HISTORY_COLUMNS)
        assert all(len(column) == len(view.history["step"]) for column in view.history.values())
        steps = view.history["step"]
        assert bool(steps) == (view.step > 0)
        assert not steps or 0 <= view.step - steps[-1] <= 1  # 1: thinning the history may drop the newest row
        assert view.published.step <= view.step
    last = run.view()
    done = []
    with run.trainer.lock:  # held elsewhere: a view with nothing new must not wait for it
        reader = threading.Thread(target=lambda: done.append(run.view()))
        reader.start()
        reader.join(2.0)
    assert done and done[0] is last  # cached per published step: the same object, nothing copied


def test_a_child_process_run_trains_the_same_weights_as_in_thread(wait_for):
    if not available():
        pytest.skip("child training is Linux-only")
    torch.set_num_threads(1)
    runs = [controller(process=process, max_steps=40) for process in (False, True)]
    try:
        for run in runs:
            run.train()
        for run in runs:
            assert wait_for(lambda run=run: run.status is Status.FINISHED, timeout=60)
            assert run.worker.wait_idle()  # the child's full state (weights, moments) has come home
        local, remote = (run.trainer for run in runs)
        assert local.step_count == remote.step_count == 40
        for name in ("G", "D", "G_ema"):
            for (key, x), y in zip(
                getattr(local, name).state_dict().items(), getattr(remote, name).state_dict().values()
            ):
                assert torch.equal(x, y), f"{name}.{key}"
        assert runs[0].view().history["d_loss"] == runs[1].view().history["d_loss"]
    finally:
        for run in runs:
            run.stop()


def test_every_trainer_keeps_its_snapshots_within_the_sessions_budget():
    big = {**SETTINGS, "hidden": 512}
    run = RunController(build(big), big, slots=None)
    assert run.trainer.cfg.max_snapshots == snapshot_cap(run.trainer) < 60
    make = build(big)
    pair = RunController(lambda: Lockstep([make(), make()]), big, slots=None)
    half = snapshot_cap(pair.trainer.trainers[0], 16 * 2**20)
    assert [t.cfg.max_snapshots for t in pair.trainer.trainers] == [half, half]
    assert half < run.trainer.cfg.max_snapshots


def test_step_waits_for_its_iterations_and_the_speed_cap_slows_training():
    run = controller()
    try:
        run.step(3)
        assert run.view().step == 3  # step returned once its iterations were done
        run.set_speed(20.0)
        run.train()
        time.sleep(1.0)
        run.pause()
        assert run.worker.wait_idle()
        assert 3 + 5 <= run.view().step <= 3 + 30
        with pytest.raises(ValueError):
            run.set_speed(0)
    finally:
        run.stop()


def test_a_paused_run_whose_thread_timed_out_is_idle_not_stopped(wait_for):
    run = controller()
    run.worker.idle_timeout = 0.2
    run.step()
    assert wait_for(lambda: not run.worker.alive)  # the thread ended with nothing to do
    assert run.worker.stop_reason == "idle"
    assert run.status is Status.IDLE


def test_the_rate_reads_zero_as_soon_as_the_run_is_paused(wait_for):
    run = controller()
    try:
        run.train()
        assert wait_for(lambda: run.view().steps_per_s > 0)
        run.pause()
        assert run.worker.wait_idle()
        assert run.view().status is Status.IDLE and run.view().steps_per_s == 0.0  # not the last training rate
    finally:
        run.stop()
