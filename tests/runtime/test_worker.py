import os
import threading
import time

import pytest
import torch

import playground.runtime.worker as W
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.worker import (
    LIMIT_ENV,
    TURN_ENV,
    TrainerSlots,
    TrainingWorker,
    default_trainer_limit,
    default_turn_seconds,
    snapshot_cap,
)


def small_trainer() -> Trainer:
    return Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=32), device="cpu")


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def worker_threads(worker: TrainingWorker) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == worker.name]


@pytest.fixture(params=[False, True], ids=["thread", "child-process"])
def worker(request):
    # other suites may hold the shared slots; process=True: the pages' mode (playground.runtime.child)
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=None, process=request.param)
    yield w
    w.stop()
    assert w._remote is None or not w._remote.attached  # a stopped worker leaves no child behind


def test_worker_starts_advances_pauses_and_stops_its_thread(worker):
    assert worker_threads(worker) == []
    worker.start()
    assert worker.running and len(worker_threads(worker)) == 1
    assert wait_for(lambda: worker.trainer.step_count >= 20)
    worker.pause()
    assert worker.wait_idle()
    paused_at = worker.trainer.step_count
    time.sleep(0.2)
    assert worker.trainer.step_count == paused_at
    assert not worker.running
    worker.stop()
    assert not worker.alive and worker_threads(worker) == []


def test_step_once_advances_exactly_one_step(worker):
    worker.step_once()
    assert worker.wait_idle()
    assert worker.trainer.step_count == 1
    worker.step_once(3)
    assert worker.wait_idle()
    assert worker.trainer.step_count == 4


def test_call_runs_between_chunks_in_the_worker_thread(worker):
    seen = []
    worker.call(lambda trainer: seen.append((threading.current_thread().name, trainer.step_count)))
    assert worker.wait_idle()
    assert seen == [(worker.name, 0)]


def test_release_stops_the_thread_after_the_grace_period():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.3, slots=None)
    w.start()
    w.release()
    assert w.alive
    assert wait_for(lambda: not w.alive, timeout=5)
    assert w.stop_reason == "session closed"


def test_heartbeat_within_the_grace_period_keeps_training():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.5, slots=None)
    try:
        w.start()
        w.release()
        w.heartbeat()  # the session reconnected
        time.sleep(0.8)
        assert w.running
    finally:
        w.stop()


def test_missing_heartbeat_stops_the_thread():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, heartbeat_timeout=0.3, slots=None)
    w.start()
    assert wait_for(lambda: not w.alive, timeout=5)
    assert w.stop_reason.startswith("no heartbeat")


def test_a_training_worker_without_heartbeats_reruns_its_page_once_per_period_and_keeps_training():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=None, revive_after=0.3)
    calls = []
    w.revive = lambda: calls.append(time.monotonic())
    try:
        w.start()
        assert wait_for(lambda: len(calls) >= 2, timeout=5)
        assert calls[1] - calls[0] >= 0.3  # once per period, not once per chunk
        time.sleep(1.5)
        assert len(calls) == W.MAX_REVIVES  # then the heartbeat timeout decides, as for a tab that is gone
        assert w.running
        w.pause()
        time.sleep(0.2)
        paused_at = len(calls)
        time.sleep(0.8)
        assert len(calls) == paused_at  # a paused page sends no heartbeats and needs no rerun
    finally:
        w.stop()


def test_a_waiting_worker_with_fresh_heartbeats_never_reruns_its_page():
    slots = TrainerSlots(limit=1, turn_seconds=None)
    first = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    second = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots, revive_after=0.3)
    calls = []
    second.revive = lambda: calls.append(1)
    try:
        first.start()
        assert wait_for(lambda: first.trainer.step_count > 0)  # first holds the slot before second asks
        second.start()
        assert wait_for(lambda: second.queue_position == 1)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            second.heartbeat()  # what the page's queue poll does
            time.sleep(0.05)
        assert not calls
        time.sleep(0.6)
        assert calls  # the poll stopped while queued: the page is rerun too
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("process", [False, True], ids=["thread", "child-process"])
def test_speed_cap_limits_steps_per_second(process):
    w = TrainingWorker(small_trainer(), chunk_seconds=0.05, max_steps_per_s=20, slots=None, process=process)
    try:
        w.start()
        time.sleep(1.0)
        w.pause()
        w.wait_idle()
        assert 5 <= w.trainer.step_count <= 30
    finally:
        w.stop()


def blow_up(trainer: Trainer) -> None:
    for opt in (trainer.opt_d, trainer.opt_g):
        for group in opt.param_groups:
            group["lr"] = 1e9  # far past anything TrainConfig accepts: a guaranteed blow-up


def test_worker_pauses_itself_when_the_trainer_diverges_and_resumes_from_the_last_good_weights(worker):
    worker.step_once(5)
    assert worker.wait_idle()
    good = {k: v.clone() for k, v in worker.trainer.published.generator.items()}
    worker.call(blow_up)
    worker.start()
    assert wait_for(lambda: not worker.running, timeout=30)
    assert "NaN" in worker.trainer.diverged or "exploded" in worker.trainer.diverged
    assert worker.alive  # paused, not crashed
    worker.call(lambda t: t.restore())
    assert worker.wait_idle()
    assert worker.trainer.diverged is None
    for name, tensor in worker.trainer.G_ema.state_dict().items():
        torch.testing.assert_close(tensor, good[name])


# ---- fair sharing: a process-wide limit on trainers ------------------------------------------------------
def test_second_trainer_waits_in_the_queue_until_the_first_pauses():
    slots = TrainerSlots(limit=1, turn_seconds=None)
    first = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    second = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    try:
        first.start()
        assert wait_for(lambda: first.trainer.step_count > 0)
        second.start()
        assert wait_for(lambda: second.queue_position == 1)
        assert second.running and first.queue_position is None
        assert slots.counts() == (1, 1)
        time.sleep(0.3)
        assert second.trainer.step_count == 0  # queued sessions do not advance
        first.pause()
        assert wait_for(lambda: second.trainer.step_count > 0)
        assert second.queue_position is None and slots.counts() == (1, 0)
    finally:
        first.stop()
        second.stop()
    assert slots.counts() == (0, 0)


def test_single_steps_skip_the_queue():
    slots = TrainerSlots(limit=1)
    first = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    second = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    try:
        first.start()
        second.step_once(2)
        assert second.wait_idle(10)
        assert second.trainer.step_count == 2
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("process", [False, True], ids=["thread", "child-process"])
def test_a_trainer_hands_over_its_slot_after_a_full_turn_while_others_wait(process):
    slots = TrainerSlots(limit=1, turn_seconds=0.2)
    workers = [TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots, process=process) for _ in range(2)]
    try:
        for w in workers:
            w.start()
        assert wait_for(lambda: all(w.trainer.step_count > 0 for w in workers), timeout=30)
    finally:
        for w in workers:
            w.stop()


def test_stopping_a_queued_worker_leaves_the_queue():
    slots = TrainerSlots(limit=1, turn_seconds=None)
    first = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    second = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots)
    try:
        first.start()
        assert wait_for(lambda: first.trainer.step_count > 0)  # first holds the slot before second asks
        second.start()
        assert wait_for(lambda: second.queue_position == 1)
        second.stop()
        assert slots.counts() == (1, 0)
    finally:
        first.stop()


def test_idle_worker_ends_its_thread_but_keeps_the_trainer():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, idle_timeout=0.3)
    w.step_once(3)
    assert wait_for(lambda: not w.alive, timeout=10)
    assert w.stop_reason == "idle"
    w.step_once()  # Train/Step bring it back with everything kept
    assert w.wait_idle(10)
    assert w.trainer.step_count == 4
    w.stop()


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("24", 24), ("0", None), ("many", None), ("", None)])
def test_trainer_limit_comes_from_the_environment_or_the_core_count(monkeypatch, value, expected):
    monkeypatch.setenv(LIMIT_ENV, value)
    cores = len(os.sched_getaffinity(0))
    assert default_trainer_limit() == (expected if expected is not None else cores)


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), ("0.1", 60.0), ("soon", 60.0), ("", 60.0)])
def test_turn_length_comes_from_the_environment_else_a_minute(monkeypatch, value, expected):
    monkeypatch.setenv(TURN_ENV, value)
    assert default_turn_seconds() == expected


def test_snapshot_cap_keeps_big_networks_within_the_memory_budget():
    small = small_trainer()
    big = Trainer(make_dataset("ring8"), ModelConfig(hidden=512, depth=4), TrainConfig(), device="cpu")
    assert snapshot_cap(small) == 60
    snap = big.published
    size = sum(t.numel() * 4 for t in (*snap.generator.values(), *snap.discriminator.values()))
    assert snapshot_cap(big) == max(8, 32 * 2**20 // size) < 60


def test_a_session_that_reconnects_after_the_grace_period_resumes_training():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.2, slots=None)
    try:
        w.start()
        w.release()
        assert wait_for(lambda: not w.alive, timeout=10)
        assert w.stop_reason == "session closed"
        w.heartbeat()  # the page ran again: the browser reconnected
        assert w.running
        at = w.trainer.step_count
        assert wait_for(lambda: w.trainer.step_count > at)
    finally:
        w.stop()


def test_a_paused_session_that_reconnects_stays_paused():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.2, slots=None)
    w.step_once()
    w.release()
    assert wait_for(lambda: not w.alive, timeout=10)
    w.heartbeat()
    assert not w.alive and not w.running


def test_a_closed_sessions_worker_schedules_one_memory_release(monkeypatch):
    calls = []
    janitor = W._Janitor(delay=0.05)
    janitor.hooks.append(lambda: calls.append("hook"))  # e.g. the app drops Streamlit's expired sessions first
    monkeypatch.setattr(W, "JANITOR", janitor)
    monkeypatch.setattr(W, "release_memory", lambda: calls.append("release"))
    workers = [TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.05, slots=None) for _ in range(3)]
    for w in workers:
        w.start()
        w.release()  # the browser session went away
    assert wait_for(lambda: not any(w.alive for w in workers) and calls)
    time.sleep(0.2)
    assert [w.stop_reason for w in workers] == ["session closed"] * 3
    assert 1 <= calls.count("release") <= 3  # debounced: a burst of closed sessions releases memory once or so
    assert calls[::2] == ["hook"] * calls.count("release") and calls[1::2] == ["release"] * calls.count("release")


def test_release_memory_runs_on_this_platform():
    W.release_memory()  # gc + malloc_trim (a no-op where libc has none)


def test_limit_malloc_arenas_runs_on_this_platform():
    W.limit_malloc_arenas()  # mallopt(M_ARENA_MAX, 2) where libc is glibc, else nothing


def test_a_worker_trains_in_its_thread_when_no_child_process_can_start(monkeypatch):
    import multiprocessing.context

    def refuse(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", refuse)
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=None, process=True)
    try:
        w.start()
        assert wait_for(lambda: w.trainer.step_count >= 5)
        assert w._remote is None and w.running
    finally:
        w.stop()
