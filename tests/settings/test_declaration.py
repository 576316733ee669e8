"""One declaration per experiment: defaults, URL schema, lock mode, live/reset split, presets and CLI flags."""

import argparse
import random

import pytest

from playground.settings import Experiment, Setting, add_flags
from playground.settings import url as U


def tiny(**presets) -> Experiment:
    return Experiment(
        "p",
        (
            Setting("dataset", "ring8", "Dataset", "What to learn.", "select", ("ring8", "grid25", "upload"),
                    {"ring8": "Ring", "grid25": "Grid"}, local=("upload",), group="Data"),
            Setting("lr", 1e-3, "Learning rate", "Step size.", "select_slider", (1e-4, 1e-3, 5e-3), "{:g}".format,
                    live=True, group="Training"),
            Setting("k", 1, "k: D steps", "Inner loop.", "slider", (1, 10), live=True, group="Training"),
            Setting("seed", 0, "Seed", "Seeds.", "number", (0, 99), group="Training"),
            Setting("mix", "1, 2", "Mixture", "Pairs.", "text", check=_two_numbers, group="Data"),
            Setting("paste", "", "Paste", "Never in a link.", "text", url=False, group="Data"),
            Setting("speed", "full", "Speed", "Cap.", "select_slider", (1, 10, "full"), control=True, group="Run"),
            Setting("arrows", True, "Arrows", "Overlay.", "toggle", view=True, group="View"),
        ),
        presets=presets,
        presets_elsewhere="the lab",
    )  # fmt: skip


def _two_numbers(text: str) -> list[float]:
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 2:
        raise ValueError("needs two numbers")
    return parts


def test_defaults_are_keyed_by_experiment_and_setting_name():
    assert tiny().defaults() == {"p.dataset": "ring8", "p.lr": 1e-3, "p.k": 1, "p.seed": 0, "p.mix": "1, 2",
                                 "p.paste": "", "p.speed": "full", "p.arrows": True}  # fmt: skip


def test_the_schema_carries_every_url_setting_with_the_values_its_widget_offers():
    schema = tiny().schema()
    assert schema.prefix == "p."
    assert list(schema.fields) == ["dataset", "lr", "k", "seed", "mix", "speed", "arrows"]  # no "paste"
    assert schema.fields["dataset"] == U.Choice(("ring8", "grid25"))  # an upload cannot travel in a link
    assert schema.fields["lr"] == U.Choice((1e-4, 1e-3, 5e-3))
    assert schema.fields["k"] == U.IntRange(1, 10) and schema.fields["seed"] == U.IntRange(0, 99)
    assert schema.fields["arrows"] == U.Flag()
    assert isinstance(schema.fields["mix"], U.Text)


def test_lock_1_locks_everything_but_the_view_options():
    exp = tiny()
    assert exp.schema().lockable == ("dataset", "lr", "k", "seed", "mix", "speed")
    assert U.decode(exp.schema(), {"lock": "1"}).locked == {f"p.{n}" for n in exp.schema().lockable}


def test_live_reset_and_view_split():
    exp = tiny()
    assert exp.live_names == ("lr", "k")
    assert exp.reset_names == ("dataset", "seed", "mix", "paste")  # a control (speed) never needs Reset
    assert exp.view_names == ("arrows",)


def test_needs_reset_lists_exactly_the_changed_reset_settings():
    exp = tiny()
    built = exp.values(exp.defaults())
    current = {**built, "lr": 5e-3, "k": 4, "speed": 10, "arrows": False}  # live, control and view changes
    assert exp.needs_reset(built, current) == []
    assert exp.needs_reset(built, {**current, "seed": 3, "dataset": "grid25"}) == ["dataset", "seed"]


def test_values_read_session_state_and_fill_in_defaults():
    values = tiny().values({"p.lr": 5e-3, "p.k": 7, "other.k": 2})
    assert values["lr"] == 5e-3 and values["k"] == 7 and values["dataset"] == "ring8"
    assert set(values) == {"dataset", "lr", "k", "seed", "mix", "paste", "speed", "arrows"}


def test_run_settings_are_the_reset_and_live_ones():
    exp = tiny()
    assert set(exp.run_settings(exp.values({}))) == {"dataset", "seed", "mix", "paste", "lr", "k"}


def test_a_preset_maps_to_widget_values_or_says_why_the_page_cannot_show_it():
    exp = tiny(demo={"dataset": "grid25", "k": 5}, remedy=None, wide={"k": 50}, other={"depth": 3})
    presets = exp.url_presets()
    assert presets["demo"] == {"p.dataset": "grid25", "p.k": 5}
    cannot = "needs settings this page does not have: open it in the lab."
    assert presets["remedy"] == f"Preset 'remedy' {cannot}"
    assert presets["wide"] == f"Preset 'wide' {cannot}"  # k = 50 is not on the slider
    assert presets["other"] == f"Preset 'other' {cannot}"  # no such setting here
    decoded = U.decode(exp.schema(), {"preset": "demo", "k": "2"}, presets)
    assert decoded.values == {"p.dataset": "grid25", "p.k": 2} and decoded.errors == []


def test_preset_rejects_values_the_widget_does_not_offer():
    with pytest.raises(ValueError, match="lr=0.5"):
        tiny().preset({"lr": 0.5})
    with pytest.raises(ValueError, match="depth"):
        tiny().preset({"depth": 2})


@pytest.mark.parametrize("seed", range(10))
def test_url_round_trip_gives_the_values_back(seed):
    rng = random.Random(seed)
    exp = tiny()
    values = {"p.dataset": rng.choice(["ring8", "grid25"]), "p.lr": rng.choice([1e-4, 1e-3, 5e-3]),
              "p.k": rng.randint(1, 10), "p.seed": rng.randint(0, 99), "p.mix": f"{rng.randint(0, 9)}, 3",
              "p.speed": rng.choice([1, 10, "full"]), "p.arrows": rng.random() < 0.5}  # fmt: skip
    decoded = U.decode(exp.schema(), U.encode(exp.schema(), values, exp.defaults()))
    assert decoded.errors == []
    assert {**exp.defaults(), **decoded.values} == {**exp.defaults(), **values}


BAD_VALUES = [
    ("mix", "1, 2, 3", "needs two numbers"),
    ("k", "11", "between"),
    ("dataset", "upload", "one of ring8, grid25"),
]


@pytest.mark.parametrize(("param", "text", "says"), BAD_VALUES)
def test_a_bad_url_value_gives_a_message_and_is_not_applied(param, text, says):
    decoded = U.decode(tiny().schema(), {param: text})
    assert decoded.values == {}
    assert len(decoded.errors) == 1 and says in decoded.errors[0] and repr(param) in decoded.errors[0]


def test_format_shows_labels_from_a_dict_or_a_function():
    exp = tiny()
    assert exp["dataset"].format("grid25") == "Grid" and exp["dataset"].format("upload") == "upload"
    assert exp["lr"].format(1e-4) == "0.0001" and exp["k"].format(3) == "3"


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"widget": "dial"}, "not one of"),
        ({"widget": "select"}, "needs its options"),
        ({"widget": "slider", "options": (5, 1)}, "needs options"),
        ({"widget": "select", "options": ("a", "b")}, "default"),
        ({"widget": "toggle", "live": True, "view": True}, "not several"),
    ],
)
def test_a_mistaken_declaration_fails_at_import(kwargs, says):
    with pytest.raises(ValueError, match=says):
        Setting("x", True, "X", "x", **kwargs)


def test_two_settings_with_one_name_are_refused():
    k = Setting("k", 1, "k", "k", "slider", (1, 3))
    with pytest.raises(ValueError, match="share a name"):
        Experiment("p", (k, k))


def parser_with(names) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_flags(parser, tiny(), names)
    return parser


def test_cli_flags_take_the_declared_defaults_and_types():
    args = parser_with(["lr", "k", "dataset", "arrows"]).parse_args([])
    assert (args.lr, args.k, args.dataset, args.arrows) == (1e-3, 1, "ring8", True)
    args = parser_with(["lr", "k", "arrows"]).parse_args(["--lr", "0.02", "--k", "30", "--no-arrows"])
    assert args.lr == pytest.approx(0.02) and type(args.lr) is float  # any number, not only the slider's
    assert args.k == 30 and type(args.k) is int and args.arrows is False


def test_cli_word_options_are_choices_without_local_ones(capsys):
    parser = parser_with(["dataset"])
    assert parser.parse_args(["--dataset", "grid25"]).dataset == "grid25"
    with pytest.raises(SystemExit):
        parser.parse_args(["--dataset", "upload"])
    assert "invalid choice" in capsys.readouterr().err


def test_cli_flag_names_use_dashes_and_help_is_the_label():
    exp = Experiment("p", (Setting("lr_d", 1e-3, "Learning rate D", "x", "select_slider", (1e-3, 2e-3)),))
    parser = argparse.ArgumentParser()
    add_flags(parser, exp, ["lr_d"])
    assert parser.parse_args(["--lr-d", "0.5"]).lr_d == pytest.approx(0.5)
    assert "Learning rate D" in parser.format_help()
