"""What a toy run is built from: the chosen or uploaded points, and the Trainer on them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from playground.engines import fast_engine
from playground.experiments.toy.settings import model_config, train_config
from playground.gan.data import PointCloud, points_from_csv
from playground.gan.trainer import Trainer


def uploaded_dataset(raw: bytes) -> tuple[str, PointCloud]:
    """A CSV upload as (data id, points); the id names the file's content, so re-uploading it needs no Reset.

    Raises ``DataError`` with a sentence for the student when the file holds no usable points.
    """
    cloud = points_from_csv(raw.decode("utf-8", errors="replace"))
    return "csv:" + hashlib.sha1(raw).hexdigest()[:12], cloud


def make_trainer(data, values: Mapping[str, object]) -> Trainer:
    """The toy run's trainer on ``data`` from the page's setting values (by name), with the hand-written MLP
    engine where it applies (the reference step otherwise: same numbers, proven by tests/engines)."""
    return Trainer(data, model_config(values), train_config(values), engine=fast_engine)
