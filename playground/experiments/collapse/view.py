"""What the mode-collapse lab draws, from a run's latest published state: numbers, figures, table rows, CSV.

No Streamlit here: the page lays these out. Each function reads one run's ``RunController`` (its steppable a
``runs.PresetPair``, ``SeedSweep`` or ``DigitPair``) through its ``RunView`` and returns plain values and figures.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import plotly.graph_objects as go

from playground.experiments.collapse import figures as CF
from playground.experiments.collapse.lab import frame_and_metrics
from playground.experiments.collapse.runs import EVAL_SAMPLES
from playground.experiments.mnist import figures as MF
from playground.runtime.controller import RunController
from playground.sweep import summarise
from playground.views import figures as F


@dataclass(frozen=True)
class PairColumn:
    """One side-by-side run at its latest published step."""

    name: str
    step: int  # of the published weights drawn; where it blew up when it did
    metrics: dict  # ``mode_metrics``: modes_captured, modes_total, modes_over_1pct, high_quality, mode_share
    numbers: dict[str, str]  # the big numbers: label → value as shown (``pair_numbers``)
    samples: go.Figure  # G's samples over p_data, those within 3σ of a mode highlighted
    bars: go.Figure  # each mode's share of the samples
    surface: go.Figure  # D(x) on the plane with G's samples
    diverged: str | None  # why this run blew up (its neighbour trains on), else None


def pair_column(run: RunController, i: int) -> PairColumn:
    """Run ``i`` of the pair at its latest published step: the protocol's numbers and its three pictures."""
    pair, member = run.trainer, run.view().members[i]
    trainer, view, revision = pair.trainers[i], pair.views[i], member.run_id  # one zoom state per run
    frame, m = frame_and_metrics(trainer, view, member.published)
    hq = CF.high_quality_mask(frame.eval_fake, trainer.data)
    title = f"Samples at step {frame.step:,} over p_data"
    means = trainer.data.means_tensor().numpy()
    samples = CF.samples_over_density(view, pair.density, frame.eval_fake, hq, title, revision, means)
    bars = CF.mode_bars(m["mode_share"], EVAL_SAMPLES, "Samples per mode", revision)
    surface = F.decision_surface(view, frame.d_grid, frame.fake[:200], title="Discriminator D(x)", revision=revision)
    return PairColumn(pair.names[i], member.step, m, pair_numbers(m), samples, bars, surface, member.diverged)


def pair_numbers(m: dict) -> dict[str, str]:
    """The protocol's three numbers as the page shows them: '7/8', '76%', '7/8'."""
    total = m["modes_total"]
    return {"modes captured": f"{m['modes_captured']}/{total}", "high quality": f"{m['high_quality']:.0%}",
            "modes ≥ 1 %": f"{m['modes_over_1pct']}/{total}"}  # fmt: skip


# ---- many seeds ----------------------------------------------------------------------------------
def sweep_results(run: RunController) -> dict[str, list[dict]]:
    """Preset → per-seed protocol numbers at the sweep's latest step (scored once per step)."""
    return run.trainer.seed_metrics()


def sweep_charts(results: dict[str, list[dict]]) -> tuple[go.Figure, go.Figure, go.Figure]:
    """Per-seed distributions of both presets: modes captured, modes holding ≥ 1 %, high-quality share (%)."""
    n_modes = next(iter(results.values()))[0]["modes_total"]
    modes = {n: [r["modes_captured"] for r in rows] for n, rows in results.items()}
    over = {n: [r["modes_over_1pct"] for r in rows] for n, rows in results.items()}
    hq = {n: [100 * r["high_quality"] for r in rows] for n, rows in results.items()}
    mode_range = [-0.3, n_modes + 0.5]
    return (
        CF.seed_distribution(modes, "Modes captured, per seed", "modes", mode_range),
        CF.seed_distribution(over, "Modes holding ≥ 1 %, per seed", "modes", mode_range),
        CF.seed_distribution(hq, "High-quality samples, per seed", "%", [0, 102]),
    )


def sweep_table(results: dict[str, list[dict]]) -> list[dict[str, str]]:
    """One row per preset: mean ± standard error over its seeds (as PacGAN's tables), and modes per seed."""
    table = []
    for name, rows in results.items():
        s = summarise(rows)
        modes, over, hq = s["modes_captured"], s["modes_over_1pct"], s["high_quality"]
        table.append({
            "preset": name,
            "modes captured": f"{modes['mean']:.1f} ± {modes['se']:.1f}",
            "modes ≥ 1 %": f"{over['mean']:.1f} ± {over['se']:.1f}",
            "high quality": f"{100 * hq['mean']:.1f} ± {100 * hq['se']:.1f} %",
            "per seed (modes)": " ".join(str(m) for m in s["modes_per_seed"]),
        })  # fmt: skip
    return table


def sweep_csv(results: dict[str, list[dict]]) -> str:
    """Every preset's per-seed rows as CSV (the per-mode shares left out); NaN as an empty cell."""
    rows = [{"preset": n, **{k: v for k, v in r.items() if k != "mode_share"}} for n, rs in results.items() for r in rs]
    columns = list(dict.fromkeys(k for row in rows for k in row))  # every key, in order of first appearance
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()})
    return out.getvalue()


# ---- MNIST pair ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigitColumn:
    """One MNIST run at its latest published step, as the shipped classifier reads its samples."""

    name: str
    step: int  # of the published generator judged; where it blew up when it did
    report: dict  # ``digit_report``: classes_present, confident_fraction, class_counts, …
    numbers: dict[str, str]  # the big numbers: label → value as shown (``digit_numbers``)
    histogram: go.Figure  # samples per digit class
    grid_png: bytes  # G(z) for the fixed grid noise
    diverged: str | None  # why this run blew up (its neighbour trains on), else None


def digit_column(run: RunController, i: int, classifier, ref) -> DigitColumn:
    """Run ``i`` of the MNIST pair at its latest published step: the classifier's report (once per step), pictures."""
    pair, member = run.trainer, run.view().members[i]
    G, _, step = F.snapshot_models(pair.trainers[i], member.published)
    report = pair.report(i, G, step, classifier, ref)
    view = pair.views[i]
    histogram = MF.class_histogram(report["class_counts"], step, member.run_id)
    grid = MF.grid_png(MF.sample_images(G, view.z_grid), view.cols, scale=2)
    numbers = digit_numbers(report, member.step)
    return DigitColumn(pair.names[i], member.step, report, numbers, histogram, grid, member.diverged)


def digit_numbers(report: dict, step: int) -> dict[str, str]:
    """The classifier's two numbers and the step as the page shows them: '7/10', '64%', '1,200'."""
    return {"digits present": f"{report['classes_present']}/10", "confident": f"{report['confident_fraction']:.0%}",
            "step": f"{step:,}"}  # fmt: skip
