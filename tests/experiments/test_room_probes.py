"""The class board's measurement of a run is the student's own figure: same weights, same noise, same numbers."""

import io

import pytest
from PIL import Image

from playground.experiments.collapse import runs
from playground.experiments.collapse.lab import frame_and_metrics
from playground.experiments.collapse.settings import COLLAPSE
from playground.experiments.room.probes import TILE, LabProbe, ToyProbe, changed, probes_for, sendable
from playground.experiments.toy.build import make_trainer
from playground.experiments.toy.readout import readout
from playground.experiments.toy.scene import Scene
from playground.experiments.toy.settings import TOY
from playground.gan.data import make_dataset
from playground.runtime.controller import RunController


def toy_run(**changes) -> RunController:
    values = {**{s.name: s.default for s in TOY.settings}, **changes}
    data = make_dataset(values["dataset"])
    settings = {**TOY.run_settings(values), "dataset": values["dataset"]}
    return RunController(lambda: make_trainer(data, values), settings, live=TOY.live_names, slots=None)


def size_of(jpeg: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(jpeg)).size


@pytest.mark.parametrize("changes", [{}, {"dataset": "grid25", "hidden": 32, "seed": 3}])
def test_a_toy_reading_equals_the_modes_the_toy_page_shows(changes):
    run = toy_run(**changes)
    try:
        run.step(40, wait=30)
        view = run.view()
        scene = Scene.of(run)  # what the page draws from
        frame, _ = scene.latest(False, view.published)
        page = readout(view.history, frame, scene.data).modes
        reading = ToyProbe(run).measure(run, view)
    finally:
        run.stop()
    assert reading.step == view.published.step == 40
    assert (reading.modes_captured, reading.modes_total) == (page.captured, page.total)
    assert reading.high_quality == pytest.approx(page.high_quality, abs=0)
    assert size_of(reading.picture) == (TILE, TILE)


def test_a_toy_run_on_data_without_modes_has_no_mode_count():
    run = toy_run(dataset="moons")
    try:
        run.step(2, wait=30)
        reading = ToyProbe(run).measure(run, run.view())
    finally:
        run.stop()
    assert (reading.modes_captured, reading.modes_total, reading.high_quality) == (None, None, None)


def test_each_side_of_the_lab_pair_reads_as_the_lab_shows_it():
    values = {s.name: s.default for s in COLLAPSE.settings}
    run = runs.pair_run(values)
    try:
        run.step(30, wait=30)
        members = run.view().members
        for i in (0, 1):
            _, lab = frame_and_metrics(run.trainer.trainers[i], run.trainer.views[i], members[i].published)
            reading = LabProbe(run, i).measure(run, members[i])
            assert (reading.modes_captured, reading.modes_total) == (lab["modes_captured"], lab["modes_total"])
            assert reading.high_quality == pytest.approx(lab["high_quality"], abs=0)
    finally:
        run.stop()


def test_the_lab_sides_describe_their_preset_and_send_the_whole_pair():
    values = {**{s.name: s.default for s in COLLAPSE.settings}, "seed": 4}
    run = runs.pair_run(values)
    try:
        slots = probes_for("collapse", run)
        right = dict(slots)["lab right"]().about(run)
    finally:
        run.stop()
    assert [s for s, _ in slots] == ["lab left", "lab right"]
    assert (right.page, right.dataset, right.preset) == ("Mode-collapse lab", "ring8", values["right"])
    assert right.changed == {"seed": 4}
    assert right.send == ("collapse", {"dataset": "ring8", "left": values["left"], "right": values["right"], "seed": 4})


def test_a_toy_run_lists_what_differs_from_the_defaults_and_can_be_sent():
    run = toy_run(lr_d=3e-3, batch_size=64)
    try:
        about = ToyProbe(run).about(run)
    finally:
        run.stop()
    assert about.changed == {"lr_d": 3e-3, "batch_size": 64}
    assert about.send == ("toy", dict(run.settings))


def test_uploaded_points_cannot_be_sent():
    values = {s.name: s.default for s in TOY.settings}
    assert sendable(TOY, {**TOY.run_settings(values), "dataset": "upload:1234abcd"}) is None
    assert changed(TOY, {"seed": 0, "k": 5}) == {"k": 5}
