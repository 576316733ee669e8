"""1-D theory page: Goodfellow et al. 2014, Figure 1 trained live — D(x) flattens to ½ as p_g reaches p_data.

A 1-D GAN trains in this session's background worker; the page shows p_data, p_g, D and D* on one axis with
the z → x mapping below, the game's value against −log 4 and the JSD, the paper's panels (a)–(d) rebuilt from
the run's snapshots, and a saturating-vs-non-saturating race. Every number comes from
playground.experiments.theory.runs.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace

import streamlit as st

import app_state as S
from playground import urlstate
from playground.experiments.theory import figures as TF
from playground.experiments.theory import runs as TR
from playground.gan.data import DataError
from playground.gan.trainer import Trainer
from playground.runtime.worker import TrainingWorker

CUSTOM = "custom"
DATA_LABELS = {
    "gaussian": "Gaussian N(2, 0.5²)",
    "mixture": "Two Gaussians at 1.5 and 3.5",
    "uniform": "Uniform on [1, 3]",
    CUSTOM: "Your mixture…",
}
PRIOR_LABELS = {"uniform": "uniform on [−1, 1] (as in the paper)", "normal": "standard normal"}
OPTIMIZER_LABELS = {"adam": "Adam (β₁ 0.5)", "sgd": "SGD + momentum 0.9 (the paper's)"}
LEARNING_RATES = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
WIDTHS = [8, 16, 32, 64, 128]
SPEEDS = [5, 10, 20, 50, 100, "full"]
CHART_CONFIG = {"displaylogo": False}
_M, _T = TR.THEORY_MODEL, TR.THEORY_TRAIN
# Widget defaults of this page (registered in app_state.DEFAULTS below, with the page's link schema).
DEFAULTS: dict[str, object] = {
    "theory.data": "gaussian",
    "theory.custom": TR.CUSTOM_EXAMPLE,
    "theory.prior": _M.prior,
    "theory.hidden": _M.hidden,
    "theory.optimizer": _T.optimizer,
    "theory.lr": _T.lr_d,
    "theory.k": _T.k,
    "theory.seed": _T.seed,
    "theory.speed": "full",
    "theory.show_dstar": True,
}
RUN, RACE, PANELS, LIVE_STATE = "theory.run", "theory.race", "theory.panels", "theory.live_state"
THEORY = "theory"
S.DEFAULTS.setdefault(THEORY, DEFAULTS)
S.URL_SCHEMAS.setdefault(
    THEORY,
    urlstate.Schema(
        prefix="theory.",
        fields={
            "data": urlstate.Choice(tuple(DATA_LABELS)),
            "custom": urlstate.Text(TR.parse_mixture),
            "prior": urlstate.Choice(tuple(PRIOR_LABELS)),
            "hidden": urlstate.Choice(tuple(WIDTHS)),
            "optimizer": urlstate.Choice(tuple(OPTIMIZER_LABELS)),
            "lr": urlstate.Choice(tuple(LEARNING_RATES)),
            "k": urlstate.IntRange(1, 10),
            "seed": urlstate.IntRange(0, 10_000),
            "speed": urlstate.Choice(tuple(SPEEDS)),
            "show_dstar": urlstate.Flag(),
        },
        display=frozenset({"speed", "show_dstar"}),
    ),
)


@dataclass
class TheoryRun:
    """The live 1-D run of this session: worker (and trainer), fixed view, what it was built from."""

    worker: TrainingWorker
    data: TR.Data1D
    view: TR.View1D
    build: tuple
    run_id: str
    cache: dict = field(default_factory=dict)  # step → Frame1D, so each refresh computes one new frame


@dataclass
class RaceRun:
    worker: TrainingWorker  # steps a TrainerPair
    run_id: str


# ---- widgets -------------------------------------------------------------------------------------
def data_ui() -> tuple[str, TR.Data1D | None]:
    name = st.selectbox(
        "p_data",
        list(DATA_LABELS),
        key="theory.data",
        disabled=S.locked("theory.data"),
        format_func=DATA_LABELS.get,
        help="The real distribution the generator must learn. All presets sit away from G's start at x ≈ 0. "
        "Needs Reset.",
    )
    if name != CUSTOM:
        return name, TR.DATA_PRESETS[name]
    text = st.text_input(
        "Mixture: weight, mean, std; …",
        key="theory.custom",
        disabled=S.locked("theory.custom"),
        help="One Gaussian per ';'-separated triple, e.g. 0.7, 2, 0.4; 0.3, 4, 0.3. Weights are normalised. "
        "Needs Reset.",
    )
    try:
        data = TR.parse_mixture(text)
    except DataError as exc:
        st.error(str(exc))
        return name, None
    return f"custom:{data}", data


def settings_ui():
    prior = st.radio(
        "Noise z",
        list(PRIOR_LABELS),
        key="theory.prior",
        disabled=S.locked("theory.prior"),
        format_func=PRIOR_LABELS.get,
        help="The generator maps this 1-D noise to x = G(z). Needs Reset.",
    )
    hidden = st.select_slider(
        "Width (units per layer)",
        WIDTHS,
        key="theory.hidden",
        disabled=S.locked("theory.hidden"),
        help="Hidden units in both 2-layer MLPs. Needs Reset.",
    )
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZER_LABELS),
        key="theory.optimizer",
        disabled=S.locked("theory.optimizer"),
        format_func=OPTIMIZER_LABELS.get,
        help="Optimizer of both players. Needs Reset.",
    )
    lr = st.select_slider(
        "Learning rate",
        LEARNING_RATES,
        key="theory.lr",
        disabled=S.locked("theory.lr"),
        format_func="{:g}".format,
        help="For D and G. Needs Reset.",
    )
    k = st.slider(
        "k: D steps per G step",
        1,
        10,
        key="theory.k",
        disabled=S.locked("theory.k"),
        help="Algorithm 1's inner loop. Needs Reset.",
    )
    seed = st.number_input(
        "Seed",
        0,
        10_000,
        step=1,
        key="theory.seed",
        disabled=S.locked("theory.seed"),
        help="Initial weights and data draws.",
    )
    model_cfg = replace(_M, prior=prior, hidden=hidden)
    train_cfg = replace(_T, optimizer=optimizer, lr_d=lr, lr_g=lr, k=k, seed=int(seed))
    return model_cfg, train_cfg


def controls_ui(running: bool) -> str | None:
    cols = st.columns([1, 1, 1, 1, 4])
    pressed = S.run_buttons(cols, running, "Train live; plots update.")
    cols[4].select_slider(
        "Speed (steps/s)",
        SPEEDS,
        key="theory.speed",
        disabled=S.locked("theory.speed"),
        help="Cap the speed to watch slowly; 'full' is as fast as the CPU.",
    )
    return pressed


# ---- run lifecycle -------------------------------------------------------------------------------
def new_run(data_id: str, data: TR.Data1D, model_cfg, train_cfg) -> TheoryRun:
    trainer = Trainer(data, model_cfg, train_cfg, "cpu")
    view = TR.make_view(data, model_cfg.prior, seed=train_cfg.seed)
    build = (data_id, model_cfg, train_cfg)
    run_id = hashlib.sha1(repr((build, id(trainer))).encode()).hexdigest()[:10]
    return TheoryRun(TrainingWorker(trainer, process=True), data, view, build, run_id)


def new_race(run: TheoryRun) -> RaceRun:
    model_cfg = run.worker.trainer.model_cfg
    pair = TR.TrainerPair(run.data, model_cfg, replace(TR.RACE_TRAIN, seed=run.worker.trainer.cfg.seed), run.view)
    return RaceRun(TrainingWorker(pair), hashlib.sha1(repr(id(pair)).encode()).hexdigest()[:10])


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


def metrics_ui(run: TheoryRun, frame: TR.Frame1D) -> None:
    cols = st.columns(6)
    cols[0].metric("step", f"{run.worker.trainer.step_count:,}", help="Generator steps so far (each after k D steps).")
    cols[1].metric("steps/s", f"{run.worker.steps_per_s():.0f}", help="Training speed over the last 1.5 s.")
    cols[2].metric(
        "JSD(p_data‖p_g)", f"{frame.jsd:.3f}", help="In nats, on a grid: ln 2 ≈ 0.693 when disjoint, 0 at p_g = p_data."
    )
    cols[3].metric(
        "V(D,G)", f"{frame.value:.3f}", help=f"The learned D's value; −log 4 = {-TR.LOG4:.3f} at the optimum."
    )
    cols[4].metric("mean |D − ½|", f"{frame.d_mean_dev:.3f}", help="Under p_data: 0 once D has flattened to ½.")
    cols[5].metric("W1 to p_data", f"{frame.w1:.3f}", help="Wasserstein-1 between 1,000 fakes and 1,000 data points.")


def live_view(run: TheoryRun, show_dstar: bool) -> None:
    worker = S.watch(run.worker)
    S.rerun_on_change(LIVE_STATE, worker)
    series = TR.run_series(worker.trainer, run.view, run.cache)
    frame = run.cache[int(series.step[-1])]
    metrics_ui(run, frame)
    fig = TF.figure_one(
        run.view, frame, f"Step {frame.step:,}: p_data, p_g, D and D*", run.run_id, show_dstar=show_dstar
    )
    cols = st.columns([3, 2])
    cols[0].plotly_chart(fig, key="theory.figure", config=CHART_CONFIG)
    cols[1].plotly_chart(TF.theory_curves(series, run.run_id), key="theory.curves", config=CHART_CONFIG)
    equation_ui(frame)


def panels_ui(run: TheoryRun) -> None:
    st.caption(
        "(a) the first snapshot whose JSD fell below 0.45, (b) its D trained alone, (c) its G updated against that D, "
        "(d) the latest weights. Paper: Goodfellow et al. 2014, Figure 1."
    )
    if st.button("Build panels (a)–(d) from this run", help="Uses the run's stored snapshots; takes a second or two."):
        with st.spinner("Training D and G copies…"):
            st.session_state[PANELS] = (run.run_id, TR.figure_one_panels(run.worker.trainer, run.view, run.data))
    stored = st.session_state.get(PANELS)
    if not stored or stored[0] != run.run_id:
        return
    cols = st.columns(4)
    for col, panel in zip(cols, stored[1]):
        f = panel.frame
        title = f"({panel.letter}) JSD {f.jsd:.3f}, mean |D−½| {f.d_mean_dev:.2f}"
        fig = TF.figure_one(run.view, f, title, f"panel-{panel.letter}", height=380, legend=panel.letter == "a")
        col.plotly_chart(fig, key=f"theory.panel.{panel.letter}", config=CHART_CONFIG)
        col.caption(panel.caption)


def race_ui(run: TheoryRun) -> None:
    st.latex(
        r"\text{saturating: } \min_G \; \mathbb{E}_z \log(1 - D(G(z))) \qquad"
        r"\text{non-saturating: } \min_G \; -\mathbb{E}_z \log D(G(z))"
    )
    race: RaceRun | None = st.session_state.get(RACE)
    d_now = None
    if race is not None:
        d_now = {loss: t.history.copy()["d_fake"][-1:] or [race.worker.trainer.d_fake_start]
                 for loss, t in race.worker.trainer.trainers.items()}  # fmt: skip
        d_now = {loss: v[0] for loss, v in d_now.items()}
    st.plotly_chart(TF.objectives_figure(d_now), key="theory.objectives", config=CHART_CONFIG)
    st.caption(
        f"A race from one start: D is first trained alone for {TR.RACE_PRETRAIN_STEPS} steps so it rejects G's "
        f"samples, then both runs take {TR.RACE_STEPS} steps of plain SGD (lr {TR.RACE_TRAIN.lr_g:g}) on the same "
        "batches, differing only in G's loss."
    )
    cols = st.columns([1, 1, 4])
    if cols[0].button("Start race", type="primary", help="Pre-train D, then train both generators side by side."):
        if race is None:
            with st.spinner("Pre-training D…"):
                race = S.replace_run(RACE, lambda: new_race(run))
        race.worker.start()
    if cols[1].button("Reset race", help="Discard the race (it restarts from the current p_data and seed)."):
        S.replace_run(RACE, lambda: None)
        race = None
    if race is not None:
        st.fragment(race_view, run_every=1.0 if race.worker.running else None)(race)


def race_view(race: RaceRun) -> None:
    worker = S.watch(race.worker)
    pair: TR.TrainerPair = worker.trainer
    if pair.finished and worker.running:
        worker.pause()
    steps, w1 = pair.w1_history()
    cols = st.columns([2, 3])
    cols[0].plotly_chart(TF.race_figure(steps, w1, race.run_id), key="theory.race.w1", config=CHART_CONFIG)
    frames = {loss: TR.frame_at(t, pair.view) for loss, t in pair.trainers.items()}
    inner = cols[1].columns(2)
    for col, (loss, frame) in zip(inner, frames.items()):
        fig = TF.figure_one(pair.view, frame, TF.RACE_LABELS[loss], f"race-{loss}-{race.run_id}", height=360,
                            legend=False)  # fmt: skip
        col.plotly_chart(fig, key=f"theory.race.{loss}", config=CHART_CONFIG)
    d0 = pair.d_fake_start
    sat, non = w1["minimax"][-1], w1["nonsat"][-1]
    st.markdown(
        f"At the start D(G(z)) = {d0:.1e}, so the saturating slope −D is {(1 - d0) / d0:,.0f}× weaker than the "
        f"non-saturating −(1 − D): after {steps[-1]:,} steps the saturating G is still W1 = {sat:.2f} from p_data "
        f"(it started at {w1['minimax'][0]:.2f}), the non-saturating one W1 = {non:.2f}."
    )


# ---- page ----------------------------------------------------------------------------------------
S.ensure_router()
S.init(THEORY)
S.url_state(THEORY)  # a shared link's settings (once per session), then the URL follows the widgets
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
    model_cfg, train_cfg = settings_ui()
    S.share_ui(THEORY)

run: TheoryRun | None = st.session_state.get(RUN)
if run is None:
    if data is None:
        data_id, data = "gaussian", TR.DATA_PRESETS["gaussian"]
    run = S.replace_run(RUN, lambda: new_run(data_id, data, model_cfg, train_cfg))
worker = S.watch(run.worker)

action = controls_ui(worker.running)
if action == "reset":
    if data is None:
        st.warning("Reset needs a usable p_data; keeping the current one.")
    else:
        run = S.replace_run(RUN, lambda: new_run(data_id, data, model_cfg, train_cfg))
        worker = S.watch(run.worker)
        S.replace_run(RACE, lambda: None)
if action == "train":
    worker.start()
elif action == "pause":
    worker.pause()
elif action == "step":
    worker.step_once()
    worker.wait_idle(2.0)
speed = st.session_state["theory.speed"]
worker.max_steps_per_s = None if speed == "full" else float(speed)
if action in ("train", "pause", "reset"):
    st.rerun()

if data is not None and (data_id, model_cfg, train_cfg) != run.build:
    st.warning("Settings changed: press **Reset** to build new networks with them.")
if run.worker.trainer.diverged:
    st.error(f"Training blew up at step {run.worker.trainer.step_count:,}: {run.worker.trainer.diverged}. Lower "
             "the learning rate or use Adam, then Reset.")  # fmt: skip

show_dstar = st.toggle(
    "Show optimal D*",
    key="theory.show_dstar",
    disabled=S.locked("theory.show_dstar"),
    help="D*(x) = p_data / (p_data + p_g) for the current G.",
)
st.fragment(live_view, run_every=S.live_timer(LIVE_STATE, worker, 1.0))(run, show_dstar)

st.subheader("Figure 1, panels (a)–(d), from this run")
panels_ui(run)

st.subheader("Saturating vs non-saturating generator loss")
race_ui(run)
st.caption(f"ln 2 = {math.log(2):.3f} nats is the JSD of two distributions with disjoint supports.")
