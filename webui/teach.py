"""The toy page's teaching tools: Train D only / G only, Step slowly (one iteration phase by phase, with the
minibatch's numbers), the model overview graph, the latent-to-data slide and the pretrained models.

What they compute lives in ``playground.experiments.toy`` (``one_sided``, ``slowmo``, ``slowmo_figures``,
``graph``, ``morph``, ``pretrained``); here only the widgets. Steps run in the run's worker thread
(``worker.call``), where every step of the run is taken.
"""

from __future__ import annotations

import time
from functools import partial

import streamlit as st

from playground.experiments.toy import morph, pretrained, slowmo
from playground.experiments.toy.graph import model_graph
from playground.experiments.toy.one_sided import one_sided_step
from playground.experiments.toy.settings import TOY
from playground.experiments.toy.slowmo_figures import phase_figures
from playground.views.plane import generator_manifold

SLOW = "toy.slowmo"  # (run id, SlowIteration) of the last slow step
PHASE = "toy.slowmo.phase"  # the phase on show
SHOWN_AT = "toy.slowmo.shown_at"  # when it came on screen (the auto pace advances from there)
PACES = {"by hand": None, "1 s": 1.0, "2 s": 2.0, "4 s": 4.0}  # seconds per phase
LOAD = "toy.pretrained.load"  # the data set whose pretrained pair the next run starts from
CONFIG = {"displaylogo": False}


def _in_worker(run, fn, wait: float = 5.0) -> None:
    """Pause the run and call ``fn(trainer)`` where its steps are taken; wait for it (a step takes milliseconds)."""
    run.pause()
    run.worker.call(fn)
    run.worker.wait_idle(wait)


def one_sided_buttons(cols, run) -> None:
    """Train D only / Train G only: one iteration in which only that network learns."""
    for col, learner, label, why in (
        (cols[0], "d", "Train D only", "One iteration of k D steps; G stays as it is (D heads for D*)."),
        (cols[1], "g", "Train G only", "One iteration of k_G G steps; D stays as it is."),
    ):
        if col.button(label, key=f"toy.only.{learner}", width="stretch", help=why):
            _in_worker(run, partial(one_sided_step, learner=learner))


def show_graph(svg: str, where=st) -> None:
    """An SVG inline (st.html drops SVG elements; markdown with HTML keeps them, and no script runs)."""
    where.markdown(svg, unsafe_allow_html=True)


def model_overview(run, history: dict) -> None:
    """The model overview graph of the run with the numbers of its latest step (``graph.model_graph``)."""
    last = {name: history[name][-1] for name in ("d_real", "d_fake", "d_loss", "g_loss") if history.get(name)}
    show_graph(model_graph(run.trainer.model_cfg, run.settings["loss"], last))


def slow_motion(run, scene) -> None:
    """Step slowly: the button, the pace, and the phase on show (a fragment, so the pace redraws only it)."""
    reason = slowmo.covers(run.trainer)
    cols = st.columns([1, 2])
    pressed = cols[0].button("Step slowly", key="toy.slowmo.go", type="primary", disabled=reason is not None,
                             width="stretch", help="Play one iteration of Algorithm 1 phase by phase.")  # fmt: skip
    pace = cols[1].radio("Pace", tuple(PACES), key="toy.slowmo.pace", horizontal=True,
                         help="'by hand': Next phase moves on; otherwise one phase every so many seconds.")  # fmt: skip
    if reason:
        st.info(reason)
    if pressed:
        played: list = []
        _in_worker(run, lambda trainer: played.append(slowmo.play(trainer, scene.view.grid)))
        if played:
            st.session_state[SLOW], st.session_state[PHASE] = (run.run_id, played[0]), 0
            st.session_state[SHOWN_AT] = time.monotonic()
            st.rerun()  # the live view above was drawn before this step: redraw it at the new step
    st.fragment(_phase_view, run_every=PACES[pace])(run, scene, PACES[pace])


def _phase_view(run, scene, pace: float | None) -> None:
    held = st.session_state.get(SLOW)
    if held is None or held[0] != run.run_id:
        st.caption("Press **Step slowly** to play the next iteration one phase at a time, with its real numbers.")
        return
    played, i = held[1], st.session_state.get(PHASE, 0)
    last = len(played.phases) - 1
    if pace and i < last and time.monotonic() - st.session_state.get(SHOWN_AT, 0.0) >= 0.9 * pace:
        i = _show(i + 1)
    cols = st.columns([1, 1, 1, 4])
    if cols[0].button("◀ Back", key="toy.slowmo.back", disabled=i == 0, width="stretch", help="The phase before."):
        i = _show(i - 1)
    if cols[1].button("Next phase ▶", key="toy.slowmo.next", disabled=i == last, width="stretch",
                      help="Show the next phase of this iteration."):  # fmt: skip
        i = _show(i + 1)
    if cols[2].button("Restart", key="toy.slowmo.restart", disabled=i == 0, width="stretch",
                      help="Play this iteration's phases again (the weights stay as they are now)."):  # fmt: skip
        i = _show(0)
    phase = played.phases[i]
    st.progress((i + 1) / len(played.phases), text=f"Phase {i + 1} of {last + 1} (step {played.step})")
    st.markdown(f"#### {phase.title}")
    st.code(phase.formula, language=None, wrap_lines=True)
    for col, (label, value) in zip(st.columns(len(phase.numbers)), phase.numbers, strict=True):
        col.metric(label, f"{value:d}" if isinstance(value, int) else f"{value:.4f}")
    figures = phase_figures(played, phase, scene.view)
    cols = st.columns([1, 1.6] if len(figures) == 1 else len(figures))  # one plane: the graph beside it
    for j, (col, fig) in enumerate(zip(cols, figures)):
        col.plotly_chart(fig, key=f"toy.slowmo.fig.{i}.{j}", config=CONFIG)
    numbers = {k: played.stats[k] for k in ("d_real", "d_fake", "d_loss", "g_loss")}
    graph = model_graph(run.trainer.model_cfg, run.settings["loss"], numbers, phase.key)
    show_graph(graph, cols[1] if len(figures) == 1 else st)
    if i == last:
        st.success(f"Iteration done: the run is at step {played.step}, exactly as one normal step would leave it.")


def _show(i: int) -> int:
    st.session_state[PHASE], st.session_state[SHOWN_AT] = i, time.monotonic()
    return i


def latent_slide(scene, frame) -> None:
    """A slider t from z (0) to G(z) (1): the latent grid moves onto the data (GAN Lab's hover animation)."""
    t = st.slider("t: from z (0) to G(z) (1)", 0.0, 1.0, 1.0, 0.05, key="toy.morph.t",
                  help="At 0 the grid lines sit at their latent coordinates, at 1 where G sends them.")  # fmt: skip
    lines = scene.view.latent_lines.numpy()
    moved = morph.morph(lines, frame.manifold, t)
    fig = generator_manifold(scene.view, moved, scene.latent_dim, revision="morph")
    fig.update_layout(title=dict(text=f"(1 − t)·z + t·G(z), t = {t:.2f}"))
    st.plotly_chart(fig, key="toy.morph.fig", config=CONFIG)


def pretrained_button(dataset: str | None) -> None:
    """The "Load pretrained" button of a built-in set: the page takes its settings, the next run its weights."""
    record = pretrained.record(dataset) if dataset else None
    if record is None:
        return
    metrics = record["metrics"]
    modes = f", {metrics['modes_captured']} of {metrics['modes_total']} modes" if "modes_total" in metrics else ""
    st.button("Load pretrained G and D", key="toy.pretrained", width="stretch", on_click=_ask_for, args=(record,),
              help=f"A G and D shipped for this set ({record['steps']:,} steps{modes}); Train continues from them. "
                   f"Made by: {record['command']}")  # fmt: skip


def _ask_for(record: dict) -> None:
    """The button's callback (it runs before the widgets are drawn, so it may set them)."""
    for name, value in record["settings"].items():
        if name in TOY:
            st.session_state[TOY.key(name)] = value
    st.session_state[LOAD] = record["dataset"]


def starting_weights(dataset: str | None):
    """What a new run does to its fresh trainer (the pretrained pair, if just asked for), or None: no new run."""
    if dataset is None or st.session_state.get(LOAD) != dataset:
        return None
    del st.session_state[LOAD]
    return partial(pretrained.load_into, dataset=dataset)
