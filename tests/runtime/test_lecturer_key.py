"""The lecturer key: compared in constant time, wrong keys rate-limited and logged without the key."""

import hmac
import logging

import pytest

from playground.runtime import lecturer as L

KEY = "correct horse battery staple"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def test_the_right_key_opens_and_any_other_string_does_not(clock):
    gate = L.KeyGate(clock=clock)
    assert gate.check(KEY, "a", key=KEY)
    for wrong in ("", KEY[:-1], KEY + " ", KEY.upper()):
        assert not L.KeyGate(clock=clock).check(wrong, "a", key=KEY)


def test_the_comparison_is_hmac_compare_digest_on_equal_length_digests(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((len(a), len(b))) or real(a, b))
    L.KeyGate().check("short", "a", key=KEY)
    L.KeyGate().check(KEY, "a", key=KEY)
    assert calls == [(32, 32), (32, 32)]  # SHA-256 of both: the length of the key does not leak either


def test_no_configured_key_refuses_everything(monkeypatch):
    monkeypatch.delenv(L.ENV, raising=False)
    assert L.configured_key() is None
    assert not L.KeyGate().check("", "a") and not L.KeyGate().check("anything", "a")
    monkeypatch.setenv(L.ENV, "")
    assert not L.KeyGate().check("", "a")
    monkeypatch.setenv(L.ENV, KEY)
    assert L.KeyGate().check(KEY, "a")


def test_repeated_wrong_keys_from_one_session_stop_being_checked_until_the_window_passes(clock, monkeypatch):
    gate = L.KeyGate(per_client=3, overall=100, window=60.0, clock=clock)
    for _ in range(3):
        assert not gate.check("guess", "student", key=KEY)
    compared = []
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append(1) or False)
    assert not gate.check(KEY, "student", key=KEY)  # even the right key: refused unchecked
    assert compared == []
    monkeypatch.undo()
    assert gate.check(KEY, "lecturer", key=KEY)  # another session is not held up
    clock.now += 60.0
    assert gate.check(KEY, "student", key=KEY)


def test_many_sessions_guessing_together_hit_the_server_wide_limit(clock):
    gate = L.KeyGate(per_client=3, overall=5, window=60.0, clock=clock)
    for i in range(5):
        assert not gate.check("guess", f"tab{i}", key=KEY)
    assert gate.limited("fresh tab")
    assert not gate.check(KEY, "fresh tab", key=KEY)
    clock.now += 61.0
    assert gate.check(KEY, "fresh tab", key=KEY)


def test_wrong_keys_are_logged_without_any_key(caplog):
    caplog.set_level(logging.WARNING, logger=L.__name__)
    gate = L.KeyGate(per_client=2)
    for _ in range(3):
        gate.check("my-guess-1234", "student", key=KEY)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3 and "wrong lecturer key" in messages[0] and "refused unchecked" in messages[2]
    assert not any("my-guess-1234" in m or KEY in m for m in messages)
