"""The latent explorer's declared settings give the widget defaults and share links the page had."""

import pytest

from playground.experiments.latent.settings import LATENT
from playground.settings import url

DEFAULTS = {  # the page's widget defaults before the declaration (pages/latent.py at da2eefb)
    "latent.source": "pretrained:dcgan",
    "latent.n_sliders": 8,
    "latent.label": 0,
    "latent.paste": "",
    "latent.a_kind": "digit",
    "latent.a_digit": 3,
    "latent.a_seed": 1,
    "latent.a_text": "",
    "latent.b_kind": "digit",
    "latent.b_digit": 8,
    "latent.b_seed": 2,
    "latent.b_text": "",
    "latent.steps": 10,
    "latent.method": "slerp",
    "latent.frame_ms": 120,
    "latent.walk_dirs": "random",
    "latent.walk_seed": 0,
    "latent.walk_i": 1,
    "latent.walk_j": 2,
    "latent.walk_span": 2.0,
    "latent.walk_steps": 7,
    "latent.toy_i": 1,
    "latent.toy_j": 2,
}


def test_defaults_are_the_pages_defaults():
    assert LATENT.defaults() == DEFAULTS


def test_nothing_is_live_or_a_control_and_the_display_choices_are_view_options():
    assert LATENT.live_names == ()
    assert set(LATENT.view_names) == {"n_sliders", "frame_ms"}
    assert set(LATENT.schema().lockable) == set(LATENT.schema().fields) - {"n_sliders", "frame_ms"}


def test_pasted_text_and_this_browsers_generators_stay_out_of_links():
    schema = LATENT.schema()
    assert not {"paste", "a_text", "b_text"} & set(schema.fields)
    assert schema.fields["source"] == url.Choice(("pretrained:dcgan", "pretrained:mlp", "pretrained:dcgan_conditional"))
    assert schema.fields["a_kind"] == url.Choice(("digit", "random", "slider"))
    values = {**DEFAULTS, "latent.source": "upload", "latent.b_kind": "pasted", "latent.paste": "1, 2"}
    assert url.encode(schema, values, DEFAULTS) == {}


def test_an_old_share_link_decodes_to_the_same_widget_values():
    params = {
        "source": "pretrained:dcgan_conditional",
        "label": "7",
        "a_kind": "random",
        "b_seed": "42",
        "steps": "12",
        "method": "lerp",
        "frame_ms": "200",
        "walk_dirs": "axes",
        "walk_i": "5",
        "walk_j": "9",
        "walk_span": "3.5",
        "walk_steps": "11",
        "toy_j": "3",
        "lock": "1",
    }
    decoded = url.decode(LATENT.schema(), params)
    assert decoded.errors == []
    assert decoded.values == {
        "latent.source": "pretrained:dcgan_conditional",
        "latent.label": 7,
        "latent.a_kind": "random",
        "latent.b_seed": 42,
        "latent.steps": 12,
        "latent.method": "lerp",
        "latent.frame_ms": 200,
        "latent.walk_dirs": "axes",
        "latent.walk_i": 5,
        "latent.walk_j": 9,
        "latent.walk_span": pytest.approx(3.5),
        "latent.walk_steps": 11,
        "latent.toy_j": 3,
    }
    assert "latent.n_sliders" not in decoded.locked and "latent.steps" in decoded.locked
    assert url.encode(LATENT.schema(), {**DEFAULTS, **decoded.values}, DEFAULTS) == {
        k: v for k, v in params.items() if k != "lock"
    }


@pytest.mark.parametrize(
    "name, text", [("steps", "17"), ("source", "upload"), ("a_kind", "pasted"), ("walk_span", "5")]
)
def test_values_a_widget_does_not_offer_are_refused(name, text):
    assert url.decode(LATENT.schema(), {name: text}).errors
