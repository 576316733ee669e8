import math
from dataclasses import replace

import pytest
import torch

from playground.experiments.toy.presets import PRESETS, presets_for
from playground.gan.data import make_dataset
from playground.gan.record import STAT_NAMES
from playground.gan.remedies import apply_remedies
from playground.gan.trainer import Trainer
from playground.train import parse_args

REMEDY_PRESETS = [name for name, p in PRESETS.items() if p.base]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_and_trains_a_finite_step(name):
    preset = PRESETS[name]
    trainer = Trainer(make_dataset(preset.dataset), preset.model, replace(preset.train, batch_size=32), device="cpu")
    assert trainer.step(1) == 1
    row = {k: v[-1] for k, v in trainer.history.copy().items()}
    assert all(math.isfinite(row[k]) for k in STAT_NAMES)


def test_the_lab_has_a_collapse_preset_and_remedies_for_both_mixtures():
    for dataset in ("ring8", "grid25"):
        names = presets_for(dataset)
        assert names[0] == f"collapse-{dataset}"
        assert any(PRESETS[n].base == f"collapse-{dataset}" for n in names)


@pytest.mark.parametrize("name", REMEDY_PRESETS)
def test_a_remedy_preset_is_its_base_plus_exactly_its_remedies(name):
    preset = PRESETS[name]
    base = PRESETS[preset.base]
    assert (preset.model, preset.train) == apply_remedies(base.model, base.train, list(preset.remedies))
    assert (preset.dataset, preset.steps) == (base.dataset, base.steps)
    assert (preset.model, preset.train) != (base.model, base.train)


@pytest.mark.parametrize("name", REMEDY_PRESETS)
def test_a_remedy_preset_starts_from_its_bases_generator(name):
    preset, base = PRESETS[name], PRESETS[PRESETS[name].base]
    a = Trainer(make_dataset(base.dataset), base.model, replace(base.train, seed=3), device="cpu")
    b = Trainer(make_dataset(preset.dataset), preset.model, replace(preset.train, seed=3), device="cpu")
    for pa, pb in zip(a.G.parameters(), b.G.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "default-ring8"])
def test_lab_presets_say_what_was_measured_on_how_many_seeds(name):
    assert "seeds" in PRESETS[name].description


@pytest.mark.parametrize("name", list(PRESETS))
def test_cli_preset_sets_the_presets_fields(name):
    preset = PRESETS[name]
    args = parse_args(["--preset", name, "--out", "unused"])
    assert (args.dataset, args.steps) == (preset.dataset, preset.steps)
    fields = {**preset.model.to_dict(), **preset.train.to_dict()}
    for key in ("pack", "mbstd_group", "hidden", "latent_dim", "lr_d", "lr_g", "instance_noise", "unroll_steps",
                "loss", "k", "ema_decay", "beta2", "batch_size"):  # fmt: skip
        assert getattr(args, key) == fields[key], key
