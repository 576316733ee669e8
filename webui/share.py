"""Share links and lecture mode: a page's settings travel in its URL, and a lecturer's link can lock them.

``url_state(experiment)`` applies a shared link's settings once per session (``playground.settings.url``
validates them), keeps the address bar in step with the widgets so the current URL is always a link to the
current experiment, and records which widgets a ``lock=1`` link locks (``locked(key)``). ``share_ui`` shows the
link, with one switch that locks the whole experiment (view options stay each student's own) and a Copy button.

A setting with a ``local`` option (the toy page's "Upload CSV…") cannot name its data in a link, so a small point
set travels as the points themselves (``points=``, at most ``url.MAX_POINTS``); ``linked_data`` hands them to
the page while that option is chosen and no file replaced them. Larger sets get a warning instead.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from playground.gan.data import DataError, PointCloud, points_from_csv
from playground.settings import Experiment, Setting, url
from webui.state import URL_LOCKED

# A real button that copies on the click itself (no round trip, so the browser counts it as the user's gesture);
# outside a secure context (http://<lecture machine's address>) navigator.clipboard is missing: copy a selection.
# Streamlit strips inline handlers (onclick=…) but runs <script> with unsafe_allow_javascript: it wires the button.
COPY_BUTTON = """<button type="button" class="share-copy" data-link="{link}">Copy link</button>
<script>
for (const button of document.querySelectorAll(".share-copy:not([data-wired])")) {{
  button.dataset.wired = "1";
  button.addEventListener("click", () => {{
    const link = button.dataset.link, done = () => {{ button.textContent = "Copied ✓"; }};
    if (window.isSecureContext && navigator.clipboard) {{ navigator.clipboard.writeText(link).then(done); return; }}
    const area = document.createElement("textarea");
    area.value = link;
    document.body.appendChild(area);
    area.select();
    if (document.execCommand("copy")) done();
    area.remove();
  }});
}}
</script>
<style>.share-copy {{ font: inherit; color: inherit; background: transparent; cursor: pointer;
  border: 1px solid rgba(128, 128, 128, 0.5); border-radius: 0.5rem; padding: 0.25rem 0.75rem; }}
  .share-copy:hover {{ border-color: #ff4b4b; color: #ff4b4b; }}</style>"""


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
        for message in [*decoded.errors, *_apply_points(experiment, st.query_params.to_dict())]:
            st.warning(f"Link: {message}", icon=":material/link_off:")
    params = url.encode(schema, _page_values(defaults), defaults, _locked_of(schema))
    if _uses_local_data(experiment) and _linked(experiment) is not None:
        params[url.POINTS] = _linked(experiment)[2]  # a reload keeps the link's points
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


# ---- a link's points --------------------------------------------------------------------------------------
def _local_setting(experiment: Experiment) -> Setting | None:
    """The setting whose ``local`` option stands for data of the student's own (the toy page's dataset)."""
    return next((s for s in experiment.settings if s.local), None)


def _uses_local_data(experiment: Experiment) -> bool:
    setting = _local_setting(experiment)
    return setting is not None and st.session_state.get(experiment.key(setting.name)) in setting.local


def _linked(experiment: Experiment) -> tuple[str, PointCloud, str] | None:
    """(data id, points, their link text) that this session's link carried, if any."""
    return st.session_state.get(f"{experiment.name}.url.points")


def _apply_points(experiment: Experiment, params: Mapping[str, str]) -> list[str]:
    """Read ``points=`` once per session: choose the local option and keep the points; the errors, in sentences."""
    text = params.get(url.POINTS)
    setting = _local_setting(experiment)
    if text is None:
        return []
    if setting is None:
        return ["This page takes no points; they were ignored."]
    try:
        pairs = url.decode_points(text)
        cloud = points_from_csv("\n".join(f"{x},{y}" for x, y in pairs))  # the very checks an upload gets
    except (url.UrlStateError, DataError) as exc:
        return [f"{exc} The points were ignored."]
    text = url.encode_points(pairs)
    data_id = "link:" + hashlib.sha1(text.encode()).hexdigest()[:12]
    st.session_state[f"{experiment.name}.url.points"] = (data_id, cloud, text)
    st.session_state[experiment.key(setting.name)] = setting.local[0]
    return []


def has_linked_data(experiment: Experiment) -> bool:
    """True while the page trains on points a link carried (the local option chosen, no file uploaded yet)."""
    return _linked(experiment) is not None and _uses_local_data(experiment)


def linked_data(experiment: Experiment, chosen: tuple[str | None, object | None]) -> tuple[str | None, object | None]:
    """The page's (data id, data), or the link's points while the local option is chosen and no file replaced them."""
    linked = _linked(experiment)
    if chosen[1] is not None or linked is None or not _uses_local_data(experiment):
        return chosen
    st.caption(f":material/link: Training on the {len(linked[1].points)} points the link carried; a CSV replaces them.")
    return linked[0], linked[1]


def _locked_of(schema: url.Schema) -> frozenset[str]:
    return frozenset(k for k in st.session_state.get(URL_LOCKED, ()) if k.startswith(schema.prefix))


def locked(key: str) -> bool:
    """True when a lecture link locked this widget: pass as ``disabled=locked(key)``."""
    return key in st.session_state.get(URL_LOCKED, ())


def _points_param(experiment: Experiment, data: object) -> tuple[dict[str, str], str]:
    """The ``points`` parameter for the data the page shows, and what the share box says about it."""
    if not _uses_local_data(experiment):
        return {}, ""
    if not isinstance(data, PointCloud):
        st.warning("No points yet: until a CSV is uploaded the link opens on the default data.", icon=":material/info:")
        return {}, ""
    n, text = len(data.points), url.encode_points(data.points.tolist())
    if text is None:
        st.warning(
            f"The link cannot carry these {n} points (at most {url.MAX_POINTS}): it opens on the default data, "
            "so students need the same CSV file to upload.",
            icon=":material/link_off:",
        )
        return {}, ""
    return {url.POINTS: text}, f" and these {n} points (to {url.POINT_DECIMALS} decimals)"


def share_ui(experiment: Experiment, data: object = None) -> None:
    """The link to this page's current settings (Copy button), with a choice of what to lock for students.

    ``data``: what the page trains on; a small uploaded point set travels in the link (see ``linked_data``).
    """
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
        points, carries = _points_param(experiment, data)
        params.update(points)
        base = st.context.url or ""
        link = f"{base}?{urlencode(params)}" if params else base
        st.text_input("Link", link, help="One line: click into it and press Ctrl+A, Ctrl+C, or use Copy link.")
        st.html(COPY_BUTTON.format(link=html.escape(link, quote=True)), unsafe_allow_javascript=True)
        st.caption(f"Opening it restores these settings exactly{carries}.")
