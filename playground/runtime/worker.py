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

Fair sharing: continuous training needs one of the process-wide ``SLOTS`` (``TrainerSlots``), at most
``PLAYGROUND_MAX_TRAINERS`` at once (default: one per CPU core, each trainer on one torch thread). Others
wait first-come first-served and can show their queue position; a trainer that has held its slot for
``turn_seconds`` (``PLAYGROUND_TURN_SECONDS``, default 60) while others wait goes to the back of the
queue. Queued sessions do not advance, but the ones that train do so at full speed, instead of everyone
crawling. Explicit single steps
(``step_once``) skip the queue: they take milliseconds and are paced by a person clicking.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Protocol

import torch

from playground.runtime.child import RemoteTrainer

log = logging.getLogger(__name__)
_ids = itertools.count(1)


LIMIT_ENV, TURN_ENV = "PLAYGROUND_MAX_TRAINERS", "PLAYGROUND_TURN_SECONDS"


def default_trainer_limit() -> int:
    """``$PLAYGROUND_MAX_TRAINERS`` if set, else one trainer per usable CPU core (each uses one thread)."""
    value = os.environ.get(LIMIT_ENV, "").strip()
    if value:
        if value.isdigit() and int(value) >= 1:
            return int(value)
        log.warning("ignoring %s=%r: expected a whole number ≥ 1", LIMIT_ENV, value)
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the cores this process may use, not the machine's
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class TrainerSlots:
    """At most ``limit`` trainers train at once; the rest wait in a first-come first-served queue.

    Workers call ``try_acquire`` from their own thread (no blocking: they poll between commands), and
    ``release`` when they pause, stop or hand over their turn. ``position`` is what a page shows.
    """

    def __init__(self, limit: int, turn_seconds: float | None = 60.0) -> None:
        self.limit = limit
        self.turn_seconds = turn_seconds  # longest hold while others wait (None: hold until paused)
        self._lock = threading.Lock()
        self._holders: dict[object, float] = {}  # worker → monotonic time it got its slot
        self._queue: deque[object] = deque()

    def try_acquire(self, worker: object) -> bool:
        """True if ``worker`` holds a slot (now or already); else it is (or stays) queued."""
        with self._lock:
            if worker in self._holders:
                return True
            if worker not in self._queue:
                self._queue.append(worker)
            if len(self._holders) < self.limit and self._queue[0] is worker:
                self._queue.popleft()
                self._holders[worker] = time.monotonic()
                return True
            return False

    def release(self, worker: object) -> None:
        """Give the slot back and/or leave the queue (safe to call when holding neither)."""
        with self._lock:
            self._holders.pop(worker, None)
            if worker in self._queue:
                self._queue.remove(worker)

    def turn_over(self, worker: object) -> bool:
        """True when ``worker`` has held its slot for a full turn while others wait (it should re-queue)."""
        with self._lock:
            since = self._holders.get(worker)
            return bool(
                since is not None
                and self._queue
                and self.turn_seconds is not None
                and time.monotonic() - since >= self.turn_seconds
            )

    def position(self, worker: object) -> int | None:
        """1-based place in the queue, or None when not waiting."""
        with self._lock:
            return self._queue.index(worker) + 1 if worker in self._queue else None

    def counts(self) -> tuple[int, int]:
        """(training, waiting) right now."""
        with self._lock:
            return len(self._holders), len(self._queue)


def default_turn_seconds() -> float:
    """``$PLAYGROUND_TURN_SECONDS`` if set (how long one session trains while others wait), else 60 s."""
    value = os.environ.get(TURN_ENV, "").strip()
    try:
        seconds = float(value) if value else 60.0
    except ValueError:
        seconds = 0.0
    if not seconds >= 0.5:
        log.warning("ignoring %s=%r: expected seconds ≥ 0.5", TURN_ENV, value)
        return 60.0
    return seconds


# shared by every worker in this process (all sessions)
SLOTS = TrainerSlots(default_trainer_limit(), default_turn_seconds())


def release_memory() -> None:
    """Collect reference cycles, hand freed heap pages back to the OS (glibc's ``malloc_trim``), and log
    how many workers are still referenced (0 once every session has gone: nothing leaks).

    Why: the app runs without Streamlit's per-run ``gc.collect()`` (it starved training), so a closed
    session's cyclic garbage waits for a rare full collection, and glibc keeps freed memory in its arenas.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: later sessions reuse the memory instead
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    kept = sorted(f"{w.name} ({w.stop_reason or 'not started' if not w.alive else 'running'})" for w in LIVE_WORKERS)
    log.info("memory released: %d training workers still referenced %s", len(kept), kept[:5])


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas (as ``MALLOC_ARENA_MAX`` would); call once at server start.

    Why: every training thread otherwise gets an arena of its own, and memory freed into an arena of a
    finished thread stays there. Measured, 20 workers in one process: +66 MB while training and +40 MB left
    after they stopped (after ``release_memory``); with 2 arenas +48 MB and +3 MB.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX


class _Janitor:
    """Runs ``hooks`` and then ``release_memory`` once, ``delay`` seconds after the last of a burst of sessions
    ended. Hooks let the app drop what it still holds for them (the server's expired sessions)."""

    def __init__(self, delay: float = 10.0) -> None:  # > the moment Streamlit drops the sessions' state
        self.delay = delay
        self.hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def session_ended(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._run)
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        for hook in self.hooks:
            hook()
        release_memory()


JANITOR = _Janitor()
LIVE_WORKERS: weakref.WeakSet[TrainingWorker] = weakref.WeakSet()  # every worker not yet garbage


def snapshot_cap(trainer, budget_bytes: int = 32 * 2**20, lo: int = 8, hi: int = 60) -> int:
    """How many snapshots of ``trainer``'s networks fit a per-session memory budget (clamped to [lo, hi]).

    A snapshot is a CPU copy of G's and D's weights: ~140 kB for the default 2-128-128 nets (60 fit
    easily) but ~6 MB for 512-wide 4-layer ones, where 60 would be 380 MB per browser tab.
    """
    snap = trainer.published
    size = sum(t.numel() * t.element_size() for t in (*snap.generator.values(), *snap.discriminator.values()))
    return max(lo, min(hi, budget_bytes // max(size, 1)))


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
    ) -> None:
        self.trainer = trainer
        self._remote = (
            RemoteTrainer(trainer, threads, chunk_seconds) if process and RemoteTrainer.supports(trainer) else None
        )
        self.chunk_seconds, self.heartbeat_timeout, self.grace = chunk_seconds, heartbeat_timeout, grace
        self.threads, self.max_steps_per_s = threads, max_steps_per_s
        self.idle_timeout, self.slots, self.revive_after = idle_timeout, slots, revive_after
        # Set by the UI: reruns the owning browser session's page from the server. A page whose fragment timers
        # went stale (a Streamlit race under load) stops redrawing and sending heartbeats until it is rerun.
        self.revive: Callable[[], None] | None = None
        self._revived_at, self._revives_left = 0.0, 0
        self.name = f"gan-worker-{next(_ids)}"
        LIVE_WORKERS.add(self)
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
            self._stop, self._running, self._resume_on_beat = True, False, False
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
            return
        self._stop, self.stop_reason, self._released_at = False, None, None
        self._beat = self._idle_since = time.monotonic()
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
            return "idle"
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
                        self._resume_on_beat = self._running and reason == "session closed"
                    if self._stop:
                        self._running = False
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
                self._running, self.stop_reason = False, "crashed (see server log)"
        finally:
            try:
                self._detach()
            except Exception:  # noqa: BLE001 -- the child died: the trainer keeps its state from before the turn
                log.exception("%s: bringing the training state back failed", self.name)
                self.stop_reason = "crashed (see server log)"
            self._drop_slot()
            log.info("%s stopped: %s", self.name, self.stop_reason)
            if self.stop_reason == "session closed":
                JANITOR.session_ended()
            with self._cond:
                self._cond.notify_all()

    def _detach(self) -> bool:
        """End the child process, if one trains, with its state in ``self.trainer``; True if there was one."""
        if self._remote is None or not self._remote.attached:
            return False
        self._remote.detach()
        return True

    def _child_started(self) -> bool:
        """Start the child process if none trains; if the system refuses one (out of memory or processes), train
        in this thread from now on instead."""
        try:
            self._remote.attach()
            return True
        except OSError:
            log.warning(
                "%s: could not start a training process; training in a thread instead", self.name, exc_info=True
            )
            self._remote = None
            return False

    def _work(self, calls: list, steps: int, running: bool) -> None:
        trainer = self.trainer
        if calls or steps:
            self._detach()  # commands and single steps act on the server's trainer, with the child's state
        for fn in calls:
            fn(trainer)
        if steps:
            trainer.step(steps)
        elif running and self._remote is not None and self._child_started():
            self._remote.run(self.chunk_seconds, self.max_steps_per_s)  # the child trains on; this records its chunks
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
