"""Share links and lecture mode: a page's settings travel in its URL, and a lecturer's link can lock them.

``url_state(experiment)`` applies a shared link's settings once per session (``playground.settings.url``
validates them), keeps the address bar in step with the widgets so the current URL is always a link to the
current experiment, and records which widgets a ``lock=1`` link locks (``locked(key)``). ``share_ui`` shows the
link, with one switch that locks the whole experiment (view options stay each student's own).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from playground.settings import Experiment, url
from playground.ui.state import URL_LOCKED


def _page_values(defaults: Mapping[str, object]) -> dict[str, object]:
    return {key: st.session_state[key] for key in defaults if key in st.session_state}


def url_state(experiment: Experiment) -> None:
    """Call right after ``init(experiment)``: apply the link once per session, then mirror the widgets into the URL.

    The link is read on the session's first run of the page (a reload or a shared link is a new session);
    later runs only write, so the address bar is always a link to what the page shows right now.
    """
    schema, defaults, applied = experiment.schema(), experiment.defaults(), f"{experiment.name}.url.applied"
    if not st.session_state.get(applied):
        st.session_state[applied] = True
        decoded = url.decode(schema, st.query_params.to_dict(), experiment.url_presets())
        for key, value in decoded.values.items():
            st.session_state[key] = value
        st.session_state[URL_LOCKED] = set(st.session_state.get(URL_LOCKED, ())) | decoded.locked
        for message in decoded.errors:
            st.warning(f"Link: {message}", icon=":material/link_off:")
    params = url.encode(schema, _page_values(defaults), defaults, _locked_of(schema))
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def _locked_of(schema: url.Schema) -> frozenset[str]:
    return frozenset(k for k in st.session_state.get(URL_LOCKED, ()) if k.startswith(schema.prefix))


def locked(key: str) -> bool:
    """True when a lecture link locked this widget: pass as ``disabled=locked(key)``."""
    return key in st.session_state.get(URL_LOCKED, ())


def share_ui(experiment: Experiment) -> None:
    """The link to this page's current settings (copy button), with a choice of what to lock for students."""
    schema, defaults, name = experiment.schema(), experiment.defaults(), experiment.name
    if _locked_of(schema):
        st.caption(":material/lock: Settings marked as disabled are locked by the lecturer's link.")
        return
    with st.expander("Share these settings (lecture link)", icon=":material/link:"):
        whole = st.toggle(
            "Lock the whole experiment",
            key=f"{name}.share.lock_all",
            help="Students who open the link see every setting of this experiment disabled (lock=1); "
            "view options such as the refresh rate stay each student's own.",
        )
        names = st.multiselect(
            "Lock for students",
            list(schema.lockable),
            key=f"{name}.share.lock",
            format_func=lambda n: experiment[n].label,
            disabled=whole,
            help="Students who open the link see these controls disabled; view options are never locked.",
        )
        chosen = schema.lockable if whole else names
        params = url.encode(schema, _page_values(defaults), defaults, {schema.key(n) for n in chosen})
        base = st.context.url or ""
        st.code(f"{base}?{urlencode(params)}" if params else base, language=None, wrap_lines=True)
        st.caption("Copy with the button at the right of the link. Opening it restores these settings exactly.")
