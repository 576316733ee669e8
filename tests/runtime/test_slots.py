import os

import pytest

from playground.runtime.slots import LIMIT_ENV, TURN_ENV, TrainerSlots, default_trainer_limit, default_turn_seconds


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("24", 24), ("0", None), ("many", None), ("", None)])
def test_trainer_limit_comes_from_the_environment_or_the_core_count(monkeypatch, value, expected):
    monkeypatch.setenv(LIMIT_ENV, value)
    cores = len(os.sched_getaffinity(0))
    assert default_trainer_limit() == (expected if expected is not None else cores)


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), ("0.1", 60.0), ("soon", 60.0), ("", 60.0)])
def test_turn_length_comes_from_the_environment_else_a_minute(monkeypatch, value, expected):
    monkeypatch.setenv(TURN_ENV, value)
    assert default_turn_seconds() == expected


def test_slots_serve_first_come_first_served_and_a_release_lets_the_next_in():
    slots = TrainerSlots(limit=1, turn_seconds=None)
    a, b, c = object(), object(), object()
    assert slots.try_acquire(a)
    assert not slots.try_acquire(b) and not slots.try_acquire(c)
    assert (slots.position(b), slots.position(c), slots.position(a)) == (1, 2, None)
    assert slots.counts() == (1, 2)
    assert not slots.try_acquire(c)  # not first in line: c keeps waiting behind b
    slots.release(a)
    assert slots.try_acquire(b) and slots.position(c) == 1
    slots.release(c)  # leaving the queue
    assert slots.counts() == (1, 0)


def test_a_turn_is_over_only_while_others_wait():
    slots = TrainerSlots(limit=1, turn_seconds=0.0)
    a, b = object(), object()
    slots.try_acquire(a)
    assert not slots.turn_over(a)  # nobody waits: keep the slot
    slots.try_acquire(b)
    assert slots.turn_over(a) and not slots.turn_over(b)
