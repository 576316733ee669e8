"""The room: every student session's runs on this server, read by the lecturer's class board, and what the
lecturer sends back to the room.

Sessions ``join`` under an anonymous student number (1, 2, …, never anything of their browser) and
``register`` their page's ``RunController``s, each with a ``Probe`` that knows how to describe and measure
it; ``leave`` runs from the session's end hook. The room holds each run weakly: a session whose objects are
gone drops out even if its end hook never came, and the room never keeps a closed tab's networks alive.

``cards()`` is what the board draws: one ``Card`` per run that has trained. Measuring a run (modes captured,
high quality, a small picture) evaluates its networks, so it happens on the board's thread, only when a new
step was published, and at most once per ``MEASURE_EVERY`` seconds per run however many boards are open;
between measurements a card shows the last one with the run's current step and speed (from ``view()``).

Each replica of the app has its own room: with several servers behind a load balancer, each board shows
only the sessions of its own server.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from playground.runtime.controller import RunController, RunView

MEASURE_EVERY = 1.0  # seconds between two measurements of one run
FORGET_AFTER = 300.0  # a seat whose page has not polled for this long has left (its end hook never came)


@dataclass(frozen=True)
class About:
    """What a run is, as the board lists it (live settings change, so it is asked for on every read)."""

    page: str  # the page it runs on, as the navigation names it ("Toy 2-D")
    dataset: str  # the data set (a mixture's modes are counted per data set)
    preset: str | None  # the named preset it runs, where the page runs presets
    settings: Mapping[str, object]  # its settings by name, as the larger view lists them
    changed: Mapping[str, object]  # those that differ from the page's defaults
    send: tuple[str, Mapping[str, object]] | None  # (experiment, setting values) the lecturer may send; None: cannot


@dataclass(frozen=True)
class Reading:
    """One measurement of a run's published weights (``modes_*`` and ``high_quality`` None for other data)."""

    step: int
    modes_captured: int | None
    modes_total: int | None
    high_quality: float | None
    picture: bytes  # the tile's small picture (JPEG)
    detail: object = None  # what the probe needs to draw a larger picture later (``Probe.draw``)


class Probe(Protocol):
    """Describes and measures one run of one page (``playground.experiments.room.probes``)."""

    def about(self, run: RunController) -> About: ...

    def view(self, run: RunController) -> RunView: ...  # the run's own view (a member of a composite run)

    def measure(self, run: RunController, view: RunView) -> Reading: ...

    def draw(self, reading: Reading, size: int) -> bytes: ...  # a larger picture of a reading


@dataclass(frozen=True)
class Card:
    """One run as the board shows it now."""

    student: int
    slot: str  # which of the student's runs ("toy", "lab.0", …)
    run_id: str
    about: About
    status: str  # ``Status.value``
    step: int  # the run's latest published step (``reading.step`` may be up to MEASURE_EVERY older)
    steps_per_s: float
    reading: Reading | None  # None until first measured
    probe: Probe = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"Student {self.student}" + (f" · {self.slot}" if self.slot != "toy" else "")


@dataclass(frozen=True)
class Broadcast:
    """Settings the lecturer sent to the room; pages of ``experiment`` offer to apply them."""

    number: int  # increasing: a page remembers the last one it answered
    experiment: str  # the experiment whose settings these are ("toy", "collapse")
    values: Mapping[str, object]  # setting name → value
    label: str  # what the banner calls them ("the preset collapse-ring8")
    sent_at: float  # time.time()


class _Entry:
    def __init__(self, run: RunController, probe: Probe) -> None:
        self.run = weakref.ref(run)
        self.run_id, self.probe = run.run_id, probe
        self.lock = threading.Lock()  # one measurement at a time, whichever board asks
        self.reading: Reading | None = None
        self.measured_from: object = None  # the published state the reading was taken from
        self.measured_at = -float("inf")


class Room:
    """The registry of one server's student runs (``ROOM``) and the lecturer's latest broadcast."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._seen: dict[int, float] = {}  # student → when its page last polled
        self._entries: dict[tuple[int, str], _Entry] = {}
        self._broadcasts = itertools.count(1)
        self.broadcast: Broadcast | None = None
        self._answers: dict[int, set[int]] = {}  # broadcast number → students who applied it

    # ---- seats ------------------------------------------------------------------------------------
    def join(self) -> int:
        """A new student number for a session."""
        with self._lock:
            student = next(self._numbers)
            self._seen[student] = self.clock()
            return student

    def leave(self, student: int) -> None:
        """The session ended: its runs leave the board."""
        with self._lock:
            self._seen.pop(student, None)
            for key in [k for k in self._entries if k[0] == student]:
                del self._entries[key]

    def students(self) -> int:
        with self._lock:
            return len(self._seen)

    def register(self, student: int, slot: str, run: RunController, make_probe: Callable[[], Probe]) -> None:
        """Put ``run`` on the board as the student's ``slot`` (a new run replaces the slot's old one);
        ``make_probe`` is only called for a run the room does not know yet. Also marks the seat seen."""
        with self._lock:
            if student not in self._seen:
                return  # left already: a page run racing its session's end
            self._seen[student] = self.clock()
            entry = self._entries.get((student, slot))
            if entry is None or entry.run_id != run.run_id:
                self._entries[(student, slot)] = _Entry(run, make_probe())

    # ---- reading ----------------------------------------------------------------------------------
    def cards(self) -> list[Card]:
        """Every run that has trained, by student and slot, with a reading at most MEASURE_EVERY s old."""
        with self._lock:
            now = self.clock()
            for student in [s for s, seen in self._seen.items() if now - seen > FORGET_AFTER]:
                del self._seen[student]
            for key in [k for k, e in self._entries.items() if e.run() is None or k[0] not in self._seen]:
                del self._entries[key]
            entries = sorted(self._entries.items())
        cards = []
        for (student, slot), entry in entries:
            run = entry.run()
            if run is None:
                continue
            view = entry.probe.view(run)
            if view.step == 0:
                continue  # never trained: nothing to show yet
            reading = self._measure(entry, run, view)
            about = entry.probe.about(run)
            cards.append(Card(student, slot, entry.run_id, about, view.status.value, view.step, view.steps_per_s,
                              reading, entry.probe))  # fmt: skip
        return cards

    def _measure(self, entry: _Entry, run: RunController, view: RunView) -> Reading | None:
        """The entry's reading, measured anew only when something new was published and the last one is old
        enough; a measurement already under way on another board's thread is not waited for."""
        fresh = view.published is entry.measured_from
        if fresh or self.clock() - entry.measured_at < MEASURE_EVERY or not entry.lock.acquire(blocking=False):
            return entry.reading
        try:
            entry.reading = entry.probe.measure(run, view)
            entry.measured_from, entry.measured_at = view.published, self.clock()
        finally:
            entry.lock.release()
        return entry.reading

    # ---- sending to the room ------------------------------------------------------------------------
    def send(self, experiment: str, values: Mapping[str, object], label: str) -> Broadcast:
        """The lecturer's settings for every page of ``experiment``; it replaces the previous broadcast."""
        with self._lock:
            self.broadcast = Broadcast(next(self._broadcasts), experiment, dict(values), label, time.time())
            self._answers = {self.broadcast.number: set()}
            return self.broadcast

    def withdraw(self) -> None:
        with self._lock:
            self.broadcast, self._answers = None, {}

    def applied(self, student: int, number: int) -> None:
        """A student's page applied broadcast ``number``."""
        with self._lock:
            if number in self._answers:
                self._answers[number].add(student)

    def applied_by(self, number: int) -> int:
        """How many of the students still here applied broadcast ``number``."""
        with self._lock:
            return len(self._answers.get(number, set()) & self._seen.keys())


ROOM = Room()
