"""Training stops when its browser tab goes: each session's workers, its guard, heartbeats and server reruns.

Each browser session owns its workers (``st.session_state``). A session-scoped ``st.cache_resource`` holds a
``SessionGuard`` listing them; Streamlit releases that cache when the session disconnects, and the guard tells
each worker to stop after a short grace period (a reconnect within it, whose page stamps a heartbeat again,
keeps training). The worker's own heartbeat timeout is the fallback if a release never comes.
"""

from __future__ import annotations

import contextlib
import functools
import threading

import streamlit as st
from streamlit import runtime
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground.runtime.memory import JANITOR
from playground.runtime.worker import TrainingWorker


class SessionGuard:
    """Lists the workers of one browser session; ``release_all`` runs when the session goes away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.workers: list[TrainingWorker] = []

    def watch(self, worker: TrainingWorker) -> None:
        with self._lock:
            self.workers = [w for w in self.workers if w.alive or w is worker]
            if worker not in self.workers:
                self.workers.append(worker)

    def release_all(self) -> None:
        with self._lock:
            workers = list(self.workers)
        for worker in workers:
            worker.release()  # non-blocking: this runs on Streamlit's event loop thread


@st.cache_resource(scope="session", on_release=SessionGuard.release_all, show_spinner=False)
def session_guard() -> SessionGuard:
    return SessionGuard()


def _session_connected() -> bool:
    """False when this run's browser has just gone: a fragment run can race the disconnect, and a heartbeat
    from it would cancel the release the disconnect just sent (seen once in the 20-session load test: that
    worker only stopped when the session expired, after more than 60 s). A reconnect reruns the page."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return True  # AppTest and bare script runs have no server sessions
    return runtime.get_instance().is_active_session(ctx.session_id)


def _drop_expired_sessions() -> None:
    """Make Streamlit forget sessions whose reconnect time (``disconnectedSessionTTL``) is over.

    Its store of disconnected sessions (a cachetools ``TTLCache``) evicts them only when another session
    connects, so a room that has left kept all its sessions' memory until the next student arrived (seen in
    the load test: 20 workers still referenced after every tab had closed). This reaches a private attribute;
    should a Streamlit release rename it, nothing happens and the memory comes back at the next connection.
    """
    with contextlib.suppress(Exception):
        runtime.get_instance()._session_mgr._session_storage._cache.expire()


if _drop_expired_sessions not in JANITOR.hooks:  # runs before each clean-up after sessions ended
    JANITOR.hooks.append(_drop_expired_sessions)


def watch(run):
    """Register a run's worker with this session's guard and stamp its heartbeat; call on every page run.

    ``run`` is a ``TrainingWorker`` or a ``RunController`` (its ``.worker``); returns ``run``.
    """
    worker: TrainingWorker = getattr(run, "worker", run)
    if not _session_connected():
        return run
    session_guard().watch(worker)
    ctx = get_script_run_ctx()
    if ctx is not None and runtime.exists():
        worker.revive = functools.partial(_rerun_session, ctx.session_id)
    worker.heartbeat()
    return run


def _rerun_session(session_id: str) -> None:
    """Rerun a connected session's page from the server, as Streamlit's own run-on-save does.

    Why: seen once in the 20-session load test, a page kept asking for fragments that a full rerun had replaced
    (Streamlit logged "The fragment with id … does not exist anymore" every second): it never redrew again,
    sent no heartbeat, and its training stopped 120 s later. A full rerun sends the page fresh fragments.
    """
    info = runtime.get_instance()._session_mgr.get_active_session_info(session_id)
    if info is None:
        return  # gone or disconnected: the release path handles it
    session = info.session
    state = ClientState()
    state.CopyFrom(session._client_state)  # the page and query string of its last run
    state.fragment_id, state.is_auto_rerun = "", False  # the whole page, not one fragment
    session._event_loop.call_soon_threadsafe(session.request_rerun, state)
