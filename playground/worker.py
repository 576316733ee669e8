"""Run any steppable trainer in a background thread so a UI stays responsive while it trains.

The UI only sends commands (start, pause, step_once, call, stop) and reads the trainer's published
state under ``trainer.lock``; the thread is the only one that touches the networks. It never draws.

Lifecycle: the thread is started on demand and ends on ``stop()``, when the owner stops sending
heartbeats for ``heartbeat_timeout`` seconds, or ``grace`` seconds after ``release()`` (the browser
session went away) unless a heartbeat arrives in between (a reconnect after a network blip).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import torch

log = logging.getLogger(__name__)
_ids = itertools.count(1)


class Steppable(Protocol):
    step_count: int
    diverged: str | None

    def step(self, n: int = 1, seconds: float | None = None) -> int: ...


class TrainingWorker:
    """Owns one daemon thread named ``gan-worker-<id>`` that steps ``trainer`` in short chunks."""

    def __init__(
        self,
        trainer: Steppable,
        chunk_seconds: float = 0.05,  # short chunks: commands and fresh weights within ~50 ms
        heartbeat_timeout: float | None = 120.0,  # generous: hidden browser tabs throttle their timers
        grace: float = 5.0,  # after release(): wait this long for a reconnect before stopping
        threads: int = 1,  # tiny MLPs run fastest on one intra-op thread
        max_steps_per_s: float | None = None,  # a lecture can slow training down to watch it
    ) -> None:
        self.trainer = trainer
        self.chunk_seconds, self.heartbeat_timeout, self.grace = chunk_seconds, heartbeat_timeout, grace
        self.threads, self.max_steps_per_s = threads, max_steps_per_s
        self.name = f"gan-worker-{next(_ids)}"
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False
        self._stop = False
        self._pending_steps = 0
        self._calls: list[Callable[[Steppable], None]] = []
        self._busy = False  # True while a command or chunk is executing
        self._beat = time.monotonic()
        self._released_at: float | None = None
        self._rate: deque[tuple[float, int]] = deque(maxlen=64)  # (time, step_count) samples
        self.stop_reason: str | None = None

    # ---- commands (any thread) ------------------------------------------------------------------
    def start(self) -> None:
        """Train continuously until paused, stopped or the trainer diverges."""
        with self._cond:
            self._running = True
            self._ensure_thread()
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._running = False
            self._cond.notify_all()

    def step_once(self, n: int = 1) -> None:
        """Queue ``n`` iterations (each: k D steps and one G step); pauses continuous training."""
        with self._cond:
            self._running = False
            self._pending_steps += n
            self._ensure_thread()
            self._cond.notify_all()

    def call(self, fn: Callable[[Steppable], None]) -> None:
        """Run ``fn(trainer)`` in the worker thread between chunks (e.g. swap ``trainer.cfg``)."""
        with self._cond:
            self._calls.append(fn)
            self._ensure_thread()
            self._cond.notify_all()

    def heartbeat(self) -> None:
        """The owner is alive (called by the page on every refresh); cancels a pending release."""
        with self._cond:
            self._beat = time.monotonic()
            self._released_at = None

    def release(self) -> None:
        """The owner went away: stop after ``grace`` seconds unless a heartbeat arrives first."""
        with self._cond:
            self._released_at = time.monotonic()
            self._cond.notify_all()

    def stop(self, timeout: float | None = 5.0, reason: str = "stopped") -> None:
        """End the thread (it finishes its current chunk first) and wait for it."""
        with self._cond:
            self._stop, self._running = True, False
            self.stop_reason = reason
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until queued commands and steps are done (for tests and scripted use)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._calls or self._pending_steps or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    return False
                self._cond.wait(left)
        return True

    # ---- state (any thread) ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running and self.alive

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def steps_per_s(self, window: float = 1.5) -> float:
        """Wall-clock training rate over the last ``window`` seconds (0 when idle)."""
        samples = list(self._rate)
        if len(samples) < 2 or time.monotonic() - samples[-1][0] > max(window, 0.5):
            return 0.0
        recent = [s for s in samples if samples[-1][0] - s[0] <= window] or samples[-2:]
        first = recent[0] if len(recent) > 1 else samples[-2]
        (t0, s0), (t1, s1) = first, samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    # ---- the thread -----------------------------------------------------------------------------
    def _ensure_thread(self) -> None:  # caller holds self._cond
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop, self.stop_reason, self._beat, self._released_at = False, None, time.monotonic(), None
        self._rate.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        log.info("%s started", self.name)

    def _expired(self, now: float) -> str | None:  # caller holds self._cond
        if self._released_at is not None and now - self._released_at >= self.grace:
            return "session closed"
        if self.heartbeat_timeout is not None and now - self._beat >= self.heartbeat_timeout:
            return f"no heartbeat for {self.heartbeat_timeout:g} s"
        return None

    def _loop(self) -> None:
        torch.set_num_threads(self.threads)
        try:
            while True:
                with self._cond:
                    while not (self._stop or self._running or self._pending_steps or self._calls):
                        reason = self._expired(time.monotonic())
                        if reason:
                            self._stop, self.stop_reason = True, reason
                            break
                        self._cond.wait(0.25)
                    reason = self._expired(time.monotonic())
                    if reason and not self._stop:
                        self._stop, self.stop_reason = True, reason
                    if self._stop:
                        self._running = False
                        break
                    calls, self._calls = self._calls, []
                    steps, self._pending_steps = self._pending_steps, 0
                    running, self._busy = self._running, True
                try:
                    self._work(calls, steps, running)
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        except Exception:  # a bug must not leave a silent zombie: record it for the UI
            log.exception("%s crashed", self.name)
            with self._cond:
                self._running, self.stop_reason = False, "crashed (see server log)"
        finally:
            log.info("%s stopped: %s", self.name, self.stop_reason)
            with self._cond:
                self._cond.notify_all()

    def _work(self, calls: list, steps: int, running: bool) -> None:
        trainer = self.trainer
        for fn in calls:
            fn(trainer)
        if steps:
            trainer.step(steps)
        elif running:
            start = time.monotonic()
            if self.max_steps_per_s:
                n = max(1, round(self.max_steps_per_s * self.chunk_seconds))
                trainer.step(n)
                time.sleep(max(0.0, n / self.max_steps_per_s - (time.monotonic() - start)))
            else:
                trainer.step(10_000, seconds=self.chunk_seconds)
        self._rate.append((time.monotonic(), trainer.step_count))
        if trainer.diverged:
            with self._cond:
                self._running = False
