"""A student page's part in the room: its runs on the lecturer's class board, the lecturer's settings as a banner.

Each page that trains calls ``take_part`` once. A small fragment then polls every ``POLL_SECONDS``: it puts the
page's runs on the board under this session's anonymous student number (a session-scoped resource whose release
takes them off again, as ``webui.session``'s guard stops the workers) and shows what the lecturer sent, with an
Apply button. Applying sets the page's settings and builds its run afresh from them, as opening a link would;
under a lecture link that locks those settings it happens without a click, since the student cannot change them.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground.experiments.room.probes import probes_for
from playground.runtime.room import ROOM, Broadcast
from playground.settings import Experiment
from webui import lecturer, nav, share

POLL_SECONDS = 2.0  # the lecturer's settings reach every page within this (and a page's own redraw)
SEEN = "room.seen"  # the number of the last broadcast this session applied or put aside
REDRAW = "room.redraw"  # set by Apply's callback: the fragment's next run reruns the whole page
PAGE_OF = {"toy": "app_pages/toy2d.py", "collapse": "app_pages/collapse.py"}  # where each experiment's settings apply


class Seat:
    """This session's student number; released with the session."""

    def __init__(self) -> None:
        self.student = ROOM.join()

    def leave(self) -> None:
        ROOM.leave(self.student)


@st.cache_resource(scope="session", on_release=Seat.leave, show_spinner=False)
def seat() -> Seat:
    return Seat()


def _connected() -> bool:
    """False for a fragment run racing its session's end: it must not take a new seat after the release."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return True  # AppTest and bare script runs have no server sessions
    return runtime.get_instance().is_active_session(ctx.session_id)


def take_part(experiment: Experiment, run_keys: tuple[str, ...]) -> None:
    """Call once per page run, before its settings widgets (applying sets them): the runs stored under ``run_keys``
    join the board, the lecturer's settings show."""
    if not lecturer.is_lecturer():  # the lecturer's own runs are no student's
        st.fragment(_poll, run_every=POLL_SECONDS)(experiment, tuple(run_keys))


def _poll(experiment: Experiment, run_keys: tuple[str, ...]) -> None:
    if st.session_state.pop(REDRAW, False):
        st.rerun()  # Apply was clicked: the whole page, so its widgets show the new settings
    if not _connected():
        return
    student = seat().student
    for key in run_keys:
        run = st.session_state.get(key)
        for slot, make_probe in probes_for(experiment.name, run) if run is not None else ():
            ROOM.register(student, slot, run, make_probe)
    broadcast = ROOM.broadcast
    if broadcast is not None and st.session_state.get(SEEN) != broadcast.number:
        _banner(experiment, run_keys, student, broadcast)


def _page_title(experiment: str) -> str:
    return next(title for path, title, _, _ in nav.PAGES if path == PAGE_OF[experiment])


def _banner(experiment: Experiment, run_keys: tuple[str, ...], student: int, b: Broadcast) -> None:
    sent = time.strftime("%H:%M", time.localtime(b.sent_at))
    if b.experiment != experiment.name:
        st.info(f"The lecturer sent {b.label} for the {_page_title(b.experiment)} page ({sent}).",
                icon=":material/campaign:")  # fmt: skip
        st.page_link(PAGE_OF[b.experiment], label=f"Open {_page_title(b.experiment)}", icon=":material/arrow_forward:")
        return
    if any(share.locked(experiment.key(name)) for name in b.values if name in experiment):
        _apply(experiment, run_keys, student, b)  # the link locks them: nothing for the student to choose
        st.session_state.pop(REDRAW)
        st.rerun()
    with st.container(border=True, key="room-banner"):
        st.markdown(f":material/campaign: **The lecturer sent {b.label}** ({sent}). Apply starts your run afresh "
                    "with them (step 0); press Train after.")  # fmt: skip
        cols = st.columns([1, 1, 5])
        cols[0].button("Apply", key="room.apply", type="primary", on_click=_apply,
                       args=(experiment, run_keys, student, b),
                       help="Set these settings and build new networks from them.")  # fmt: skip
        cols[1].button("Not now", key="room.dismiss", on_click=_put_aside, args=(b.number,),
                       help="Keep your settings; this banner goes away.")  # fmt: skip


def _apply(experiment: Experiment, run_keys: tuple[str, ...], student: int, b: Broadcast) -> None:
    """Set the broadcast's settings (as a link would) and drop the page's runs, so it builds them anew."""
    st.session_state[SEEN] = b.number
    for key, value in experiment.preset(b.values).items():
        st.session_state[key] = value
    for key in run_keys:
        old = st.session_state.pop(key, None)
        if old is not None:
            old.stop(reason="reset")
    ROOM.applied(student, b.number)
    st.session_state[REDRAW] = True


def _put_aside(number: int) -> None:
    st.session_state[SEEN] = number
