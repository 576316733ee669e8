"""Run any steppable trainer in a background thread so a UI stays responsive while it trains.

The UI only sends commands (start, pause, step_once, call, stop) and reads the trainer's published
state under ``trainer.lock``; the thread is the only one that touches the networks. It never draws.
With ``process=True`` a plain ``Trainer`` trains in a child process while it trains continuously
(``playground.runtime.child``); the thread then records the child's chunks and takes the state back
before running a command, a single step or pausing.

Lifecycle: the thread is started on demand and ends on ``stop()``, when the owner stops sending
heartbeats for ``heartbeat_timeout`` seconds, ``grace`` seconds after ``release()`` (the browser
session went away) unless a heartbeat arrives in between (a reconnect after a network blip), or after
``idle_timeout`` seconds with nothing to do (paused). The trainer itself is kept: Train restarts it.

Continuous training waits for one of the shared ``SLOTS`` (``playground.runtime.slots``); explicit single
steps (``step_once``) skip the queue: they take milliseconds and are paced by a person clicking. With
``stop_at`` set, continuous training pauses itself on exactly that step count (a run's step budget).
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

from playground.runtime import memory
from playground.runtime.child import RemoteTrainer
from playground.runtime.slots import SLOTS, TrainerSlots

log = logging.getLogger(__name__)
_ids = itertools.count(1)

# why a worker's thread ended (``TrainingWorker.stop_reason``); ``stop(reason=...)`` adds the owner's own
SESSION_CLOSED = "session closed"  # the browser session went away (a heartbeat within the grace period resumes)
IDLE = "idle"  # nothing to do for ``idle_timeout`` seconds
CRASHED = "crashed (see server log)"


class Steppable(Protocol):
    step_count: int
    diverged: str | None

    def step(self, n: int = 1, seconds: float | None = None) -> int: ...


MAX_REVIVES = 2  # page reruns a worker may ask for per Train press (``TrainingWorker._maybe_revive``)


class TrainingWorker:
    """Owns one daemon thread named ``gan-worker-<id>`` that steps ``trainer`` in short chunks."""

    def __init__(
        self,
        trainer: Steppable,
        chunk_seconds: float = 0.05,  # short chunks: commands and fresh weights within ~50 ms
        heartbeat_timeout: float | None = 120.0,  # generous: hidden browser tabs throttle their timers
        grace: float = 30.0,  # after release(): wait this long for a reconnect (= disconnectedSessionTTL)
        threads: int = 1,  # tiny MLPs run fastest on one intra-op thread
        max_steps_per_s: float | None = None,  # a lecture can slow training down to watch it
        idle_timeout: float | None = 300.0,  # a paused worker's thread ends after this (Train restarts it)
        slots: TrainerSlots | None = SLOTS,  # None: train without waiting for a slot (scripts, tests)
        revive_after: float = 45.0,  # training with no heartbeat this long: rerun the page (``revive``)
        process: bool = False,  # train in a child process (``playground.runtime.child``) when it supports it
        stop_at: int | None = None,  # continuous training pauses itself at this step count (a step budget)
    ) -> None:
        self.trainer = trainer
        self._remote = (
            RemoteTrainer(trainer, threads, chunk_seconds) if process and RemoteTrainer.supports(trainer) else None
        )
        self.chunk_seconds, self.heartbeat_timeout, self.grace = chunk_seconds, heartbeat_timeout, grace
        self.threads, self.max_steps_per_s, self.stop_at = threads, max_steps_per_s, stop_at
        self.idle_timeout, self.slots, self.revive_after = idle_timeout, slots, revive_after
        # Set by the UI: reruns the owning browser session's page from the server. A page whose fragment timers
        # went stale (a Streamlit race under load) stops redrawing and sending heartbeats until it is rerun.
        self.revive: Callable[[], None] | None = None
        self._revived_at, self._revives_left = 0.0, 0
        self.name = f"gan-worker-{next(_ids)}"
        memory.LIVE_WORKERS.add(self)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False
        self._stop = False
        self._pending_steps = 0
        self._calls: list[Callable[[Steppable], None]] = []
        self._busy = False  # True while a command or chunk is executing
        self._beat = time.monotonic()
        self._idle_since = time.monotonic()
        self._released_at: float | None = None
        self._resume_on_beat = False  # stopped by a release while training: a heartbeat restarts it
        self._ending = self._restart = False  # the thread is on its way out / a command came meanwhile
        self._rate: deque[tuple[float, int]] = deque(maxlen=64)  # (time, step_count) samples
        self.stop_reason: str | None = None

    # ---- commands (any thread) ------------------------------------------------------------------
    def start(self) -> None:
        """Train continuously until paused, stopped or the trainer diverges."""
        with self._cond:
            self._running, self._revives_left = True, MAX_REVIVES
            self._ensure_thread()
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._running = self._resume_on_beat = False
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
        """The owner is alive (called by the page on every refresh); cancels a pending release.

        A session that reconnects after the grace period (a long network drop, a server too busy to
        answer pings) finds its training stopped as "session closed": it resumes here.
        """
        with self._cond:
            self._beat = time.monotonic()
            self._released_at = None
            if self._resume_on_beat and not self.alive:
                self._resume_on_beat, self._running = False, True
                self._ensure_thread()
                self._cond.notify_all()

    def release(self) -> None:
        """The owner went away: stop after ``grace`` seconds unless a heartbeat arrives first."""
        with self._cond:
            self._released_at = time.monotonic()
            self._cond.notify_all()

    def stop(self, timeout: float | None = 5.0, reason: str = "stopped") -> None:
        """End the thread (it finishes its current chunk first) and wait for it."""
        with self._cond:
            self._stop, self._running, self._resume_on_beat, self._restart = True, False, False, False
            self.stop_reason = reason
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until queued commands and steps are done (for tests and scripted use)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._calls or self._pending_steps or self._busy or self._state_away():
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    return False
                self._cond.wait(left)
        return True

    def _state_away(self) -> bool:  # caller holds self._cond
        """Paused, but the child process has not yet handed the trainer's state back."""
        return not self._running and self._remote is not None and self._remote.attached

    # ---- state (any thread) ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Training continuously, or queued to (see ``queue_position``)."""
        return self._running and self.alive

    @property
    def queue_position(self) -> int | None:
        """1-based place in the queue for a training slot; None when training or not asking to train."""
        if self.slots is None or not self.running:
            return None
        return self.slots.position(self)

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
            self._restart |= self._ending  # a command while the thread ends: it starts the next one on its way out
            return
        self._ending = self._restart = False
        self._stop, self.stop_reason, self._released_at = False, None, None
        self._beat = self._idle_since = time.monotonic()
        self._rate.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        log.info("%s started", self.name)

    def _expired(self, now: float) -> str | None:  # caller holds self._cond
        if self._released_at is not None and now - self._released_at >= self.grace:
            return SESSION_CLOSED
        if self.heartbeat_timeout is not None and now - self._beat >= self.heartbeat_timeout:
            return f"no heartbeat for {self.heartbeat_timeout:g} s"
        return None

    def _maybe_revive(self) -> None:
        """Training, but no heartbeat for ``revive_after`` s: ask the page to rerun (at most once per period, and
        at most ``MAX_REVIVES`` times per start: the rerun itself stamps a heartbeat, and a tab that is really
        gone must still reach the heartbeat timeout)."""
        now = time.monotonic()
        with self._cond:
            quiet = min(now - self._beat, now - self._revived_at)
            due = self._running and self.revive is not None and self._revives_left > 0 and quiet >= self.revive_after
            if due:
                self._revived_at, self._revives_left = now, self._revives_left - 1
        if due:
            log.info("%s: no heartbeat for %.0f s while training: rerunning its page", self.name, now - self._beat)
            try:
                self.revive()
            except Exception:  # noqa: BLE001 -- a failed nudge must not stop training; the heartbeat timeout stays
                log.exception("%s: rerunning its page failed", self.name)

    def _idle_expired(self, now: float) -> str | None:  # caller holds self._cond; only while nothing to do
        if self.idle_timeout is not None and now - self._idle_since >= self.idle_timeout:
            return IDLE
        return None

    def _has_slot(self) -> bool:  # called from the thread only
        return self.slots is None or self.slots.try_acquire(self)

    def _drop_slot(self) -> None:
        if self.slots is not None:
            self.slots.release(self)

    def _loop(self) -> None:
        torch.set_num_threads(self.threads)  # N trainers × 1 thread: the slot limit then bounds the cores used
        try:
            while True:
                self._maybe_revive()  # also while queued: a waiting page's poll is its heartbeat
                if not self._running and self._detach():  # paused or stopping: the trainer's state comes home
                    with self._cond:
                        self._cond.notify_all()  # for wait_idle
                with self._cond:
                    if not self._running:
                        self._drop_slot()  # paused (or stepping only): let the next session train
                    while not (self._stop or self._running or self._pending_steps or self._calls):
                        now = time.monotonic()
                        reason = self._expired(now) or self._idle_expired(now)
                        if reason:
                            self._stop, self.stop_reason = True, reason
                            break
                        self._cond.wait(0.25)
                    reason = self._expired(time.monotonic())
                    if reason and not self._stop:
                        self._stop, self.stop_reason = True, reason
                        self._resume_on_beat = self._running and reason == SESSION_CLOSED
                    if self._stop:
                        self._running, self._ending = False, True
                        break
                    calls, self._calls = self._calls, []
                    steps, self._pending_steps = self._pending_steps, 0
                    running = self._running and not steps
                    if running and not self._has_slot():  # queued: run commands only, poll again soon
                        running = False
                        if not (calls or steps):
                            self._cond.wait(0.1)
                            continue
                    self._busy = True
                try:
                    self._work(calls, steps, running)
                finally:
                    with self._cond:
                        self._busy = False
                        self._idle_since = time.monotonic()
                        self._cond.notify_all()
                if self.slots is not None and self.slots.turn_over(self):
                    self._detach()
                    self.slots.release(self)  # a full turn while others wait: back of the queue
        except Exception:  # a bug must not leave a silent zombie: record it for the UI
            log.exception("%s crashed", self.name)
            with self._cond:
                self._running, self.stop_reason, self._ending = False, CRASHED, True
        finally:
            try:
                self._detach()
            except Exception:  # noqa: BLE001 -- the child died: the trainer keeps its state from before the turn
                log.exception("%s: bringing the training state back failed", self.name)
                self.stop_reason = CRASHED
            self._drop_slot()
            log.info("%s stopped: %s", self.name, self.stop_reason)
            if self.stop_reason == SESSION_CLOSED:
                memory.JANITOR.session_ended()
            with self._cond:
                # commands arrived while this thread ended for lack of work: a fresh one runs them (not after the
                # session closed: a departed page's last commands must not keep a thread alive)
                if self._restart and self.stop_reason == IDLE:
                    self._thread = None
                    self._ensure_thread()
                self._cond.notify_all()

    def _detach(self) -> bool:
        """End the child process, if one trains, with its state in ``self.trainer``; True if there was one."""
        if self._remote is None or not self._remote.attached:
            return False
        self._remote.detach()
        return True

    def _child_started(self) -> bool:
        """Start the child process (with today's speed limit and budget) if none trains with them; if the system
        refuses one (out of memory or processes), train in this thread from now on instead."""
        try:
            self._remote.start(self.max_steps_per_s, self.stop_at)
            return True
        except OSError:
            log.warning(
                "%s: could not start a training process; training in a thread instead", self.name, exc_info=True
            )
            self._remote = None
            return False

    @property
    def budget_spent(self) -> bool:
        """The trainer has reached ``stop_at`` (continuous training pauses there)."""
        return self.stop_at is not None and self.trainer.step_count >= self.stop_at

    def _work(self, calls: list, steps: int, running: bool) -> None:
        trainer = self.trainer
        if calls or steps:
            self._detach()  # commands and single steps act on the server's trainer, with the child's state
        for fn in calls:
            fn(trainer)
        if steps:
            trainer.step(steps)
        elif running and not self.budget_spent:
            self._train_chunk()
        self._rate.append((time.monotonic(), trainer.step_count))
        if trainer.diverged or self.budget_spent:
            with self._cond:
                self._running = False

    def _train_chunk(self) -> None:
        """One chunk of continuous training, at most up to ``stop_at`` and at most ``max_steps_per_s``."""
        if self._remote is not None and self._child_started():
            self._remote.run(self.chunk_seconds, self.max_steps_per_s, self.stop_at)  # records the child's chunks
            return
        trainer = self.trainer
        left = 10_000 if self.stop_at is None else min(10_000, self.stop_at - trainer.step_count)
        start = time.monotonic()
        if self.max_steps_per_s:
            n = min(left, max(1, round(self.max_steps_per_s * self.chunk_seconds)))
            trainer.step(n)
            time.sleep(max(0.0, n / self.max_steps_per_s - (time.monotonic() - start)))
        else:
            trainer.step(left, seconds=self.chunk_seconds)
