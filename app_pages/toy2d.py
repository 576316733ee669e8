"""Toy 2-D page: train a small GAN live and watch D's decision surface, G's push and the game's numbers.

Training runs in this session's background worker (a RunController); the page only sends commands and redraws
the latest published state from a fragment a few times a second. What it draws comes from the toy experiment's
Scene (playground/experiments/toy/scene.py), its settings from one declaration (settings.py).
"""

from __future__ import annotations

import streamlit as st

from playground.experiments.advice import divergence_advice
from playground.experiments.toy.build import make_trainer, uploaded_dataset
from playground.experiments.toy.readout import metrics, readout
from playground.experiments.toy.scene import Scene
from playground.experiments.toy.settings import TOY, UPLOAD
from playground.gan.data import DataError, make_dataset
from playground.runtime.controller import RunController, Status
from playground.views.figures import CRITIC_WHY, is_critic
from webui import charts, controls, downloads, form, session, share, state

CHART_CONFIG = {"displaylogo": False}
RUN, SCENE = state.TOY_RUN, "toy.scene"  # the RunController; the Scene of its run (frames, pictures)
LIVE_STATE = "toy.live_state"  # lets the live fragment notice training stopped or got its slot
TIMELINE = "toy.timeline"  # snapshots the timeline slider offers (frozen at each full run)
RUNNING = (Status.TRAINING, Status.QUEUED)
BLOWN_UP = "The numbers grew without bound, so the networks stopped learning anything useful. "
G_UPDATE = {False: "G's update: a fresh minibatch of noise (Algorithm 1).",
            True: "G's update: the last D step's fakes again (DCGAN-style speed-up)."}  # fmt: skip
PLANE_KEYS = {2: ("toy.surface", "toy.manifold"), 3: ("toy.surface", "toy.dstar", "toy.manifold")}
LIVE_CAPTION = {
    False: "Live pictures while training: red = D says real, blue = D says fake, dark line: D = ½; green: real "
    "data, orange: fakes, arrows: ∇ₓD(G(z)). Pause for the interactive charts (hover, zoom).",
    True: "Live pictures while training: red = high critic score ('real'), blue = low, over the score's own "
    "range (no ½ line: a score is no probability); green: real data, orange: fakes, arrows: ∇ₓD(G(z)). Pause "
    "for the interactive charts (hover, zoom).",
}
V_NOTE = (
    "**No V(D,G) for a critic.** V(D,G) = E[log D(x)] + E[log(1 − D(G(z)))] and its optimum −log 4 need D to "
    "output a probability; a critic's score is not one. Its own objective is its loss (left); the critic gap "
    "above measures how well it still tells real from fake."
)


# ---- widgets -------------------------------------------------------------------------------------
def data_ui() -> tuple[str | None, object | None]:
    """Dataset choice (with CSV upload); returns (data id, dataset) or (None, None) when unusable."""
    name = form.widget(TOY, "dataset")
    if name != UPLOAD:
        return name, make_dataset(name)
    upload = st.file_uploader(
        "CSV of points (x, y)",
        type=["csv"],
        key="toy.csv",
        disabled=share.locked(TOY.key("dataset")),
        help="First two columns are x and y; a header row is optional; at most 5 MB.",
    )
    if upload is None:
        if not share.has_linked_data(TOY):  # else the link's points are used, and the share box says so
            st.info("Choose a CSV file to train on your own points.")
        return None, None
    try:
        return uploaded_dataset(upload.getvalue())
    except DataError as exc:
        st.error(str(exc))
        return None, None


def controls_ui(running: bool) -> str | None:
    """The run buttons, speed and refresh; returns the button pressed."""
    cols = st.columns([1, 1, 1, 1, 3, 3])
    pressed = controls.run_buttons(cols, running, "Train continuously in the background; plots update live.")
    form.widget(TOY, "speed", where=cols[4])
    form.widget(TOY, "refresh", where=cols[5])
    return pressed


def overlay_ui() -> tuple[bool, bool]:
    cols = st.columns(2)
    return form.widget(TOY, "show_arrows", where=cols[0]), form.widget(TOY, "show_dstar", where=cols[1])


def new_run(data_id: str, data, values: dict) -> RunController:
    settings = {**TOY.run_settings(values), "dataset": data_id}  # an upload is known by its content
    return RunController(lambda: make_trainer(data, values), settings, live=TOY.live_names, process=True)


# ---- live view -----------------------------------------------------------------------------------
def live_view(run: RunController, scene: Scene, show_arrows: bool, show_dstar: bool) -> None:
    """Redrawn by itself several times a second while training (st.fragment with run_every)."""
    session.watch(run)
    controls.rerun_on_change(LIVE_STATE, run)
    view = run.view()
    critic = is_critic(run.settings["loss"])  # the loss it runs with now (it applies live)
    frame, dstar_grid = scene.latest(show_dstar, view.published, critic)
    numbers = readout(view.history, frame, scene.data)
    row = metrics(frame.step, view.steps_per_s, numbers, view.status is Status.TRAINING)
    for col, m in zip(st.columns(len(row)), row, strict=True):
        col.metric(m.label, m.value, help=m.help)
    st.caption(G_UPDATE[run.settings["reuse_fakes"]])
    cols = st.columns(3 if show_dstar else 2)
    if view.status not in RUNNING:  # interactive figures once paused; pictures while training (cheap to redraw)
        planes = zip(scene.planes(frame, dstar_grid, show_arrows), PLANE_KEYS[len(cols)], strict=True)
        for col, (fig, key) in zip(cols, planes, strict=True):
            col.plotly_chart(fig, key=key, config=CHART_CONFIG)
        return
    for col, picture in zip(cols, scene.pictures(frame, dstar_grid, show_arrows), strict=True):
        col.markdown("**" + picture.title.replace("*", r"\*") + "**")  # D* is not emphasis
        col.image(downloads.image_url(picture.jpeg, "image/jpeg"))
    st.caption(LIVE_CAPTION[critic])


def curves_view(run: RunController, scene: Scene) -> None:
    """Losses, D outputs (a critic: its scores) and V(D,G) over steps; they redraw about once a second."""
    view = run.view()
    loss = run.settings["loss"]
    curves = scene.curves(loss, view.history)
    cols = st.columns(3)
    charts.curve_charts(cols, curves, view.status in RUNNING, run.run_id, "toy")
    if is_critic(loss):
        cols[len(curves)].info(V_NOTE)


def timeline_ui(scene: Scene) -> None:
    """Scrub back through stored snapshots (frozen at the last full run, so the slider stays put)."""
    snaps = st.session_state.get(TIMELINE) or []
    if len(snaps) < 2:
        st.caption(f"Snapshots are stored every {scene.snapshot_every} steps; train a little first.")
        return
    steps = [s.step for s in snaps]
    chosen = st.select_slider(
        "Snapshot at step",
        steps,
        value=steps[-1],
        help="Move back through training; the view shows D and G at that step.",
    )
    critic = is_critic(st.session_state[RUN].settings["loss"])
    planes = zip(scene.timeline_planes(snaps[steps.index(chosen)], critic), ("surface", "manifold"), strict=True)
    for col, (fig, key) in zip(st.columns(2), planes, strict=True):
        col.plotly_chart(fig, key=f"toy.timeline.{key}", config=CHART_CONFIG)


# ---- page ----------------------------------------------------------------------------------------
state.init(TOY)
share.url_state(TOY)  # a shared link's settings (once per session), then the URL follows the widgets
st.title("Toy 2-D GAN")
st.caption(
    "Green: real data. Orange: the generator's fakes. Colour: the discriminator's D(x) — red says "
    "'real', blue says 'fake', the dark line (dashed when paused) is D = ½ (with a critic loss: its score, "
    "no ½). Arrows show where the generator pushes each fake."
)

with st.sidebar:
    st.subheader("Toy 2-D settings")
    with st.expander("Data", expanded=True):
        data_id, data = share.linked_data(TOY, data_ui())  # or the points a link carried
    with st.expander("Training", expanded=True):
        form.form(TOY, "Training")
    with st.expander("Networks"):
        form.form(TOY, "Networks")
    share.share_ui(TOY, data)  # a small uploaded point set travels in the link
values = TOY.values(st.session_state)

run: RunController | None = st.session_state.get(RUN)
if run is None:
    if data is None:  # a first visit straight to an unusable CSV: start on the default set meanwhile
        data_id, data = "ring8", make_dataset("ring8")
    run = state.replace_run(RUN, lambda: new_run(data_id, data, values))
session.watch(run)

action = controls_ui(run.status in RUNNING)
if action == "reset":
    if data is None:
        st.warning("Reset needs a usable dataset; keeping the current one.")
    else:
        run = state.replace_run(RUN, lambda: new_run(data_id, data, values))
        session.watch(run)
if action == "train":
    run.train()
elif action == "pause":
    run.pause()
elif action == "step":
    run.step()  # one step takes milliseconds: it waits to show its result in this very run
run.set_speed(None if values["speed"] == "full" else float(values["speed"]))
run.apply(values)
if action in ("train", "pause", "reset"):
    st.rerun()  # redraw the buttons' enabled state and the refresh timer for the new state

if data is not None and run.needs_reset({**values, "dataset": data_id}):
    st.warning("Dataset, networks, optimizer or seed changed: press **Reset** to build new networks with them.")
ran = run.settings  # the loss, optimizer and k it runs with now: advice only for what it has not tried
controls.status_notice(run, BLOWN_UP + divergence_advice(ran["loss"], ran["optimizer"], ran["k"]))
if is_critic(ran["loss"]):
    st.info(CRITIC_WHY + " The colours, numbers and curves below show critic scores.", icon=":material/info:")

scene: Scene | None = st.session_state.get(SCENE)
if scene is None or scene.revision != run.run_id:  # the fixed view and frame caches of this run
    scene = st.session_state[SCENE] = Scene.of(run)
show_arrows, show_dstar = overlay_ui()
refresh = controls.live_timer(LIVE_STATE, run, 1.0 / values["refresh"])
st.fragment(live_view, run_every=refresh)(run, scene, show_arrows, show_dstar)
st.fragment(curves_view, run_every=max(refresh, 1.0) if refresh else None)(run, scene)

with st.expander("Timeline: scrub back through training"):
    st.session_state[TIMELINE] = scene.snapshots()
    st.fragment(timeline_ui)(scene)

with st.expander("Downloads"):
    downloads.buttons(downloads.run_files(run, {"dataset": run.settings["dataset"]}))
