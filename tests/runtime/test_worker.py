import threading
import time

import pytest
import torch

import playground.runtime.worker as W
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.slots import TrainerSlots
from playground.runtime.worker import TrainingWorker


def small_trainer() -> Trainer:
    return Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=32), device="cpu")


def worker_threads(worker: TrainingWorker) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == worker.name]


@pytest.fixture(params=[False, True], ids=["thread", "child-process"])
def worker(request):
    # other suites may hold the shared slots; process=True: the pages' mode (playground.runtime.child)
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=None, process=request.param)
    yield w
    w.stop()
    assert w._remote is None or not w._remote.attached  # a stopped worker leaves no child behind


def test_worker_starts_advances_pauses_and_stops_its_thread(worker, wait_for):
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


def test_release_stops_the_thread_after_the_grace_period(wait_for):
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


def test_missing_heartbeat_stops_the_thread(wait_for):
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, heartbeat_timeout=0.3, slots=None)
    w.start()
    assert wait_for(lambda: not w.alive, timeout=5)
    assert w.stop_reason.startswith("no heartbeat")


def test_a_training_worker_without_heartbeats_reruns_its_page_once_per_period_and_keeps_training(wait_for):
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


def test_a_waiting_worker_with_fresh_heartbeats_never_reruns_its_page(wait_for):
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


@pytest.mark.parametrize("speed", [None, 200.0], ids=["full-speed", "capped"])
def test_continuous_training_pauses_itself_on_exactly_the_step_budget(worker, speed, wait_for):
    worker.stop_at, worker.max_steps_per_s = 37, speed
    worker.start()
    assert wait_for(lambda: not worker.running, timeout=30)
    assert worker.wait_idle()
    assert worker.trainer.step_count == 37 and worker.budget_spent
    worker.start()  # a spent budget: Train pauses again at once
    assert wait_for(lambda: not worker.running)
    assert worker.trainer.step_count == 37
    worker.step_once(2)  # single steps are not budgeted
    assert worker.wait_idle()
    assert worker.trainer.step_count == 39


def blow_up(trainer: Trainer) -> None:
    for opt in (trainer.opt_d, trainer.opt_g):
        for group in opt.param_groups:
            group["lr"] = 1e9  # far past anything TrainConfig accepts: a guaranteed blow-up


def test_worker_pauses_itself_when_the_trainer_diverges_and_resumes_from_the_last_good_weights(worker, wait_for):
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
def test_second_trainer_waits_in_the_queue_until_the_first_pauses(wait_for):
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
def test_a_trainer_hands_over_its_slot_after_a_full_turn_while_others_wait(process, wait_for):
    slots = TrainerSlots(limit=1, turn_seconds=0.2)
    workers = [TrainingWorker(small_trainer(), chunk_seconds=0.02, slots=slots, process=process) for _ in range(2)]
    try:
        for w in workers:
            w.start()
        assert wait_for(lambda: all(w.trainer.step_count > 0 for w in workers), timeout=30)
    finally:
        for w in workers:
            w.stop()


def test_stopping_a_queued_worker_leaves_the_queue(wait_for):
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


def test_idle_worker_ends_its_thread_but_keeps_the_trainer(wait_for):
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, idle_timeout=0.3)
    w.step_once(3)
    assert wait_for(lambda: not w.alive, timeout=10)
    assert w.stop_reason == "idle"
    w.step_once()  # Train/Step bring it back with everything kept
    assert w.wait_idle(10)
    assert w.trainer.step_count == 4
    w.stop()


def test_a_command_sent_while_the_thread_ends_runs_on_a_fresh_thread(wait_for):
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, idle_timeout=0.2, slots=None)
    ending = threading.Event()

    def slow_detach() -> bool:  # widen the window between "stop" and the thread's end
        if w._ending:
            ending.set()
            time.sleep(0.3)
        return False

    w._detach = slow_detach
    try:
        w.step_once()
        assert ending.wait(5) and w.alive and w.stop_reason == "idle"  # on its way out
        w.step_once()
        assert wait_for(lambda: w.trainer.step_count == 2)
        assert w.stop_reason is None
    finally:
        w.stop()


def test_a_session_that_reconnects_after_the_grace_period_resumes_training(wait_for):
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


def test_a_paused_session_that_reconnects_stays_paused(wait_for):
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.2, slots=None)
    w.step_once()
    w.release()
    assert wait_for(lambda: not w.alive, timeout=10)
    w.heartbeat()
    assert not w.alive and not w.running


def test_a_worker_trains_in_its_thread_when_no_child_process_can_start(monkeypatch, wait_for):
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
