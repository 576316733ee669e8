"""The room's registry: seats, runs held weakly, measurements rate-limited per published step, broadcasts."""

import gc
from dataclasses import dataclass

import pytest

from playground.runtime import room as R
from playground.runtime.controller import RunView, Status


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeRun:
    """A RunController as the room reads it: a run id and its latest view."""

    run_id: str
    step: int = 0
    published: object = None

    def view(self) -> RunView:
        return RunView(self.run_id, self.step, Status.TRAINING, 120.0, {}, self.published, None, None, None)

    def publish(self, step: int) -> None:
        self.step, self.published = step, object()


class CountingProbe:
    def __init__(self) -> None:
        self.measured = 0

    def about(self, run):
        return R.About("Toy 2-D", "ring8", None, {"k": 1}, {}, None)

    def view(self, run):
        return run.view()

    def measure(self, run, view):
        self.measured += 1
        return R.Reading(view.step, 8, 8, 1.0, b"jpeg")

    def draw(self, reading, size):
        return b"large"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def room(clock):
    return R.Room(clock)


def test_students_get_numbers_and_their_runs_appear_once_they_have_trained(room):
    a, b = room.join(), room.join()
    assert (a, b) == (1, 2)
    runs = [FakeRun("x"), FakeRun("y")]
    room.register(a, "toy", runs[0], CountingProbe)
    room.register(b, "toy", runs[1], CountingProbe)
    assert room.cards() == []  # step 0: nothing to show yet
    runs[1].publish(10)
    (card,) = room.cards()
    assert (card.student, card.slot, card.step, card.status, card.reading.modes_captured) == (
        2,
        "toy",
        10,
        "training",
        8,
    )
    assert card.name == "Student 2"


def test_a_run_is_measured_once_per_published_step_and_at_most_once_per_interval(room, clock):
    student, run, probe = room.join(), FakeRun("x"), CountingProbe()
    room.register(student, "toy", run, lambda: probe)
    run.publish(1)
    for _ in range(5):
        room.cards()  # five board redraws of the same step
    assert probe.measured == 1
    run.publish(2)
    clock.now += R.MEASURE_EVERY / 2
    (card,) = room.cards()
    assert probe.measured == 1 and card.step == 2 and card.reading.step == 1  # too soon: the last reading
    clock.now += R.MEASURE_EVERY / 2
    (card,) = room.cards()
    assert probe.measured == 2 and card.reading.step == 2


def test_registering_again_keeps_the_probe_and_a_new_run_replaces_it(room):
    student, made = room.join(), []
    make = lambda: made.append(CountingProbe()) or made[-1]
    first = FakeRun("x", 5, object())
    room.register(student, "toy", first, make)
    room.register(student, "toy", first, make)
    assert len(made) == 1
    second = FakeRun("y", 7, object())
    room.register(student, "toy", second, make)
    assert len(made) == 2
    assert [c.run_id for c in room.cards()] == ["y"]


def test_leaving_takes_a_students_runs_off_and_a_late_register_cannot_bring_them_back(room):
    student, run = room.join(), FakeRun("x", 3, object())
    room.register(student, "toy", run, CountingProbe)
    room.leave(student)
    room.register(student, "toy", run, CountingProbe)  # a page run racing the session's end
    assert room.cards() == [] and room.students() == 0


def test_the_room_holds_runs_weakly(room):
    student, run = room.join(), FakeRun("x", 3, object())
    room.register(student, "toy", run, CountingProbe)
    del run
    gc.collect()
    assert room.cards() == []


def test_a_seat_that_stopped_polling_is_forgotten(room, clock):
    quiet, active = room.join(), room.join()
    runs = [FakeRun("x", 3, object()), FakeRun("y", 3, object())]
    room.register(quiet, "toy", runs[0], CountingProbe)
    clock.now += R.FORGET_AFTER - 1
    room.register(active, "toy", runs[1], CountingProbe)
    clock.now += 2
    assert [c.student for c in room.cards()] == [active]


def test_a_broadcast_replaces_the_last_and_counts_who_applied_it(room):
    a, b = room.join(), room.join()
    first = room.send("toy", {"k": 3}, "the preset x")
    second = room.send("collapse", {"seed": 2}, "the preset y")
    assert room.broadcast is second and second.number > first.number
    room.applied(a, first.number)  # too late: no longer the broadcast
    room.applied(a, second.number)
    room.applied(b, second.number)
    room.leave(b)
    assert room.applied_by(second.number) == 1 and room.applied_by(first.number) == 0
    room.withdraw()
    assert room.broadcast is None
