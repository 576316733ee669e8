"""The model overview graph: drawn from the configuration, lit by the phase, with the live numbers."""

import xml.etree.ElementTree as ET

import pytest

from playground.experiments.toy import slowmo
from playground.experiments.toy.graph import HIGHLIGHTS, OFF, ON, layer_widths, model_graph
from playground.gan.models import ModelConfig

SVG = "{http://www.w3.org/2000/svg}"


def parts(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    return {el.get("id"): el for el in root.iter() if el.get("id") and el.tag in (f"{SVG}g", f"{SVG}polyline")}


def stroke(el: ET.Element) -> str:
    shape = el if el.tag != f"{SVG}g" else el.find(f"{SVG}rect")
    return shape.get("stroke")


def test_the_graph_shows_the_layer_widths_of_the_configuration():
    cfg = ModelConfig(hidden=32, depth=3, latent_dim=5, pack=2)
    assert layer_widths(cfg) == ([5, 32, 32, 32, 2], [4, 32, 32, 32, 1])
    svg = model_graph(cfg, "nonsat")
    assert "5 → 32 → 32 → 32 → 2" in svg and "4 → 32 → 32 → 32 → 1 (packs of 2)" in svg
    assert "5-D normal" in svg


def test_every_phase_lights_its_parts_and_nothing_else():
    assert set(HIGHLIGHTS) == {*slowmo.D_PHASES, *slowmo.G_PHASES}
    for phase, lit in HIGHLIGHTS.items():
        found = parts(model_graph(ModelConfig(), "nonsat", phase=phase))
        assert set(lit) <= set(found)
        assert {name for name, el in found.items() if stroke(el) == ON} == set(lit), phase
    resting = parts(model_graph(ModelConfig(), "nonsat"))
    assert all(stroke(el) == OFF for el in resting.values())


def test_live_numbers_sit_beside_their_nodes_and_are_escaped():
    numbers = {"d_real": 0.71234, "d_fake": 0.28, "d_loss": 1.2, "g_loss": 1.5}
    svg = model_graph(ModelConfig(), "<hinge>", numbers)
    for text in ("mean D(x) 0.712", "mean D(G(z)) 0.280", ">1.200<", ">1.500<", "loss: &lt;hinge&gt;"):
        assert text in svg
    assert "mean D(x) –" in model_graph(ModelConfig(), "nonsat")  # no numbers yet: a dash, not a made-up 0


@pytest.mark.parametrize("phase", [None, "g_update"])
def test_the_graph_needs_no_script_or_remote_resource(phase):
    svg = model_graph(ModelConfig(), "nonsat", phase=phase)
    assert "<script" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
