"""Inside one training-pool process: many sessions' trainers stepped in turn, in short slices.

Why processes: one Python process has one GIL. A training thread gives it up around each of its ~120 torch calls
per step and has to win it back each time, from the pages' redraw threads (4–5 a second per open page) and from
the other trainers: with the server on one core it trained ~23 % slower per CPU-second than alone, and two
trainers in one server could not use two cores. A pool process has an interpreter of its own.

Why a pool of them, each holding many trainers: a process per training session, each holding a core while it
trained, meant that a room of 20 on 2 cores had 2 sessions training and 18 waiting. Here each process steps its
members round-robin in slices of ``slice_seconds`` (members that ask for more than their share get about equal
shares), so every member advances continuously. Uncapped members whose networks match (``stack_key``) train as one
``TrainerStack``: N matching students cost less than N separate steps, with each one's numbers its own.

The ``Scheduler`` is plain Python (tests drive it in-process with their own clock); ``serve`` runs it in a
forked process against the pipe to the server (``playground.runtime.pool``). The pipe carries pickles between
the server and the process it forked, never bytes from outside (uploads and checkpoints go through safetensors).
"""

from __future__ import annotations

import gc
import math
import os
import pickle
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

import torch

from playground.engines.group import TrainerStack, stack_key
from playground.gan.record import Chunk, Snapshot
from playground.gan.trainer import Trainer

MAX_CHUNK_STEPS = 10_000  # a slice is bounded by time; this only bounds its list sizes


def available() -> bool:
    """Forked processes on Linux only (macOS's system libraries are not fork-safe); elsewhere a thread trains."""
    return sys.platform.startswith("linux")


def send(conn: Connection, obj) -> None:
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _numpy(snap: Snapshot | None, back: bool = False) -> Snapshot | None:
    """A snapshot with numpy arrays instead of tensors (``back``: the reverse): numpy arrays pickle in
    microseconds, tensors through ``torch.save`` (~1.5 ms per chunk each way for the toy nets)."""
    if snap is None:
        return None
    convert = torch.from_numpy if back else torch.Tensor.numpy
    return Snapshot(
        snap.step,
        {k: convert(v) for k, v in snap.generator.items()},
        {k: convert(v) for k, v in snap.discriminator.items()},
    )


def portable(chunk: Chunk, back: bool = False) -> Chunk:
    """A chunk that pickles fast (numpy arrays), or (``back``) the chunk again."""
    return Chunk(
        chunk.step_count, chunk.steps, chunk.table, chunk.rate, chunk.diverged,
        [_numpy(s, back) for s in chunk.snapshots], _numpy(chunk.published, back),
    )  # fmt: skip


def leave_the_server(conn: Connection) -> None:
    """First thing in a forked process: let go of what it inherited from the server.

    - Close the server's file descriptors (browser connections, the listening socket, the other pool processes'
      pipes): a connection the server closes would otherwise stay open until this process ends, and a pool
      process would never see the end of another's pipe. Standard streams and this process's pipe stay.
    - ``gc.freeze()``: the server's objects are never scanned by this process's collector, so their memory pages
      stay shared with the server instead of being copied into it.
    """
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    gc.freeze()


@dataclass
class Member:
    """One session's trainer in a pool process, with its speed cap (a token bucket) and step budget."""

    id: int
    trainer: Trainer
    max_steps_per_s: float | None  # None: as fast as its share allows
    stop_at: int | None  # trains no further than this step count
    clock_at: float  # when its tokens were last refilled
    step: int = 0  # its step count as its chunks report it (a stacked trainer's own is stale until ``sync``)
    diverged: str | None = None
    tokens: float = 1.0  # steps it may take now, when capped (the first one at once)
    sent_at: float = 0.0  # when it last sent a chunk

    @property
    def done(self) -> bool:
        """Diverged or at its budget: it waits, untrained, for the server to take it back."""
        return self.diverged is not None or (self.stop_at is not None and self.step >= self.stop_at)

    def refill(self, now: float) -> None:
        """Tokens at ``max_steps_per_s``, at most a tenth of a second's worth (at least one step) banked."""
        if self.max_steps_per_s is not None:
            burst = max(1.0, self.max_steps_per_s * 0.1)
            self.tokens = min(burst, self.tokens + self.max_steps_per_s * (now - self.clock_at))
        self.clock_at = now

    def allowance(self) -> int:
        """How many steps it may take now (0: not its time yet)."""
        left = MAX_CHUNK_STEPS if self.stop_at is None else min(MAX_CHUNK_STEPS, self.stop_at - self.step)
        return min(left, math.floor(self.tokens)) if self.max_steps_per_s is not None else left


class Solo:
    """One trainer stepped by itself: the scheduling unit that a ``TrainerStack`` generalises."""

    def __init__(self, trainers: list[Trainer]) -> None:
        (self.trainer,) = trainers
        self.members = trainers

    def run_chunk(self, n: int, seconds: float | None = None) -> list[Chunk]:
        return [self.trainer.run_chunk(n, seconds)]

    def sync(self) -> None:
        """A solo trainer's state is its own already."""


class Scheduler:
    """Round-robin over units (a solo member, or a stack of matching ones), one turn each in turn.

    A unit of k members gets a turn of ``k × max(slice_seconds, round_seconds / members)`` (each member about an
    equal share of the process; few members get long turns: nothing waits for them), run as chunks of at most
    ``round_seconds`` (the pages see new weights, and the server's messages are read, between chunks). A capped
    member trains alone, only when its bucket holds a step; every member stops exactly at ``stop_at``.
    """

    def __init__(
        self,
        slice_seconds: float = 0.01,  # per member and turn: a chunk costs ~0.9 ms besides its steps (9 % of 10 ms)
        round_seconds: float = 0.05,  # a round of few members is stretched to this (a lone member: 50 ms chunks)
        clock: Callable[[], float] = time.monotonic,
        stack: bool = True,  # False: every member alone (the bench's comparison)
    ) -> None:
        self.slice_seconds, self.round_seconds, self.clock, self.stack = slice_seconds, round_seconds, clock, stack
        self.members: dict[int, Member] = {}
        self._units: list[tuple[Solo | TrainerStack, list[Member]]] = []
        self._turn = 0
        self._chunks_left = 0  # of the current unit's turn
        self._stale = False  # membership or limits changed: the units are formed again before the next slice

    # ---- membership (the server's messages) --------------------------------------------------------------
    def add(self, member_id: int, trainer: Trainer, max_steps_per_s: float | None, stop_at: int | None) -> None:
        now = self.clock()
        member = Member(member_id, trainer, max_steps_per_s, stop_at, now, trainer.step_count, trainer.diverged)
        member.sent_at = now
        self.members[member_id] = member
        self._stale = True

    def set_limits(self, member_id: int, max_steps_per_s: float | None, stop_at: int | None) -> None:
        member = self.members[member_id]
        member.refill(self.clock())
        member.max_steps_per_s, member.stop_at = max_steps_per_s, stop_at
        self._stale = True

    def remove(self, member_id: int) -> dict:
        """Take a member out; returns its trainer's full training state (its stack written back first)."""
        self._sync_units()
        member = self.members.pop(member_id)
        member.trainer.diverged = member.diverged
        return member.trainer.training_state()

    def discard(self, member_id: int) -> None:
        """Drop a member that failed (its state is lost here; the server keeps its last good one)."""
        self._sync_units()
        self.members.pop(member_id, None)

    # ---- training ---------------------------------------------------------------------------------------
    def wait_seconds(self) -> float | None:
        """0 while a member may train now; else how long until a capped member's next step (None: until a message)."""
        now = self.clock()
        waits = []
        for m in self.members.values():
            if m.done:
                continue
            m.refill(now)
            if m.allowance() >= 1:
                return 0.0
            waits.append((1.0 - m.tokens) / m.max_steps_per_s)
        return max(min(waits), 0.0) if waits else None

    def run_slice(self) -> list[tuple[str, int, object]]:
        """One unit's turn: the messages for the server, ("chunk", member id, chunk) or ("error", id, traceback)
        (an error drops the unit's members; the others train on). [] when no member may train now."""
        if self._stale:
            self._form_units()
        if not self._units:
            return []
        now = self.clock()
        for _ in range(len(self._units) + 1):
            if self._chunks_left <= 0:
                self._turn = (self._turn + 1) % len(self._units)
                self._chunks_left = math.ceil(self._turn_seconds(self._turn) / self.round_seconds - 1e-9)
            unit, members = self._units[self._turn]
            for m in members:
                m.refill(now)
            n = min(m.allowance() for m in members)
            if n >= 1:
                self._chunks_left -= 1
                return self._train(unit, members, n)
            self._chunks_left = 0  # nothing to do now: the next unit's turn
        return []

    def _turn_seconds(self, turn: int) -> float:
        members = sum(len(ms) for _, ms in self._units)
        return len(self._units[turn][1]) * max(self.slice_seconds, self.round_seconds / members)

    def _train(self, unit: Solo | TrainerStack, members: list[Member], n: int) -> list[tuple[str, int, object]]:
        seconds = min(self._turn_seconds(self._turn), self.round_seconds)
        try:
            chunks = unit.run_chunk(n, seconds)
        except Exception:  # noqa: BLE001 -- a bug in one unit must not stop the others: report it, drop them
            report = traceback.format_exc()
            self._units = [u for u in self._units if u[0] is not unit]  # not synced: its state is suspect
            self._stale = True
            for m in members:
                self.members.pop(m.id, None)
            return [("error", m.id, report) for m in members]
        now = self.clock()
        out = []
        for m, chunk in zip(members, chunks, strict=True):
            m.tokens -= len(chunk.steps) if m.max_steps_per_s is not None else 0
            m.step, m.diverged = chunk.step_count, chunk.diverged or m.diverged
            m.trainer.diverged = m.diverged  # a solo trainer's next run_chunk does nothing once diverged
            self._stale |= m.done
            # the session's own rate, its waits for the other members included (the history's steps/s column)
            rate = len(chunk.steps) / max(now - m.sent_at, 1e-9)
            m.sent_at = now
            out.append(("chunk", m.id, replace(chunk, rate=rate)))
        return out

    def _sync_units(self) -> None:
        """Write every stack's state back into its members' trainers; the units are formed again after."""
        for unit, _ in self._units:
            unit.sync()
        self._units, self._stale = [], True

    def _form_units(self) -> None:
        """Units of the members that may train: uncapped ones with equal non-None ``stack_key`` as one stack."""
        self._sync_units()
        groups: dict[object, list[Member]] = {}
        for m in self.members.values():
            if m.done:
                continue
            key = stack_key(m.trainer) if self.stack and m.max_steps_per_s is None else None
            groups.setdefault(key if key is not None else ("solo", m.id), []).append(m)
        unit = lambda trainers: TrainerStack(trainers) if len(trainers) > 1 else Solo(trainers)  # noqa: E731
        self._units = [(unit([m.trainer for m in ms]), ms) for ms in groups.values()]
        self._turn, self._chunks_left, self._stale = len(self._units) - 1, 0, False  # the next turn: the first unit


def serve(conn: Connection, slice_seconds: float, stack: bool) -> None:
    """A pool process: apply the server's messages as they come (never behind a slice), train in between, send each
    chunk. Messages: ("add", id, (data, model_cfg, state, make_engine, max_steps_per_s, stop_at)),
    ("limits", id, (max_steps_per_s, stop_at)), ("remove", id, None) → ("state", id, training_state)."""
    leave_the_server(conn)
    torch.set_num_threads(1)  # one process per core, each on one thread
    scheduler = Scheduler(slice_seconds, stack=stack)
    try:
        while True:
            if conn.poll(scheduler.wait_seconds()):
                kind, member_id, payload = pickle.loads(conn.recv_bytes())
                try:
                    reply = _handle(scheduler, kind, member_id, payload)
                except Exception:  # noqa: BLE001 -- a bad member: report it to its session, keep serving the others
                    scheduler.discard(member_id)
                    reply = ("error", member_id, traceback.format_exc())
                if reply is not None:
                    send(conn, reply)
                continue
            for kind, member_id, payload in scheduler.run_slice():
                send(conn, (kind, member_id, portable(payload) if kind == "chunk" else payload))
    except (EOFError, BrokenPipeError, ConnectionResetError):  # the server closed the pipe (it stopped or died)
        return


def _handle(scheduler: Scheduler, kind: str, member_id: int, payload) -> tuple | None:
    if kind == "add":
        data, model_cfg, state, make_engine, max_steps_per_s, stop_at = payload
        trainer = Trainer(data, model_cfg, state["cfg"], device="cpu", engine=make_engine)  # as the server's
        trainer.load_training_state(state)
        scheduler.add(member_id, trainer, max_steps_per_s, stop_at)
        return None
    if kind == "limits":
        scheduler.set_limits(member_id, *payload)
        return None
    if kind == "remove":
        state = scheduler.remove(member_id)
        if not scheduler.members:
            gc.collect()  # the last member went: give its memory back before the next one comes
        return ("state", member_id, state)
    raise ValueError(f"unknown message {kind!r}")
