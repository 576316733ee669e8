"""The share-link codec: round trips, short links, rejected values with messages, locks and presets."""

import math
import random

import pytest

from playground.settings import url as U

SCHEMA = U.Schema(
    prefix="p.",
    fields={
        "dataset": U.Choice(("ring8", "grid25")),
        "lr": U.Choice((1e-4, 3e-4, 1e-3, 5e-3)),
        "speed": U.Choice((1, 10, "full")),
        "k": U.IntRange(1, 10),
        "arrows": U.Flag(),
    },
    display=frozenset({"arrows"}),
)
DEFAULTS = {"p.dataset": "ring8", "p.lr": 1e-3, "p.speed": "full", "p.k": 1, "p.arrows": True}
PRESETS = {"demo": {"p.dataset": "grid25", "p.k": 5}, "remedy": "Preset 'remedy' needs the lab."}


def random_values(rng: random.Random) -> dict:
    return {
        "p.dataset": rng.choice(["ring8", "grid25"]),
        "p.lr": rng.choice([1e-4, 3e-4, 1e-3, 5e-3]),
        "p.speed": rng.choice([1, 10, "full"]),
        "p.k": rng.randint(1, 10),
        "p.arrows": rng.random() < 0.5,
    }


@pytest.mark.parametrize("seed", range(20))
def test_encode_then_decode_restores_every_value_exactly(seed):
    values = random_values(random.Random(seed))
    decoded = U.decode(SCHEMA, U.encode(SCHEMA, values, DEFAULTS))
    assert decoded.errors == []
    assert {**DEFAULTS, **decoded.values} == values
    assert all(type(decoded.values[k]) is type(values[k]) for k in decoded.values)


def test_only_settings_that_differ_from_the_defaults_go_into_the_link():
    assert U.encode(SCHEMA, DEFAULTS, DEFAULTS) == {}
    assert U.encode(SCHEMA, {**DEFAULTS, "p.lr": 3e-4, "p.arrows": False}, DEFAULTS) == {"lr": "0.0003", "arrows": "0"}


def test_values_a_link_cannot_carry_are_left_out():
    assert U.encode(SCHEMA, {**DEFAULTS, "p.dataset": "upload"}, DEFAULTS) == {}


@pytest.mark.parametrize(
    ("param", "text"),
    [
        ("lr", "0.5"),  # not an option
        ("lr", "nan"),
        ("lr", "inf"),
        ("lr", "1e-3x"),
        ("dataset", "../../etc/passwd"),
        ("speed", "fast"),
        ("k", "0"),
        ("k", "11"),
        ("k", "2.5"),
        ("k", "9" * 100),  # too long
        ("arrows", "maybe"),
    ],
)
def test_bad_values_are_rejected_with_a_message_and_never_applied(param, text):
    decoded = U.decode(SCHEMA, {param: text, "k": "3"} if param != "k" else {param: text})
    assert f"p.{param}" not in decoded.values
    assert len(decoded.errors) == 1 and repr(param) in decoded.errors[0]


def test_other_spellings_of_numeric_options_are_accepted():
    assert U.decode(SCHEMA, {"lr": "1e-3"}).values == {"p.lr": 1e-3}
    assert U.decode(SCHEMA, {"lr": "0.00500"}).values == {"p.lr": 5e-3}
    assert U.decode(SCHEMA, {"speed": "10"}).values == {"p.speed": 10}
    assert U.decode(SCHEMA, {"arrows": "true"}).values == {"p.arrows": True}


def test_unknown_settings_are_reported_and_streamlits_own_parameters_ignored():
    decoded = U.decode(SCHEMA, {"colour": "red", "embed": "true", "k": "2"})
    assert decoded.values == {"p.k": 2}
    assert len(decoded.errors) == 1 and "'colour'" in decoded.errors[0]


def test_repeated_parameters_count_by_their_last_value():
    assert U.decode(SCHEMA, {"k": ["2", "4"]}).values == {"p.k": 4}


def test_lock_1_locks_everything_but_the_view_options():
    decoded = U.decode(SCHEMA, {"lock": "1"})
    assert decoded.locked == {"p.dataset", "p.lr", "p.speed", "p.k"}
    assert U.encode(SCHEMA, DEFAULTS, DEFAULTS, decoded.locked) == {"lock": "1"}


def test_lock_can_name_the_settings_to_lock_and_round_trips():
    decoded = U.decode(SCHEMA, {"lock": "lr,arrows,bogus"})
    assert decoded.locked == {"p.lr", "p.arrows"}
    assert len(decoded.errors) == 1 and "bogus" in decoded.errors[0]
    params = U.encode(SCHEMA, DEFAULTS, DEFAULTS, decoded.locked)
    assert params == {"lock": "lr,arrows"}
    assert U.decode(SCHEMA, params).locked == decoded.locked


@pytest.mark.parametrize("text", ["0", "", "false"])
def test_lock_0_locks_nothing(text):
    assert U.decode(SCHEMA, {"lock": text}).locked == frozenset()


def test_a_preset_fills_in_its_values_and_explicit_parameters_override_it():
    assert U.decode(SCHEMA, {"preset": "demo"}, PRESETS).values == {"p.dataset": "grid25", "p.k": 5}
    assert U.decode(SCHEMA, {"preset": "demo", "k": "2"}, PRESETS).values == {"p.dataset": "grid25", "p.k": 2}


def test_unknown_or_unusable_presets_explain_themselves():
    unknown = U.decode(SCHEMA, {"preset": "nope"}, PRESETS)
    assert unknown.values == {} and "nope" in unknown.errors[0] and "demo" in unknown.errors[0]
    assert U.decode(SCHEMA, {"preset": "remedy"}, PRESETS).errors == ["Preset 'remedy' needs the lab."]


def test_float_options_encode_short_and_exact():
    for value in (1e-5, 3e-5, 1e-4, 5e-3, 0.1):
        text = U.encode_value(U.Choice((value,)), value)
        assert len(text) <= 6 and float(text) == pytest.approx(value, rel=0, abs=0)
        assert math.isfinite(float(text))


def test_a_bad_value_for_a_short_choice_lists_every_option():
    (error,) = U.decode(SCHEMA, {"lr": "0.5"}).errors
    assert error == "'lr' must be one of 0.0001, 0.0003, 0.001, 0.005; '0.5' is not. It was ignored."


def test_a_bad_value_for_a_long_run_of_whole_numbers_gives_the_range_not_every_option():
    schema = U.Schema(prefix="p.", fields={"walk_i": U.Choice(tuple(range(1, 4097)))})
    (error,) = U.decode(schema, {"walk_i": "5000"}).errors
    assert error == "'walk_i' must be a whole number between 1 and 4096; '5000' is not. It was ignored."


def test_a_bad_value_for_a_long_list_shows_its_ends_and_its_length():
    schema = U.Schema(prefix="p.", fields={"lr": U.Choice(tuple(10.0**-e for e in range(1, 21)))})
    (error,) = U.decode(schema, {"lr": "0.5"}).errors
    assert error == "'lr' must be one of 0.1, 0.01, 0.001, …, 1e-20 (20 options); '0.5' is not. It was ignored."
    gappy = U.Schema(prefix="p.", fields={"n": U.Choice(tuple(range(0, 40, 2)))})  # whole numbers with gaps
    assert "0, 2, 4, …, 38 (20 options)" in U.decode(gappy, {"n": "3"}).errors[0]


# ---- a small point set (an uploaded CSV's) ----------------------------------------------------------------
def test_points_are_written_compactly_at_three_decimals_and_read_back():
    text = U.encode_points([(1.0, -0.5), (0.12345, 2.0004), (-0.0001, 1_000_000.0)])
    assert text == "1_-0.5_0.123_2_0_1000000"  # "-0.000" is written 0; no letter needs escaping in a URL
    assert U.decode_points(text) == [(1.0, -0.5), (0.123, 2.0), (0.0, 1e6)]


def test_up_to_200_points_fit_in_a_link_and_201_do_not():
    rng = random.Random(0)
    points = [(rng.uniform(-9, 9), rng.uniform(-9, 9)) for _ in range(U.MAX_POINTS)]
    decoded = U.decode_points(U.encode_points(points))
    assert [v for p in decoded for v in p] == pytest.approx([v for p in points for v in p], abs=5e-4)
    assert U.encode_points([*points, (0.0, 0.0)]) is None
    assert U.encode_points([(math.nan, 1.0)]) is None and U.encode_points([(1e7, 1.0)]) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1_2_3", "pairs"),
        ("1_nan", "pairs"),
        ("1_inf", "pairs"),
        ("1e3_2", "pairs"),
        ("__import__('os')_1", "pairs"),
        ("1.5;2", "pairs"),
        ("1_12345678", "pairs"),  # beyond 10⁷
        ("1_0.0001", "pairs"),  # more decimals than a link writes
        ("_".join(["1"] * 402), "at most 200"),
        ("1" * 6000, "too long"),
    ],
)
def test_a_links_points_are_untrusted_and_anything_else_is_rejected_with_a_sentence(text, says):
    with pytest.raises(U.UrlStateError, match=says):
        U.decode_points(text)


def test_points_are_reserved_so_the_settings_decoder_does_not_call_them_unknown():
    assert U.decode(SCHEMA, {"points": "1_2", "k": "2"}).errors == []
