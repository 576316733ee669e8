"""Mode-collapse lab: a collapsing GAN beside a remedy from the same seed, many seeds at once, the papers' numbers.

Layout only. Three runs, each a ``RunController`` built by ``experiments.collapse.runs``: two presets side by
side in lockstep, both presets over many seeds (stacked networks), and an MNIST pair. Each is redrawn from its
latest published state by a fragment; ``experiments.collapse.view`` says what to draw.
"""

from __future__ import annotations

import streamlit as st

from playground.experiments.collapse import about, runs
from playground.experiments.collapse import view as CV
from playground.experiments.collapse.settings import COLLAPSE, usual_pair
from playground.experiments.mnist.presets import MNIST_PAIR, MNIST_PRESETS
from playground.experiments.toy.presets import presets_for
from playground.runtime.controller import RunController, Status
from webui import controls, form, resources, session, share, state

PLANE_HEIGHT = 400
CHART_CONFIG = {"displaylogo": False}
RUNNING = (Status.TRAINING, Status.QUEUED)
PAIR_RUN, PAIR_LIVE_STATE = "collapse.pair", "collapse.pair_live_state"  # the side-by-side runs
SWEEP_RUN, SWEEP_LIVE_STATE = "collapse.sweep", "collapse.sweep_live_state"  # the multi-seed comparison
DIGITS_RUN, DIGITS_LIVE_STATE = "collapse.digits", "collapse.digits_live_state"  # the MNIST pair
TAB, TABS = "collapse.tab", ("Side by side", "Many seeds", "MNIST digits", "Protocol, remedies, papers")
PRESET_KEYS = tuple(COLLAPSE.key(n) for n in ("dataset", "left", "right"))  # the ring/grid choice


# ---- widgets -------------------------------------------------------------------------------------
def _dataset_changed() -> None:
    for name, value in usual_pair(st.session_state[COLLAPSE.key("dataset")]).items():
        st.session_state[COLLAPSE.key(name)] = value


def setup_ui() -> None:
    """Which two presets to compare (not on the MNIST tab: its pair is fixed), the seed, the plots' refresh."""
    if st.session_state.get(TAB) == "MNIST digits":
        for key in PRESET_KEYS:  # kept while hidden: Streamlit drops the state of a widget it does not draw
            st.session_state[key] = st.session_state[key]
        st.caption("The MNIST tab compares one fixed pair; the ring and grid presets are on the other tabs.")
    else:
        names = presets_for(form.widget(COLLAPSE, "dataset", on_change=_dataset_changed))
        for name in ("left", "right"):
            form.widget(COLLAPSE, name, options=names)
    form.widget(COLLAPSE, "seed")
    form.widget(COLLAPSE, "refresh")


def run_controls(key: str, make, step_help: str, budget: int | None = None) -> RunController:
    """Train / Pause / Step / Reset for the run stored under ``key`` (built by ``make`` when missing or on Reset);
    ``budget``: a step count the page steers (the sweep's Steps), else the run's own."""
    run = session.watch(st.session_state.get(key) or state.replace_run(key, make))
    if budget is not None:
        run.max_steps = budget  # Steps steers a running sweep: it pauses there
    cols = st.columns([1, 1, 1, 1, 4])
    train_help = "Train in the background; the plots update live."
    action = controls.run_buttons(cols, run.status in RUNNING, train_help, key, step_help)
    if action == "reset":
        run = session.watch(state.replace_run(key, make))
    if action == "train":
        run.train()
    elif action == "pause":
        run.pause()
    elif action == "step":
        run.step(wait=10.0)  # one step takes milliseconds (an MNIST pair ~0.1 s): show it in this run
    if action in ("train", "pause", "reset"):
        st.rerun()  # redraw the buttons' enabled state and the refresh timer for the new state
    if run.status in (Status.STOPPED, Status.CRASHED):
        st.info(f"Training was stopped ({run.view().stop_reason}). Press Train to continue.")
    elif run.status is Status.FINISHED:
        st.info(CV.finished_notice(run.max_steps, sweep=budget is not None), icon=":material/flag:")
    return run


def big_numbers(numbers: dict[str, str]) -> None:
    for col, (label, value) in zip(st.columns(len(numbers)), numbers.items(), strict=True):
        col.metric(label, value, help=about.METRIC_HELP[label])


def diverged_ui(run: RunController, column: CV.PairColumn | CV.DigitColumn, key: str) -> None:
    """A blown-up run (its neighbour trains on): why, and a way back to its last good weights."""
    if column.diverged:
        st.error(f"This run blew up at step {column.step:,}: {column.diverged}. Resume it, or press Reset.")
        if st.button("Resume from last good snapshot", key=key, help="Reload the last weights before the blow-up."):
            run.resume()
            st.rerun()


# ---- side by side --------------------------------------------------------------------------------
def run_column(run: RunController, column: CV.PairColumn, i: int) -> None:
    """Big numbers, samples over the density, per-mode bars, the mode timeline and D's surface of one run."""
    st.markdown(f"#### {column.name}")
    big_numbers(column.numbers)
    diverged_ui(run, column, f"collapse.pair.resume{i}")
    st.plotly_chart(column.samples.update_layout(height=PLANE_HEIGHT), key=f"collapse.samples{i}", config=CHART_CONFIG)
    st.plotly_chart(column.bars, key=f"collapse.bars{i}", config=CHART_CONFIG)
    st.plotly_chart(column.timeline, key=f"collapse.timeline{i}", config=CHART_CONFIG)
    st.plotly_chart(column.surface.update_layout(height=PLANE_HEIGHT), key=f"collapse.surface{i}", config=CHART_CONFIG)


def pair_view(run: RunController) -> None:
    """Redrawn by itself while training (st.fragment with run_every)."""
    session.watch(run)
    controls.rerun_on_change(PAIR_LIVE_STATE, run)  # e.g. paused at the presets' step count, or diverged
    view = run.view()
    st.caption(f"Step **{view.step:,}** · {view.steps_per_s:.0f} steps/s for both runs together")
    for i, (col, column) in enumerate(zip(st.columns(2, gap="large"), CV.pair_columns(run), strict=True)):
        with col:
            run_column(run, column, i)


def side_by_side_ui(values: dict) -> None:
    run = run_controls(PAIR_RUN, lambda: runs.pair_run(values), "One generator step for both runs.")
    if run.needs_reset(values):
        st.warning("Presets or seed changed: press **Reset** to build the two runs with them.")
    for col, name in zip(st.columns(2, gap="large"), (run.settings["left"], run.settings["right"])):
        col.caption(about.preset_caption(name))
    refresh = controls.live_timer(PAIR_LIVE_STATE, run, 1.0 / values["refresh"])
    st.fragment(pair_view, run_every=refresh)(run)


# ---- many seeds ----------------------------------------------------------------------------------
def sweep_view(run: RunController, steps: int) -> None:
    session.watch(run)
    controls.rerun_on_change(SWEEP_LIVE_STATE, run)
    view, results = run.view(), CV.sweep_results(run)
    st.caption(f"Step **{view.step:,}** of {steps:,} · {run.settings['sweep_seeds']} seeds per configuration · "
               f"{view.steps_per_s:.1f} steps/s (all seeds of both together)")  # fmt: skip
    for col, fig, name in zip(st.columns(3), CV.sweep_charts(results), ("modes", "over", "hq")):
        col.plotly_chart(fig, key=f"collapse.sweep.{name}", config=CHART_CONFIG)
    st.dataframe(CV.sweep_table(results), hide_index=True, width="stretch")
    st.download_button("Per-seed metrics (.csv)", CV.sweep_csv(results), "sweep.csv", mime="text/csv",
                       key="collapse.sweep.csv", help="One row per preset and seed at the current step.")  # fmt: skip


def sweep_ui(values: dict) -> None:
    cols = st.columns(2)
    form.widget(COLLAPSE, "sweep_seeds", where=cols[0])
    form.widget(COLLAPSE, "sweep_steps", where=cols[1], step=500)
    run = run_controls(SWEEP_RUN, lambda: runs.sweep_run(values), "One generator step for every seed of both.",
                       budget=values["sweep_steps"])  # fmt: skip
    if run.needs_reset(values):
        st.warning("Presets or seed count changed: press **Reset** (here) to sweep them.")
    refresh = controls.live_timer(SWEEP_LIVE_STATE, run, 1.0)
    st.fragment(sweep_view, run_every=refresh)(run, values["sweep_steps"])


# ---- MNIST: collapse on real images ---------------------------------------------------------------
def digit_column(run: RunController, column: CV.DigitColumn, i: int) -> None:
    """One MNIST run: big numbers, the classifier's class histogram and a grid of samples from fixed z."""
    st.markdown(f"#### {column.name}")
    st.caption(MNIST_PRESETS[column.name].label)
    big_numbers(column.numbers)
    diverged_ui(run, column, f"collapse.digits.resume{i}")
    st.plotly_chart(column.histogram, key=f"collapse.digits.hist{i}", config=CHART_CONFIG)
    st.image(column.grid_png, caption="G(z) for fixed z")


def digits_view(run: RunController) -> None:
    session.watch(run)
    controls.rerun_on_change(DIGITS_LIVE_STATE, run)
    columns = CV.digit_columns(run, resources.classifier())
    for i, (col, column) in enumerate(zip(st.columns(2), columns, strict=True)):
        with col:
            digit_column(run, column, i)


def digits_ui(values: dict) -> None:
    st.markdown(about.DIGITS_INTRO)
    st.info(about.DIGITS_PATIENCE, icon=":material/schedule:")
    make = lambda: runs.digits_run(values, resources.mnist_data())
    run = run_controls(DIGITS_RUN, make, "One generator step for both runs.")
    with st.expander("What was measured with these two settings"):
        for name in MNIST_PAIR:
            st.markdown(f"**{name}** — {MNIST_PRESETS[name].description}")
    st.fragment(digits_view, run_every=controls.live_timer(DIGITS_LIVE_STATE, run, 2.0))(run)


def about_ui() -> None:
    with st.expander("How modes are counted", expanded=True):
        st.markdown(about.PROTOCOL)
    with st.expander("The remedies and their papers"):
        st.markdown(about.remedy_list())
    with st.expander("Published numbers"):
        st.markdown(about.PUBLISHED)


# ---- page ----------------------------------------------------------------------------------------
state.init(COLLAPSE)
share.url_state(COLLAPSE)  # a shared link's settings (once per session), then the URL follows the widgets
_names = presets_for(st.session_state[COLLAPSE.key("dataset")])
if not {st.session_state[COLLAPSE.key("left")], st.session_state[COLLAPSE.key("right")]} <= set(_names):
    st.warning("Link: both runs must use presets of the chosen data set; showing its usual pair instead.")
    _dataset_changed()
st.title("Mode-collapse lab")
st.caption(about.INTRO)
with st.sidebar:
    st.subheader("Mode-collapse settings")
    setup_ui()
    share.share_ui(COLLAPSE)
values = COLLAPSE.values(st.session_state)

tab_pair, tab_sweep, tab_digits, tab_about = st.tabs(TABS, key=TAB, on_change="rerun")  # setup_ui reads TAB
with tab_pair:
    side_by_side_ui(values)
with tab_sweep:
    sweep_ui(values)
with tab_digits:
    digits_ui(values)
with tab_about:
    about_ui()
