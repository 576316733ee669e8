"""One run of one page: built from its settings, trained by a ``TrainingWorker``, read through a ``RunView``.

Every page needs the same things from a run: build it from the settings, hand changed live settings to the
trainer while it trains, Train / Pause / Step / Reset, resume after a divergence, say what state it is in,
and read the latest published state without ever touching the networks the worker is updating. This module
does all of it once, for any steppable (``Trainer``, ``Lockstep``, ``TrainerPair``, a seed sweep …).

Pages read ``view()`` (an immutable ``RunView``) and ``status``; the experiment modules that draw figures may
use ``controller.trainer``; ``controller.worker`` is for ``webui``'s session guard only.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from playground.gan.record import STAT_NAMES
from playground.gan.trainer import Trainer
from playground.runtime.memory import SNAPSHOT_BUDGET, snapshot_cap
from playground.runtime.slots import SLOTS, TrainerSlots
from playground.runtime.worker import CRASHED, IDLE, Steppable, TrainingWorker

HISTORY_COLUMNS = ("step", *STAT_NAMES, "steps_per_s")


class Status(enum.Enum):
    """What a page shows about a run (pages never match the worker's free-text stop reasons)."""

    IDLE = "idle"  # paused, or not started yet
    TRAINING = "training"
    QUEUED = "queued"  # asked to train, waiting for a free trainer slot (``RunView.queue``)
    FINISHED = "finished"  # paused itself at its step budget (``max_steps``); Train goes on past it
    DIVERGED = "diverged"  # NaN or exploding numbers: ``resume()`` or Reset
    STOPPED = "stopped"  # session closed / no heartbeat / idle timeout: Train continues
    CRASHED = "crashed"  # a bug in the worker thread (see the server log): Reset


@dataclass(frozen=True)
class RunView:
    """An immutable read of a run's latest published state: what pages read, never the trainer.

    ``history``: a copy of the trainer's columns (``HISTORY_COLUMNS``; empty lists for a steppable that keeps
    none), shared by the views of one published step: read it, do not modify it. ``published``: a ``Snapshot``
    for a ``Trainer``, the tuple of its members' for a composite, else None. ``members``: one view per trainer
    of a composite steppable (``Lockstep.trainers`` in order, ``TrainerPair.trainers`` in dict order), each with
    its own step, history, published weights and divergence; ``run_id`` ``"<run_id>-<index>"``.
    """

    run_id: str
    step: int
    status: Status
    steps_per_s: float
    history: dict[str, list[float]]
    published: object
    diverged: str | None
    stop_reason: str | None
    queue: tuple[int, int, int] | None  # (position, training, waiting) while QUEUED
    members: tuple[RunView, ...] = ()


@dataclass(frozen=True)
class _Reading:
    """One consistent read of a steppable's published state, taken under its lock(s)."""

    key: tuple  # changes whenever the published state does (see ``_peek``)
    step: int
    history: dict[str, list[float]]
    published: object
    diverged: str | None
    members: tuple[_Reading, ...]


def _members(steppable: Steppable) -> tuple:
    """The trainers a composite steppable steps together (``.trainers``, a list or a dict), else ()."""
    trainers = getattr(steppable, "trainers", None)
    if isinstance(trainers, Mapping):
        return tuple(trainers.values())
    return tuple(trainers) if isinstance(trainers, list | tuple) else ()


def _peek(steppable: Steppable) -> tuple:
    """A cheap key of the published state, read without a lock. A ``Trainer`` publishes new weights with every
    chunk it records, or else a divergence; the cached reading holds ``published``, so its id is not reused."""
    if isinstance(steppable, Trainer):
        return id(steppable.published), steppable.diverged
    members = _members(steppable)
    if members:
        return steppable.diverged, tuple(_peek(m) for m in members)
    return steppable.step_count, steppable.diverged  # a steppable that publishes nothing we know of


def _read(steppable: Steppable) -> _Reading:
    if isinstance(steppable, Trainer):
        with steppable.lock:
            key, history, published = _peek(steppable), steppable.history.copy(), steppable.published
            # the recorded step: ``step_count`` itself runs ahead inside a chunk, except once diverged
            step = steppable.step_count if steppable.diverged else max([published.step, *history["step"][-1:]])
            return _Reading(key, step, history, published, steppable.diverged, ())
    empty = {name: [] for name in HISTORY_COLUMNS}
    members = tuple(_read(m) for m in _members(steppable))
    if not members:
        return _Reading(_peek(steppable), steppable.step_count, empty, None, steppable.diverged, ())
    key = (steppable.diverged, tuple(m.key for m in members))
    step = max(m.step for m in members)  # a diverged member stays behind, the others step on
    return _Reading(key, step, empty, tuple(m.published for m in members), key[0], members)


def _cap_snapshots(steppable: Steppable, budget: int = SNAPSHOT_BUDGET) -> None:
    """Bound the timeline snapshots of every ``Trainer`` in ``steppable`` to one session's memory budget."""
    trainers = [t for t in (steppable, *_members(steppable)) if isinstance(t, Trainer)]
    for t in trainers:
        t.cfg = replace(t.cfg, max_snapshots=min(t.cfg.max_snapshots, snapshot_cap(t, budget // len(trainers))))


def resume_diverged(steppable: Steppable) -> None:
    """After a divergence: every diverged trainer in ``steppable`` goes back to its last good published weights,
    with fresh optimizer state (Adam's moments may hold the NaN too). Healthy members are left as they are."""
    if isinstance(steppable, Trainer):
        if steppable.diverged:
            steppable.restore()
            for opt in (steppable.opt_d, steppable.opt_g):
                opt.state.clear()
        return
    for member in _members(steppable):
        resume_diverged(member)


class RunController:
    """One run of one page: built from settings, trained by a TrainingWorker, read through RunView.

    ``build()`` makes the steppable from ``settings`` (name → value); ``live`` names the settings that apply
    while training (through ``trainer.reconfigure(**changes)``, between chunks); ``process``: a plain CPU
    ``Trainer`` trains in a child process; ``max_steps``: continuous training pauses itself there (FINISHED).
    """

    def __init__(
        self,
        build: Callable[[], Steppable],
        settings: Mapping[str, object],
        live: Iterable[str] = (),
        process: bool = False,
        max_steps: int | None = None,
        *,
        chunk_seconds: float = 0.05,  # a slow steppable (a sweep of many seeds) wants longer chunks
        slots: TrainerSlots | None = SLOTS,  # None: train without waiting for a slot (scripts, tests)
    ) -> None:
        self._settings = dict(settings)
        self.live = tuple(live)
        unknown = [name for name in self.live if name not in self._settings]
        if unknown:
            raise ValueError(f"live settings {unknown} are not among the run's settings")
        self.trainer = build()
        _cap_snapshots(self.trainer)
        self.run_id = uuid.uuid4().hex[:10]  # unique per run: figure revisions and caches key on it
        self.worker = TrainingWorker(
            self.trainer, chunk_seconds=chunk_seconds, slots=slots, process=process, stop_at=max_steps
        )
        self._reading: _Reading | None = None
        self._view: tuple[_Reading, tuple, RunView] | None = None  # (read from, status fields, the view)

    # ---- settings --------------------------------------------------------------------------------
    @property
    def settings(self) -> Mapping[str, object]:
        """What the run was built with: reset settings, and live ones as last applied (read-only)."""
        return MappingProxyType(self._settings)

    def needs_reset(self, settings: Mapping[str, object]) -> list[str]:
        """Names of the run's non-live settings whose value in ``settings`` differs (names it lacks are skipped)."""
        return [
            name
            for name, value in self._settings.items()
            if name not in self.live and name in settings and settings[name] != value
        ]

    def apply(self, settings: Mapping[str, object]) -> None:
        """Hand changed live settings to the trainer; the worker applies them between chunks."""
        changes = {n: settings[n] for n in self.live if n in settings and settings[n] != self._settings[n]}
        if changes:
            self._settings.update(changes)
            self.worker.call(lambda trainer: trainer.reconfigure(**changes))

    # ---- commands --------------------------------------------------------------------------------
    def train(self) -> None:
        """Train continuously; a FINISHED run trains on past its budget."""
        self._past_budget()
        self.worker.start()

    def pause(self) -> None:
        self.worker.pause()

    def step(self, n: int = 1, wait: float = 2.0) -> None:
        """Queue ``n`` iterations and wait up to ``wait`` s for them, so the page shows their result."""
        self._past_budget()
        self.worker.step_once(n)
        self.worker.wait_idle(wait)

    def resume(self, wait: float = 2.0) -> None:
        """After a divergence: the last good weights, optimizer state cleared (``resume_diverged``), then IDLE."""
        self.worker.call(resume_diverged)
        self.worker.wait_idle(wait)

    def stop(self, reason: str = "reset") -> None:
        """End the worker's thread (Reset builds a new controller; the old one stops with this)."""
        self.worker.stop(reason=reason)

    def set_speed(self, steps_per_s: float | None) -> None:
        """Cap continuous training at ``steps_per_s`` (None: as fast as the CPU allows)."""
        if steps_per_s is not None and not steps_per_s > 0:
            raise ValueError(f"speed must be positive steps/s or None, not {steps_per_s!r}")
        self.worker.max_steps_per_s = steps_per_s

    @property
    def max_steps(self) -> int | None:
        """The step budget: continuous training pauses itself there (None: none). Settable while training."""
        return self.worker.stop_at

    @max_steps.setter
    def max_steps(self, steps: int | None) -> None:
        self.worker.stop_at = steps

    def _past_budget(self) -> None:
        if self.worker.budget_spent:  # trained on once finished: no budget any more
            self.worker.stop_at = None

    # ---- state -----------------------------------------------------------------------------------
    @property
    def status(self) -> Status:
        return self._status(self.trainer.diverged)

    def _status(self, diverged: str | None) -> Status:
        worker = self.worker
        if worker.stop_reason == CRASHED:
            return Status.CRASHED
        if diverged:
            return Status.DIVERGED
        if worker.running:
            return Status.QUEUED if worker.queue_position is not None else Status.TRAINING
        if worker.budget_spent:
            return Status.FINISHED
        if worker.stop_reason not in (None, IDLE):  # a paused run whose thread ended for lack of work is just idle
            return Status.STOPPED
        return Status.IDLE

    def _queue(self) -> tuple[int, int, int] | None:
        position = self.worker.queue_position
        return None if position is None else (position, *self.worker.slots.counts())

    def view(self) -> RunView:
        """The latest published state. The caller takes no lock; the trainer's lock is taken here, and only when
        something was published since the last call (a redraw that finds nothing new reuses the last read)."""
        reading = self._reading
        if reading is None or _peek(self.trainer) != reading.key:
            reading = self._reading = _read(self.trainer)
        status = self._status(reading.diverged)
        rate = self.worker.steps_per_s() if status is Status.TRAINING else 0.0  # a paused page is not redrawn later
        state = (status, rate, self.worker.stop_reason, self._queue())
        if self._view is None or self._view[0] is not reading or self._view[1] != state:
            self._view = (reading, state, _view(self.run_id, reading, *state))
        return self._view[2]


def _view(run_id: str, r: _Reading, status: Status, rate: float, reason: str | None, queue) -> RunView:
    members = tuple(
        _view(f"{run_id}-{i}", m, Status.DIVERGED if m.diverged else status, rate, reason, queue)
        for i, m in enumerate(r.members)
    )
    return RunView(run_id, r.step, status, rate, r.history, r.published, r.diverged, reason, queue, members)
