"""The controls every training page shares: Train / Pause / Step / Reset, the live view's timer, the queue and
run-status notices.

They take a run: a ``TrainingWorker``, or anything that holds one as ``.worker`` (a ``RunController``).
"""

from __future__ import annotations

import streamlit as st

from playground.runtime.controller import RunController, Status
from playground.runtime.worker import TrainingWorker
from webui.session import watch

Run = object  # a TrainingWorker, or a RunController holding one as ``.worker``


def _worker(run: Run) -> TrainingWorker:
    return getattr(run, "worker", run)


STEP_HELP = "One generator step (after its k discriminator steps)."


def run_buttons(
    cols, running: bool, train_help: str, prefix: str | None = None, step_help: str = STEP_HELP
) -> str | None:
    """Train / Pause / Step / Reset in the first four of ``cols`` (keys ``prefix.train`` …); returns the one pressed."""
    key = (lambda name: f"{prefix}.{name}") if prefix else (lambda name: None)
    pressed = None
    if cols[0].button("Train", key=key("train"), type="primary", disabled=running, width="stretch", help=train_help):
        pressed = "train"
    if cols[1].button("Pause", key=key("pause"), disabled=not running, width="stretch",
                      help="Stop training; nothing is lost."):  # fmt: skip
        pressed = "pause"
    if cols[2].button("Step", key=key("step"), width="stretch", help=step_help):
        pressed = "step"
    if cols[3].button("Reset", key=key("reset"), width="stretch",
                      help="New networks from the current settings (step 0)."):  # fmt: skip
        pressed = "reset"
    return pressed


def queue_notice(run: Run) -> None:
    """While the run waits for a free trainer slot, say so (call in the page's live fragment)."""
    worker = _worker(run)
    position = worker.queue_position
    if position is not None:
        training, waiting = worker.slots.counts()
        st.info(
            f"**Waiting for a free trainer (position {position} of {waiting}).** "
            f"{training} {'session is' if training == 1 else 'sessions are'} training right now; yours starts "
            "as soon as one pauses or has had its turn. Nothing is lost.",
            icon=":material/hourglass_top:",
        )


def status_notice(run: RunController, advice: str) -> None:
    """Why the run is not training, when that needs the student: it blew up (the page's ``advice`` and a resume
    button), it was stopped (Train continues) or it crashed (Reset)."""
    view = run.view()
    if view.status is Status.DIVERGED:
        st.error(f"**Training blew up at step {view.step:,}: {view.diverged}.** {advice}")
        if st.button("Resume from last good snapshot", help="Reload the last weights before the blow-up."):
            run.resume()  # the last good weights; the optimizers start afresh (Adam's moments may hold the NaN too)
            st.rerun()
    elif view.status is Status.STOPPED:
        st.info(f"Training was stopped ({view.stop_reason}). Press Train to continue.")
    elif view.status is Status.CRASHED:
        st.error("Training crashed (see the server log). Press Reset to start again.")


QUEUED_REFRESH = 2.0  # seconds between polls of the queue while a session waits for a trainer


def live_state(run: Run) -> str:
    """'training', 'queued' (waiting for a slot) or 'idle': what the page's controls and timer depend on."""
    worker = _worker(run)
    if worker.queue_position is not None:
        return "queued"
    return "training" if worker.running else "idle"


# While a page trains: stale elements keep full opacity and start no transition (see live_timer). A style-only st.html
# takes no space: Streamlit sends it to the page's event container.
NO_STALE_FADE = (
    "<style>[data-testid='stElementContainer'][data-stale='true']"
    "{opacity:1!important;transition:none!important}</style>"
)


def live_timer(key: str, run: Run, seconds: float | None) -> float | None:
    """For the full page run: the live fragment's ``run_every``, and the worker's state remembered under ``key``.

    ``seconds`` while training, None when idle, and None while queued: the live view is then drawn once, and a
    small fragment placed here polls the queue every ``QUEUED_REFRESH`` s instead (its place in the queue, the
    heartbeat, a full rerun when the turn comes). Waiting sessions then send no pictures: in the 20-session
    load test, 18 queued pages re-sending theirs every second starved the server until browsers disconnected.

    While training, this full run also switches off Streamlit's fade of stale elements (``NO_STALE_FADE``). Each
    fragment run marks the fragment's elements stale, which starts a delayed opacity transition that the new
    elements cancel a moment later, several times a second: ~0.1 of a core in Chromium beside the server. The
    style is page-wide and sent by the full run, never from inside a fragment: the earlier rule, scoped by a keyed
    container and sent from inside each live fragment (commit 0602bc4), went with load-test stalls (cause unknown).
    """
    state = st.session_state[key] = live_state(run)
    if state == "queued":
        st.fragment(_queue_poll, run_every=QUEUED_REFRESH)(key, run)
    if state == "training":
        st.html(NO_STALE_FADE)
    return seconds if state == "training" else None


def _queue_poll(key: str, run: Run) -> None:
    watch(run)
    queue_notice(run)
    rerun_on_change(key, run)


def rerun_on_change(key: str, run: Run) -> None:
    """For the live fragment: a full rerun when the state changed since the page was drawn (training stopped
    by itself, diverged, or the run got or lost its trainer slot), so controls and timer follow it."""
    if key in st.session_state and st.session_state[key] != live_state(run):
        st.rerun()
