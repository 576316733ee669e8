import gc
import time

from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime import memory
from playground.runtime.worker import SESSION_CLOSED, TrainingWorker


class Counter:
    """The smallest steppable: counts steps."""

    step_count, diverged = 0, None

    def step(self, n: int = 1, seconds: float | None = None) -> int:
        self.step_count += n
        time.sleep(0.001)
        return n


def test_snapshot_cap_keeps_big_networks_within_the_memory_budget():
    small = Trainer(make_dataset("ring8"), ModelConfig(hidden=16), TrainConfig(batch_size=32), device="cpu")
    big = Trainer(make_dataset("ring8"), ModelConfig(hidden=512, depth=4), TrainConfig(), device="cpu")
    assert memory.snapshot_cap(small) == 60
    snap = big.published
    size = sum(t.numel() * 4 for t in (*snap.generator.values(), *snap.discriminator.values()))
    assert memory.snapshot_cap(big) == max(8, 32 * 2**20 // size) < 60
    assert memory.snapshot_cap(big, budget_bytes=size * 20) == 20


def test_a_closed_sessions_worker_schedules_one_memory_release(monkeypatch, wait_for):
    calls = []
    janitor = memory.Janitor(delay=0.05)
    janitor.hooks.append(lambda: calls.append("hook"))  # e.g. the app drops Streamlit's expired sessions first
    monkeypatch.setattr(memory, "JANITOR", janitor)
    monkeypatch.setattr(memory, "release_memory", lambda: calls.append("release"))
    workers = [TrainingWorker(Counter(), chunk_seconds=0.02, grace=0.05, slots=None) for _ in range(3)]
    for w in workers:
        w.start()
        w.release()  # the browser session went away
    assert wait_for(lambda: not any(w.alive for w in workers) and calls)
    time.sleep(0.2)
    assert [w.stop_reason for w in workers] == [SESSION_CLOSED] * 3
    assert 1 <= calls.count("release") <= 3  # debounced: a burst of closed sessions releases memory once or so
    assert calls[::2] == ["hook"] * calls.count("release") and calls[1::2] == ["release"] * calls.count("release")


def test_every_worker_is_listed_until_it_is_garbage():
    worker = TrainingWorker(Counter(), slots=None)
    assert worker in memory.LIVE_WORKERS
    name = worker.name
    del worker
    gc.collect()
    assert name not in {w.name for w in memory.LIVE_WORKERS}


def test_release_memory_runs_on_this_platform():
    memory.release_memory()  # gc + malloc_trim (a no-op where libc has none)


def test_limit_malloc_arenas_runs_on_this_platform():
    memory.limit_malloc_arenas()  # mallopt(M_ARENA_MAX, 2) where libc is glibc, else nothing
