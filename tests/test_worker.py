import threading
import time

import pytest

from playground.data import make_dataset
from playground.models import ModelConfig
from playground.training import TrainConfig, Trainer
from playground.worker import TrainingWorker


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


@pytest.fixture
def worker():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02)
    yield w
    w.stop()


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
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.3)
    w.start()
    w.release()
    assert w.alive
    assert wait_for(lambda: not w.alive, timeout=5)
    assert w.stop_reason == "session closed"


def test_heartbeat_within_the_grace_period_keeps_training():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, grace=0.5)
    try:
        w.start()
        w.release()
        w.heartbeat()  # the session reconnected
        time.sleep(0.8)
        assert w.running
    finally:
        w.stop()


def test_missing_heartbeat_stops_the_thread():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.02, heartbeat_timeout=0.3)
    w.start()
    assert wait_for(lambda: not w.alive, timeout=5)
    assert w.stop_reason.startswith("no heartbeat")


def test_speed_cap_limits_steps_per_second():
    w = TrainingWorker(small_trainer(), chunk_seconds=0.05, max_steps_per_s=20)
    try:
        w.start()
        time.sleep(1.0)
        w.pause()
        w.wait_idle()
        assert 5 <= w.trainer.step_count <= 30
    finally:
        w.stop()


def test_worker_stops_training_when_the_trainer_diverges(worker):
    worker.trainer.set_learning_rates(1e9, 1e9)  # guaranteed blow-up
    worker.trainer.cfg = TrainConfig(batch_size=32, optimizer="adam")
    worker.start()
    assert wait_for(lambda: not worker.running, timeout=10)
    assert worker.trainer.diverged
