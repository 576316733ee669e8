"""The latent explorer's session state: the current z and the widgets that mirror it, the recent slider timings,
and the generators a session holds (a frozen copy of its own run, an upload).

Functions of a mutable mapping, so they run on a plain dict in tests; the page passes ``st.session_state`` (and
hands them to widgets as callbacks). Widget values are written only here and only before or between widget runs,
as Streamlit requires.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping

import torch

from playground.experiments.latent import tools as LT
from playground.experiments.latent import view as LV

Z = "latent.z"  # the current latent [dim] (float32 tensor): the sliders and number boxes mirror it
Z_FOR = "latent.z_for"  # (generator key, latent_dim) the z belongs to; another generator starts afresh
RANDOMIZED = "latent.randomized"  # how many times Randomize was pressed: its next seed
TIMINGS = "latent.timings"  # server ms from fragment start to image bytes, for the last slider changes
PASTE = "latent.paste"  # the paste box (a declared setting)
PASTE_ERROR = "latent.paste_error"
SESSION_GEN = "latent.session_gen"  # SessionCopy: a frozen copy of a trainer's generator
UPLOADED = "latent.uploaded"  # (sha1 of file + config, LatentGenerator or error message)
MEMO = "latent.memo"  # (generator key, label, digit, seed) → (z, probability): digit search takes ~0.3 s on CPU

State = MutableMapping[str, object]


# ---- the current z --------------------------------------------------------------------------------
def set_z(state: State, z: torch.Tensor, limit: float) -> None:
    """Make z current and point every slider and number box at it."""
    state[Z] = z.clone()
    state.update(LV.widget_values(z, limit))


def current_z(state: State, gen: LT.LatentGenerator, key: str) -> torch.Tensor:
    """This session's z for `gen`, starting from a seeded sample when the generator changes."""
    if state.get(Z_FOR) != (key, gen.latent_dim):
        state[Z_FOR] = (key, gen.latent_dim)
        set_z(state, LV.first_z(gen), LT.latent_range(gen.prior))
    return state[Z]


def redraw_widgets(state: State, n: int, limit: float) -> None:
    """Point sliders 0…n−1 at z where Streamlit forgot them (it drops the state of widgets a run did not draw)."""
    z = state[Z]
    for i in range(n):
        if LV.slider_key(i) not in state:
            state[LV.slider_key(i)] = LV.slider_value(z[i], limit)
            state[LV.number_key(i)] = float(z[i])


def slider_moved(state: State, i: int) -> None:
    """Callback: slider i moved, so z and its number box follow."""
    value = state[LV.slider_key(i)]
    state[Z][i] = value
    state[LV.number_key(i)] = value


def number_typed(state: State, i: int, limit: float) -> None:
    """Callback: an exact value typed for entry i; its slider shows it, held at its ends."""
    value = state[LV.number_key(i)]
    state[Z][i] = value
    state[LV.slider_key(i)] = max(-limit, min(limit, value))


def randomize(state: State, dim: int, prior: str) -> None:
    """Callback: a fresh z from the prior, each press its own seed (the same sequence every session)."""
    state[RANDOMIZED] = count = state.get(RANDOMIZED, 0) + 1
    set_z(state, LT.sample_z(dim, prior, seed=count), LT.latent_range(prior))


def zero(state: State, dim: int, limit: float) -> None:
    """Callback: z = 0."""
    set_z(state, LV.zero_z(dim), limit)


def paste(state: State, dim: int, prior: str) -> None:
    """Callback: use the pasted z, or keep z and say what is wrong with the text."""
    z, problem = LV.parse_z(state[PASTE], dim)
    state[PASTE_ERROR] = f"That z can't be used: {problem}." if problem else None
    if z is not None:
        set_z(state, z, LT.latent_range(prior))


def record_time(state: State, start: float) -> str:
    """Store this rerun's server time (fragment start → image ready, `start` from perf_counter) and describe it."""
    times = state.setdefault(TIMINGS, [])
    times.append(1000 * (time.perf_counter() - start))
    del times[: -LV.TIMINGS_KEPT]
    return LV.timing_caption(times)


# ---- generators the session holds ------------------------------------------------------------------
def session_copy(state: State, source: str, run, refresh: bool = False) -> tuple[LV.SessionCopy, int]:
    """(the held copy of this session's run, the step the run has published); copies when none or `refresh`."""
    latest = LV.published_step(run)
    held = None if refresh else LV.held_copy(state.get(SESSION_GEN), source, run)
    if held is None:
        state[SESSION_GEN] = held = LV.copy_generator(source, run)
    return held, latest


def upload(state: State, data: bytes, config_text: str | None, name: str) -> LT.LatentGenerator | str:
    """The uploaded generator, or why it can't be used; validated once per content."""
    state[UPLOADED] = held = LV.load_upload(state.get(UPLOADED), data, config_text, name)
    return held[1]


def digit_endpoint(state: State, key: str, gen: LT.LatentGenerator, classifier, digit: int, seed: int):
    """(z, probability) of the surest of 128 draws for `digit`, remembered for this session."""
    return LV.digit_endpoint(state.setdefault(MEMO, {}), key, gen, classifier, digit, seed)
