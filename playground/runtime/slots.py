"""Fair sharing of the CPU between sessions: at most N trainers train at once, the others wait their turn.

Continuous training needs one of the process-wide ``SLOTS``: at most ``PLAYGROUND_MAX_TRAINERS`` at once
(default: one per CPU core, each trainer on one torch thread). Others wait first-come first-served and can
show their queue position; a trainer that has held its slot for ``PLAYGROUND_TURN_SECONDS`` (default 60)
while others wait goes to the back of the queue. Queued sessions do not advance, but the ones that train do
so at full speed, instead of everyone crawling.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

log = logging.getLogger(__name__)

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


# shared by every worker in this process (all sessions)
SLOTS = TrainerSlots(default_trainer_limit(), default_turn_seconds())
