"""Download data is built on click from a run's latest published state and holds the run's trainer weakly."""

import gc
import json

from playground.experiments.toy.build import make_trainer
from playground.experiments.toy.settings import TOY
from playground.gan.checkpoints import read_checkpoint
from playground.gan.data import make_dataset
from playground.runtime.controller import RunController
from webui.downloads import run_files


def small_run() -> RunController:
    values = {**TOY.values({}), "hidden": 16, "batch_size": 32}
    data = make_dataset("ring8")
    return RunController(lambda: make_trainer(data, values), TOY.run_settings(values), live=TOY.live_names)


def test_a_runs_files_are_its_published_networks_and_history():
    run = small_run()
    run.step(3)
    generator, discriminator, history = run_files(run, {"dataset": "ring8"})
    _, cfg, meta = read_checkpoint(generator.data(), "generator")
    assert cfg == run.trainer.model_cfg and meta["step"] == str(run.view().step) == "3"
    assert json.loads(meta["extra"]) == {"train": run.trainer.cfg.to_dict(), "dataset": "ring8"}
    assert read_checkpoint(discriminator.data(), "discriminator")[1] == cfg
    rows = history.data().splitlines()
    assert rows[0].startswith("step") and len(rows) == 1 + 3  # a header and one row per generator step
    assert (generator.file_name, discriminator.file_name, history.mime) == (
        "generator.safetensors", "discriminator.safetensors", "text/csv")  # fmt: skip
    run.stop()


def test_the_files_keep_no_run_alive():
    run = small_run()
    generator, _, history = run_files(run, {})
    run.stop()
    del run
    gc.collect()
    assert generator.data() == b"" and history.data() == ""
