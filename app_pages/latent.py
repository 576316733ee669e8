"""Latent explorer: drag the entries of z and watch G(z) morph; interpolate between two z; walk a 2-D slice.

Layout only. The slider → image path runs in a fragment, so a slider move reruns only that part of the page (no
full-page flash). Settings come from ``playground.experiments.latent.settings``, the session's z and held
generators from ``.state``, what to draw from ``.view`` (pictures from ``.tools``); the Interpolation and Walk
tabs are laid out in ``webui.latent_tabs``.
"""

from __future__ import annotations

import time

import streamlit as st

from playground.experiments.latent import state as LS
from playground.experiments.latent import tools as LT
from playground.experiments.latent import view as LV
from playground.experiments.latent.settings import LATENT, TIPS
from playground.experiments.latent.walks import z_to_text
from playground.gan.checkpoints import CheckpointError
from webui import resources, share, state
from webui.form import widget
from webui.latent_tabs import axis_pair, interpolation_view, walk_view

ss = st.session_state


# ---- which generator -----------------------------------------------------------------------------
def session_generator(source: str) -> LT.LatentGenerator:
    """A frozen copy of this session's MNIST or toy generator (its EMA weights), refreshed on request."""
    key, label = LV.SESSION_RUNS[source]
    run = ss[key]
    held, latest = LS.session_copy(ss, source, run)
    if latest != held.step:
        st.caption(f"Your {label} run is at step {latest:,}; the explorer holds step {held.step:,}.")
        if st.button("Load the latest weights", help=TIPS["latest"]):
            held, _ = LS.session_copy(ss, source, run, refresh=True)
    return held.generator


def upload_ui() -> LT.LatentGenerator | str | None:
    weights = st.file_uploader(
        "Generator checkpoint (.safetensors)", "safetensors", key="latent.upload", help=TIPS["weights"]
    )
    config = st.file_uploader("Config (.json, optional)", "json", key="latent.upload_cfg", help=TIPS["config"])
    if weights is None:
        st.info("Choose a generator .safetensors file.")
        return None
    config_text = config.getvalue().decode("utf-8", "replace") if config else None
    gen = LS.upload(ss, weights.getvalue(), config_text, weights.name)
    return (
        f"**This checkpoint can't be used.** {gen} Choose another file in the sidebar." if isinstance(gen, str) else gen
    )


def generator_ui() -> LT.LatentGenerator | str | None:
    """The chosen generator, or why it can't be used (shown in the main area, where the student looks)."""
    runs = {source for source, (key, _) in LV.SESSION_RUNS.items() if ss.get(key) is not None}
    options = LV.source_options(LV.pretrained_names(resources.PRETRAINED_DIR), runs)
    source = widget(LATENT, "source", options=list(options), format_func=options.get)
    try:
        if source.startswith("pretrained:"):
            name = source.split(":", 1)[1]
            return LV.shipped_generator(name, resources.pretrained_generator(name))
        if source.startswith("session:"):
            return session_generator(source)
    except CheckpointError as exc:
        return str(exc)
    return upload_ui()


# ---- sliders (fragment) --------------------------------------------------------------------------
def sliders_ui(gen: LT.LatentGenerator, n: int) -> None:
    dim, limit = gen.latent_dim, LT.latent_range(gen.prior)
    b = st.columns(2)
    b[0].button("Randomize", on_click=LS.randomize, args=(ss, dim, gen.prior), width="stretch", help=TIPS["randomize"])
    b[1].button("Reset to zero", on_click=LS.zero, args=(ss, dim, limit), width="stretch", help=TIPS["zero"])
    per_row = 2 if n > 8 else 1  # long lists in two columns so they fit on a lecture screen
    rows = st.columns(per_row)
    LS.redraw_widgets(ss, n, limit)
    for i in range(n):
        left, right = rows[i % per_row].columns([4, 2], vertical_alignment="bottom")
        left.slider(**LV.entry_slider(i, limit), on_change=LS.slider_moved, args=(ss, i))
        right.number_input(**LV.entry_box(i, limit), on_change=LS.number_typed, args=(ss, i, limit))
    if n < dim:
        st.caption(LV.fixed_caption(n, dim))


def copy_paste_ui(z, gen: LT.LatentGenerator) -> None:
    st.caption("**z as text** — use the copy icon (top right of the box) to save or share this exact z.")
    st.code(z_to_text(z), language=None, wrap_lines=True)
    cols = st.columns([4, 1], vertical_alignment="bottom")
    widget(LATENT, "paste", where=cols[0], placeholder=f"{gen.latent_dim} comma-separated numbers")
    paste = dict(on_click=LS.paste, args=(ss, gen.latent_dim, gen.prior), width="stretch", help=TIPS["paste"])
    cols[1].button("Use pasted z", **paste)
    if ss.get(LS.PASTE_ERROR):
        st.error(ss[LS.PASTE_ERROR])


def timing_ui(timing: str) -> None:
    with st.expander("Speed, for the curious"):  # a lecturer's number, not a student's
        st.caption(timing)


def digit_sliders_view(gen: LT.LatentGenerator, key: str, n: int) -> None:
    """One fragment: a slider move reruns only this, and the image is made first thing."""
    start = time.perf_counter()
    LV.single_thread()
    z = LS.current_z(ss, gen, key)
    png = LT.digit_png(gen.G, z)
    timing = LS.record_time(ss, start)
    left, right = st.columns([3, 2], gap="large")
    with left:
        sliders_ui(gen, n)
    with right:
        st.image(png, caption="G(z)", output_format="PNG")  # PNG: "auto" would re-encode as JPEG
        label, conf = LV.digit_reading(gen, z, resources.classifier())
        st.markdown(f"The digit classifier reads **{label}** ({conf:.0%} sure).", help=TIPS["classifier"])
        timing_ui(timing)
    copy_paste_ui(z, gen)


def toy_axes_ui(dim: int) -> tuple[int, int]:
    return LV.toy_axes(dim, *axis_pair(dim, "toy_i", "toy_j", st.columns(2))) if dim > 2 else LV.toy_axes(dim, 1, 2)


def toy_sliders_view(gen: LT.LatentGenerator, key: str, n: int, real, ranges) -> None:
    start = time.perf_counter()
    LV.single_thread()
    z = LS.current_z(ss, gen, key)
    pictures = LV.toy_pictures(gen, z, toy_axes_ui(gen.latent_dim), real, ranges)
    timing = LS.record_time(ss, start)
    left, right = st.columns([2, 3], gap="large")
    with left:
        sliders_ui(gen, n)
        timing_ui(timing)
    with right:
        figs = st.columns(2)
        figs[0].plotly_chart(pictures.latent, key="latent.toy_latent", config={"displaylogo": False})
        figs[1].plotly_chart(pictures.data, key="latent.toy_data", config={"displaylogo": False})
        st.caption(LV.toy_caption(pictures))
    copy_paste_ui(z, gen)


# ---- page ----------------------------------------------------------------------------------------
state.init(LATENT)
share.url_state(LATENT)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("Latent space explorer")
st.caption(
    "A generator turns a vector of random numbers z into a picture. Drag the entries of z and watch the digit "
    "morph, walk a straight or curved path between two z, or map a 2-D slice of latent space."
)

with st.sidebar:
    st.subheader("Latent explorer")
    generator = generator_ui()
    if isinstance(generator, LT.LatentGenerator):
        dim = generator.latent_dim
        top, n_sliders = LV.slider_count(dim, ss["latent.n_sliders"])
        if top > 1:  # the declared slider, up to this generator's entries
            n_sliders = widget(LATENT, "n_sliders", hi=top, help=TIPS["n_sliders"].format(dim=dim))
        if generator.classes:
            generator = generator.for_label(widget(LATENT, "label", options=list(range(generator.classes))))
        st.caption(f"Generator: {generator.source} · latent dimension {dim} · prior {generator.prior}")
    share.share_ui(LATENT)

if not isinstance(generator, LT.LatentGenerator):
    if generator:
        st.error(generator)
    else:
        st.info("Choose a generator in the sidebar.")
    st.stop()
gen_key = LV.generator_key(ss["latent.source"], generator)
if generator.is_image:
    sliders_tab, interp_tab, walk_tab = st.tabs(["Sliders", "Interpolation", "Latent walk grid"])
    with sliders_tab:
        st.fragment(digit_sliders_view)(generator, gen_key, n_sliders)
    with interp_tab:
        st.fragment(interpolation_view)(generator, gen_key)
    with walk_tab:
        if generator.latent_dim >= 2:
            st.fragment(walk_view)(generator, gen_key)
        else:
            st.info("A 2-D walk needs a latent dimension of at least 2.")
else:
    run = ss.get(state.TOY_RUN) if ss["latent.source"] == "session:toy" else None
    st.fragment(toy_sliders_view)(generator, gen_key, n_sliders, *LV.toy_backdrop(run))
