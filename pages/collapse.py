"""Mode-collapse lab: a collapsing GAN beside a remedy from the same seed, many seeds at once, the papers' numbers.

Side by side: two presets trained in lockstep by one background worker (``lab.Lockstep``); the page
redraws their latest published state from a fragment. Many seeds: two ``SweepTrainer``s (every seed
of a configuration in one stacked network) in another worker; the page redraws the per-seed numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

import app_state as S
from playground import urlstate
from playground.digits.models import ImageSampler
from playground.experiments.collapse import figures as CF
from playground.experiments.collapse.lab import Lockstep, frame_and_metrics
from playground.experiments.mnist import figures as MF
from playground.experiments.mnist.presets import MNIST_PAIR, MNIST_PRESETS
from playground.experiments.toy.presets import PRESETS, presets_for
from playground.gan.data import make_dataset
from playground.gan.remedies import REMEDIES
from playground.gan.trainer import Trainer
from playground.runtime.worker import TrainingWorker
from playground.sweep import make_sweep, summarise
from playground.views import figures as F

DATASET_LABELS = {"ring8": "Ring of 8 Gaussians", "grid25": "Grid of 25 Gaussians"}
REFRESH_RATES = [0.5, 1, 2, 4]
SEED_COUNTS = [2, 4, 8, 12, 16]
PLANE_HEIGHT = 400
EVAL_SAMPLES = 2500  # the VEEGAN/PacGAN protocol's sample count
CHART_CONFIG = {"displaylogo": False}

# Session-state keys and defaults of this page (to move into app_state.py beside the toy page's).
COLLAPSE = "collapse"
COLLAPSE_DEFAULTS: dict[str, object] = {
    "collapse.dataset": "ring8",
    "collapse.left": "collapse-ring8",
    "collapse.right": "pacgan-ring8",
    "collapse.seed": 1,  # the seed on which collapse-ring8 keeps only 2 modes above 1 % (presets.py)
    "collapse.refresh": 2,  # redraws per second while training
    "collapse.sweep_seeds": 8,
    "collapse.sweep_steps": PRESETS["collapse-ring8"].steps,
}
PAIR_RUN = "collapse.pair"  # PairRun: the side-by-side runs
PAIR_LIVE_STATE = "collapse.pair_live_state"
SWEEP_RUN = "collapse.sweep"  # SweepRun: the multi-seed comparison
SWEEP_LIVE_STATE = "collapse.sweep_live_state"
DIGITS_RUN = "collapse.digits"  # DigitPairRun: the MNIST pair
DIGITS_LIVE_STATE = "collapse.digits_live_state"
S.DEFAULTS.setdefault(COLLAPSE, COLLAPSE_DEFAULTS)
S.URL_SCHEMAS.setdefault(
    COLLAPSE,
    urlstate.Schema(
        prefix="collapse.",
        fields={
            "dataset": urlstate.Choice(tuple(DATASET_LABELS)),
            "left": urlstate.Choice(tuple(PRESETS)),
            "right": urlstate.Choice(tuple(PRESETS)),
            "seed": urlstate.IntRange(0, 10_000),
            "refresh": urlstate.Choice(tuple(REFRESH_RATES)),
            "sweep_seeds": urlstate.Choice(tuple(SEED_COUNTS)),
            "sweep_steps": urlstate.IntRange(100, 20_000),
        },
        display=frozenset({"refresh"}),
    ),
)


def preset_pair(name: str) -> dict[str, object]:
    """``?preset=NAME``: that preset on the right, beside the setting it starts from (or its data's collapse one)."""
    preset = PRESETS[name]
    left = preset.base or presets_for(preset.dataset)[0]
    return {"collapse.dataset": preset.dataset, "collapse.left": left, "collapse.right": name,
            "collapse.sweep_steps": preset.steps}  # fmt: skip


S.URL_PRESETS.setdefault(
    COLLAPSE, {name: preset_pair(name) for name in PRESETS if PRESETS[name].dataset in DATASET_LABELS}
)


@dataclass
class PairRun:
    worker: TrainingWorker  # steps a Lockstep of two Trainers
    names: tuple[str, str]
    views: tuple[F.View, F.View]
    density: object  # log₁₀ p_data on the views' grid (same data and seed, so the same grid)
    build: tuple  # (left, right, seed): changing any of these needs Reset
    run_id: str
    stop_at: int | None  # pause once here, so the numbers compare with the presets' descriptions


@dataclass
class SweepRun:
    worker: TrainingWorker  # steps a Lockstep of two sweeps
    names: tuple[str, str]
    seeds: list[int]
    steps: int
    results: dict = field(default_factory=dict)  # (step) → {name: per-seed rows}


# ---- widgets -------------------------------------------------------------------------------------
def _dataset_changed() -> None:
    names = presets_for(st.session_state["collapse.dataset"])
    st.session_state["collapse.left"] = names[0]
    st.session_state["collapse.right"] = next((n for n in names[1:] if PRESETS[n].base), names[-1])
    st.session_state["collapse.sweep_steps"] = PRESETS[names[0]].steps


def setup_ui() -> tuple[str, str, int]:
    """Which two presets to compare, and the seed both start from."""
    dataset = st.radio(
        "Data",
        list(DATASET_LABELS),
        key="collapse.dataset",
        disabled=S.locked("collapse.dataset"),
        format_func=DATASET_LABELS.get,
        on_change=_dataset_changed,
        help="The Gaussian mixture both runs learn; picking one selects its collapse preset and a remedy.",
    )
    names = presets_for(dataset)
    label = lambda n: f"{n} ({', '.join(PRESETS[n].remedies)})" if PRESETS[n].remedies else n
    left = st.selectbox(
        "Left run", names, key="collapse.left", disabled=S.locked("collapse.left"), format_func=label,
        help="A named setting (see the README); 'collapse-…' is a vanilla GAN that loses modes. Needs Reset.",
    )  # fmt: skip
    right = st.selectbox(
        "Right run", names, key="collapse.right", disabled=S.locked("collapse.right"), format_func=label,
        help="Usually the same setting plus one remedy, trained from the same seed. Needs Reset.",
    )  # fmt: skip
    seed = st.number_input(
        "Seed", 0, 10_000, step=1, key="collapse.seed", disabled=S.locked("collapse.seed"),
        help="Both runs start from this seed: the same initial generator and the same data. Needs Reset.",
    )  # fmt: skip
    st.select_slider(
        "Plot refresh (per s)", REFRESH_RATES, key="collapse.refresh", disabled=S.locked("collapse.refresh"),
        help="How often the plots redraw while training; lower leaves more CPU to training.",
    )  # fmt: skip
    return left, right, int(seed)


def controls_ui(running: bool, prefix: str, step_help: str) -> str | None:
    cols = st.columns([1, 1, 1, 1, 4])
    return S.run_buttons(cols, running, "Train in the background; the plots update live.", prefix, step_help)


def run_controls(key: str, make, step_help: str):
    """Train / Pause / Step / Reset for the run stored under ``key`` (built by ``make`` when missing or on Reset).

    Returns (run, worker) after acting on the button pressed.
    """
    run = st.session_state.get(key)
    if run is None:
        run = S.replace_run(key, make)
    worker = S.watch(run.worker)
    action = controls_ui(worker.running, key, step_help)
    if action == "reset":
        run = S.replace_run(key, make)
        worker = S.watch(run.worker)
    if action == "train":
        worker.start()
    elif action == "pause":
        worker.pause()
    elif action == "step":
        worker.step_once()
        worker.wait_idle(10.0)  # one step takes milliseconds (an MNIST pair ~0.1 s): show it in this run
    if action in ("train", "pause", "reset"):
        st.rerun()  # redraw the buttons' enabled state and the refresh timer for the new state
    return run, worker


# ---- side by side --------------------------------------------------------------------------------
def new_pair(left: str, right: str, seed: int) -> PairRun:
    trainers, views = [], []
    for name in (left, right):
        preset = PRESETS[name]
        data = make_dataset(preset.dataset)
        train = dataclasses.replace(preset.train, seed=seed)
        trainers.append(Trainer(data, preset.model, train, device="cpu"))
        views.append(F.make_view(data, preset.model, seed=seed, n_eval=EVAL_SAMPLES))
    density = CF.density_grid(views[0], trainers[0].data)
    run_id = hashlib.sha1(repr((left, right, seed, id(trainers[0]))).encode()).hexdigest()[:10]
    stop_at = max(PRESETS[left].steps, PRESETS[right].steps)
    worker = TrainingWorker(Lockstep(trainers))
    return PairRun(worker, (left, right), (views[0], views[1]), density, (left, right, seed), run_id, stop_at)


def run_column(run: PairRun, i: int) -> None:
    """Big numbers, samples over the density, per-mode bars and D's surface of one run."""
    trainer = run.worker.trainer.trainers[i]
    name, view, rev = run.names[i], run.views[i], f"{run.run_id}-{i}"
    frame, m = frame_and_metrics(trainer, view)
    st.markdown(f"#### {name}")
    cols = st.columns(3)
    cols[0].metric("modes captured", f"{m['modes_captured']}/{m['modes_total']}",
                   help="Modes with at least one of 2,500 samples within 3σ (VEEGAN/PacGAN protocol).")  # fmt: skip
    cols[1].metric("high quality", f"{m['high_quality']:.0%}",
                   help="Share of samples within 3σ of their nearest mode; real data scores ≈ 98.9 %.")  # fmt: skip
    cols[2].metric("modes ≥ 1 %", f"{m['modes_over_1pct']}/{m['modes_total']}",
                   help="Modes holding ≥ 1 % of the samples: 'captured' alone hides thin modes.")  # fmt: skip
    if trainer.diverged:
        st.error(f"This run blew up at step {trainer.step_count:,}: {trainer.diverged}. Press Reset.")
    hq = CF.high_quality_mask(frame.eval_fake, trainer.data)
    title = f"Samples at step {frame.step:,} over p_data"
    means = trainer.data.means_tensor().numpy()
    fig = CF.samples_over_density(view, run.density, frame.eval_fake, hq, title, rev, means)
    st.plotly_chart(fig.update_layout(height=PLANE_HEIGHT), key=f"collapse.samples{i}", config=CHART_CONFIG)
    bars = CF.mode_bars(m["mode_share"], EVAL_SAMPLES, "Samples per mode", rev)
    st.plotly_chart(bars, key=f"collapse.bars{i}", config=CHART_CONFIG)
    surface = F.decision_surface(view, frame.d_grid, frame.fake[:200], title="Discriminator D(x)", revision=rev)
    st.plotly_chart(surface.update_layout(height=PLANE_HEIGHT), key=f"collapse.surface{i}", config=CHART_CONFIG)


def pair_view(run: PairRun) -> None:
    """Redrawn by itself while training (st.fragment with run_every)."""
    worker = S.watch(run.worker)
    if run.stop_at is not None and worker.trainer.step_count >= run.stop_at:
        run.stop_at = None  # once: Train afterwards keeps going
        worker.pause()
    S.rerun_on_change(PAIR_LIVE_STATE, worker)  # e.g. stopped at the preset's step count, or diverged
    st.caption(f"Step **{worker.trainer.step_count:,}** · {worker.steps_per_s():.0f} steps/s for both runs together")
    cols = st.columns(2, gap="large")
    for i in range(2):
        with cols[i]:
            run_column(run, i)


def describe_ui(names: tuple[str, str]) -> None:
    cols = st.columns(2, gap="large")
    for col, name in zip(cols, names):
        preset = PRESETS[name]
        remedy = REMEDIES.get(preset.remedies[0].partition("=")[0]) if preset.remedies else None
        text = preset.description + (f"\n\n**{remedy.paper}**: {remedy.summary}" if remedy else "")
        col.caption(text)


def side_by_side_ui(left: str, right: str, seed: int) -> None:
    run, worker = run_controls(PAIR_RUN, lambda: new_pair(left, right, seed), "One generator step for both runs.")
    if (left, right, seed) != run.build:
        st.warning("Presets or seed changed: press **Reset** to build the two runs with them.")
    describe_ui(run.names)
    refresh = S.live_timer(PAIR_LIVE_STATE, worker, 1.0 / st.session_state["collapse.refresh"])
    st.fragment(pair_view, run_every=refresh)(run)


# ---- many seeds ----------------------------------------------------------------------------------
def new_sweep(names: tuple[str, str], n_seeds: int, steps: int) -> SweepRun:
    seeds = list(range(n_seeds))
    sweeps = []
    for name in names:
        preset = PRESETS[name]
        sweeps.append(make_sweep(make_dataset(preset.dataset), preset.model, preset.train, seeds))
    lock = Lockstep(sweeps)
    return SweepRun(TrainingWorker(lock, chunk_seconds=0.2), names, seeds, steps)


def sweep_results(run: SweepRun) -> dict[str, list[dict]]:
    """Per-seed protocol numbers of both configurations at the latest published step (cached per step)."""
    lock = run.worker.trainer
    step = lock.step_count
    if step not in run.results:
        run.results = {step: {name: s.seed_metrics(EVAL_SAMPLES) for name, s in zip(run.names, lock.trainers)}}
    return run.results[step]


def sweep_view(run: SweepRun) -> None:
    worker = S.watch(run.worker)
    if worker.running and worker.trainer.step_count >= run.steps:
        worker.pause()
    S.rerun_on_change(SWEEP_LIVE_STATE, worker)
    results = sweep_results(run)
    step = worker.trainer.step_count
    st.caption(f"Step **{step:,}** of {run.steps:,} · {len(run.seeds)} seeds per configuration · "
               f"{worker.steps_per_s():.1f} steps/s (all seeds of both together)")  # fmt: skip
    n_modes = next(iter(results.values()))[0]["modes_total"]
    modes = {n: [r["modes_captured"] for r in rows] for n, rows in results.items()}
    over = {n: [r["modes_over_1pct"] for r in rows] for n, rows in results.items()}
    hq = {n: [100 * r["high_quality"] for r in rows] for n, rows in results.items()}
    cols = st.columns(3)
    cols[0].plotly_chart(CF.seed_distribution(modes, "Modes captured, per seed", "modes", [-0.3, n_modes + 0.5]),
                         key="collapse.sweep.modes", config=CHART_CONFIG)  # fmt: skip
    cols[1].plotly_chart(CF.seed_distribution(over, "Modes holding ≥ 1 %, per seed", "modes", [-0.3, n_modes + 0.5]),
                         key="collapse.sweep.over", config=CHART_CONFIG)  # fmt: skip
    cols[2].plotly_chart(CF.seed_distribution(hq, "High-quality samples, per seed", "%", [0, 102]),
                         key="collapse.sweep.hq", config=CHART_CONFIG)  # fmt: skip
    table = []
    for name, rows in results.items():
        s = summarise(rows)
        table.append({
            "preset": name,
            "modes captured": f"{s['modes_captured']['mean']:.1f} ± {s['modes_captured']['se']:.1f}",
            "modes ≥ 1 %": f"{s['modes_over_1pct']['mean']:.1f} ± {s['modes_over_1pct']['se']:.1f}",
            "high quality": f"{100 * s['high_quality']['mean']:.1f} ± {100 * s['high_quality']['se']:.1f} %",
            "per seed (modes)": " ".join(str(m) for m in s["modes_per_seed"]),
        })  # fmt: skip
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    csv = pd.DataFrame([{"preset": n, **{k: v for k, v in r.items() if k != "mode_share"}}
                        for n, rows in results.items() for r in rows]).to_csv(index=False)  # fmt: skip
    st.download_button("Per-seed metrics (.csv)", csv, "sweep.csv", mime="text/csv", key="collapse.sweep.csv",
                       help="One row per preset and seed at the current step.")  # fmt: skip


def sweep_ui(left: str, right: str) -> None:
    cols = st.columns(2)
    n_seeds = cols[0].select_slider(
        "Seeds per configuration", SEED_COUNTS, key="collapse.sweep_seeds", disabled=S.locked("collapse.sweep_seeds"),
        help="Every seed trains at once in one stacked network per configuration (vectorised). Needs Reset.",
    )  # fmt: skip
    steps = cols[1].number_input(
        "Steps", 100, 20_000, step=500, key="collapse.sweep_steps", disabled=S.locked("collapse.sweep_steps"),
        help="Training pauses here; the presets' descriptions were measured at their own step count.",
    )  # fmt: skip
    make = lambda: new_sweep((left, right), n_seeds, int(steps))
    run, worker = run_controls(SWEEP_RUN, make, "One generator step for every seed of both.")
    run.steps = int(steps)
    if (left, right) != run.names or n_seeds != len(run.seeds):
        st.warning("Presets or seed count changed: press **Reset** (here) to sweep them.")
    refresh = S.live_timer(SWEEP_LIVE_STATE, worker, 1.0)
    st.fragment(sweep_view, run_every=refresh)(run)


# ---- MNIST: collapse on real images ---------------------------------------------------------------
@dataclass
class DigitPairRun:
    worker: TrainingWorker  # steps a Lockstep of the two MNIST trainers
    views: tuple[MF.DigitView, MF.DigitView]
    run_id: str
    reports: dict = field(default_factory=dict)  # run index → (step, digit report): a paused page redraws free


def new_digit_pair(seed: int) -> DigitPairRun:
    data = S.mnist_data()
    trainers, views = [], []
    for name in MNIST_PAIR:
        preset = MNIST_PRESETS[name]
        train = dataclasses.replace(preset.train, seed=seed)
        trainers.append(Trainer(ImageSampler(data.images, "cpu"), preset.model, train, device="cpu"))
        views.append(MF.make_view(preset.model, data.images, data.labels, seed=seed, rows=3))
    run_id = hashlib.sha1(repr(("digits", seed, id(trainers[0]))).encode()).hexdigest()[:10]
    return DigitPairRun(TrainingWorker(Lockstep(trainers)), (views[0], views[1]), run_id)


def digit_column(run: DigitPairRun, i: int) -> None:
    """One MNIST run: big numbers, the classifier's class histogram and a grid of samples from fixed z."""
    trainer, view, name = run.worker.trainer.trainers[i], run.views[i], MNIST_PAIR[i]
    G, _, step = F.snapshot_models(trainer)
    if run.reports.get(i, (None,))[0] != step:
        classifier, ref, _ = S.judge()
        run.reports[i] = (step, MF.score(G, view, classifier, ref))
    report = run.reports[i][1]
    st.markdown(f"#### {name}")
    st.caption(MNIST_PRESETS[name].label)
    cols = st.columns(3)
    cols[0].metric("digits present", f"{report['classes_present']}/10",
                   help="Digit classes holding ≥ 2 % of 500 samples, as read by the shipped classifier.")  # fmt: skip
    cols[1].metric("confident", f"{report['confident_fraction']:.0%}",
                   help="Samples the classifier reads with probability > 0.9 (readable digits).")  # fmt: skip
    cols[2].metric("step", f"{step:,}", help="Generator steps so far (both runs move in lockstep).")
    if trainer.diverged:
        st.error(f"This run blew up at step {trainer.step_count:,}: {trainer.diverged}. Press Reset.")
    hist = MF.class_histogram(report["class_counts"], step, f"{run.run_id}-{i}")
    st.plotly_chart(hist, key=f"collapse.digits.hist{i}", config=CHART_CONFIG)
    st.image(MF.grid_png(MF.sample_images(G, view.z_grid), view.cols, scale=2), caption="G(z) for fixed z")


def digits_view(run: DigitPairRun) -> None:
    worker = S.watch(run.worker)
    S.rerun_on_change(DIGITS_LIVE_STATE, worker)
    cols = st.columns(2)
    for i, col in enumerate(cols):
        with col:
            digit_column(run, i)


def digits_ui(seed: int) -> None:
    st.markdown(
        "Collapse on real images: two MLP GANs on the embedded MNIST digits from the same seed, differing only in "
        "their objective. The shipped digit classifier counts which digits each generator draws; a collapsing "
        "generator piles its samples onto a few digits (tall bars), a healthy one sits near 10 % each."
    )
    run, worker = run_controls(DIGITS_RUN, lambda: new_digit_pair(seed), "One generator step for both runs.")
    with st.expander("What was measured with these two settings"):
        for name in MNIST_PAIR:
            st.markdown(f"**{name}** — {MNIST_PRESETS[name].description}")
    st.fragment(digits_view, run_every=S.live_timer(DIGITS_LIVE_STATE, worker, 2.0))(run)


# ---- text ----------------------------------------------------------------------------------------
PROTOCOL = """
**How modes are counted** (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): draw 2,500 samples
from G. A sample is **high quality** if it lies within 3σ of its nearest mode. A mode is **captured** if at
least one high-quality sample has it as its nearest mode. Because one sample out of 2,500 is enough, the page
also counts **modes holding ≥ 1 %** of the samples, and the bars show every mode's share. Real data scores
8/8 (25/25) modes and ≈ 98.9 % high quality (the 2-D Gaussian mass within 3σ). Samples come from a moving
average of G's weights, as everywhere in this app.
"""

PUBLISHED = """
| method (paper) | ring modes /8 | ring HQ % | grid modes /25 | grid HQ % |
|---|---|---|---|---|
| GAN (VEEGAN table) | 1 | 99.3 | 3.3 | 0.5 |
| Unrolled GAN, 5 steps (VEEGAN table) | 7.6 | 35.6 | 23.6 | 16 |
| WGAN-GP (GDPP table) | 6.8 | 59.6 | 24.2 | 28.7 |
| GAN (PacGAN table, larger nets) | 6.3 ± 0.5 | 98.2 ± 0.2 | 17.3 ± 0.8 | 94.8 ± 0.7 |
| PacGAN2 | 7.9 ± 0.1 | 95.6 ± 2.0 | 23.8 ± 0.7 | 91.3 ± 0.8 |
| PacGAN4 | 7.8 ± 0.1 | 95.9 ± 1.4 | 24.8 ± 0.2 | 93.6 ± 0.6 |

Papers' nets, data scale and step counts differ from this app's (PacGAN: ring radius 1, σ 0.01, 4×400
generator, 10 trials, mean ± s.e.), so compare trends, not digits.
"""


def about_ui() -> None:
    with st.expander("How modes are counted", expanded=True):
        st.markdown(PROTOCOL)
    with st.expander("The remedies and their papers"):
        st.markdown("\n".join(f"- **{name}** — {r.summary} *{r.paper}.*" for name, r in REMEDIES.items()))
    with st.expander("Published numbers (paper: …)"):
        st.markdown(PUBLISHED)


# ---- page ----------------------------------------------------------------------------------------
S.ensure_router()
S.init(COLLAPSE)
S.url_state(COLLAPSE)  # a shared link's settings (once per session), then the URL follows the widgets
_names = presets_for(st.session_state["collapse.dataset"])
if not {st.session_state["collapse.left"], st.session_state["collapse.right"]} <= set(_names):
    st.warning("Link: both runs must use presets of the chosen data set; showing its usual pair instead.")
    _dataset_changed()
st.title("Mode-collapse lab")
st.caption(
    "A GAN can fool its discriminator by producing only a few of the data's modes. Train a collapsing "
    "setting beside the same setting with one remedy, from the same seed, and count the modes each one covers."
)
with st.sidebar:
    st.subheader("Mode-collapse settings")
    left, right, seed = setup_ui()
    S.share_ui(COLLAPSE)

tab_pair, tab_sweep, tab_digits, tab_about = st.tabs(
    ["Side by side", "Many seeds", "MNIST digits", "Protocol, remedies, papers"]
)
with tab_pair:
    side_by_side_ui(left, right, seed)
with tab_sweep:
    sweep_ui(left, right)
with tab_digits:
    digits_ui(seed)
with tab_about:
    about_ui()
