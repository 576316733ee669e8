"""Who is the lecturer: ``?key=…`` once makes a browser session the lecturer's, if the server set a key.

``claim`` runs in ``app.py`` before the navigation is built: it takes ``key`` out of the URL at once (right or
wrong, so it never stays in the address bar, a share link or a bookmark) and checks it through the server's
``KeyGate`` (constant time, rate-limited, logged without the key). Only ``is_lecturer()`` sessions get the class
board in their navigation; for everyone else it does not exist, so a guessed URL gets Streamlit's ordinary
"page not found" and the default page, the same reply as for any other unknown address.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground.runtime.lecturer import GATE, configured_key

PARAM = "key"
SIGNED_IN = "lecturer.signed_in"  # session state: this session gave the right key (no widget has this key)


def claim() -> None:
    """Read and remove ``?key=``; a right key makes this session the lecturer's."""
    if PARAM not in st.query_params:
        return
    candidate = st.query_params[PARAM]
    del st.query_params[PARAM]
    ctx = get_script_run_ctx()
    client = ctx.session_id if ctx is not None else ""  # for the rate limit only
    if GATE.check(candidate, client):
        st.session_state[SIGNED_IN] = True


def is_lecturer() -> bool:
    """True for the session that gave the key, while the server still has one."""
    return configured_key() is not None and bool(st.session_state.get(SIGNED_IN))
