"""MNIST page: train an MLP GAN or a DCGAN on handwritten digits live and watch fixed samples sharpen.

Training runs in this session's background worker (as on the toy page); the page only sends
commands and redraws the latest published generator from a fragment. A small CNN classifier
(`pretrained/classifier.safetensors`) scores the samples every few seconds.
"""

from __future__ import annotations

import streamlit as st

from playground.experiments.advice import divergence_advice
from playground.experiments.mnist import figures as MF
from playground.experiments.mnist import run as R
from playground.experiments.mnist import view as V
from playground.experiments.mnist.live import LiveDigits
from playground.experiments.mnist.settings import LIVE_FIELDS, MNIST, family_values, run_settings
from playground.gan.checkpoints import CheckpointError
from playground.runtime.controller import RunController, Status
from playground.views import figures as F
from webui import charts, controls, downloads, form, resources, session, share, state

PRETRAINED_DIP = (
    "**Expect a dip first.** Only G is pretrained: D starts from random weights, and until it has learned what "
    "real digits look like its verdicts push G the wrong way. Measured here (conditional DCGAN, one core): "
    "96 % → 90 % confident digits within 30 s, back to 95 % after about 3 minutes (~5,000 steps). No matching "
    "D is shipped with the generator."
)

PICTURES = "mnist.pictures"  # LiveDigits of the run in state.MNIST_RUN: its sample grid and classifier scores
LIVE_STATE = "mnist.live_state"
CHART_CONFIG = {"displaylogo": False}


# ---- widgets -------------------------------------------------------------------------------------
def _model_changed() -> None:
    st.session_state.update(family_values(st.session_state[MNIST.key("model")]))


def model_ui() -> tuple | None:
    """Model family, starting point and latent size; returns the pretrained (G, config, metadata) or None."""
    model = form.widget(MNIST, "model", on_change=_model_changed)
    conditional = form.widget(MNIST, "conditional", disabled=model not in R.CONDITIONAL_MODELS)
    start = form.widget(MNIST, "start", horizontal=True)
    pre = None
    if start == "pretrained":
        st.caption(PRETRAINED_DIP)
        try:
            pre = resources.pretrained_generator(R.pretrained_name(model, conditional))
        except CheckpointError as exc:
            st.error(f"The pretrained {model} generator could not be loaded: {exc}")
        if pre is None:
            st.warning("No pretrained generator for this model; starting from random weights.")
    if pre is not None:
        st.caption(f"Latent dimension {pre[1].latent_dim}, fixed by the pretrained generator.")
    else:
        form.widget(MNIST, "latent_dim")
    return pre


def controls_ui(running: bool) -> str | None:
    cols = st.columns([1, 1, 1, 1, 3])
    pressed = controls.run_buttons(cols, running, "Train continuously in the background; the pictures update live.")
    form.widget(MNIST, "refresh", where=cols[4])
    return pressed


def new_run(values: dict, pre: tuple | None) -> RunController:
    """A fresh run from the current settings, its pictures beside it."""
    data = resources.mnist_data()
    build = R.builder(values, data.images, data.labels, pre)
    run = state.replace_run(state.MNIST_RUN, lambda: RunController(build, run_settings(values), LIVE_FIELDS, True))
    classifier, ref, _ = resources.judge()  # resolved here: the scorer's thread has no Streamlit context
    st.session_state[PICTURES] = LiveDigits.of(run, data.images, data.labels, classifier, ref)
    return run


# ---- live view -----------------------------------------------------------------------------------
def scores_ui(scores: list[dict]) -> None:
    """The latest classifier report beside the same numbers for real digits (the floor)."""
    if not scores:
        st.caption("The classifier's scores appear within a few seconds.")
        return
    st.markdown(
        V.verdict_table(scores[-1], resources.judge()[2]),
        help="Scores from a small CNN digit classifier (pretrained/), not Inception, so they compare only within this "
        "app. 'Real digits': 500 real training digits scored the same way, the best a generator can reach.",
    )


def live_view(run: RunController, pictures: LiveDigits) -> None:
    """Redrawn by itself while training (st.fragment with run_every)."""
    session.watch(run)
    controls.rerun_on_change(LIVE_STATE, run)
    view = run.view()
    running = view.status in (Status.TRAINING, Status.QUEUED)
    pictures.refresh(view.published, running)
    scores = pictures.scores()
    ran = run.settings  # the loss it runs with now (it applies live)
    loss, critic = ran["loss"], F.is_critic(ran["loss"])
    metrics = V.metrics(view.history, view.published.step, view.steps_per_s, ran["batch_size"], ran["k"],
                        view.status is Status.TRAINING, critic, scores[-1] if scores else None)  # fmt: skip
    for col, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
        col.metric(label, value, help=V.METRIC_HELP[label])
    left, right = st.columns([5, 4])
    with left:
        step, grid = pictures.grid
        st.markdown(V.samples_caption(step, pictures.conditional))
        st.image(grid, width="stretch")
        st.markdown("**Real digits** from the training set, one of each class, for comparison")
        st.image(downloads.image_url(pictures.real_png, "image/png"), width="stretch")
    with right:
        scores_ui(scores)
        if scores:
            fig = MF.class_histogram(scores[-1]["class_counts"], scores[-1]["step"], run.run_id)
            st.plotly_chart(fig, key="mnist.histogram", config=CHART_CONFIG)
    curves = [(spec, V.critic_history(scores) if spec is F.CRITIC_SCORES else view.history)
              for spec in F.curve_specs(loss, (F.LOSSES, F.D_OUTPUTS))]  # fmt: skip
    charts.curve_charts(st.columns(2), curves, running, run.run_id, "mnist")
    if len(scores) >= 2:
        floor = resources.judge()[2]
        cols = st.columns(2)
        cols[0].plotly_chart(MF.score_curves(scores, floor, run.run_id), key="mnist.scores", config=CHART_CONFIG)
        cols[1].plotly_chart(MF.fid_curve(scores, floor, run.run_id), key="mnist.fid", config=CHART_CONFIG)


def data_notice_ui() -> None:
    data = resources.mnist_data()
    if data.source == "embedded":
        st.info(
            f"**Data: the embedded MNIST subset** — {len(data.images):,} real training digits shipped with the app "
            "(450 per class; 500 more are held out for the scores), not the full 60,000. Full MNIST is used when "
            f"torchvision finds it under `{resources.MNIST_ROOT}/` (set MNIST_ROOT to change the folder).",
            icon=":material/info:",
        )
        if data.notice:
            with st.expander("Why not full MNIST? (loader message)"):
                st.caption(data.notice)
    else:
        st.caption(f"Data: full MNIST ({len(data.images):,} training digits) from `{resources.MNIST_ROOT}/`.")


# ---- page ----------------------------------------------------------------------------------------
state.init(MNIST)
share.url_state(MNIST)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("MNIST GAN")
st.caption(
    "The generator G turns 32–64 random numbers z into a 28×28 image; the discriminator D sees real handwritten "
    "digits and G's fakes and outputs the probability that an image is real (with a critic loss such as WGAN-GP: "
    "a score). Watch the grid of fakes turn from "
    "noise into digits, and a small digit classifier judge them. By default both players are also told the digit "
    "(a class-conditional GAN): G draws the digit it is asked for, D judges whether image and digit fit together."
)
data_notice_ui()

with st.sidebar:
    st.subheader("MNIST settings")
    with st.expander("Model", expanded=True):
        pre = model_ui()
    with st.expander("Training", expanded=True):
        form.form(MNIST, "Training")
    share.share_ui(MNIST)
values = {**MNIST.values(st.session_state), "start": "pretrained" if pre else "scratch"}  # the start that runs

run: RunController | None = st.session_state.get(state.MNIST_RUN)
if run is None:
    run = new_run(values, pre)
session.watch(run)

action = controls_ui(run.status in (Status.TRAINING, Status.QUEUED))
if action == "reset":
    run = session.watch(new_run(values, pre))
if action == "train":
    run.train()
elif action == "pause":
    run.pause()
elif action == "step":
    run.step(wait=10.0)  # a DCGAN step takes ~0.1 s on CPU: show its result in this very run
run.apply(run_settings(values))
if action in ("train", "pause", "reset"):
    st.rerun()

if run.needs_reset(run_settings(values)):
    st.warning("Model, starting point, optimizer or seed changed: press **Reset** to build new networks with them.")
ran = run.settings  # the loss, optimizer and k it runs with now: advice only for what it has not tried
controls.status_notice(run, divergence_advice(ran["loss"], ran["optimizer"], ran["k"]))
if F.is_critic(ran["loss"]):
    st.info(F.CRITIC_WHY + " The numbers and curves below show critic scores (measured at each classifier report).",
            icon=":material/info:")  # fmt: skip

refresh = controls.live_timer(LIVE_STATE, run, 1.0 / st.session_state[MNIST.key("refresh")])
st.fragment(live_view, run_every=refresh)(run, st.session_state[PICTURES])

with st.expander("Downloads"):
    weights = downloads.weights_download(run, "generator", {"dataset": resources.mnist_data().source})
    tip = "The generator's weights (its moving average, which draws the samples) with its config inside."
    downloads.buttons([downloads.Download("Generator (.safetensors)", weights, "mnist_generator.safetensors", tip)])
with st.expander("About the scores"):
    st.markdown(
        "The scores come from a small CNN digit classifier trained on the embedded training digits "
        "(`pretrained/classifier.safetensors`, 97 % held-out accuracy), **not** the Inception-v3 network behind "
        "published FID/IS numbers, so they are called **classifier-FID** and **classifier-IS** and compare only "
        "within this app. Every score is shown beside the same score for real digits (the real-vs-real floor): "
        "finite samples keep even real digits above FID 0. Definitions: Heusel et al. 2017 (FID), Salimans et al. "
        "2016 (IS)."
    )
