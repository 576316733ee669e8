"""Widgets drawn from a settings declaration: one widget per ``Setting``, keyed, lockable, with its tooltip.

The widget's value comes from session state (``ui.state.init`` put the declared default there), so no
``value=`` is passed; a lecturer's ``lock=1`` link disables it (``ui.share.locked``).
"""

from __future__ import annotations

import streamlit as st

from playground.settings import Experiment, Setting
from webui.share import locked

_CHOICE = {"select": "selectbox", "radio": "radio", "select_slider": "select_slider"}  # widget → Streamlit's name
_FLAG = {"toggle": "toggle", "checkbox": "checkbox"}


def widget(experiment: Experiment, name: str, *, where=None, options: tuple | list | None = None,
           lo: int | None = None, hi: int | None = None, disabled: bool = False, **extra) -> object:  # fmt: skip
    """Draw one setting's widget in ``where`` (a column, say) or where the caller is; returns its value.

    ``options`` narrows what a choice offers on this run (e.g. the presets of the chosen data set), ``lo`` / ``hi``
    the range of a slider or number box (e.g. up to the generator's latent size); a value the narrower widget lacks
    moves to its first option or nearest end. ``disabled`` adds a page's own reason to the lecturer's lock,
    ``extra`` goes to the Streamlit widget (``on_change``, ``horizontal``, …).
    """
    setting: Setting = experiment[name]
    host = st if where is None else where
    key = experiment.key(name)
    kwargs = {"key": key, "help": setting.help, "disabled": locked(key) or disabled}
    if setting.labels is not None:
        kwargs["format_func"] = setting.format
    kwargs.update(extra)
    if setting.widget in _CHOICE:
        choices = list(setting.options if options is None else options)
        if options is not None and st.session_state.get(key) not in choices:  # another generator, the other axis
            st.session_state[key] = choices[0]
        return getattr(host, _CHOICE[setting.widget])(setting.label, choices, **kwargs)
    kwargs.pop("format_func", None)
    lo_hi = setting.options
    if lo is not None or hi is not None:
        lo_hi = narrowed(setting, lo, hi)
        if key in st.session_state:
            st.session_state[key] = min(max(st.session_state[key], lo_hi[0]), lo_hi[1])
    if setting.widget == "slider":
        return host.slider(setting.label, *lo_hi, **kwargs)
    if setting.widget == "number":
        return host.number_input(setting.label, *lo_hi, **{"step": 1, **kwargs})  # whole numbers unless asked
    if setting.widget in _FLAG:
        return getattr(host, _FLAG[setting.widget])(setting.label, **kwargs)
    return host.text_input(setting.label, **kwargs)


def narrowed(setting: Setting, lo: int | None, hi: int | None) -> tuple[int, int]:
    """The declared (lo, hi) with a page's narrower ends; ValueError for a range the declaration does not offer."""
    declared_lo, declared_hi = setting.options
    lo, hi = declared_lo if lo is None else lo, declared_hi if hi is None else hi
    if not declared_lo <= lo <= hi <= declared_hi:
        raise ValueError(f"{setting.name}: ({lo}, {hi}) is not within the declared ({declared_lo}, {declared_hi})")
    return lo, hi


def form(experiment: Experiment, group: str) -> dict[str, object]:
    """Draw every setting of one group, in declaration order; returns name → value."""
    return {s.name: widget(experiment, s.name) for s in experiment.group(group)}
