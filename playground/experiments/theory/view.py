"""What the 1-D theory page builds and draws, as plain functions of its settings and of a run (no streamlit here).

The page keeps layout only: ``resolve_data`` turns its choice into p_data, ``new_run`` / ``new_race`` build the
runs (``RunController``s), a ``Canvas`` reads a live run (the run's fixed grid and noise plus the frames computed
so far, so a redraw costs one new frame), and ``race_state`` / ``race_d_fake`` read the race.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from playground.engines import fast_engine
from playground.experiments.theory.runs import (
    DATA_PRESETS,
    LOG4,
    RACE_PRETRAIN_STEPS,
    RACE_STEPS,
    RACE_TRAIN,
    THEORY_MODEL,
    THEORY_TRAIN,
    Data1D,
    Frame1D,
    Panel,
    Series,
    TrainerPair,
    View1D,
    figure_one_panels,
    frame_at,
    make_view,
    parse_mixture,
    run_series,
)
from playground.experiments.theory.settings import CUSTOM, THEORY
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.runtime.controller import RunController


def resolve_data(name: str, custom: str | None) -> tuple[str, Data1D]:
    """p_data for the page's choice and an id that changes whenever p_data does (a custom mixture: its parsed value).

    Raises ``DataError`` with one plain sentence when the custom text is not a usable mixture.
    """
    if name != CUSTOM:
        return name, DATA_PRESETS[name]
    data = parse_mixture(custom or "")
    return f"custom:{data}", data


def run_settings(values: Mapping[str, object], data_id: str) -> dict[str, object]:
    """What a run is built from: p_data by its id (re-typing the same mixture needs no Reset), the rest by name."""
    return {"data": data_id, **{n: values[n] for n in THEORY.reset_names if n not in ("data", "custom")}}


def configs(settings: Mapping[str, object]) -> tuple[ModelConfig, TrainConfig]:
    """The run's configs from the page's settings (one learning rate for both players, as in the paper's setup)."""
    model_cfg = replace(THEORY_MODEL, prior=settings["prior"], hidden=settings["hidden"])
    lr = settings["lr"]
    train_cfg = replace(
        THEORY_TRAIN, optimizer=settings["optimizer"], lr_d=lr, lr_g=lr, k=settings["k"], seed=int(settings["seed"])
    )
    return model_cfg, train_cfg


def new_run(data: Data1D, settings: Mapping[str, object], process: bool = True) -> RunController:
    """The page's live run (``settings`` from ``run_settings``): a fast-engine Trainer, in a child process."""
    model_cfg, train_cfg = configs(settings)
    return RunController(
        lambda: Trainer(data, model_cfg, train_cfg, "cpu", engine=fast_engine), settings, process=process
    )


def metrics(step: int, steps_per_s: float, frame: Frame1D) -> list[tuple[str, str, str]]:
    """The page's row of numbers: (label, value, tooltip) for the run's step and speed and the theory's readings."""
    return [
        ("step", f"{step:,}", "Generator steps so far (each after k D steps)."),
        ("steps/s", f"{steps_per_s:.0f}", "Training speed over the last 1.5 s."),
        ("JSD(p_data‖p_g)", f"{frame.jsd:.3f}", "In nats, on a grid: ln 2 ≈ 0.693 when disjoint, 0 at p_g = p_data."),
        ("V(D,G)", f"{frame.value:.3f}", f"The learned D's value; −log 4 = {-LOG4:.3f} at the optimum."),
        ("mean |D − ½|", f"{frame.d_mean_dev:.3f}", "Under p_data: 0 once D has flattened to ½."),
        ("W1 to p_data", f"{frame.w1:.3f}", "Wasserstein-1 between 1,000 fakes and 1,000 data points."),
    ]


@dataclass
class Canvas:
    """One run's fixed canvas (grid, noise, real samples: frames compare) and its frames by step."""

    run_id: str  # the run it belongs to: a new run needs a new canvas
    data: Data1D
    view: View1D
    frames: dict[int, Frame1D] = field(default_factory=dict)  # step → frame, pruned to the run's snapshots

    @classmethod
    def of(cls, run: RunController) -> Canvas:
        """Noise drawn from its own seed (derived from the run's), so making the canvas leaves training untouched."""
        trainer = run.trainer
        return cls(run.run_id, trainer.data, make_view(trainer.data, trainer.model_cfg.prior, seed=trainer.cfg.seed))

    def live(self, run: RunController) -> tuple[Series, Frame1D]:
        """The theory's numbers over the run's snapshots and the frame of its latest published weights."""
        series = run_series(run.trainer, self.view, self.frames)
        return series, self.frames[int(series.step[-1])]

    def panels(self, run: RunController) -> list[Panel]:
        """Figure 1's panels (a)–(d) from the run's snapshots (trains copies of D and G: a second or two)."""
        return figure_one_panels(run.trainer, self.view, self.data)


def new_race(run: RunController, canvas: Canvas, pretrain_steps: int = RACE_PRETRAIN_STEPS) -> RunController:
    """The race from the live run's p_data, networks and seed; it pre-trains D now and stops at its last step."""
    trainer = run.trainer
    race_cfg = replace(RACE_TRAIN, seed=trainer.cfg.seed)
    pair = lambda: TrainerPair(canvas.data, trainer.model_cfg, race_cfg, canvas.view, pretrain_steps)
    return RunController(pair, {}, max_steps=RACE_STEPS)


@dataclass(frozen=True)
class RaceState:
    """What the race shows at one moment: W1 over steps, each generator's frame, and why the saturating one stalls."""

    view: View1D  # the canvas both runs are drawn on (the live run's when the race began)
    steps: list[int]  # generator steps at which W1 was recorded
    w1: dict[str, list[float]]  # loss → W1(p_g, p_data) at those steps
    frames: dict[str, Frame1D]  # loss → the frame of that run's current weights
    d_fake_start: float  # D(G(z)) after pre-training: how confidently D rejects G's first samples
    slope_ratio: float  # |∂(−log D)/∂logit| / |∂log(1 − D)/∂logit| = (1 − D) / D at the start


def slope_ratio(d_fake: float) -> float:
    """How many times weaker the saturating loss's slope −D is than the non-saturating −(1 − D), at D(G(z)) = d."""
    return (1.0 - d_fake) / d_fake


def race_state(race: RunController) -> RaceState:
    pair: TrainerPair = race.trainer
    steps, w1 = pair.w1_history()
    frames = {loss: frame_at(trainer, pair.view) for loss, trainer in pair.trainers.items()}
    return RaceState(pair.view, steps, w1, frames, pair.d_fake_start, slope_ratio(pair.d_fake_start))


def race_d_fake(race: RunController | None) -> dict[str, float] | None:
    """Each racing generator's latest mean D(G(z)) (the pre-trained start before its first step); None: no race."""
    if race is None:
        return None
    start = race.trainer.d_fake_start
    return {
        loss: (m.history["d_fake"][-1:] or [start])[0] for loss, m in zip(race.trainer.trainers, race.view().members)
    }
