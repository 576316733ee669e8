"""Latent explorer: drag the entries of z and watch G(z) morph; interpolate between two z; walk a 2-D slice.

The slider → image path runs in a fragment, so a slider move reruns only that part of the page (no full-page
flash). Generators are read-only here: pretrained ones are shared (``st.cache_resource``), a generator
trained in this session is a frozen copy of its trainer's published weights, an upload lives in this
session only. All pictures come from ``playground.experiments.latent.tools``; this file lays them out.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import streamlit as st
import torch

import app_state as S
from playground import urlstate
from playground.digits.classifier import load_classifier
from playground.experiments.latent import tools as LT
from playground.experiments.latent.walks import orthonormal_directions, z_from_text, z_to_text
from playground.gan.checkpoints import CheckpointError, read_checkpoint
from playground.views.figures import snapshot_models

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
PRETRAINED_LABELS = {"dcgan": "DCGAN", "mlp": "MLP GAN", "dcgan_conditional": "class-conditional DCGAN"}
MNIST_RUN = "mnist.run"  # where pages/mnist.py keeps its MnistRun (to move into app_state.py with its other keys)
UPLOAD = "upload"
MAX_SLIDERS = 32  # more sliders than this is a wall of widgets, not an explorer; the rest stay fixed
TIMINGS_KEPT = 200
ENDPOINT_KINDS = {
    "digit": "A digit the classifier recognises",
    "random": "Random z (seeded)",
    "slider": "The slider z (Sliders tab)",
    "pasted": "Pasted z",
}
SLERP_WHY = (
    "**Why slerp?** A Gaussian latent z ~ N(0, I) in d dimensions almost always has length close to √d, so the "
    "straight line (lerp) between two samples cuts through short vectors near the origin that G never saw in "
    "training, while slerp travels along the sphere where the samples actually live."
)

# Session-state keys and defaults of this page (to move into app_state.py beside the toy page's).
LATENT = "latent"
LATENT_DEFAULTS: dict[str, object] = {
    "latent.source": "pretrained:dcgan",
    "latent.n_sliders": 8,
    "latent.label": 0,  # the digit a class-conditional generator is asked for
    "latent.paste": "",
    "latent.a_kind": "digit",
    "latent.a_digit": 3,
    "latent.a_seed": 1,
    "latent.a_text": "",
    "latent.b_kind": "digit",
    "latent.b_digit": 8,
    "latent.b_seed": 2,
    "latent.b_text": "",
    "latent.steps": 10,
    "latent.method": "slerp",
    "latent.frame_ms": 120,
    "latent.walk_dirs": "random",
    "latent.walk_seed": 0,
    "latent.walk_i": 1,
    "latent.walk_j": 2,
    "latent.walk_span": 2.0,
    "latent.walk_steps": 7,
    "latent.toy_i": 1,
    "latent.toy_j": 2,
}
LATENT_Z = "latent.z"  # the current latent [dim] (float32 tensor): the sliders and number boxes mirror it
LATENT_Z_FOR = "latent.z_for"  # (generator key, latent_dim) the z belongs to; another generator starts afresh
LATENT_RANDOMIZED = "latent.randomized"  # how many times Randomize was pressed: its next seed
LATENT_TIMINGS = "latent.timings"  # server ms from fragment start to image bytes, for the last slider changes
LATENT_PASTE_ERROR = "latent.paste_error"
LATENT_SESSION_GEN = "latent.session_gen"  # (source, run object id, step, LatentGenerator): a frozen trainer copy
LATENT_UPLOADED = "latent.uploaded"  # (sha1 of file + config, LatentGenerator or error message)
LATENT_MEMO = "latent.memo"  # (generator key, digit, seed) → (z, probability): digit search takes ~0.3 s on CPU
S.DEFAULTS.setdefault(LATENT, LATENT_DEFAULTS)
_SEED, _AXIS = urlstate.IntRange(0, 10_000), urlstate.IntRange(1, 4096)
_ENDPOINT = urlstate.Choice(("digit", "random", "slider"))  # a pasted z is too long for a link
S.URL_SCHEMAS.setdefault(
    LATENT,
    urlstate.Schema(
        prefix="latent.",
        fields={
            "source": urlstate.Choice(  # shipped generators only
                ("pretrained:dcgan", "pretrained:mlp", "pretrained:dcgan_conditional")
            ),
            "n_sliders": urlstate.IntRange(1, MAX_SLIDERS),
            "label": urlstate.IntRange(0, 9),
            **{f"{w}_kind": _ENDPOINT for w in "ab"},
            **{f"{w}_digit": urlstate.IntRange(0, 9) for w in "ab"},
            **{f"{w}_seed": _SEED for w in "ab"},
            "steps": urlstate.IntRange(3, 16),
            "method": urlstate.Choice(tuple(LT.PATHS)),
            "frame_ms": urlstate.Choice(tuple(range(40, 501, 20))),
            "walk_dirs": urlstate.Choice(("random", "axes")),
            "walk_seed": _SEED,
            "walk_i": _AXIS,
            "walk_j": _AXIS,
            "walk_span": urlstate.Choice(tuple(x / 2 for x in range(1, 9))),
            "walk_steps": urlstate.Choice((3, 5, 7, 9, 11)),
            "toy_i": _AXIS,
            "toy_j": _AXIS,
        },
        display=frozenset({"n_sliders", "frame_ms"}),
    ),
)


# ---- shared read-only resources ------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading the pretrained generator…")
def pretrained(name: str) -> LT.LatentGenerator:
    """The shipped generator ``pretrained/<name>_generator.safetensors``; shared, only ever run under no_grad."""
    G, cfg, meta = read_checkpoint(PRETRAINED_DIR / f"{name}_generator.safetensors", "generator")
    return LT.explorer_generator(G, cfg, f"pretrained {PRETRAINED_LABELS.get(name, name)}")


@st.cache_resource(show_spinner="Loading the digit classifier…")
def classifier():
    return load_classifier()


# ---- which generator -----------------------------------------------------------------------------
def sources() -> dict[str, str]:
    """Generator choices: shipped files, this session's trained runs, upload."""
    options = {}
    for path in sorted(PRETRAINED_DIR.glob("*_generator.safetensors")):
        name = path.name.removesuffix("_generator.safetensors")
        options[f"pretrained:{name}"] = f"Pretrained {PRETRAINED_LABELS.get(name, name)} (shipped)"
    if st.session_state.get(MNIST_RUN) is not None:
        options["session:mnist"] = "Your MNIST run (this session)"
    if st.session_state.get(S.TOY_RUN) is not None:
        options["session:toy"] = "Your toy 2-D run (this session)"
    options[UPLOAD] = "Upload a checkpoint…"
    return options


def session_generator(source: str):
    """A frozen copy of this session's MNIST or toy generator (its EMA weights), refreshed on request."""
    run = st.session_state[MNIST_RUN if source == "session:mnist" else S.TOY_RUN]
    trainer = run.worker.trainer
    with trainer.lock:
        latest = trainer.published.step
    held = st.session_state.get(LATENT_SESSION_GEN)
    if held is None or held[:2] != (source, id(run)):
        held = None
    label = "MNIST" if source == "session:mnist" else "toy 2-D"
    if held is not None and latest != held[2]:
        st.caption(f"Your {label} run is at step {latest:,}; the explorer holds step {held[2]:,}.")
        if st.button("Load the latest weights", help="Copy the run's current generator (training is not touched)."):
            held = None
    if held is None:
        G, _, step = snapshot_models(trainer)
        gen = LT.explorer_generator(G, trainer.model_cfg, f"your {label} run at step {step:,}")
        held = (source, id(run), step, gen)
        st.session_state[LATENT_SESSION_GEN] = held
    return held[3]


def upload_ui() -> LT.LatentGenerator | None:
    weights = st.file_uploader(
        "Generator checkpoint (.safetensors)",
        type=["safetensors"],
        key="latent.upload",
        help="A generator saved by GAN Playground (MNIST page → Downloads, or the CLI). Its config is inside the "
        "file; pickled .pt files are refused.",
    )
    config = st.file_uploader(
        "Config (.json, optional)",
        type=["json"],
        key="latent.upload_cfg",
        help='Optional check: {"model_type": "dcgan", "config": {"latent_dim": 32, …}}. If it differs from the '
        "config inside the checkpoint you get the differing fields.",
    )
    if weights is None:
        st.info("Choose a generator .safetensors file.")
        return None
    data, config_text = weights.getvalue(), config.getvalue().decode("utf-8", "replace") if config else None
    digest = hashlib.sha1(data + (config_text or "").encode()).hexdigest()
    held = st.session_state.get(LATENT_UPLOADED)
    if held is None or held[0] != digest:
        try:
            held = (digest, LT.load_uploaded(data, config_text, weights.name))
        except CheckpointError as exc:
            held = (digest, str(exc))
        st.session_state[LATENT_UPLOADED] = held
    if isinstance(held[1], str):
        st.error(f"**This checkpoint can't be used.** {held[1]}")
        return None
    return held[1]


def generator_ui() -> LT.LatentGenerator | None:
    options = sources()
    if st.session_state.get("latent.source") not in options:
        st.session_state["latent.source"] = next(iter(options))
    source = st.radio(
        "Generator",
        list(options),
        key="latent.source",
        disabled=S.locked("latent.source"),
        format_func=options.get,
        help="Shipped: trained for minutes on CPU (pretrained/README.md). Your run: a copy of the generator you "
        "trained on the MNIST or toy page in this browser session (no retraining). Upload: a saved checkpoint.",
    )
    try:
        if source.startswith("pretrained:"):
            return pretrained(source.split(":", 1)[1])
        if source.startswith("session:"):
            return session_generator(source)
    except CheckpointError as exc:
        st.error(str(exc))
        return None
    return upload_ui()


# ---- the current z -------------------------------------------------------------------------------
def _slider(i: int) -> str:
    return f"latent.s{i}"


def _number(i: int) -> str:
    return f"latent.n{i}"


def set_z(z: torch.Tensor, limit: float) -> None:
    """Make z current and point every slider and number box at it (callbacks and pre-widget code only)."""
    st.session_state[LATENT_Z] = z.clone()
    for i, value in enumerate(z.tolist()):
        st.session_state[_slider(i)] = max(-limit, min(limit, round(value, 2)))
        st.session_state[_number(i)] = value


def current_z(gen: LT.LatentGenerator, key: str) -> torch.Tensor:
    """This session's z for `gen`, starting from a seeded sample when the generator changes."""
    if st.session_state.get(LATENT_Z_FOR) != (key, gen.latent_dim):
        st.session_state[LATENT_Z_FOR] = (key, gen.latent_dim)
        set_z(LT.sample_z(gen.latent_dim, gen.prior, seed=0), LT.latent_range(gen.prior))
    return st.session_state[LATENT_Z]


def _slider_moved(i: int) -> None:
    value = st.session_state[_slider(i)]
    st.session_state[LATENT_Z][i] = value
    st.session_state[_number(i)] = value


def _number_typed(i: int, limit: float) -> None:
    value = st.session_state[_number(i)]
    st.session_state[LATENT_Z][i] = value
    st.session_state[_slider(i)] = max(-limit, min(limit, value))


def _randomize(dim: int, prior: str) -> None:
    st.session_state[LATENT_RANDOMIZED] = count = st.session_state.get(LATENT_RANDOMIZED, 0) + 1
    set_z(LT.sample_z(dim, prior, seed=count), LT.latent_range(prior))


def _paste(dim: int, prior: str) -> None:
    try:
        z = z_from_text(st.session_state["latent.paste"], dim)
    except ValueError as exc:
        st.session_state[LATENT_PASTE_ERROR] = f"That z can't be used: {exc}."
        return
    st.session_state[LATENT_PASTE_ERROR] = None
    set_z(z, LT.latent_range(prior))


# ---- sliders (fragment) --------------------------------------------------------------------------
def sliders_ui(gen: LT.LatentGenerator, n: int) -> None:
    dim, limit = gen.latent_dim, LT.latent_range(gen.prior)
    b = st.columns(2)
    b[0].button(
        "Randomize",
        on_click=_randomize,
        args=(dim, gen.prior),
        width="stretch",
        help="Draw a fresh z from the prior (each press its own seed, the same sequence every session).",
    )
    b[1].button(
        "Reset to zero",
        on_click=set_z,
        args=(torch.zeros(dim), limit),
        width="stretch",
        help="z = 0: the centre of the prior (often a blurry 'average' digit).",
    )
    per_row = 2 if n > 8 else 1  # long lists in two columns so they fit on a lecture screen
    rows = st.columns(per_row)
    z = st.session_state[LATENT_Z]
    for i in range(n):
        if _slider(i) not in st.session_state:  # Streamlit forgets the state of widgets a run did not draw
            st.session_state[_slider(i)] = max(-limit, min(limit, round(float(z[i]), 2)))
            st.session_state[_number(i)] = float(z[i])
        with rows[i % per_row]:
            left, right = st.columns([4, 2], vertical_alignment="bottom")
            left.slider(
                f"z{i + 1}",
                -limit,
                limit,
                step=0.01,
                key=_slider(i),
                on_change=_slider_moved,
                args=(i,),
                help=f"Entry {i + 1} of z. The picture updates as you drag.",
            )
            right.number_input(
                f"z{i + 1} value",
                -1000.0,
                1000.0,
                step=0.1,
                format="%.2f",
                key=_number(i),
                on_change=_number_typed,
                args=(i, limit),
                label_visibility="collapsed",
                help=f"Type an exact value for z{i + 1} (beyond ±{limit:g} the slider stays at its end).",
            )
    if n < dim:
        st.caption(
            f"z{n + 1}…z{dim} are **fixed** at their current values (all {dim} are in the text below); "
            "raise 'Sliders shown' in the sidebar to move them."
        )


def copy_paste_ui(z: torch.Tensor, gen: LT.LatentGenerator) -> None:
    st.caption("**z as text** — use the copy icon (top right of the box) to save or share this exact z.")
    st.code(z_to_text(z), language=None, wrap_lines=True)
    cols = st.columns([4, 1], vertical_alignment="bottom")
    cols[0].text_input(
        "Paste z",
        key="latent.paste",
        placeholder=f"{gen.latent_dim} comma-separated numbers",
        help="Paste a z copied from here (same generator) to reproduce its picture exactly.",
    )
    cols[1].button(
        "Use pasted z",
        on_click=_paste,
        args=(gen.latent_dim, gen.prior),
        width="stretch",
        help="Set the sliders to the pasted z.",
    )
    if st.session_state.get(LATENT_PASTE_ERROR):
        st.error(st.session_state[LATENT_PASTE_ERROR])


def record_time(start: float) -> str:
    """Store this rerun's server time (fragment start → image ready) and describe the recent ones."""
    times = st.session_state.setdefault(LATENT_TIMINGS, [])
    times.append(1000 * (time.perf_counter() - start))
    del times[:-TIMINGS_KEPT]
    median, p95 = LT.latency_summary(times)
    return (
        f"Server time, slider change → new image: {times[-1]:.0f} ms "
        f"(median {median:.0f} ms, p95 {p95:.0f} ms over the last {len(times)})"
    )


def digit_sliders_view(gen: LT.LatentGenerator, key: str, n: int) -> None:
    """One fragment: a slider move reruns only this, and the image is made first thing."""
    start = time.perf_counter()
    torch.set_num_threads(1)  # one 28×28 digit: threads cost more to wake than they save
    z = current_z(gen, key)
    png = LT.digit_png(gen.G, z)
    timing = record_time(start)
    left, right = st.columns([3, 2], gap="large")
    with left:
        sliders_ui(gen, n)
    with right:
        st.image(png, caption="G(z)", output_format="PNG")  # PNG: "auto" would re-encode as JPEG
        labels, confs = LT.labels_of(LT.generate(gen.G, z), classifier())
        st.markdown(
            f"The digit classifier reads **{labels[0]}** ({confs[0]:.0%} sure).",
            help="A small CNN trained on real digits (pretrained/classifier.safetensors).",
        )
        st.caption(timing)
    copy_paste_ui(z, gen)


def toy_sliders_view(gen: LT.LatentGenerator, key: str, n: int, real, ranges) -> None:
    start = time.perf_counter()
    torch.set_num_threads(1)
    z = current_z(gen, key)
    axes = toy_axes_ui(gen.latent_dim)
    cloud_z = torch.stack([LT.sample_z(gen.latent_dim, gen.prior, seed=10_000 + k) for k in range(300)])
    frame = LT.toy_latent_frame(gen.G, z, axes, gen.prior, cloud_z)
    latent_fig, data_fig = LT.toy_latent_figures(frame, real, ranges)
    timing = record_time(start)
    left, right = st.columns([2, 3], gap="large")
    with left:
        sliders_ui(gen, n)
        st.caption(timing)
    with right:
        figs = st.columns(2)
        figs[0].plotly_chart(latent_fig, key="latent.toy_latent", config={"displaylogo": False})
        figs[1].plotly_chart(data_fig, key="latent.toy_data", config={"displaylogo": False})
        st.caption(
            f"The star is your z (left) and the point G(z) it lands on (right). The grid lines vary two "
            f"latent entries through z, the others held at z's values; G bends them into the curves on the "
            f"right. G(z) = ({frame.point[0]:.2f}, {frame.point[1]:.2f})."
        )
    copy_paste_ui(z, gen)


def _keep_valid(key: str, options: list) -> list:
    """Options for a keyed selectbox whose stored value may have left them (another generator, the other axis)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return options


def toy_axes_ui(dim: int) -> tuple[int, int]:
    if dim <= 2:
        return (0, 1) if dim == 2 else (0, 0)
    axes = list(range(1, dim + 1))
    cols = st.columns(2)
    i = cols[0].selectbox(
        "Grid: horizontal axis",
        _keep_valid("latent.toy_i", axes),
        key="latent.toy_i",
        disabled=S.locked("latent.toy_i"),
        format_func="z{}".format,
        help="The latent entry the grid's horizontal lines vary.",
    )
    j = cols[1].selectbox(
        "Grid: vertical axis",
        _keep_valid("latent.toy_j", [a for a in axes if a != i]),
        key="latent.toy_j",
        disabled=S.locked("latent.toy_j"),
        format_func="z{}".format,
        help="The latent entry the grid's vertical lines vary.",
    )
    return i - 1, j - 1


# ---- interpolation (fragment) --------------------------------------------------------------------
def endpoint_ui(name: str, w: str, gen: LT.LatentGenerator, key: str) -> torch.Tensor | None:
    kind = st.selectbox(
        f"Endpoint {name}",
        list(ENDPOINT_KINDS),
        key=f"latent.{w}_kind",
        disabled=S.locked(f"latent.{w}_kind"),
        format_func=ENDPOINT_KINDS.get,
        help=f"Where the path starts ({name} = A) or ends (B).",
    )
    if kind == "digit":
        cols = st.columns(2)
        digit = cols[0].selectbox(
            "Digit",
            list(range(10)),
            key=f"latent.{w}_digit",
            disabled=S.locked(f"latent.{w}_digit"),
            help="The explorer draws 128 z and keeps the one the classifier is surest is this digit.",
        )
        seed = cols[1].number_input(
            "Seed",
            0,
            10_000,
            key=f"latent.{w}_seed",
            disabled=S.locked(f"latent.{w}_seed"),
            help="Another seed, another candidate z.",
        )
        memo = st.session_state.setdefault(LATENT_MEMO, {})
        if (key, gen.label, digit, seed) not in memo:
            found = LT.find_digit_z(gen.G, classifier(), digit, gen.latent_dim, gen.prior, seed)
            memo[(key, gen.label, digit, seed)] = found
        z, prob = memo[(key, gen.label, digit, seed)]
        if prob < 0.5:
            st.warning(f"This generator rarely draws a {digit}: the best of 128 tries is {prob:.0%} a {digit}.")
        return z
    if kind == "random":
        seed = st.number_input(
            "Seed",
            0,
            10_000,
            key=f"latent.{w}_seed",
            disabled=S.locked(f"latent.{w}_seed"),
            help="The same seed gives the same z.",
        )
        return LT.sample_z(gen.latent_dim, gen.prior, seed=int(seed) + 1)
    if kind == "slider":
        return current_z(gen, key).clone()
    text = st.text_input(f"z for {name}", key=f"latent.{w}_text", help="Paste a z copied from the Sliders tab.")
    try:
        return z_from_text(text, gen.latent_dim)
    except ValueError as exc:
        st.info(f"Paste {gen.latent_dim} numbers for endpoint {name} ({exc}).")
        return None


def interpolation_view(gen: LT.LatentGenerator, key: str) -> None:
    torch.set_num_threads(1)
    cols = st.columns(2)
    with cols[0]:
        z0 = endpoint_ui("A", "a", gen, key)
    with cols[1]:
        z1 = endpoint_ui("B", "b", gen, key)
    steps = st.slider(
        "Frames",
        3,
        16,
        key="latent.steps",
        disabled=S.locked("latent.steps"),
        help="Frames along the path, both endpoints included.",
    )
    if z0 is None or z1 is None:
        return
    clf = classifier()
    strips = {m: LT.interpolation_strip(gen.G, clf, z0, z1, steps, m) for m in LT.PATHS}
    for method, title in (("lerp", "Straight line (lerp)"), ("slerp", "Great circle (slerp)")):
        strip = strips[method]
        st.markdown(
            f"**{title}** — under each frame: the classifier's digit · its confidence. "
            f"‖z‖ mid-way: {strip.norms[len(strip.norms) // 2]:.1f}"
        )
        st.image(strip.pngs(), caption=strip.captions(), output_format="PNG")
    st.markdown(SLERP_WHY + f" Here √d = {gen.latent_dim**0.5:.1f}; A has ‖z‖ = {z0.norm():.1f}, B {z1.norm():.1f}.")
    st.divider()
    cols = st.columns([1, 1, 2])
    method = cols[0].radio(
        "Animate",
        list(LT.PATHS),
        key="latent.method",
        disabled=S.locked("latent.method"),
        horizontal=True,
        help="Which path the animation and the GIF follow.",
    )
    frame_ms = cols[0].slider(
        "Frame time (ms)",
        40,
        500,
        step=20,
        key="latent.frame_ms",
        disabled=S.locked("latent.frame_ms"),
        help="How long each frame shows; the GIF plays A → B → A and loops.",
    )
    gif = LT.strip_gif(strips[method], duration_ms=frame_ms)
    cols[1].image(gif, caption=f"{method}: A → B → A")  # a GIF is passed through as is
    cols[0].download_button(
        "Download GIF",
        gif,
        f"interpolation_{method}.gif",
        mime="image/gif",
        on_click="ignore",
        help="The animation as an animated GIF (loops forever) for slides.",
    )


# ---- latent walk grid (fragment) -----------------------------------------------------------------
def walk_view(gen: LT.LatentGenerator, key: str) -> None:
    torch.set_num_threads(1)
    dim = gen.latent_dim
    cols = st.columns(4)
    dirs = cols[0].radio(
        "Directions",
        ["random", "axes"],
        key="latent.walk_dirs",
        disabled=S.locked("latent.walk_dirs"),
        format_func={"random": "Two random orthonormal", "axes": "Two latent axes"}.get,
        help="Random: a random 2-D slice through z. Axes: move exactly two entries of z.",
    )
    if dirs == "random":
        seed = cols[1].number_input(
            "Seed",
            0,
            10_000,
            key="latent.walk_seed",
            disabled=S.locked("latent.walk_seed"),
            help="Another seed, another slice.",
        )
        d1, d2 = orthonormal_directions(dim, torch.Generator().manual_seed(int(seed)))
        across, down = "direction 1", "direction 2"
    else:
        axes = list(range(1, dim + 1))
        i = cols[1].selectbox(
            "Across",
            _keep_valid("latent.walk_i", axes),
            key="latent.walk_i",
            disabled=S.locked("latent.walk_i"),
            format_func="z{}".format,
            help="The entry that changes from left to right.",
        )
        j = cols[1].selectbox(
            "Down",
            _keep_valid("latent.walk_j", [a for a in axes if a != i]),
            key="latent.walk_j",
            disabled=S.locked("latent.walk_j"),
            format_func="z{}".format,
            help="The entry that changes from top to bottom.",
        )
        d1, d2 = LT.axis_directions(dim, i - 1, j - 1)
        across, down = f"z{i}", f"z{j}"
    span = cols[2].slider(
        "Span ±",
        0.5,
        4.0,
        step=0.5,
        key="latent.walk_span",
        disabled=S.locked("latent.walk_span"),
        help="How far the grid reaches from the centre along each direction.",
    )
    steps = cols[3].select_slider(
        "Grid size",
        [3, 5, 7, 9, 11],
        key="latent.walk_steps",
        disabled=S.locked("latent.walk_steps"),
        help="Digits per row and per column (odd, so the centre is your z).",
    )
    cols[3].button(
        "Redraw around the slider z", help="The centre is the z from the Sliders tab; redraw after moving it."
    )
    z = current_z(gen, key)
    st.caption(f"Centre: the slider z. Left → right: {across} from −{span:g} to +{span:g}; top → bottom: {down}.")
    st.image(LT.walk_grid_png(gen.G, z, d1, d2, span, steps), output_format="PNG")


# ---- page ----------------------------------------------------------------------------------------
S.ensure_router()
S.init(LATENT)
S.url_state(LATENT)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("Latent space explorer")
st.caption(
    "A generator turns a vector of random numbers z into a picture. Drag the entries of z and watch the digit "
    "morph, walk a straight or curved path between two z, or map a 2-D slice of latent space."
)

with st.sidebar:
    st.subheader("Latent explorer")
    generator = generator_ui()
    if generator is not None:
        top = min(generator.latent_dim, MAX_SLIDERS)
        st.session_state["latent.n_sliders"] = min(st.session_state["latent.n_sliders"], top)
        n_sliders = (
            st.slider(
                "Sliders shown",
                1,
                top,
                key="latent.n_sliders",
                disabled=S.locked("latent.n_sliders"),
                help=f"One slider per latent entry for z1…zN; the other {generator.latent_dim}−N stay fixed.",
            )
            if top > 1
            else 1
        )
        if generator.classes:
            generator = generator.for_label(
                st.selectbox(
                    "Digit asked for",
                    range(generator.classes),
                    key="latent.label",
                    disabled=S.locked("latent.label"),
                    help="This generator is class-conditional: beside z it is told which digit to draw. Keep z and "
                    "change the digit to see the same style (slant, thickness) in another digit.",
                )
            )
        st.caption(f"Generator: {generator.source} · latent dimension {generator.latent_dim} · prior {generator.prior}")
    S.share_ui(LATENT)

if generator is None:
    st.info("Choose a generator in the sidebar.")
    st.stop()
gen_key = st.session_state["latent.source"] + "|" + generator.source
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
    run = st.session_state.get(S.TOY_RUN) if st.session_state["latent.source"] == "session:toy" else None
    real = run.view.real.numpy() if run is not None else None
    ranges = (run.view.x_range, run.view.y_range) if run is not None else None
    st.fragment(toy_sliders_view)(generator, gen_key, n_sliders, real, ranges)
