"""MNIST page: train an MLP GAN or a DCGAN on handwritten digits live and watch fixed samples sharpen.

Training runs in this session's background worker (as on the toy page); the page only sends
commands and redraws the latest published generator from a fragment. A small CNN classifier
(`pretrained/classifier.safetensors`) scores the samples every few seconds.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

import app_state as S
from playground import urlstate
from playground.digits.models import MNIST_MODELS, ImageSampler, start_from_generator
from playground.experiments.mnist import figures as MF
from playground.experiments.mnist.presets import FAMILY_DEFAULTS
from playground.gan.checkpoints import CheckpointError, read_checkpoint
from playground.gan.device import pick_device
from playground.gan.losses import LOSSES
from playground.gan.trainer import OPTIMIZERS, TrainConfig, Trainer
from playground.runtime.worker import TrainingWorker
from playground.views import figures as F

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
MODEL_LABELS = {"mlp": "MLP GAN (Goodfellow et al. 2014)", "dcgan": "DCGAN (Radford et al. 2016)"}
MODEL_DEFAULTS = {  # picking a model sets these: the settings that trained it best on this CPU (mnist_presets)
    name: {"mnist.loss": t.loss, "mnist.k": t.k, "mnist.lr_d": t.lr_d, "mnist.lr_g": t.lr_g,
           "mnist.latent_dim": m.latent_dim, "mnist.conditional": bool(getattr(m, "num_classes", 0)),
           "mnist.augment": t.augment_shift, "mnist.batch_size": t.batch_size}
    for name, (m, t) in FAMILY_DEFAULTS.items()
}  # fmt: skip
CONDITIONAL_MODELS = ("dcgan",)  # families with a class-conditional form (DCGANConfig.num_classes)
START_LABELS = {"scratch": "Random weights", "pretrained": "Pretrained generator"}
LOSS_LABELS = {
    "nonsat": "Non-saturating (−log D(G(z)))",
    "minimax": "Minimax (paper: log(1 − D(G(z))))",
    "wgan-gp": "WGAN-GP",
    "lsgan": "Least squares (LSGAN)",
    "hinge": "Hinge",
}
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9", "rmsprop": "RMSprop"}
LEARNING_RATES = [1e-5, 3e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
BATCH_SIZES = [16, 32, 64, 128, 256]
LATENT_DIMS = [2, 8, 16, 32, 64, 100, 128]
REFRESH_RATES = [0.5, 1, 2, 4]
AUGMENT_SHIFTS = [0, 1, 2, 3, 4]
LIVE_FIELDS = ("loss", "lr_d", "lr_g", "k", "batch_size", "augment_shift")  # applied between chunks, no new model
SCORE_EVERY_S = 4.0  # classifier report cadence while training
CHART_CONFIG = {"displaylogo": False}

# Session-state keys and defaults of this page (to move into app_state.py beside the toy page's).
MNIST = "mnist"
MNIST_DEFAULTS: dict[str, object] = {
    "mnist.model": "dcgan",
    "mnist.start": "scratch",
    "mnist.optimizer": "adam",
    **MODEL_DEFAULTS["dcgan"],
    "mnist.seed": 0,
    "mnist.refresh": 1,  # redraws per second while training
}
MNIST_RUN = "mnist.run"  # MnistRun: worker + fixed view + scores
MNIST_LIVE_STATE = "mnist.live_state"
S.DEFAULTS.setdefault(MNIST, MNIST_DEFAULTS)
S.URL_SCHEMAS.setdefault(
    MNIST,
    urlstate.Schema(
        prefix="mnist.",
        fields={
            "model": urlstate.Choice(tuple(MNIST_MODELS)),
            "start": urlstate.Choice(tuple(START_LABELS)),
            "loss": urlstate.Choice(tuple(LOSSES)),
            "optimizer": urlstate.Choice(OPTIMIZERS),
            "lr_d": urlstate.Choice(tuple(LEARNING_RATES)),
            "lr_g": urlstate.Choice(tuple(LEARNING_RATES)),
            "k": urlstate.IntRange(1, 5),
            "batch_size": urlstate.Choice(tuple(BATCH_SIZES)),
            "latent_dim": urlstate.Choice(tuple(LATENT_DIMS)),
            "conditional": urlstate.Flag(),
            "augment": urlstate.Choice(tuple(AUGMENT_SHIFTS)),
            "seed": urlstate.IntRange(0, 10_000),
            "refresh": urlstate.Choice(tuple(REFRESH_RATES)),
        },
        display=frozenset({"refresh"}),
    ),
)

for _name in LOSSES:
    LOSS_LABELS.setdefault(_name, _name)


@dataclass
class MnistRun:
    worker: TrainingWorker
    view: MF.DigitView
    build: tuple  # (model config, optimizer, seed, start): changing any of these needs Reset
    run_id: str
    live: dict
    scorer: MF.ScoreKeeper  # classifier reports, computed beside the page
    scored_at: float = 0.0  # time.monotonic() of the last submitted scoring
    grid: tuple[int, bytes] | None = None  # (step, PNG) of the last drawn sample grid


# ---- shared read-only resources ------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading the pretrained generator…")
def pretrained_generator(name: str):
    """(state_dict, config, metadata) of ``pretrained/<name>_generator.safetensors``, or None if absent."""
    path = PRETRAINED_DIR / f"{name}_generator.safetensors"
    if not path.is_file():
        return None
    G, cfg, meta = read_checkpoint(path, "generator")
    return G.state_dict(), cfg, meta


# ---- widgets -------------------------------------------------------------------------------------
def _model_changed() -> None:
    st.session_state.update(MODEL_DEFAULTS[st.session_state["mnist.model"]])


def model_ui() -> tuple[str, str, object | None]:
    """Model family and starting point; returns (model, start, pretrained config or None)."""
    model = st.radio(
        "Model",
        list(MNIST_MODELS),
        key="mnist.model",
        disabled=S.locked("mnist.model"),
        format_func=MODEL_LABELS.get,
        on_change=_model_changed,
        help="MLP: fully connected layers on the 784 pixels, as in the original GAN paper. DCGAN: transposed "
        "convolutions up (7×7 → 14×14 → 28×28) and strided convolutions down. Picking one sets the loss, k and "
        "learning rates that trained it best here. Needs Reset.",
    )
    conditional = st.checkbox(
        "Class-conditional: tell G and D the digit",
        key="mnist.conditional",
        disabled=S.locked("mnist.conditional") or model not in CONDITIONAL_MODELS,
        help="G gets the digit's label (one-hot) beside z and draws that digit; D judges image and label together "
        "(projection discriminator, Miyato & Koyama 2018). Each grid column is then one digit. Off: the plain "
        "GAN, which must find the ten digits by itself (slower, and it can lose some). DCGAN only. Needs Reset. "
        "With a pretrained start it picks the shipped conditional or plain DCGAN.",
    )
    start = st.radio(
        "Start from",
        list(START_LABELS),
        key="mnist.start",
        disabled=S.locked("mnist.start"),
        format_func=START_LABELS.get,
        horizontal=True,
        help="Random weights: watch digits emerge from noise. Pretrained: G starts from the shipped generator "
        "(trained for minutes, see pretrained/README.md) and D from scratch. Needs Reset.",
    )
    pre = None
    if start == "pretrained":
        conditional = conditional and model in CONDITIONAL_MODELS
        try:
            pre = pretrained_generator(model + ("_conditional" if conditional else ""))
        except CheckpointError as exc:
            st.error(f"The pretrained {model} generator could not be loaded: {exc}")
        if pre is None:
            st.warning("No pretrained generator for this model; starting from random weights.")
    return model, ("pretrained" if pre else "scratch"), pre


def training_ui() -> TrainConfig:
    loss = st.selectbox(
        "Loss",
        list(LOSSES),
        key="mnist.loss",
        disabled=S.locked("mnist.loss"),
        format_func=LOSS_LABELS.get,
        help="The game's objective. Applies live: switch it while training. WGAN-GP uses the paper's image "
        "setting λ = 10 for its gradient penalty.",
    )
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZERS),
        key="mnist.optimizer",
        disabled=S.locked("mnist.optimizer"),
        format_func=OPTIMIZER_LABELS.get,
        help="Optimizer for both players. Needs Reset (it has internal state).",
    )
    lr_d = st.select_slider(
        "Learning rate D", LEARNING_RATES, key="mnist.lr_d", format_func="{:g}".format,
        disabled=S.locked("mnist.lr_d"),
        help="Discriminator step size. Applies live.",
    )  # fmt: skip
    lr_g = st.select_slider(
        "Learning rate G", LEARNING_RATES, key="mnist.lr_g", format_func="{:g}".format,
        disabled=S.locked("mnist.lr_g"),
        help="Generator step size. Applies live.",
    )  # fmt: skip
    k = st.slider(
        "k: D steps per G step",
        1,
        5,
        key="mnist.k",
        disabled=S.locked("mnist.k"),
        help="Algorithm 1: k D steps, then one G step. Applies live.",
    )
    batch = st.select_slider(
        "Batch size m",
        BATCH_SIZES,
        key="mnist.batch_size",
        disabled=S.locked("mnist.batch_size"),
        help="Real digits and noise samples per step. Applies live.",
    )
    augment = st.select_slider(
        "Shift D's images by up to ± px",
        AUGMENT_SHIFTS,
        key="mnist.augment",
        disabled=S.locked("mnist.augment"),
        help="Data augmentation for D (DiffAugment, Zhao et al. 2020): every real and fake image is moved by a "
        "random offset before D judges it, so D cannot memorise the 4,500 training digits and G learns faster. "
        "0 = off. Applies live.",
    )
    seed = st.number_input(
        "Seed", 0, 10_000, step=1, key="mnist.seed", disabled=S.locked("mnist.seed"),
        help="Seeds the initial weights, every random draw and the fixed z of the sample grid. Needs Reset.",
    )  # fmt: skip
    base = FAMILY_DEFAULTS[st.session_state["mnist.model"]][1]  # λ, EMA and snapshot settings
    return replace(base, loss=loss, optimizer=optimizer, lr_d=lr_d, lr_g=lr_g, k=k, batch_size=batch, seed=int(seed),
                   augment_shift=augment)  # fmt: skip


def latent_ui(model: str, pre) -> object:
    """The model config: from the pretrained file, else the family's defaults with the chosen latent size."""
    if pre is not None:
        st.caption(f"Latent dimension {pre[1].latent_dim}, fixed by the pretrained generator.")
        return pre[1]
    latent = st.select_slider(
        "Latent dimension z", LATENT_DIMS, key="mnist.latent_dim", disabled=S.locked("mnist.latent_dim"),
        help="Size of the noise vector z fed to G. Needs Reset.",
    )  # fmt: skip
    if model not in CONDITIONAL_MODELS:
        return MNIST_MODELS[model](latent_dim=latent)
    return MNIST_MODELS[model](latent_dim=latent, num_classes=10 if st.session_state["mnist.conditional"] else 0)


def controls_ui(running: bool) -> str | None:
    cols = st.columns([1, 1, 1, 1, 3])
    pressed = S.run_buttons(cols, running, "Train continuously in the background; the pictures update live.")
    with cols[4]:
        st.select_slider(
            "Picture refresh (per s)", REFRESH_RATES, key="mnist.refresh", disabled=S.locked("mnist.refresh"),
            help="How often samples and plots redraw while training; lower leaves more CPU to training.",
        )  # fmt: skip
    return pressed


# ---- run lifecycle -------------------------------------------------------------------------------
def new_run(model_cfg, train_cfg: TrainConfig, start: str, pre) -> MnistRun:
    device = pick_device()
    data = S.mnist_data()
    labels = data.labels if getattr(model_cfg, "num_classes", 0) else None
    trainer = Trainer(ImageSampler(data.images, device, labels), model_cfg, train_cfg, device=device)
    if pre is not None:
        start_from_generator(trainer, pre[0])
    view = MF.make_view(model_cfg, data.images, data.labels, seed=train_cfg.seed)
    build = (model_cfg, train_cfg.optimizer, train_cfg.seed, start)
    run_id = hashlib.sha1(repr((build, id(trainer))).encode()).hexdigest()[:10]
    classifier, ref, _ = S.judge()  # resolved here: the scorer's thread has no Streamlit context
    scorer = MF.ScoreKeeper(lambda G: MF.score(G, view, classifier, ref))
    live = {f: getattr(train_cfg, f) for f in LIVE_FIELDS}
    return MnistRun(TrainingWorker(trainer, process=True), view, build, run_id, live, scorer)


def apply_live(run: MnistRun, train_cfg: TrainConfig) -> None:
    """Hand changed live settings to the worker, which swaps the (frozen) config between chunks."""
    changes = {f: getattr(train_cfg, f) for f in LIVE_FIELDS if getattr(train_cfg, f) != run.live[f]}
    if not changes:
        return
    run.live.update(changes)

    run.worker.call(lambda trainer: trainer.reconfigure(**changes))  # runs in the worker thread


# ---- live view -----------------------------------------------------------------------------------
def refresh_pictures(run: MnistRun, running: bool) -> None:
    """Redraw the sample grid when the published step changed; score it every few seconds (at once when paused)."""
    trainer = run.worker.trainer
    with trainer.lock:
        step = trainer.published.step
    if run.grid is not None and run.grid[0] == step and run.scorer.latest_step() == step:
        return
    G, _, step = F.snapshot_models(trainer)
    if run.grid is None or run.grid[0] != step:
        run.grid = (step, MF.grid_png(MF.sample_images(G, run.view.z_grid), run.view.cols))
    if run.scorer.latest_step() == step:
        return
    if not running:
        run.scorer.score_now(G, step)
    elif time.monotonic() - run.scored_at >= SCORE_EVERY_S and run.scorer.submit(G, step):
        run.scored_at = time.monotonic()


def metrics_ui(run: MnistRun, history: dict) -> None:
    worker, trainer = run.worker, run.worker.trainer
    tail = max(1, min(20, len(history["step"])))  # per-batch numbers are noisy: mean of the last 20 steps
    mean = lambda name: f"{sum(history[name][-tail:]) / tail:.3f}" if history["step"] else "–"
    rate = worker.steps_per_s()
    cols = st.columns(5)
    cols[0].metric("step", f"{trainer.step_count:,}", help="Generator steps so far (each after k D steps).")
    cols[1].metric("steps/s", f"{rate:.1f}", help="Generator steps per second over the last 1.5 s (wall clock).")
    cols[2].metric("real images/s", f"{MF.images_per_s(rate, trainer.cfg.batch_size, trainer.cfg.k):,.0f}",
                   help="Real digits the discriminator reads per second: steps/s × k × batch size.")  # fmt: skip
    cols[3].metric(
        "mean D(x)", mean("d_real"), help="D's belief that real digits are real (mean of the last 20 steps)."
    )
    cols[4].metric("mean D(G(z))", mean("d_fake"), help="D's belief that the fakes are real; ½ when D can't tell.")


def scores_ui(scores: list[dict]) -> None:
    """The latest classifier report beside the same numbers for real digits (the floor)."""
    _, _, floor = S.judge()
    if not scores:
        st.caption("The classifier's scores appear within a few seconds.")
        return
    s = scores[-1]
    st.markdown(
        f"**The digit classifier's verdict** at step {s['step']:,} (500 samples)\n\n"
        "| score | G's samples | real digits |\n|---|---:|---:|\n"
        f"| confident digits (> 90 % sure) | **{s['confident_fraction']:.0%}** | {floor['confident_fraction']:.0%} |\n"
        f"| classes present (≥ 2 % each) | **{s['classes_present']} / 10** | {floor['classes_present']} / 10 |\n"
        f"| classifier-FID (lower is better) | **{s['fid']:.1f}** | {floor['fid']:.1f} |\n"
        f"| classifier-IS (higher is better, ≤ 10) | **{s['inception_score']:.2f}** | {floor['inception_score']:.2f} |",
        help="Scores from a small CNN digit classifier (pretrained/), not Inception, so they compare only within this "
        "app. 'Real digits': 500 real training digits scored the same way, the best a generator can reach.",
    )


def live_view(run: MnistRun) -> None:
    """Redrawn by itself while training (st.fragment with run_every)."""
    worker = S.watch(run.worker)
    trainer = worker.trainer
    S.rerun_on_change(MNIST_LIVE_STATE, worker)
    refresh_pictures(run, worker.running)
    with trainer.lock:
        history = trainer.history.copy()
    metrics_ui(run, history)
    left, right = st.columns([5, 4])
    with left:
        asked = ", and each column asks G for one digit, 0 to 9" if getattr(trainer.model_cfg, "num_classes", 0) else ""
        st.markdown(f"**Generator samples at step {run.grid[0]:,}** — the same 60 noise vectors z every frame{asked}, "
                    "so each cell shows one z's digit sharpening over training")  # fmt: skip
        st.image(run.grid[1], width="stretch")
        st.markdown("**Real digits** from the training set, one of each class, for comparison")
        st.image(S.image_url(MF.grid_png(run.view.real, run.view.cols), "image/png"), width="stretch")
    scores = run.scorer.copy()
    with right:
        scores_ui(scores)
        if scores:
            fig = MF.class_histogram(scores[-1]["class_counts"], scores[-1]["step"], run.run_id)
            st.plotly_chart(fig, key="mnist.histogram", config=CHART_CONFIG)
    rev = run.run_id
    S.curve_charts(st.columns(2), history, (F.LOSSES, F.D_OUTPUTS), worker.running, rev, "mnist")
    if len(scores) >= 2:
        _, _, floor = S.judge()
        cols = st.columns(2)
        cols[0].plotly_chart(MF.score_curves(scores, floor, rev), key="mnist.scores", config=CHART_CONFIG)
        cols[1].plotly_chart(MF.fid_curve(scores, floor, rev), key="mnist.fid", config=CHART_CONFIG)


def data_notice_ui() -> None:
    data = S.mnist_data()
    if data.source == "embedded":
        st.info(
            f"**Data: the embedded MNIST subset** — {len(data.images):,} real training digits shipped with the app "
            "(450 per class; 500 more are held out for the scores), not the full 60,000. Full MNIST is used when "
            f"torchvision finds it under `{S.MNIST_ROOT}/` (set MNIST_ROOT to change the folder).",
            icon=":material/info:",
        )
        if data.notice:
            with st.expander("Why not full MNIST? (loader message)"):
                st.caption(data.notice)
    else:
        st.caption(f"Data: full MNIST ({len(data.images):,} training digits) from `{S.MNIST_ROOT}/`.")


def downloads_ui(run: MnistRun) -> None:
    data = S.weights_download(run.worker.trainer, "generator", {"dataset": S.mnist_data().source})
    st.download_button(
        "Generator (.safetensors)", data, "mnist_generator.safetensors", on_click="ignore",
        help="The generator's weights (its moving average, which draws the samples) with its config inside.",
    )  # fmt: skip


def divergence_ui(run: MnistRun) -> None:
    trainer = run.worker.trainer
    if trainer.diverged:
        st.error(
            f"**Training blew up at step {trainer.step_count:,}: {trainer.diverged}.** Try a lower learning rate, "
            "the non-saturating or WGAN-GP loss, or Adam instead of SGD, then press Reset."
        )
        if st.button("Resume from last good snapshot", help="Reload the last weights before the blow-up."):
            run.worker.call(lambda t: t.restore())
            run.worker.wait_idle(2.0)
            st.rerun()
    elif run.worker.stop_reason in ("session closed", "crashed (see server log)") or (
        run.worker.stop_reason or ""
    ).startswith("no heartbeat"):
        st.info(f"Training was stopped ({run.worker.stop_reason}). Press Train to continue.")


# ---- page ----------------------------------------------------------------------------------------
S.ensure_router()
S.init(MNIST)
S.url_state(MNIST)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("MNIST GAN")
st.caption(
    "The generator G turns 32–64 random numbers z into a 28×28 image; the discriminator D sees real handwritten "
    "digits and G's fakes and outputs the probability that an image is real. Watch the grid of fakes turn from "
    "noise into digits, and a small digit classifier judge them. By default both players are also told the digit "
    "(a class-conditional GAN): G draws the digit it is asked for, D judges whether image and digit fit together."
)
data_notice_ui()

with st.sidebar:
    st.subheader("MNIST settings")
    with st.expander("Model", expanded=True):
        model, start, pre = model_ui()
        model_cfg = latent_ui(model, pre)
    with st.expander("Training", expanded=True):
        train_cfg = training_ui()
    S.share_ui(MNIST)

run: MnistRun | None = st.session_state.get(MNIST_RUN)
if run is None:
    run = S.replace_run(MNIST_RUN, lambda: new_run(model_cfg, train_cfg, start, pre))
worker = S.watch(run.worker)

action = controls_ui(worker.running)
if action == "reset":
    run = S.replace_run(MNIST_RUN, lambda: new_run(model_cfg, train_cfg, start, pre))
    worker = S.watch(run.worker)
if action == "train":
    worker.start()
elif action == "pause":
    worker.pause()
elif action == "step":
    worker.step_once()
    worker.wait_idle(10.0)  # a DCGAN step takes ~0.1 s on CPU: show its result in this very run
apply_live(run, train_cfg)
if action in ("train", "pause", "reset"):
    st.rerun()

if (model_cfg, train_cfg.optimizer, train_cfg.seed, start) != run.build:
    st.warning("Model, starting point, optimizer or seed changed: press **Reset** to build new networks with them.")
divergence_ui(run)

refresh = S.live_timer(MNIST_LIVE_STATE, worker, 1.0 / st.session_state["mnist.refresh"])
st.fragment(live_view, run_every=refresh)(run)

with st.expander("Downloads"):
    downloads_ui(run)
with st.expander("About the scores"):
    st.markdown(
        "The scores come from a small CNN digit classifier trained on the embedded training digits "
        "(`pretrained/classifier.safetensors`, 97 % held-out accuracy), **not** the Inception-v3 network behind "
        "published FID/IS numbers, so they are called **classifier-FID** and **classifier-IS** and compare only "
        "within this app. Every score is shown beside the same score for real digits (the real-vs-real floor): "
        "finite samples keep even real digits above FID 0. Definitions: Heusel et al. 2017 (FID), Salimans et al. "
        "2016 (IS)."
    )
