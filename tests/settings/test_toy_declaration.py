"""The toy page's declaration: its defaults are the default preset, its presets restore their configs exactly."""

import argparse

from playground.experiments.toy.presets import DEFAULT_PRESET, PRESETS
from playground.experiments.toy.settings import TOY, model_config, train_config
from playground.gan.trainer import Trainer
from playground.settings import add_flags
from playground.settings import url as U

SHARED_FLAGS = ("loss", "optimizer", "lr_d", "lr_g", "k", "batch_size", "seed", "hidden", "depth", "activation",
                "latent_dim", "pack", "reuse_fakes")  # fmt: skip


def test_defaults_build_the_default_preset_and_are_valid_in_a_link():
    values = TOY.values(TOY.defaults())
    preset = PRESETS[DEFAULT_PRESET]
    assert model_config(values) == preset.model and train_config(values) == preset.train
    assert values["dataset"] == preset.dataset
    for name, spec in TOY.schema().fields.items():
        assert U.is_valid(spec, values[name]), name


def test_live_settings_are_ones_the_trainer_can_change_while_training():
    assert TOY.live_names == ("loss", "lr_d", "lr_g", "k", "batch_size", "reuse_fakes")
    assert set(TOY.live_names) <= set(Trainer.LIVE_FIELDS)
    assert TOY.view_names == ("refresh", "show_arrows", "show_dstar")  # each student's own: lock=1 leaves them
    assert "speed" in TOY.schema().lockable and "speed" not in TOY.reset_names


def test_presets_the_page_accepts_restore_their_configs_exactly():
    presets = TOY.url_presets()
    usable = {n: v for n, v in presets.items() if not isinstance(v, str)}
    assert "collapse-ring8" in usable and "default-ring8" in usable
    for name, values in usable.items():
        decoded = U.decode(TOY.schema(), {"preset": name}, presets)
        assert decoded.errors == [] and decoded.values == values
        fields = TOY.values(values)
        assert model_config(fields) == PRESETS[name].model and train_config(fields) == PRESETS[name].train
        assert fields["dataset"] == PRESETS[name].dataset


def test_presets_with_remedies_other_than_packing_point_to_the_lab():
    presets = TOY.url_presets()
    other = [n for n in PRESETS if any(not r.startswith("pacgan") for r in PRESETS[n].remedies)]
    assert other
    for name in other:
        assert (
            presets[name]
            == f"Preset {name!r} needs settings this page does not have: open it in the Mode-collapse lab."
        )


def test_cli_flags_from_the_declaration_match_the_training_cli():
    from playground.train import build_parser

    derived = argparse.ArgumentParser()
    add_flags(derived, TOY, SHARED_FLAGS)
    ours = {a.dest: a for a in derived._actions}
    theirs = {a.dest: a for a in build_parser()._actions}
    for name in SHARED_FLAGS:
        assert ours[name].option_strings == theirs[name].option_strings, name
        assert ours[name].default == theirs[name].default, name
        assert ours[name].type == theirs[name].type, name
        assert (ours[name].choices and list(ours[name].choices)) == (
            theirs[name].choices and list(theirs[name].choices)
        )


def test_every_tooltip_says_when_its_change_takes_effect():
    for name in TOY.live_names:
        assert "Applies live" in TOY[name].help, name
    for name in TOY.reset_names:
        assert "Needs Reset" in TOY[name].help, name


def test_reuse_fakes_is_off_by_default_reaches_the_train_config_and_travels_in_a_link():
    values = TOY.values(TOY.defaults())
    assert values["reuse_fakes"] is False and train_config(values).reuse_fakes is False  # Algorithm 1
    assert train_config({**values, "reuse_fakes": True}).reuse_fakes is True
    assert U.decode(TOY.schema(), {"reuse_fakes": "1"}).values == {"toy.reuse_fakes": True}
