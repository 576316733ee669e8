"""What the MNIST page shows, as pure functions of plain numbers: run state → formatted metrics and texts.

No networks and no Streamlit: the page lays these strings out; tests check them against hand-made inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RECENT_STEPS = 20  # per-batch numbers are noisy: the page shows the mean of the last 20 generator steps
METRIC_HELP = {  # the tooltip of each value ``metrics`` returns
    "step": "Generator steps so far (each after k D steps).",
    "steps/s": "Generator steps per second over the last 1.5 s (wall clock).",
    "real images/s": "Real digits the discriminator reads per second: steps/s × k × batch size.",
    "mean D(x)": f"D's belief that real digits are real (mean of the last {RECENT_STEPS} steps).",
    "mean D(G(z))": "D's belief that the fakes are real; ½ when D can't tell.",
    "mean critic score, real": "The critic's mean score on 500 real digits at the last classifier report (a score, "
    "not a probability: higher means 'more real').",
    "mean critic score, fake": "Its mean score on the 500 samples the classifier judged; the gap to the real digits' "
    "score is how well it still tells them apart (WGAN-GP: its Wasserstein-1 estimate).",
}
CRITIC_LABELS = ("mean critic score, real", "mean critic score, fake")


def recent_mean(history: Mapping[str, Sequence[float]], name: str, n: int = RECENT_STEPS) -> float | None:
    """Mean of the last ``n`` values of one history column, None before the first step."""
    values = history[name][-n:]
    return sum(values) / len(values) if values else None


def images_per_s(steps_per_s: float, batch_size: int, k: int) -> float:
    """Real images D reads per second: each G step follows k D steps of ``batch_size`` real digits."""
    return steps_per_s * batch_size * k


def metrics(
    history: Mapping[str, Sequence[float]],
    step: int,
    steps_per_s: float,
    batch_size: int,
    k: int,
    training: bool = True,
    critic: bool = False,
    report: Mapping | None = None,
) -> dict[str, str]:
    """The metric row, label → formatted value: step (the published one), speed and images/s (0 unless
    training), and D's recent mean outputs: probabilities from the history, or for a ``critic`` its mean scores
    in the latest classifier ``report`` ("–" before the first)."""

    def mean(name: str) -> str:
        value = recent_mean(history, name)
        return "–" if value is None else f"{value:.3f}"

    speed = steps_per_s if training else 0.0
    row = {
        "step": f"{step:,}",
        "steps/s": f"{speed:.1f}",
        "real images/s": f"{images_per_s(speed, batch_size, k):,.0f}",
    }
    if not critic:
        return {**row, "mean D(x)": mean("d_real"), "mean D(G(z))": mean("d_fake")}
    real, fake = ("–", "–") if report is None else (f"{report['score_real']:.3f}", f"{report['score_fake']:.3f}")
    return {**row, CRITIC_LABELS[0]: real, CRITIC_LABELS[1]: fake}


def critic_history(scores: Sequence[Mapping]) -> dict[str, list[float]]:
    """The critic's mean scores of each classifier report as history columns (``figures.CRITIC_SCORES``)."""
    return {
        "step": [s["step"] for s in scores],
        "score_real": [s["score_real"] for s in scores],
        "score_fake": [s["score_fake"] for s in scores],
    }


def verdict_table(report: Mapping, floor: Mapping) -> str:
    """The latest classifier report beside the same numbers for real digits (the floor), as a markdown table."""
    return (
        f"**The digit classifier's verdict** at step {report['step']:,} ({report['n']} samples)\n\n"
        "| score | G's samples | real digits |\n|---|---:|---:|\n"
        f"| confident digits (> 90 % sure) | **{report['confident_fraction']:.0%}** "
        f"| {floor['confident_fraction']:.0%} |\n"
        f"| classes present (≥ 2 % each) | **{report['classes_present']} / 10** | {floor['classes_present']} / 10 |\n"
        f"| classifier-FID (lower is better) | **{report['fid']:.1f}** | {floor['fid']:.1f} |\n"
        f"| classifier-IS (higher is better, ≤ 10) | **{report['inception_score']:.2f}** "
        f"| {floor['inception_score']:.2f} |"
    )


def samples_caption(step: int, conditional: bool) -> str:
    """The heading of the sample grid: fixed z every frame, and one digit per column for a conditional G."""
    asked = ", and each column asks G for one digit, 0 to 9" if conditional else ""
    return (
        f"**Generator samples at step {step:,}** — the same 60 noise vectors z every frame{asked}, "
        "so each cell shows one z's digit sharpening over training"
    )
