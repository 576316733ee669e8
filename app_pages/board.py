"""Class board: the lecturer sees every student run on this server, the room's aggregate, and sends settings back.

Layout only; listed in the navigation for the lecturer's session alone (``webui.lecturer``), and drawing nothing
for any other session that reaches this file. The registry is ``playground.runtime.room``.
"""

from __future__ import annotations

import streamlit as st

from webui import board, controls, lecturer

if not lecturer.is_lecturer():
    st.stop()
st.title("Class board")
st.caption(
    "Every run the students on this server train on the toy page or in the mode-collapse lab, as numbers, never "
    "names. Modes are counted as on the students' pages (VEEGAN protocol: a mode is captured when a fake lies "
    "within 3σ of it); a run that lost modes collapsed. Open a tile for a larger view."
)
st.html(controls.NO_STALE_FADE)  # the tiles redraw twice a second: no fade in between
board.send_ui()
st.fragment(board.live, run_every=board.REFRESH)()
