"""Toy 2-D page: train a small GAN live and watch D's decision surface, G's push and the game's numbers.

Training runs in this session's background worker; the page only sends commands and redraws the
latest published state from a fragment a few times a second.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace

import streamlit as st
import torch

import app_state as S
from playground.gan.data import DATASETS, DataError, Mixture, make_dataset, points_from_csv
from playground.gan.losses import LOSSES
from playground.gan.metrics import mode_metrics
from playground.gan.models import ACTIVATIONS, ModelConfig
from playground.gan.trainer import OPTIMIZERS, TrainConfig, Trainer
from playground.runtime.worker import TrainingWorker, snapshot_cap
from playground.views import figures as F
from playground.views import pictures as LI

UPLOAD = "upload"
DATASET_LABELS = {
    "ring8": "Ring of 8 Gaussians",
    "grid25": "Grid of 25 Gaussians",
    "swissroll": "Swiss roll",
    "moons": "Two moons",
    "circles": "Two circles",
    "spiral": "Two-arm spiral",
    UPLOAD: "Upload CSV…",
}
LOSS_LABELS = {
    "nonsat": "Non-saturating (−log D(G(z)))",
    "minimax": "Minimax (paper: log(1 − D(G(z))))",
    "wgan-gp": "WGAN-GP",
    "lsgan": "Least squares (LSGAN)",
    "hinge": "Hinge",
}
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9", "rmsprop": "RMSprop"}
# the options live beside the URL schema that accepts exactly them
LEARNING_RATES, BATCH_SIZES, WIDTHS = S.TOY_LEARNING_RATES, S.TOY_BATCH_SIZES, S.TOY_WIDTHS
SPEEDS, REFRESH_RATES = S.TOY_SPEEDS, S.TOY_REFRESH_RATES
LIVE_FIELDS = ("loss", "lr_d", "lr_g", "k", "batch_size")  # applied between chunks, no new model needed
PLANE_HEIGHT = 440
CHART_CONFIG = {"displaylogo": False}

for _name in DATASETS:  # a dataset added to the core still shows up, with its key as label
    DATASET_LABELS.setdefault(_name, _name)


@dataclass
class ToyRun:
    """One training run of this session: the worker (and its trainer), the fixed view, what it was built from."""

    worker: TrainingWorker
    view: F.View
    build: tuple  # (data id, ModelConfig, optimizer, seed): changing any of these needs Reset
    run_id: str
    live: dict  # the live settings (LIVE_FIELDS) last handed to the worker


# ---- widgets -------------------------------------------------------------------------------------
def data_ui() -> tuple[str | None, object | None]:
    """Dataset choice (with CSV upload); returns (data id, dataset) or (None, None) when unusable."""
    names = [n for n in DATASET_LABELS if n in DATASETS] + [UPLOAD]
    name = st.selectbox(
        "Dataset",
        names,
        key="toy.dataset",
        disabled=S.locked("toy.dataset"),
        format_func=DATASET_LABELS.get,
        help="The real distribution p_data the generator must learn. Needs Reset.",
    )
    if name != UPLOAD:
        return name, make_dataset(name)
    upload = st.file_uploader(
        "CSV of points (x, y)",
        type=["csv"],
        key="toy.csv",
        disabled=S.locked("toy.dataset"),
        help="First two columns are x and y; a header row is optional; at most 5 MB.",
    )
    if upload is None:
        st.info("Choose a CSV file to train on your own points.")
        return None, None
    raw = upload.getvalue()
    try:
        cloud = points_from_csv(raw.decode("utf-8", errors="replace"))
    except DataError as exc:
        st.error(str(exc))
        return None, None
    return "csv:" + hashlib.sha1(raw).hexdigest()[:12], cloud


def model_ui() -> ModelConfig:
    hidden = st.select_slider(
        "Width (units per layer)",
        WIDTHS,
        key="toy.hidden",
        disabled=S.locked("toy.hidden"),
        help="Hidden units in every layer of G and D. Needs Reset.",
    )
    depth = st.slider(
        "Depth (hidden layers)",
        1,
        4,
        key="toy.depth",
        disabled=S.locked("toy.depth"),
        help="Hidden layers in G and in D. Needs Reset.",
    )
    activation = st.selectbox(
        "Activation",
        list(ACTIVATIONS),
        key="toy.activation",
        disabled=S.locked("toy.activation"),
        help="Non-linearity between layers. Needs Reset.",
    )
    latent = st.slider(
        "Latent dimension z",
        1,
        8,
        key="toy.latent_dim",
        disabled=S.locked("toy.latent_dim"),
        help="Size of the noise z fed to G. 1 is too few to cover 8 modes. Needs Reset.",
    )
    pack = st.select_slider(
        "D judges samples in packs of",
        S.TOY_PACKS,
        key="toy.pack",
        disabled=S.locked("toy.pack"),
        help="PacGAN (Lin et al. 2018): D sees this many samples at once, which punishes a generator that "
        "drops modes. 1 = the plain GAN of the paper (on ring8 it lost modes on about half the seeds we "
        "measured); 2 kept all 8 on every seed. Needs Reset.",
    )
    return ModelConfig(hidden=hidden, depth=depth, activation=activation, latent_dim=latent, pack=pack)


def training_ui() -> TrainConfig:
    loss = st.selectbox(
        "Loss",
        list(LOSSES),
        key="toy.loss",
        disabled=S.locked("toy.loss"),
        format_func=LOSS_LABELS.get,
        help="The game's objective. Applies live: switch it while training.",
    )
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZERS),
        key="toy.optimizer",
        disabled=S.locked("toy.optimizer"),
        format_func=OPTIMIZER_LABELS.get,
        help="Optimizer for both players. Needs Reset (it has internal state).",
    )
    lr_d = st.select_slider(
        "Learning rate D",
        LEARNING_RATES,
        key="toy.lr_d",
        disabled=S.locked("toy.lr_d"),
        format_func="{:g}".format,
        help="Discriminator step size. Applies live.",
    )
    lr_g = st.select_slider(
        "Learning rate G",
        LEARNING_RATES,
        key="toy.lr_g",
        disabled=S.locked("toy.lr_g"),
        format_func="{:g}".format,
        help="Generator step size. Applies live.",
    )
    k = st.slider(
        "k: D steps per G step",
        1,
        10,
        key="toy.k",
        disabled=S.locked("toy.k"),
        help="Algorithm 1 trains D k times, then G once. Applies live.",
    )
    batch = st.select_slider(
        "Batch size m",
        BATCH_SIZES,
        key="toy.batch_size",
        disabled=S.locked("toy.batch_size"),
        help="Real and noise samples per step. Applies live.",
    )
    seed = st.number_input(
        "Seed",
        0,
        10_000,
        step=1,
        key="toy.seed",
        disabled=S.locked("toy.seed"),
        help="Seeds the initial weights and every random draw. Needs Reset.",
    )
    return TrainConfig(loss=loss, optimizer=optimizer, lr_d=lr_d, lr_g=lr_g, k=k, batch_size=batch, seed=int(seed))


def controls_ui(running: bool) -> str | None:
    """The run buttons (app_state.run_buttons), speed and refresh; returns the button pressed."""
    cols = st.columns([1, 1, 1, 1, 3, 3])
    pressed = S.run_buttons(cols, running, "Train continuously in the background; plots update live.")
    with cols[4]:
        st.select_slider(
            "Speed (steps/s)",
            SPEEDS,
            key="toy.speed",
            disabled=S.locked("toy.speed"),
            help="Cap the training speed to watch slowly; 'full' trains as fast as the CPU allows.",
        )
    with cols[5]:
        st.select_slider(
            "Plot refresh (per s)",
            REFRESH_RATES,
            key="toy.refresh",
            disabled=S.locked("toy.refresh"),
            help="How often the plots redraw while training; lower it on a slow machine.",
        )
    return pressed


def overlay_ui() -> tuple[bool, bool]:
    cols = st.columns(2)
    arrows = cols[0].toggle(
        "Gradient arrows on fakes",
        key="toy.show_arrows",
        disabled=S.locked("toy.show_arrows"),
        help="Arrows: ∇ₓD(G(z)), the direction each fake point is pushed by the generator step.",
    )
    dstar = cols[1].toggle(
        "Show optimal D*",
        key="toy.show_dstar",
        disabled=S.locked("toy.show_dstar"),
        help="D*(x) = p_data/(p_data + p_g) for the current G, beside the learned D.",
    )
    return arrows, dstar


# ---- run lifecycle -------------------------------------------------------------------------------
def new_run(data_id: str, data, model_cfg: ModelConfig, train_cfg: TrainConfig) -> ToyRun:
    trainer = Trainer(data, model_cfg, train_cfg)
    trainer.cfg = replace(train_cfg, max_snapshots=snapshot_cap(trainer))  # bounded memory per session
    view = F.make_view(data, model_cfg, seed=train_cfg.seed)
    build = (data_id, model_cfg, train_cfg.optimizer, train_cfg.seed)
    run_id = hashlib.sha1(repr((build, id(trainer))).encode()).hexdigest()[:10]
    live = {f: getattr(train_cfg, f) for f in LIVE_FIELDS}
    return ToyRun(TrainingWorker(trainer, process=True), view, build, run_id, live)


def apply_live(run: ToyRun, train_cfg: TrainConfig) -> None:
    """Hand changed live settings to the worker, which swaps the (frozen) config between chunks."""
    changes = {f: getattr(train_cfg, f) for f in LIVE_FIELDS if getattr(train_cfg, f) != run.live[f]}
    if not changes:
        return
    run.live.update(changes)

    run.worker.call(lambda trainer: trainer.reconfigure(**changes))  # runs in the worker thread


# ---- live view -----------------------------------------------------------------------------------
def cached_frame(run: ToyRun, dstar: bool):
    """The latest frame (+ D* grid), recomputed only when the published step changed."""
    trainer = run.worker.trainer
    with trainer.lock:
        step = trainer.published.step
    key = (run.run_id, step, dstar)
    cached = st.session_state.get(S.TOY_FRAME_CACHE)
    if cached and cached[0] == key:
        return cached[1], cached[2]
    models = st.session_state.get(S.TOY_EVAL_MODELS)
    if not models or models[0] != run.run_id:  # eval copies of G and D, refilled with each frame's weights
        models = (run.run_id, trainer.models_at())
    st.session_state[S.TOY_EVAL_MODELS] = models
    frame = F.frame_at(trainer, run.view, into=models[1])
    dstar_grid = F.optimal_d_grid(run.view, frame.fake, trainer.data) if dstar else None
    st.session_state[S.TOY_FRAME_CACHE] = (key, frame, dstar_grid)
    return frame, dstar_grid


def metrics_ui(run: ToyRun, frame: F.Frame, history: dict) -> None:
    worker, trainer = run.worker, run.worker.trainer
    tail = max(1, min(20, len(history["step"])))  # per-batch numbers are noisy: mean of the last 20 steps
    mean = lambda name, fallback: sum(history[name][-tail:]) / tail if history["step"] else fallback
    cols = st.columns(6)
    cols[0].metric("step", f"{trainer.step_count:,}", help="Generator steps so far (each after k D steps).")
    cols[1].metric("steps/s", f"{worker.steps_per_s():.0f}", help="Training speed over the last 1.5 s (wall clock).")
    cols[2].metric("mean D(x)", f"{mean('d_real', frame.d_real):.3f}", help="D's belief that real points are real.")
    cols[3].metric(
        "mean D(G(z))",
        f"{mean('d_fake', frame.d_fake):.3f}",
        help="D's belief that fakes are real; ½ at the optimum p_g = p_data.",
    )
    value = mean("value", float("nan")) if history["step"] else float("nan")
    cols[4].metric(
        "V(D,G)",
        "–" if math.isnan(value) else f"{value:.3f}",
        help="E[log D(x)] + E[log(1 − D(G(z)))]; −log 4 ≈ −1.386 at the optimum.",
    )
    if isinstance(trainer.data, Mixture):
        modes = mode_metrics(torch.from_numpy(frame.eval_fake), trainer.data)
        cols[5].metric(
            "modes captured",
            f"{modes['modes_captured']}/{modes['modes_total']}",
            help=f"Modes with ≥ 1 of 1,000 fakes within 3σ (VEEGAN protocol); "
            f"{modes['high_quality']:.0%} of fakes are that close.",
        )
    else:
        cols[5].metric("modes captured", "–", help="Only defined for the Gaussian mixtures (ring8, grid25).")


def live_view(run: ToyRun, show_arrows: bool, show_dstar: bool) -> None:
    """Redrawn by itself several times a second while training (st.fragment with run_every)."""
    worker = S.watch(run.worker)
    trainer = worker.trainer
    S.rerun_on_change(S.TOY_LIVE_STATE, worker)
    frame, dstar_grid = cached_frame(run, show_dstar)
    with trainer.lock:
        history = trainer.history.copy()
    metrics_ui(run, frame, history)
    rev, latent_dim = run.run_id, trainer.model_cfg.latent_dim
    cols = st.columns(3 if show_dstar else 2)
    if worker.running:  # pictures while training (cheap to redraw); interactive figures once paused
        pictures_view(run, frame, dstar_grid, cols, show_arrows)
        return
    surface = F.decision_surface(
        run.view,
        frame.d_grid,
        frame.fake,
        frame.grad if show_arrows else None,
        title=f"Discriminator D(x) at step {frame.step:,}",
        revision=rev,
    )
    cols[0].plotly_chart(surface.update_layout(height=PLANE_HEIGHT), key="toy.surface", config=CHART_CONFIG)
    if show_dstar:
        optimal = F.decision_surface(run.view, dstar_grid, frame.fake, title="Optimal D* for this G", revision=rev)
        cols[1].plotly_chart(optimal.update_layout(height=PLANE_HEIGHT), key="toy.dstar", config=CHART_CONFIG)
    manifold = F.generator_manifold(run.view, frame.manifold, latent_dim, revision=rev)
    cols[-1].plotly_chart(manifold.update_layout(height=PLANE_HEIGHT), key="toy.manifold", config=CHART_CONFIG)


def pictures_view(run: ToyRun, frame, dstar_grid, cols, show_arrows: bool) -> None:
    """The live view's planes as images: the browser swaps a picture instead of rebuilding a plotly chart."""
    view, latent_dim = run.view, run.worker.trainer.model_cfg.latent_dim
    key = (run.run_id, frame.step, show_arrows, dstar_grid is not None)
    cached = st.session_state.get(S.TOY_PICTURES)
    if not cached or cached[0] != key:  # a queued or slowed run redraws the same step: reuse its pictures
        jpeg = lambda data: S.image_url(data, "image/jpeg")
        surface = jpeg(LI.surface_image(view, frame.d_grid, frame.fake, frame.grad if show_arrows else None))
        dstar = jpeg(LI.surface_image(view, dstar_grid, frame.fake)) if dstar_grid is not None else None
        cached = (key, surface, dstar, jpeg(LI.manifold_image(view, frame.manifold)))
        st.session_state[S.TOY_PICTURES] = cached
    _, surface, dstar, manifold = cached
    cols[0].markdown(f"**Discriminator D(x) at step {frame.step:,}**")
    cols[0].image(surface)
    if dstar is not None:
        cols[1].markdown("**Optimal D\\* for this G**")
        cols[1].image(dstar)
    title = "Generator: latent grid warped by G" if latent_dim <= 2 else "Generator: slice z₁, z₂ (others 0) through G"
    cols[-1].markdown(f"**{title}**")
    cols[-1].image(manifold)
    st.caption(
        "Live pictures while training: red = D says real, blue = D says fake, dark line: D = ½; green: real data, "
        "orange: fakes, arrows: ∇ₓD(G(z)). Pause for the interactive charts (hover, zoom)."
    )


def curves_view(run: ToyRun) -> None:
    """Losses, D outputs and V(D,G) over steps; they change slowly, so they redraw about once a second."""
    worker = run.worker
    with worker.trainer.lock:
        history = worker.trainer.history.copy()
    S.curve_charts(st.columns(3), history, (F.LOSSES, F.D_OUTPUTS, F.VALUE), worker.running, run.run_id, "toy")


def timeline_ui(run: ToyRun) -> None:
    """Scrub back through stored snapshots (frozen at the last full run, so the slider stays put)."""
    snaps = st.session_state.get(S.TOY_TIMELINE) or []
    if len(snaps) < 2:
        st.caption(f"Snapshots are stored every {run.worker.trainer.cfg.snapshot_every} steps; train a little first.")
        return
    steps = [s.step for s in snaps]
    chosen = st.select_slider(
        "Snapshot at step",
        steps,
        value=steps[-1],
        help="Move back through training; the view shows D and G at that step.",
    )
    frame = F.frame_at(run.worker.trainer, run.view, snaps[steps.index(chosen)])
    cols = st.columns(2)
    surface = F.decision_surface(
        run.view,
        frame.d_grid,
        frame.fake,
        title=f"D(x) and samples at step {chosen:,}",
        revision=run.run_id + "-timeline",
    )
    cols[0].plotly_chart(surface.update_layout(height=PLANE_HEIGHT), key="toy.timeline.surface", config=CHART_CONFIG)
    manifold = F.generator_manifold(
        run.view, frame.manifold, run.worker.trainer.model_cfg.latent_dim, revision=run.run_id + "-timeline"
    )
    cols[1].plotly_chart(manifold.update_layout(height=PLANE_HEIGHT), key="toy.timeline.manifold", config=CHART_CONFIG)


def downloads_ui(run: ToyRun) -> None:
    trainer, extra = run.worker.trainer, {"dataset": run.build[0]}
    cols = st.columns(3)
    cols[0].download_button(
        "Generator (.safetensors)",
        S.weights_download(trainer, "generator", extra),
        "generator.safetensors",
        on_click="ignore",
        help="G's weights with its config inside (safetensors).",
    )
    cols[1].download_button(
        "Discriminator (.safetensors)",
        S.weights_download(trainer, "discriminator", extra),
        "discriminator.safetensors",
        on_click="ignore",
        help="D's weights with its config inside (safetensors).",
    )
    cols[2].download_button(
        "History (.csv)",
        S.history_download(trainer),
        "history.csv",
        mime="text/csv",
        on_click="ignore",
        help="Losses, D outputs and V(D,G) per generator step.",
    )


def resume(trainer: Trainer) -> None:
    """Back to the last good weights; the optimizers start afresh (Adam's moments may hold the NaN too)."""
    trainer.restore()
    for opt in (trainer.opt_d, trainer.opt_g):
        opt.state.clear()


def divergence_ui(run: ToyRun) -> None:
    trainer = run.worker.trainer
    if trainer.diverged:
        st.error(
            f"**Training blew up at step {trainer.step_count:,}: {trainer.diverged}.** The numbers grew without "
            "bound, so the networks stopped learning anything useful. Try a lower learning rate (e.g. ÷3), "
            "switch to the non-saturating or WGAN-GP loss, use Adam instead of SGD, or lower k."
        )
        if st.button("Resume from last good snapshot", help="Reload the last weights before the blow-up."):
            run.worker.call(resume)
            run.worker.wait_idle(2.0)
            st.rerun()
    elif run.worker.stop_reason in ("session closed", "crashed (see server log)") or (
        run.worker.stop_reason or ""
    ).startswith("no heartbeat"):
        st.info(f"Training was stopped ({run.worker.stop_reason}). Press Train to continue.")


# ---- page ----------------------------------------------------------------------------------------
S.ensure_router()
S.init(S.TOY)
S.url_state(S.TOY)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("Toy 2-D GAN")
st.caption(
    "Green: real data. Orange: the generator's fakes. Colour: the discriminator's D(x) — red says "
    "'real', blue says 'fake', the dark line (dashed when paused) is D = ½. Arrows show where the generator "
    "pushes each fake."
)

with st.sidebar:
    st.subheader("Toy 2-D settings")
    with st.expander("Data", expanded=True):
        data_id, data = data_ui()
    with st.expander("Training", expanded=True):
        train_cfg = training_ui()
    with st.expander("Networks"):
        model_cfg = model_ui()
    S.share_ui(S.TOY)

run: ToyRun | None = st.session_state.get(S.TOY_RUN)
if run is None:
    if data is None:  # a first visit straight to an unusable CSV: start on the default set meanwhile
        data_id, data = "ring8", make_dataset("ring8")
    run = S.replace_run(S.TOY_RUN, lambda: new_run(data_id, data, model_cfg, train_cfg))
worker = S.watch(run.worker)

action = controls_ui(worker.running)
if action == "reset":
    if data is None:
        st.warning("Reset needs a usable dataset; keeping the current one.")
    else:
        run = S.replace_run(S.TOY_RUN, lambda: new_run(data_id, data, model_cfg, train_cfg))
        worker = S.watch(run.worker)
if action == "train":
    worker.start()
elif action == "pause":
    worker.pause()
elif action == "step":
    worker.step_once()
    worker.wait_idle(2.0)  # one step takes milliseconds: show its result in this very run
speed = st.session_state["toy.speed"]
worker.max_steps_per_s = None if speed == "full" else float(speed)
apply_live(run, train_cfg)
if action in ("train", "pause", "reset"):
    st.rerun()  # redraw the buttons' enabled state and the refresh timer for the new state

if data is not None and (data_id, model_cfg, train_cfg.optimizer, train_cfg.seed) != run.build:
    st.warning("Dataset, networks, optimizer or seed changed: press **Reset** to build new networks with them.")
divergence_ui(run)

show_arrows, show_dstar = overlay_ui()
refresh = S.live_timer(S.TOY_LIVE_STATE, worker, 1.0 / st.session_state["toy.refresh"])
st.fragment(live_view, run_every=refresh)(run, show_arrows, show_dstar)
st.fragment(curves_view, run_every=max(refresh, 1.0) if refresh else None)(run)

with st.expander("Timeline: scrub back through training"):
    with run.worker.trainer.lock:
        st.session_state[S.TOY_TIMELINE] = list(run.worker.trainer.snapshots)
    st.fragment(timeline_ui)(run)

with st.expander("Downloads"):
    downloads_ui(run)
