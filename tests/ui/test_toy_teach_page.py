"""The toy page's teaching tools in an AppTest: one-sided steps, slow motion, the graph, drawing, pretrained."""

from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def toy():
    at = AppTest.from_file(str(ROOT / "app_pages" / "toy2d.py"), default_timeout=60).run()
    yield at
    run = at.session_state["toy.run"] if "toy.run" in at.session_state else None  # noqa: SIM401 (no .get)
    if run is not None:
        run.worker.stop()


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_train_d_only_moves_d_and_leaves_g(toy):
    run = toy.session_state["toy.run"]
    g_before = [p.clone() for p in run.trainer.G.parameters()]
    d_before = [p.clone() for p in run.trainer.D.parameters()]
    button(toy, "Train D only").click().run()
    assert not toy.exception and run.trainer.step_count == 1
    assert all(torch.equal(a, b) for a, b in zip(g_before, run.trainer.G.parameters()))
    assert not any(torch.equal(a, b) for a, b in zip(d_before, run.trainer.D.parameters()))
    button(toy, "Train G only").click().run()
    assert run.trainer.step_count == 2 and run.trainer.cfg.freeze == "none"
    assert not any(torch.equal(a, b) for a, b in zip(g_before, run.trainer.G.parameters()))


def test_step_slowly_plays_the_phases_in_order_with_numbers(toy):
    button(toy, "Step slowly").click().run()
    assert not toy.exception
    titles = []
    for _ in range(8):
        titles.append(next(m.value for m in toy.markdown if m.value.startswith("#### ")))
        assert toy.code[0].value.startswith(("z", "x̃", "D(x)", "L_", "θ_"))
        assert len(toy.metric) > 6  # the live readout and the phase's own numbers
        if _ < 7:
            button(toy, "Next phase ▶").click().run()
    assert [t.split(" · ")[1] for t in titles] == [
        "Sample noise z and real data x", "Generate the fakes G(z)", "D judges both batches",
        "D's loss and its gradient", "D's update: the surface before, after, and the difference",
        "A fresh minibatch of noise for G", "G's loss and the push ∇ₓ on each fake", "G's update: each fake moves",
    ]  # fmt: skip
    assert toy.session_state["toy.run"].trainer.step_count == 1
    assert any("Iteration done" in s.value for s in toy.success)


def test_drawn_points_become_the_run_s_data_after_reset(toy):
    toy.sidebar.selectbox(key="toy.dataset").set_value("draw").run()
    assert not toy.exception
    toy.session_state["toy.drawn"] = np.array([[1.0, 1.0]] * 6 + [[-1.0, -1.0]] * 6)
    toy.run()
    button(toy, "Reset").click().run()
    run = toy.session_state["toy.run"]
    assert run.settings["dataset"].startswith("drawn:")
    assert torch.equal(run.trainer.data.points[:6], torch.ones(6, 2))


def test_load_pretrained_starts_a_run_from_the_shipped_pair(toy):
    button(toy, "Load pretrained G and D").click().run()
    assert not toy.exception
    run = toy.session_state["toy.run"]
    from playground.gan.checkpoints import read_checkpoint

    G, _, _ = read_checkpoint(ROOT / "pretrained" / "toy_ring8_generator.safetensors")
    assert all(torch.equal(a, b) for a, b in zip(G.state_dict().values(), run.trainer.G.state_dict().values()))
    assert next(m.value for m in toy.metric if m.label == "modes captured").startswith("8")
