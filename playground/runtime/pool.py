"""The training pool: a fixed set of forked processes that train every session's trainer at once.

The server's side of ``playground.runtime.pool_process``. ``TrainingPool`` forks its processes (one per usable core,
``$PLAYGROUND_POOL_PROCESSES``) on the first Train, and places each new member on the least-loaded one, preferring
one that holds members it can be stacked with. Each process has one pipe and one dispatcher thread here, which
routes the process's messages to its members' mailboxes. ``PoolMember`` gives a ``TrainingWorker`` what a child
process per session gave it before: ``start`` moves a copy of the trainer into a pool process, ``run`` records
the chunks it sends into the server's ``Trainer`` (the one the pages read), ``detach`` brings the full training
state back (bit-exact: ``tests/runtime/test_pool.py``). A process that dies fails its members (their trainers keep
the last state recorded here) and a fresh one replaces it for the next member.

Processes are forked from the server (Linux only), so a start costs milliseconds and shares the imported torch
copy-on-write. Forking a process that has threads is safe here for the same reasons it is for PyTorch's DataLoader
workers: the process runs one thread with one torch thread and imports nothing new. (The forkserver and spawn
methods would re-run the main module, which under Streamlit is the page script.)
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import queue
import threading
from collections import Counter

from playground.engines.group import stack_key
from playground.gan.trainer import Trainer
from playground.runtime.pool_process import available, portable, send, serve
from playground.runtime.slots import usable_cores

log = logging.getLogger(__name__)

PROCESSES_ENV = "PLAYGROUND_POOL_PROCESSES"
STACK_PREFERENCE = 2  # placement counts a process with stackable members as this many members lighter


def default_pool_processes() -> int:
    """``$PLAYGROUND_POOL_PROCESSES`` if set, else one training process per usable CPU core."""
    value = os.environ.get(PROCESSES_ENV, "").strip()
    if value:
        if value.isdigit() and int(value) >= 1:
            return int(value)
        log.warning("ignoring %s=%r: expected a whole number ≥ 1", PROCESSES_ENV, value)
    return usable_cores()


class PoolProcess:
    """One forked training process, its pipe, and the dispatcher thread that hands its messages to its members."""

    def __init__(self, name: str, slice_seconds: float, stack: bool) -> None:
        ctx = multiprocessing.get_context("fork")
        here, there = ctx.Pipe()
        process = ctx.Process(target=serve, args=(there, slice_seconds, stack), name=name, daemon=True)
        try:
            process.start()
        except OSError:
            here.close()
            raise
        finally:
            there.close()
        self.process, self.conn = process, here
        self.alive = True
        self.keys: Counter = Counter()  # stack keys of its members (None: not stackable)
        self._mailboxes: dict[int, queue.SimpleQueue] = {}
        self._lock, self._send_lock = threading.Lock(), threading.Lock()
        self._dispatcher = threading.Thread(target=self._dispatch, name=f"{name}-dispatch", daemon=True)
        self._dispatcher.start()

    @property
    def load(self) -> int:
        return len(self._mailboxes)

    def join(self, member_id: int, key: tuple | None) -> queue.SimpleQueue:
        """A mailbox for a new member (one that already says "dead" if the process died meanwhile)."""
        box: queue.SimpleQueue = queue.SimpleQueue()
        with self._lock:
            self._mailboxes[member_id] = box
            self.keys[key] += 1
            if not self.alive:
                box.put(("dead", self.process.exitcode))
        return box

    def leave(self, member_id: int, key: tuple | None) -> None:
        with self._lock:
            if self._mailboxes.pop(member_id, None) is not None:
                self.keys[key] -= 1
                self.keys += Counter()  # drops keys no member has any more

    def send(self, message: tuple) -> None:
        """Send from any worker thread (one at a time: a pipe carries one message after another)."""
        with self._send_lock:
            send(self.conn, message)

    def _dispatch(self) -> None:
        try:
            while True:
                kind, member_id, payload = pickle.loads(self.conn.recv_bytes())
                with self._lock:
                    box = self._mailboxes.get(member_id)
                if box is not None:  # else the member left after an error: nobody reads it
                    box.put((kind, payload))
        except (EOFError, OSError):  # the process ended (or ``close``)
            pass
        self.process.join(5.0)
        with self._lock:
            self.alive = False
            boxes = list(self._mailboxes.values())
        level = logging.WARNING if boxes else logging.INFO  # members: a crash; none: the server is stopping
        log.log(level, "%s ended (exit code %s) with %d members", self.process.name, self.process.exitcode, len(boxes))
        for box in boxes:
            box.put(("dead", self.process.exitcode))

    def close(self) -> None:
        """End the process (its members fail as for a crash) and the dispatcher."""
        self.process.terminate()
        self.process.join(5.0)
        if self.process.is_alive():
            self.process.kill()
        self._dispatcher.join(5.0)
        self.conn.close()


class TrainingPool:
    """A fixed set of ``processes`` pool processes, forked on the first member, a dead one replaced on the next."""

    def __init__(self, processes: int | None = None, slice_seconds: float = 0.01, stack: bool = True) -> None:
        self.size = processes or default_pool_processes()
        self.slice_seconds, self.stack = slice_seconds, stack  # stack=False: every member alone (the bench's)
        self._processes: list[PoolProcess] = []
        self._lock = threading.Lock()
        self._names = (f"gan-pool-{i}" for i in itertools.count(1))

    def place(self, member_id: int, key: tuple | None) -> tuple[PoolProcess, queue.SimpleQueue]:
        """The least-loaded process for a new member, counting one that can stack it as ``STACK_PREFERENCE``
        members lighter (so matching sessions gather, yet every core gets work); ``OSError`` if a fork fails."""
        with self._lock:
            self._processes = [p for p in self._processes if p.alive]
            while len(self._processes) < self.size:
                self._processes.append(PoolProcess(next(self._names), self.slice_seconds, self.stack))
            stackable = lambda p: STACK_PREFERENCE if key is not None and p.keys[key] else 0  # noqa: E731
            best = min(self._processes, key=lambda p: (p.load - stackable(p), p.load))
            return best, best.join(member_id, key)

    def training(self) -> int:
        """How many members the pool trains now (across its processes)."""
        with self._lock:
            return sum(p.load for p in self._processes if p.alive)

    def loads(self) -> list[int]:
        """Members per live process (for the bench and tests)."""
        with self._lock:
            return [p.load for p in self._processes if p.alive]

    def close(self) -> None:
        """End every process (tests, scripts); a later member forks fresh ones."""
        with self._lock:
            processes, self._processes = self._processes, []
        for p in processes:
            p.close()


class PoolMember:
    """One CPU ``Trainer`` trained in a pool process: the interface ``TrainingWorker`` drives (see the module)."""

    _ids = itertools.count(1)

    def __init__(self, trainer: Trainer, pool: TrainingPool | None = None, timeout: float = 60.0) -> None:
        self.trainer, self.pool, self.timeout = trainer, pool or POOL, timeout
        self.max_steps_per_s: float | None = None
        self.stop_at: int | None = None
        self.id = next(self._ids)
        self._process: PoolProcess | None = None
        self._mailbox: queue.SimpleQueue | None = None
        self._key: tuple | None = None

    @staticmethod
    def supports(trainer: object) -> bool:
        """A plain Trainer on the CPU (a GPU's kernels run outside the GIL already), on Linux."""
        return isinstance(trainer, Trainer) and trainer.device.type == "cpu" and available()

    @property
    def attached(self) -> bool:
        return self._process is not None

    def start(self, max_steps_per_s: float | None = None, stop_at: int | None = None) -> None:
        """Have the trainer train in a pool process with this speed cap (steps/s, None: its full share) and step
        budget (None: none); a member already training takes changed limits at its next slice. ``OSError``
        if the system refuses a process."""
        limits = (max_steps_per_s, stop_at)
        changed = limits != (self.max_steps_per_s, self.stop_at)
        self.max_steps_per_s, self.stop_at = limits
        if self._process is None:
            self._attach()
        elif changed:
            self._send(("limits", self.id, limits))

    def run(self, wait: float, max_steps_per_s: float | None = None, stop_at: int | None = None) -> int:
        """Keep the trainer training (``start``) and record the chunks its process has sent, waiting up to ``wait``
        seconds for the first. Returns the steps recorded. The process does not wait for the server between
        slices: a server thread busy with a page costs training nothing."""
        self.start(max_steps_per_s, stop_at)
        steps = 0
        while True:
            try:
                kind, payload = self._mailbox.get(timeout=wait) if not steps else self._mailbox.get_nowait()
            except queue.Empty:
                return steps
            if kind != "chunk":
                self._unexpected(kind, payload)
            self.trainer.apply_chunk(portable(payload, back=True))
            steps += len(payload.steps)

    def detach(self) -> None:
        """Record the chunks still on their way, bring the full training state into the server's trainer and leave
        the pool (a Pause therefore lands after at most the slice under way)."""
        if self._process is None:
            return
        self._send(("remove", self.id, None))
        while True:
            try:
                kind, payload = self._mailbox.get(timeout=self.timeout)
            except queue.Empty:
                self._fail(f"no answer for {self.timeout:g} s")
            if kind == "state":
                self.trainer.load_training_state(payload)
                self._leave()
                return
            if kind != "chunk":
                self._unexpected(kind, payload)
            self.trainer.apply_chunk(portable(payload, back=True))

    def _attach(self) -> None:
        key = stack_key(self.trainer) if self.pool.stack else None
        self._process, self._mailbox = self.pool.place(self.id, key)
        self._key = key
        t = self.trainer
        self._send(("add", self.id, (t.data, t.model_cfg, t.training_state(), t.make_engine,
                                     self.max_steps_per_s, self.stop_at)))  # fmt: skip

    def _send(self, message: tuple) -> None:
        try:
            self._process.send(message)
        except OSError:  # the pipe is closed: the process died
            self._fail(f"exit code {self._process.process.exitcode}")

    def _unexpected(self, kind: str, payload) -> None:
        if kind == "dead":
            self._fail(f"exit code {payload}")
        self._leave()
        if kind == "error":
            raise RuntimeError(f"the training process failed:\n{payload}")
        raise RuntimeError(f"the training process sent {kind!r} unasked")

    def _fail(self, why: str) -> None:
        self._leave()
        raise RuntimeError(f"the training process stopped answering ({why})")

    def _leave(self) -> None:
        if self._process is not None:
            self._process.leave(self.id, self._key)
        self._process = self._mailbox = None


POOL = TrainingPool()  # shared by every session of this server; forks its processes on the first Train
