"""What the toy page draws for one run: a fixed canvas, and the frames, pictures and figures drawn on it.

The page redraws several times a second; a ``Scene`` computes each published step's frame (one evaluation of G
and D on the run's fixed view) and its pictures once, so a paused or queued page redraws for free. It reads the
trainer's published weights and snapshots under the trainer's lock here, so the page takes no lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.views import figures as F
from playground.views import pictures as P

PLANE_HEIGHT = 440  # px of each interactive plane (D's surface, D*, G's manifold)
CURVES = (F.LOSSES, F.D_OUTPUTS, F.VALUE)  # the curve charts under the planes, left to right (``curves``)


DSTAR_TITLE = "Optimal D* for this G"


@dataclass(frozen=True)
class Picture:
    """One plane of the live view as a JPEG (the browser swaps a picture instead of rebuilding a chart)."""

    title: str
    jpeg: bytes


class Scene:
    """One run's fixed view (grid, real points, noise: frames compare) and the drawings of its latest step."""

    @classmethod
    def of(cls, run) -> Scene:
        """The scene of a RunController's run (its trainer's published state, its run id)."""
        return cls(run.trainer, run.run_id)

    def __init__(self, trainer, revision: str) -> None:
        self.trainer, self.revision = trainer, revision  # revision: the run id, keeps zoom/pan within a run
        self.data = trainer.data  # p_data: D* and the mode counts need it
        self.view = F.make_view(trainer.data, trainer.model_cfg, seed=trainer.cfg.seed)
        self.latent_dim = trainer.model_cfg.latent_dim
        self._models = None  # eval copies of G and D, refilled with each frame's weights (building costs more)
        self._frame: tuple | None = None  # ((step, dstar, critic), frame, D* grid)
        self._pictures: tuple | None = None  # ((step, arrows, dstar, critic), Pictures)
        # a critic's mean scores on the fixed points, one row per drawn frame (the trainer records only σ(score))
        self.critic_history: dict[str, list[float]] = {"step": [], "score_real": [], "score_fake": []}

    # ---- frames ---------------------------------------------------------------------------------
    def latest(self, dstar: bool, snap=None, critic: bool = False) -> tuple[F.Frame, np.ndarray | None]:
        """The frame of ``snap`` (default: the latest published weights) and, if asked, D* for its fakes.

        ``critic``: D's raw scores (``F.is_critic`` of the loss it runs with now); each new critic frame's mean
        scores join ``critic_history``.
        """
        if snap is None:
            with self.trainer.lock:
                snap = self.trainer.published
        key = (snap.step, dstar, critic)
        if self._frame is None or self._frame[0] != key:
            if self._models is None:
                self._models = self.trainer.models_at(snap)
            frame = F.frame_at(self.trainer, self.view, snap, into=self._models, critic=critic)
            dstar_grid = F.optimal_d_grid(self.view, frame.fake, self.data) if dstar else None
            self._frame = (key, frame, dstar_grid)
            if critic:
                self._record(frame)
        return self._frame[1], self._frame[2]

    def _record(self, frame: F.Frame) -> None:
        h = self.critic_history
        if h["step"] and frame.step <= h["step"][-1]:
            return  # a redraw of a step already recorded (or an older snapshot)
        h["step"].append(frame.step)
        h["score_real"].append(frame.d_real)
        h["score_fake"].append(frame.d_fake)

    def snapshots(self) -> list:
        """The stored snapshots the timeline offers (a copy: the list grows while training)."""
        with self.trainer.lock:
            return list(self.trainer.snapshots)

    @property
    def snapshot_every(self) -> int:
        return self.trainer.cfg.snapshot_every

    def timeline_planes(self, snap, critic: bool = False) -> tuple[go.Figure, go.Figure]:
        """D's surface with the fakes, and G's manifold, at a stored snapshot (the timeline keeps its own zoom).

        Computed on fresh networks: the timeline must not disturb the live frame's.
        """
        frame = F.frame_at(self.trainer, self.view, snap, critic=critic)
        what = "Critic score" if critic else "D(x)"
        surface = self.surface_figure(frame, False, f"{what} and samples at step {frame.step:,}", timeline=True)
        return surface, self.manifold_figure(frame, timeline=True)

    def curves(self, loss: str, history: dict[str, list[float]]) -> list[tuple[F.Curves, dict]]:
        """The curve charts for the loss the run uses now, each with its history: the trainer's, or for a
        critic's scores the scene's own record (``critic_history``)."""
        return [(spec, self.critic_history if spec is F.CRITIC_SCORES else history)
                for spec in F.curve_specs(loss, CURVES)]  # fmt: skip

    # ---- pictures (while training) ----------------------------------------------------------------
    def pictures(self, frame: F.Frame, dstar_grid: np.ndarray | None, arrows: bool) -> tuple[Picture, ...]:
        """JPEGs of D's surface (+ D*) and G's manifold, left to right; a queued or slowed run redraws the same
        step: reused."""
        key = (frame.step, arrows, dstar_grid is not None, frame.critic)
        if self._pictures is None or self._pictures[0] != key:
            grad = frame.grad if arrows else None
            surface = P.surface_image(self.view, frame.d_grid, frame.fake, grad, frame.critic)
            pictures = [Picture(self.surface_title(frame), surface)]
            if dstar_grid is not None:
                pictures.append(Picture(DSTAR_TITLE, P.surface_image(self.view, dstar_grid, frame.fake)))
            pictures.append(Picture(self.manifold_title, P.manifold_image(self.view, frame.manifold)))
            self._pictures = (key, tuple(pictures))
        return self._pictures[1]

    @staticmethod
    def surface_title(frame: F.Frame) -> str:
        what = "Critic score D(x)" if frame.critic else "Discriminator D(x)"
        return f"{what} at step {frame.step:,}"

    @property
    def manifold_title(self) -> str:
        return F.manifold_title(self.latent_dim)

    # ---- interactive figures (paused) -------------------------------------------------------------
    def planes(self, frame: F.Frame, dstar_grid: np.ndarray | None, arrows: bool) -> tuple[go.Figure, ...]:
        """The same planes as ``pictures``, as interactive figures (hover, zoom)."""
        surface = self.surface_figure(frame, arrows, self.surface_title(frame))
        dstar = (self.dstar_figure(frame, dstar_grid),) if dstar_grid is not None else ()
        return (surface, *dstar, self.manifold_figure(frame))

    def surface_figure(self, frame: F.Frame, arrows: bool, title: str, timeline: bool = False) -> go.Figure:
        """D(x) on the plane with the fakes (and the push on them); ``timeline``: its own zoom state."""
        revision = self.revision + "-timeline" if timeline else self.revision
        grad = frame.grad if arrows else None
        fig = F.decision_surface(self.view, frame.d_grid, frame.fake, grad, title, revision, frame.critic)
        return fig.update_layout(height=PLANE_HEIGHT)

    def dstar_figure(self, frame: F.Frame, dstar_grid: np.ndarray) -> go.Figure:
        fig = F.decision_surface(self.view, dstar_grid, frame.fake, title=DSTAR_TITLE, revision=self.revision)
        return fig.update_layout(height=PLANE_HEIGHT)

    def manifold_figure(self, frame: F.Frame, timeline: bool = False) -> go.Figure:
        revision = self.revision + "-timeline" if timeline else self.revision
        fig = F.generator_manifold(self.view, frame.manifold, self.latent_dim, revision=revision)
        return fig.update_layout(height=PLANE_HEIGHT)
