"""The latent explorer's Interpolation and Latent walk grid tabs: widgets and layout only.

Each tab runs as a fragment of ``app_pages/latent.py`` (a widget change reruns only its tab). What they draw comes
from ``playground.experiments.latent`` (``view`` for what to show, ``state`` for the session's z, ``tools`` for
the pictures); the classifier is the one every session shares (``resources``).
"""

from __future__ import annotations

import functools

import streamlit as st

from playground.experiments.latent import state as LS
from playground.experiments.latent import tools as LT
from playground.experiments.latent import view as LV
from playground.experiments.latent.settings import LATENT, TIPS
from webui import resources
from webui.form import widget


def axis_pair(dim: int, first: str, second: str, cols) -> tuple[int, int]:
    """Two different latent entries (1-based) from two selectboxes, the second offering what the first left."""
    i = widget(LATENT, first, where=cols[0], options=LV.axis_choices(dim))
    j = widget(LATENT, second, where=cols[1], options=LV.axis_choices(dim, other=i))
    return i, j


def endpoint_ui(w: str, gen: LT.LatentGenerator, key: str) -> LV.Endpoint | None:
    """Endpoint `w` ("a" or "b"): its kind, then what that kind needs; None while a pasted z is unusable."""
    ss = st.session_state
    kind = widget(LATENT, f"{w}_kind")
    if kind == "digit":
        cols = st.columns(2)
        digit = widget(LATENT, f"{w}_digit", where=cols[0])
        seed = widget(LATENT, f"{w}_seed", where=cols[1])
        z, prob = LS.digit_endpoint(ss, key, gen, resources.classifier(), digit, seed)
        if warning := LV.endpoint_warning(gen, digit, prob):
            st.warning(warning)
        return LV.digit_end(gen, z, digit)
    if kind == "random":
        z = LV.random_endpoint(gen, widget(LATENT, f"{w}_seed", help="The same seed gives the same z."))
    elif kind == "slider":
        z = LS.current_z(ss, gen, key).clone()
    else:
        z, problem = LV.parse_z(widget(LATENT, f"{w}_text"), gen.latent_dim)
        if problem:
            st.info(f"Paste {gen.latent_dim} numbers for endpoint {w.upper()} ({problem}).")
            return None
    return LV.Endpoint(z, gen.label)


def interpolation_view(gen: LT.LatentGenerator, key: str) -> None:
    LV.single_thread()
    cols = st.columns(2)
    with cols[0]:
        a = endpoint_ui("a", gen, key)
    with cols[1]:
        b = endpoint_ui("b", gen, key)
    steps = widget(LATENT, "steps")
    if a is None or b is None:
        return
    if note := LV.label_note(gen, a, b):
        st.markdown(note)
    strips = LV.strips(gen, resources.classifier(), a, b, steps)
    for strip in strips.values():
        st.markdown(LV.strip_heading(strip))
        st.image(strip.pngs(), caption=strip.captions(), output_format="PNG")
    st.markdown(LV.slerp_note(gen.latent_dim, a.z, b.z))
    st.divider()
    cols = st.columns([1, 1, 2])
    method = widget(LATENT, "method", where=cols[0], horizontal=True)
    frame_ms = widget(LATENT, "frame_ms", where=cols[0], step=20)
    gif = LT.strip_gif(strips[method], duration_ms=frame_ms)
    cols[1].image(gif, caption=f"{method}: A → B → A")  # a GIF is passed through as is
    name, small, large = f"interpolation_{method}", 28 * LT.GIF_SCALE, 28 * LT.SLIDES_GIF_SCALE
    download = dict(mime="image/gif", on_click="ignore", width="stretch")
    cols[0].download_button(f"Download GIF ({small} px)", gif, f"{name}.gif", help=TIPS["gif"], **download)
    # made only when clicked: the large GIF takes ~0.1 s, which every widget change here would otherwise pay
    slides = functools.partial(LT.strip_gif, strips[method], duration_ms=frame_ms, scale=LT.SLIDES_GIF_SCALE)
    label = f"Download GIF for slides ({large} px)"
    cols[0].download_button(label, slides, f"{name}_{large}px.gif", help=TIPS["gif_slides"], **download)


def walk_view(gen: LT.LatentGenerator, key: str) -> None:
    LV.single_thread()
    cols = st.columns(4)
    dirs = widget(LATENT, "walk_dirs", where=cols[0])
    seed = i = j = None
    if dirs == "random":
        seed = widget(LATENT, "walk_seed", where=cols[1])
    else:
        i, j = axis_pair(gen.latent_dim, "walk_i", "walk_j", (cols[1], cols[1]))
    d1, d2, across, down = LV.walk_directions(gen.latent_dim, dirs, seed, i, j)
    span = widget(LATENT, "walk_span", where=cols[2])
    steps = widget(LATENT, "walk_steps", where=cols[3])
    cols[3].button("Redraw around the slider z", help=TIPS["redraw"])
    z = LS.current_z(st.session_state, gen, key)
    st.caption(f"Centre: the slider z. Left → right: {across} from −{span:g} to +{span:g}; top → bottom: {down}.")
    st.image(LT.walk_grid_png(gen.G, z, d1, d2, span, steps), output_format="PNG")
