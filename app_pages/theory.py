"""1-D theory page: Goodfellow et al. 2014, Figure 1 trained live — D(x) flattens to ½ as p_g reaches p_data.

A 1-D GAN trains in this session's background worker; the page shows p_data, p_g, D and D* on one axis with
the z → x mapping below, the game's value against −log 4 and the JSD, the paper's panels (a)–(d) rebuilt from
the run's snapshots, and a saturating-vs-non-saturating race. Layout only: the settings are declared in
playground.experiments.theory.settings, the runs and every number come from playground.experiments.theory.
"""

from __future__ import annotations

import math

import streamlit as st

from playground.experiments.advice import divergence_advice
from playground.experiments.theory import figures as TF
from playground.experiments.theory import runs as TR
from playground.experiments.theory import view as TV
from playground.experiments.theory.settings import CUSTOM, THEORY
from playground.gan.data import DataError
from playground.runtime.controller import RunController, Status
from webui import controls, form, session, share, state

CHART_CONFIG = {"displaylogo": False}
# session keys: the run, its canvas, the race, the built panels, the live fragment's last seen state
RUN, CANVAS, RACE, PANELS, LIVE = "theory.run", "theory.canvas", "theory.race", "theory.panels", "theory.live_state"


# ---- widgets -------------------------------------------------------------------------------------
def data_ui() -> tuple[str, TR.Data1D | None]:
    name = form.widget(THEORY, "data")
    text = form.widget(THEORY, "custom") if name == CUSTOM else None
    try:
        return TV.resolve_data(name, text)
    except DataError as exc:
        st.error(str(exc))
        return name, None


def new_run(data: TR.Data1D, settings: dict) -> RunController:
    """A fresh run from the current settings (its canvas with it); the race of the old run goes."""
    run = state.replace_run(RUN, lambda: TV.new_run(data, settings))
    st.session_state[CANVAS] = TV.Canvas.of(run)
    state.replace_run(RACE, lambda: None)
    return run


# ---- live view -----------------------------------------------------------------------------------
def equation_ui(frame: TR.Frame1D) -> None:
    st.latex(
        rf"C(G) = -\log 4 + 2\,\mathrm{{JSD}}(p_\mathrm{{data}}\,\|\,p_g) = {-TR.LOG4:.3f} + 2 \times {frame.jsd:.3f}"
        rf" = {-TR.LOG4 + 2 * frame.jsd:.3f}"
    )
    st.caption(
        f"From the definition E_pdata[log D*] + E_pg[log(1 − D*)] on the grid: C(G) = {frame.c_g:.3f}. "
        f"The learned D reaches V(D, G) = {frame.value:.3f} ≤ C(G): D* is the best D can do against this G."
    )


def live_view(run: RunController, canvas: TV.Canvas, show_dstar: bool) -> None:
    session.watch(run)
    controls.rerun_on_change(LIVE, run)
    series, frame = canvas.live(run)
    view = run.view()  # the metrics show the drawn step (frame.step), as the chart titles do
    for col, (label, value, tooltip) in zip(st.columns(6), TV.metrics(frame.step, view.steps_per_s, frame)):
        col.metric(label, value, help=tooltip)
    title = f"Step {frame.step:,}: p_data, p_g, D and D*"
    fig = TF.figure_one(canvas.view, frame, title, run.run_id, show_dstar=show_dstar)
    cols = st.columns([3, 2])
    cols[0].plotly_chart(fig, key="theory.figure", config=CHART_CONFIG)
    cols[1].plotly_chart(TF.theory_curves(series, run.run_id), key="theory.curves", config=CHART_CONFIG)
    equation_ui(frame)


def panels_ui(run: RunController, canvas: TV.Canvas) -> None:
    st.caption(
        "(a) the first snapshot whose JSD fell below 0.45, (b) its D trained alone, (c) its G updated against that D, "
        "(d) the latest weights. Paper: Goodfellow et al. 2014, Figure 1."
    )
    if st.button("Build panels (a)–(d) from this run", help="Uses the run's stored snapshots; takes a second or two."):
        with st.spinner("Training D and G copies…"):
            st.session_state[PANELS] = (run.run_id, canvas.panels(run))
    stored = st.session_state.get(PANELS)
    if not stored or stored[0] != run.run_id:
        return
    for col, panel in zip(st.columns(4), stored[1]):
        f = panel.frame
        title = f"({panel.letter}) JSD {f.jsd:.3f}, mean |D−½| {f.d_mean_dev:.2f}"
        fig = TF.figure_one(canvas.view, f, title, f"panel-{panel.letter}", height=380, legend=panel.letter == "a")
        col.plotly_chart(fig, key=f"theory.panel.{panel.letter}", config=CHART_CONFIG)
        col.caption(panel.caption)


def race_ui(run: RunController, canvas: TV.Canvas) -> None:
    st.latex(
        r"\text{saturating: } \min_G \; \mathbb{E}_z \log(1 - D(G(z))) \qquad"
        r"\text{non-saturating: } \min_G \; -\mathbb{E}_z \log D(G(z))"
    )
    race: RunController | None = st.session_state.get(RACE)
    st.plotly_chart(TF.objectives_figure(TV.race_d_fake(race)), key="theory.objectives", config=CHART_CONFIG)
    st.caption(
        f"A race from one start: D is first trained alone for {TR.RACE_PRETRAIN_STEPS} steps so it rejects G's "
        f"samples, then both runs take {TR.RACE_STEPS} steps of plain SGD (lr {TR.RACE_TRAIN.lr_g:g}) on the same "
        "batches, differing only in G's loss."
    )
    cols = st.columns([1, 1, 4])
    if cols[0].button("Start race", type="primary", help="Pre-train D, then train both generators side by side."):
        if race is None:
            with st.spinner("Pre-training D…"):
                race = state.replace_run(RACE, lambda: TV.new_race(run, canvas))
        if race.status is not Status.FINISHED:
            race.train()
    if cols[1].button("Reset race", help="Discard the race (it restarts from the current p_data and seed)."):
        race = state.replace_run(RACE, lambda: None)
    if race is not None:
        running = race.status in (Status.TRAINING, Status.QUEUED)
        st.fragment(race_view, run_every=1.0 if running else None)(race)


def race_view(race: RunController) -> None:
    session.watch(race)
    race_ = TV.race_state(race)
    w1 = race_.w1
    cols = st.columns([2, 3])
    cols[0].plotly_chart(TF.race_figure(race_.steps, w1, race.run_id), key="theory.race.w1", config=CHART_CONFIG)
    for col, (loss, frame) in zip(cols[1].columns(2), race_.frames.items()):
        revision = f"race-{loss}-{race.run_id}"
        fig = TF.figure_one(race_.view, frame, TF.RACE_LABELS[loss], revision, height=360, legend=False)
        col.plotly_chart(fig, key=f"theory.race.{loss}", config=CHART_CONFIG)
    st.markdown(
        f"At the start D(G(z)) = {race_.d_fake_start:.1e}, so the saturating slope −D is {race_.slope_ratio:,.0f}× "
        f"weaker than the non-saturating −(1 − D): after {race_.steps[-1]:,} steps the saturating G is still "
        f"W1 = {w1['minimax'][-1]:.2f} from p_data (it started at {w1['minimax'][0]:.2f}), the non-saturating one "
        f"W1 = {w1['nonsat'][-1]:.2f}."
    )


# ---- page ----------------------------------------------------------------------------------------
state.init(THEORY)
share.url_state(THEORY)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("1-D theory: watch D(x) flatten to ½")
st.caption(
    "Goodfellow et al. 2014, Figure 1, trained live. Black dots: p_data. Green: p_g, the generator's density. "
    "Blue dashed: the learned D(x). Pink dotted: the optimal D*(x). Below: each arrow maps a noise value z to x = G(z)."
)
st.latex(
    r"V(D,G) = \mathbb{E}_{x\sim p_\mathrm{data}}[\log D(x)] + \mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))]"
    r"\qquad D^*_G(x) = \frac{p_\mathrm{data}(x)}{p_\mathrm{data}(x) + p_g(x)}"
)

with st.sidebar:
    st.subheader("1-D theory settings")
    data_id, data = data_ui()
    form.form(THEORY, "Training")
    share.share_ui(THEORY)

settings = TV.run_settings(THEORY.values(st.session_state), data_id)
run: RunController | None = st.session_state.get(RUN)
if run is None:
    if data is None:  # a first visit with an unusable mixture starts from the Gaussian
        data, settings = TR.DATA_PRESETS["gaussian"], {**settings, "data": "gaussian"}
    run = new_run(data, settings)
session.watch(run)

cols = st.columns([1, 1, 1, 1, 4])
action = controls.run_buttons(cols, run.status in (Status.TRAINING, Status.QUEUED), "Train live; plots update.")
speed = form.widget(THEORY, "speed", where=cols[4])
if action == "reset":
    if data is None:
        st.warning("Reset needs a usable p_data; keeping the current one.")
    else:
        run = session.watch(new_run(data, settings))
if action in ("train", "pause", "step"):
    getattr(run, action)()  # RunController.train / .pause / .step (one step, waits for it)
run.set_speed(None if speed == "full" else float(speed))
if action in ("train", "pause", "reset"):
    st.rerun()

if data is not None and run.needs_reset(settings):
    st.warning("Settings changed: press **Reset** to build new networks with them.")
controls.status_notice(run, divergence_advice(None, run.settings["optimizer"], run.settings["k"], live=False))

show_dstar = form.widget(THEORY, "show_dstar")
canvas: TV.Canvas = st.session_state[CANVAS]
st.fragment(live_view, run_every=controls.live_timer(LIVE, run, 1.0))(run, canvas, show_dstar)

st.subheader("Figure 1, panels (a)–(d), from this run")
panels_ui(run, canvas)

st.subheader("Saturating vs non-saturating generator loss")
race_ui(run, canvas)
st.caption(f"ln 2 = {math.log(2):.3f} nats is the JSD of two distributions with disjoint supports.")
