"""The lecturer's key: who may open the class board, checked in constant time, with wrong keys rate-limited.

The server sets ``PLAYGROUND_LECTURER_KEY``; the lecturer opens the app once with ``?key=…``. ``KeyGate.check``
compares SHA-256 digests with ``hmac.compare_digest`` (equal lengths, so neither the key's characters nor its
length leak through timing), and counts wrong keys: past ``per_client`` of them from one browser session or
``overall`` from all sessions within ``window`` seconds, it refuses without comparing (a student cannot guess
faster by opening new tabs either). Each wrong key is logged, the key itself never: not the one tried, not the
right one. A refusal is the same ``False`` whether the key was wrong, missing, rate-limited or none is set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

ENV = "PLAYGROUND_LECTURER_KEY"


def configured_key() -> str | None:
    """The key the server was started with (None or empty: no class board on this server)."""
    return os.environ.get(ENV) or None


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class KeyGate:
    """Checks candidate keys against the configured one; one gate per server (the counts span sessions)."""

    def __init__(
        self, per_client: int = 3, overall: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_client, self.overall, self.window, self.clock = per_client, overall, window, clock
        self._lock = threading.Lock()
        self._failures: deque[tuple[float, str]] = deque()  # (when, client) of each wrong key within the window

    def _recent(self, now: float) -> None:  # caller holds the lock
        while self._failures and self._failures[0][0] <= now - self.window:
            self._failures.popleft()

    def limited(self, client: str) -> bool:
        """True while ``client`` (or the whole server) has used up its wrong keys for this window."""
        with self._lock:
            self._recent(self.clock())
            return len(self._failures) >= self.overall or sum(c == client for _, c in self._failures) >= self.per_client

    def check(self, candidate: str, client: str, key: str | None = None) -> bool:
        """True when ``candidate`` is the key (default: ``configured_key()``); ``client`` names the browser
        session for the rate limit only (it is never logged)."""
        key = configured_key() if key is None else key
        if not key:
            return False
        if self.limited(client):
            log.warning("class board: a key was refused unchecked (too many wrong keys in %.0f s)", self.window)
            return False
        if hmac.compare_digest(_digest(candidate), _digest(key)):
            return True
        with self._lock:
            now = self.clock()
            self._recent(now)
            self._failures.append((now, client))
            count = len(self._failures)
        log.warning("class board: a wrong lecturer key was tried (%d in the last %.0f s)", count, self.window)
        return False


GATE = KeyGate()
