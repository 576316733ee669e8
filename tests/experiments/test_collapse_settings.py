"""The mode-collapse lab's declaration: today's defaults and links, the usual pair per data set, preset links."""

from playground.experiments.collapse.settings import COLLAPSE, preset_label, usual_pair
from playground.experiments.toy.presets import PRESETS
from playground.settings import url


def test_defaults_and_link_schema_are_the_pages_of_before():
    assert COLLAPSE.defaults() == {
        "collapse.dataset": "ring8", "collapse.left": "collapse-ring8", "collapse.right": "pacgan-ring8",
        "collapse.seed": 0, "collapse.refresh": 2, "collapse.sweep_seeds": 8, "collapse.sweep_steps": 6000,
    }  # fmt: skip
    assert COLLAPSE.schema() == url.Schema(
        prefix="collapse.",
        fields={
            "dataset": url.Choice(("ring8", "grid25")),
            "left": url.Choice(tuple(PRESETS)),
            "right": url.Choice(tuple(PRESETS)),
            "seed": url.IntRange(0, 10_000),
            "refresh": url.Choice((0.5, 1, 2, 4)),
            "sweep_seeds": url.Choice((2, 4, 8, 12, 16)),
            "sweep_steps": url.IntRange(100, 20_000),
        },
        display=frozenset({"refresh"}),  # each student's own: lock=1 never locks it
    )


def test_only_the_step_budget_and_the_view_change_without_reset():
    assert COLLAPSE.reset_names == ("dataset", "left", "right", "seed", "sweep_seeds")
    assert COLLAPSE.live_names == () and COLLAPSE.view_names == ("refresh",)


def test_each_data_set_starts_from_its_collapse_preset_beside_a_remedy():
    assert usual_pair("ring8") == {"left": "collapse-ring8", "right": "pacgan-ring8", "sweep_steps": 6000}
    assert usual_pair("grid25") == {"left": "collapse-grid25", "right": "pacgan-grid25", "sweep_steps": 14_000}


def test_a_preset_link_shows_it_beside_the_setting_it_starts_from():
    presets = COLLAPSE.url_presets()
    assert presets["unrolled-ring8"] == {"collapse.dataset": "ring8", "collapse.left": "collapse-ring8",
                                         "collapse.right": "unrolled-ring8", "collapse.sweep_steps": 6000}  # fmt: skip
    assert presets["default-ring8"]["collapse.left"] == "collapse-ring8"  # no base: its data's collapse preset
    assert presets["default-ring8"]["collapse.sweep_steps"] == 5000


def test_preset_label_lists_the_remedies_a_preset_applies():
    assert preset_label("pacgan-ring8") == "pacgan-ring8 (pacgan=2)"
    assert preset_label("collapse-ring8") == "collapse-ring8"
