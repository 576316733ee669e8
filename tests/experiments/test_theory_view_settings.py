"""The 1-D theory page's settings declaration: the page's defaults, share links and lock mode, as before the move."""

import pytest

from playground.experiments.theory import runs as TR
from playground.experiments.theory.settings import THEORY
from playground.settings import url


def test_defaults_are_the_calibrated_configs_under_the_pages_widget_keys():
    assert THEORY.defaults() == {
        "theory.data": "gaussian",
        "theory.custom": "0.7, 2, 0.4; 0.3, 4, 0.3",
        "theory.prior": "uniform",
        "theory.hidden": 64,
        "theory.optimizer": "adam",
        "theory.lr": 5e-4,
        "theory.k": 1,
        "theory.seed": 0,
        "theory.speed": "full",
        "theory.show_dstar": True,
    }
    assert THEORY["lr"].default == TR.THEORY_TRAIN.lr_d == TR.THEORY_TRAIN.lr_g


def test_every_training_setting_needs_reset_and_lock_leaves_the_view_free():
    assert THEORY.live_names == ()
    assert THEORY.reset_names == ("data", "custom", "prior", "hidden", "optimizer", "lr", "k", "seed")
    schema = THEORY.schema()
    assert schema.prefix == "theory." and schema.display == {"speed", "show_dstar"}
    assert schema.lockable == THEORY.reset_names


def test_a_share_link_of_the_page_decodes_to_its_widget_values():
    params = {"data": "custom", "custom": "1, 3, 0.5", "lr": "0.001", "hidden": "32", "speed": "20", "lock": "1"}
    decoded = url.decode(THEORY.schema(), params)
    assert decoded.errors == []
    assert decoded.values == {
        "theory.data": "custom",
        "theory.custom": "1, 3, 0.5",
        "theory.lr": 1e-3,
        "theory.hidden": 32,
        "theory.speed": 20,
    }
    assert "theory.speed" not in decoded.locked and "theory.lr" in decoded.locked


@pytest.mark.parametrize(("name", "text"), [("custom", "1, 2"), ("lr", "0.3"), ("k", "11"), ("data", "cauchy")])
def test_a_bad_link_value_gives_a_message_and_no_value(name, text):
    decoded = url.decode(THEORY.schema(), {name: text})
    assert decoded.values == {} and len(decoded.errors) == 1


def test_needs_reset_names_the_changed_training_settings_only():
    built = {s.name: s.default for s in THEORY.settings}
    current = {**built, "lr": 1e-3, "speed": 5, "show_dstar": False}
    assert THEORY.needs_reset(built, current) == ["lr"]
