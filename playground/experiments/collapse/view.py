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
from playground.experiments.collapse import hopping
from playground.experiments.collapse.lab import frame_and_metrics
from playground.experiments.collapse.runs import EVAL_SAMPLES
from playground.experiments.mnist import figures as MF
from playground.runtime.controller import RunController
from playground.sweep import summarise
from playground.views import figures as F

HELD_SHARE = 0.01  # a mode is "held" at a checkpoint when it has ≥ 1 % of the samples (the page's "modes ≥ 1 %")


@dataclass(frozen=True)
class PairColumn:
    """One side-by-side run at its latest published step."""

    name: str
    step: int  # of the published weights drawn; where it blew up when it did
    metrics: dict  # ``mode_metrics``: modes_captured, modes_total, modes_over_1pct, high_quality, mode_share
    numbers: dict[str, str]  # the big numbers: label → value as shown (``pair_numbers``)
    samples: go.Figure  # G's samples over p_data, those within 3σ of a mode highlighted
    bars: go.Figure  # each mode's share of the samples (one y-scale for both columns)
    timeline: go.Figure  # each mode's share at every stored checkpoint: mode hopping as a sequence
    hops: int  # checkpoints whose set of held modes differs from the one before (``hopping.hops``)
    surface: go.Figure  # D(x) on the plane with G's samples
    diverged: str | None  # why this run blew up (its neighbour trains on), else None


def pair_columns(run: RunController) -> tuple[PairColumn, PairColumn]:
    """Both runs of the pair at their latest published step: the protocol's numbers, their pictures, and each
    run's mode timeline; the two bar charts share one y-scale so equal shares look equal."""
    pair, members = run.trainer, run.view().members
    reads = [frame_and_metrics(pair.trainers[i], pair.views[i], members[i].published) for i in (0, 1)]
    top = CF.bars_top(*(m["mode_share"] for _, m in reads))
    left, right = (_pair_column(run, i, frame, m, top) for i, (frame, m) in enumerate(reads))
    return left, right


def _pair_column(run: RunController, i: int, frame: F.Frame, m: dict, top: float) -> PairColumn:
    pair, member = run.trainer, run.view().members[i]
    trainer, view, revision = pair.trainers[i], pair.views[i], member.run_id  # one zoom state per run
    hq = CF.high_quality_mask(frame.eval_fake, trainer.data)
    title = f"Samples at step {frame.step:,} over p_data"
    means = trainer.data.means_tensor().numpy()
    samples = CF.samples_over_density(view, pair.density, frame.eval_fake, hq, title, revision, means)
    bars = CF.mode_bars(m["mode_share"], EVAL_SAMPLES, "Samples per mode", revision, top=top)
    steps, shares = pair.mode_timeline(i)
    held = hopping.captured_sets(shares, HELD_SHARE)
    n_hops = hopping.hops(held)
    timeline = CF.mode_timeline(steps, shares, timeline_title(n_hops, hopping.drops(held), len(steps)), revision)
    surface = F.decision_surface(view, frame.d_grid, frame.fake[:200], title="Discriminator D(x)", revision=revision)
    return PairColumn(
        pair.names[i], member.step, m, pair_numbers(m), samples, bars, timeline, n_hops, surface, member.diverged
    )


def timeline_title(n_hops: int, n_drops: int, checkpoints: int) -> str:
    """The mode timeline's title and, below it, how often the set of modes holding ≥ 1 % changed between
    checkpoints and how many times a held mode was dropped (a remedy filling in its modes drops none)."""
    times = "once" if n_hops == 1 else f"{n_hops} times"
    return (f"Share per mode over training<br><sup>modes held (≥ 1 %) changed {times} in {checkpoints} "
            f"checkpoints · {n_drops} dropped</sup>")  # fmt: skip


def finished_notice(steps: int, sweep: bool = False) -> str:
    """What a run that paused itself at its step budget says, instead of stopping silently. A pair's budget is
    where its presets were measured and Train goes on past it; the sweep's is its Steps setting."""
    if sweep:
        return f"The sweep reached its {steps:,} steps. Raise **Steps** to train on."
    return (f"Both runs reached their {steps:,} steps, where the presets' descriptions were measured. "
            "Press **Train** to continue.")  # fmt: skip


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
    report: dict  # ``digits.readable_digits``: class_counts (confident samples only), unreadable, …
    numbers: dict[str, str]  # the big numbers: label → value as shown (``digit_numbers``)
    histogram: go.Figure  # share of all samples confidently read as each digit (one y-scale for both columns)
    grid_png: bytes  # G(z) for the fixed grid noise
    diverged: str | None  # why this run blew up (its neighbour trains on), else None


def digit_columns(run: RunController, classifier) -> tuple[DigitColumn, DigitColumn]:
    """Both MNIST runs at their latest published step, judged by ``classifier`` (once per step); the two
    histograms share one y-scale."""
    pair, members = run.trainer, run.view().members
    reads = []
    for i, member in enumerate(members):
        G, _, step = F.snapshot_models(pair.trainers[i], member.published)
        reads.append((G, step, pair.report(i, G, step, classifier)))
    top = CF.bars_top(*([c / max(r["n"], 1) for c in r["class_counts"]] for _, _, r in reads))
    left, right = (_digit_column(run, i, G, step, report, top) for i, (G, step, report) in enumerate(reads))
    return left, right


def _digit_column(run: RunController, i: int, G, step: int, report: dict, top: float) -> DigitColumn:
    pair, member = run.trainer, run.view().members[i]
    view = pair.views[i]
    title = f"Digits G draws at step {step:,} ({report['unreadable'] / max(report['n'], 1):.0%} unreadable)"
    histogram = CF.digit_bars(report["class_counts"], report["n"], title, top, member.run_id)
    grid = MF.grid_png(MF.sample_images(G, view.z_grid), view.cols, scale=2)
    numbers = digit_numbers(report, step)  # the judged generator's step, as the histogram's title says
    return DigitColumn(pair.names[i], member.step, report, numbers, histogram, grid, member.diverged)


def digit_numbers(report: dict, step: int) -> dict[str, str]:
    """The classifier's two numbers and the step as the page shows them: '7/10', '64%', '1,200'."""
    return {"digits present": f"{report['classes_present']}/10", "confident": f"{report['confident_fraction']:.0%}",
            "step": f"{step:,}"}  # fmt: skip
