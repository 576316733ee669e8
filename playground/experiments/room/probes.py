"""How the class board describes and measures a student's run: one ``Probe`` per run of the toy page and per
side of the mode-collapse lab's pair (``runtime.room`` calls them).

A measurement is the same evaluation the student's page makes of the same published weights: G on the run's
fixed evaluation noise (the toy page's ``Scene`` view, the lab pair's own views), scored by ``mode_metrics``,
so the board's "modes captured" is the number on the student's screen (``tests/experiments/test_room_probes.py``).
It skips what only the page draws (gradient arrows, the latent grid): D on the view's grid and G on its 400 drawn
noise vectors make the tile's picture, with ``views.pictures``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from playground.experiments.collapse.settings import COLLAPSE
from playground.experiments.toy.presets import PRESETS
from playground.experiments.toy.settings import TOY
from playground.gan.data import Mixture
from playground.gan.metrics import mode_metrics
from playground.runtime.controller import RunController, RunView
from playground.runtime.room import About, Probe, Reading
from playground.settings import Experiment
from playground.views import pictures as P
from playground.views import plane as F
from playground.views.curves import is_critic
from playground.views.style import FAKE_COLOUR, REAL_COLOUR

TILE = 168  # pixels per side of a tile's picture


@dataclass(frozen=True)
class Plane:
    """What a reading keeps to draw its plane at any size: D on the grid, G's drawn fakes."""

    d_grid: np.ndarray  # [R, R]
    fake: np.ndarray  # [N, 2]
    critic: bool


def changed(experiment: Experiment, values: dict[str, object]) -> dict[str, object]:
    """The values that differ from the experiment's defaults (names it does not declare are kept)."""
    return {n: v for n, v in values.items() if n not in experiment or experiment[n].default != v}


def sendable(experiment: Experiment, values: dict[str, object]) -> tuple[str, dict[str, object]] | None:
    """(experiment name, values) when every value is one a student's page offers (not an uploaded CSV)."""
    try:
        experiment.preset(values)
    except ValueError:
        return None
    return experiment.name, values


class _PlaneProbe(ABC):
    """Measures one Trainer of a run on a fixed view; the subclasses say which trainer and view."""

    def __init__(self, view: F.View) -> None:
        self.plane_view = view
        self._nets = None  # eval copies of G and D, refilled with each measured step's weights

    @abstractmethod
    def _trainer(self, run: RunController): ...

    @abstractmethod
    def _critic(self, run: RunController) -> bool: ...

    def measure(self, run: RunController, view: RunView) -> Reading:
        trainer, critic, v = self._trainer(run), self._critic(run), self.plane_view
        self._nets = G, D = trainer.models_at(view.published, self._nets)
        with torch.no_grad():
            eval_fake = G(v.z_eval)  # [E, 2] as the page's frame computes it
            fake = G(v.z).numpy()  # [N, 2]
            scores = D.score_points(v.grid).reshape(len(v.ys), len(v.xs))  # [R, R]
            d_grid = (scores if critic else torch.sigmoid(scores)).numpy()
        plane = Plane(d_grid, fake, critic)
        captured = total = hq = None
        if isinstance(trainer.data, Mixture):
            m = mode_metrics(eval_fake, trainer.data)
            captured, total, hq = int(m["modes_captured"]), int(m["modes_total"]), float(m["high_quality"])
        return Reading(view.published.step, captured, total, hq, self.draw_plane(plane, TILE), plane)

    def draw_plane(self, plane: Plane, size: int) -> bytes:
        """D's surface with the real points (green) and G's fakes (orange), ``size`` pixels square (JPEG)."""
        canvas = P.Canvas(self.plane_view, size)
        canvas.surface(plane.d_grid, plane.critic)
        scale = size / P.SIZE
        canvas.points(self.plane_view.real.numpy(), REAL_COLOUR, max(1.0, 2.5 * scale))
        canvas.points(plane.fake, FAKE_COLOUR, max(1.5, 3.5 * scale), alpha=235, outline=size >= 300)
        return canvas.jpeg()

    def draw(self, reading: Reading, size: int) -> bytes:
        return self.draw_plane(reading.detail, size)


class ToyProbe(_PlaneProbe):
    """The toy page's run: its Scene's view (same data, networks and seed, so the same evaluation noise)."""

    page = "Toy 2-D"

    def __init__(self, run: RunController) -> None:
        t = run.trainer
        super().__init__(F.make_view(t.data, t.model_cfg, seed=t.cfg.seed))

    def _trainer(self, run: RunController):
        return run.trainer

    def _critic(self, run: RunController) -> bool:
        return is_critic(run.settings["loss"])  # the loss applies live

    def view(self, run: RunController) -> RunView:
        return run.view()

    def about(self, run: RunController) -> About:
        settings = dict(run.settings)
        dataset = str(settings["dataset"])
        if dataset not in TOY["dataset"].options:
            dataset = "own points"  # an upload or a link's points: known by their content's hash
        return About(self.page, dataset, None, settings, changed(TOY, settings), sendable(TOY, settings))


class LabProbe(_PlaneProbe):
    """One side (``index`` 0 left, 1 right) of the mode-collapse lab's pair of presets."""

    page = "Mode-collapse lab"

    def __init__(self, run: RunController, index: int) -> None:
        super().__init__(run.trainer.views[index])
        self.index = index

    def _trainer(self, run: RunController):
        return run.trainer.trainers[self.index]

    def _critic(self, run: RunController) -> bool:
        return is_critic(self._trainer(run).cfg.loss)

    def view(self, run: RunController) -> RunView:
        return run.view().members[self.index]

    def about(self, run: RunController) -> About:
        pair, ran = run.trainer, run.settings
        name = pair.names[self.index]
        side = ("left", "right")[self.index]
        settings = {"preset": name, "seed": ran["seed"], "side": side}
        pair_values = {"dataset": PRESETS[name].dataset, **{n: ran[n] for n in ("left", "right", "seed")}}
        return About(self.page, PRESETS[name].dataset, name, settings,
                     changed(COLLAPSE, {side: name, "seed": ran["seed"]}), sendable(COLLAPSE, pair_values))  # fmt: skip


def probes_for(experiment: str, run: RunController) -> list[tuple[str, Callable[[], Probe]]]:
    """The board's slots of one page's run, each with what builds its probe (only for a run new to the room):
    the toy run, or each side of the lab's pair."""
    if experiment == TOY.name:
        return [("toy", lambda: ToyProbe(run))]
    if experiment == COLLAPSE.name:
        return [(f"lab {side}", lambda i=i: LabProbe(run, i)) for i, side in enumerate(("left", "right"))]
    raise ValueError(f"the class board shows no runs of {experiment!r}")
