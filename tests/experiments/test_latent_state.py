"""The latent explorer's session state on a plain dict: z and its widgets move together, held generators are reused."""

import time
from types import SimpleNamespace

import pytest
import torch

from playground.digits.models import DCGANConfig
from playground.experiments.latent import state as LS
from playground.experiments.latent import tools as LT
from playground.gan.checkpoints import checkpoint_bytes
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer

SMALL_DCGAN = DCGANConfig(latent_dim=4, g_channels=4, d_channels=4)


def small_generator() -> LT.LatentGenerator:
    return LT.explorer_generator(SMALL_DCGAN.build_generator(), SMALL_DCGAN, "test")


def test_a_new_generator_starts_from_the_seed_0_draw_and_keeps_its_z_afterwards():
    state, gen = {}, small_generator()
    z = LS.current_z(state, gen, "k")
    torch.testing.assert_close(z, LT.sample_z(4, "normal", seed=0))
    assert state["latent.s0"] == pytest.approx(round(z[0].item(), 2)) and state["latent.n0"] == pytest.approx(z[0])
    z[1] = 3.0
    assert LS.current_z(state, gen, "k")[1].item() == pytest.approx(3.0)  # same generator: same z
    LS.current_z(state, gen, "other")
    torch.testing.assert_close(state[LS.Z], LT.sample_z(4, "normal", seed=0))  # another one starts afresh


def test_a_slider_moves_z_and_its_box_and_a_typed_value_moves_the_slider_to_its_end():
    state = {}
    LS.set_z(state, torch.zeros(3), limit=4.0)
    state["latent.s1"] = 2.5
    LS.slider_moved(state, 1)
    assert state[LS.Z].tolist() == [0.0, 2.5, 0.0] and state["latent.n1"] == 2.5
    state["latent.n2"] = -7.0
    LS.number_typed(state, 2, limit=4.0)
    assert state[LS.Z].tolist() == [0.0, 2.5, -7.0] and state["latent.s2"] == -4.0


def test_set_z_keeps_its_own_copy():
    state, z = {}, torch.ones(2)
    LS.set_z(state, z, limit=4.0)
    z[0] = 9.0
    assert state[LS.Z].tolist() == [1.0, 1.0]


def test_forgotten_sliders_are_pointed_back_at_z_and_others_left_alone():
    state = {LS.Z: torch.tensor([0.5, -1.234, 6.0]), "latent.s0": 0.1, "latent.n0": 0.1}
    LS.redraw_widgets(state, 3, limit=4.0)
    assert state["latent.s0"] == 0.1  # still drawn: Streamlit holds it
    assert state["latent.s1"] == pytest.approx(-1.23) and state["latent.n1"] == pytest.approx(-1.234)
    assert state["latent.s2"] == 4.0 and state["latent.n2"] == 6.0


def test_randomize_counts_its_presses_as_seeds_and_zero_is_the_origin():
    state = {}
    LS.randomize(state, 4, "uniform")
    LS.randomize(state, 4, "uniform")
    assert state[LS.RANDOMIZED] == 2
    torch.testing.assert_close(state[LS.Z], LT.sample_z(4, "uniform", seed=2))
    assert state["latent.s0"] == pytest.approx(round(state[LS.Z][0].item(), 2))
    LS.zero(state, 4, limit=1.0)
    assert state[LS.Z].tolist() == [0.0] * 4 and state["latent.s3"] == 0.0


def test_a_pasted_z_is_used_and_a_bad_paste_keeps_z_and_says_why():
    state = {LS.PASTE: "1, -2"}
    LS.paste(state, 2, "normal")
    assert state[LS.Z].tolist() == [1.0, -2.0] and state[LS.PASTE_ERROR] is None
    state[LS.PASTE] = "1"
    LS.paste(state, 2, "normal")
    assert state[LS.Z].tolist() == [1.0, -2.0]
    assert state[LS.PASTE_ERROR] == "That z can't be used: expected 2 comma-separated numbers, got 1."


def test_record_time_keeps_the_last_200_and_describes_them():
    state = {LS.TIMINGS: [5.0] * 250}
    caption = LS.record_time(state, time.perf_counter())
    assert len(state[LS.TIMINGS]) == 200
    assert caption.endswith("(median 5 ms, p95 5 ms over the last 200)")


def test_a_session_copy_is_made_once_and_again_on_refresh():
    data, cfg = make_dataset("ring8"), ModelConfig(latent_dim=2, hidden=8)
    run = SimpleNamespace(worker=SimpleNamespace(trainer=Trainer(data, cfg, TrainConfig(batch_size=16))))
    state = {}
    held, latest = LS.session_copy(state, "session:toy", run)
    assert latest == 0 and held.step == 0 and state[LS.SESSION_GEN] is held
    assert LS.session_copy(state, "session:toy", run)[0] is held
    fresh, _ = LS.session_copy(state, "session:toy", run, refresh=True)
    assert fresh is not held and state[LS.SESSION_GEN] is fresh


def test_an_upload_is_held_per_content():
    data = checkpoint_bytes(SMALL_DCGAN.build_generator(), "generator", SMALL_DCGAN)
    state = {}
    gen = LS.upload(state, data, None, "g.safetensors")
    assert gen.cfg == SMALL_DCGAN and LS.upload(state, data, None, "g.safetensors") is gen
    problem = LS.upload(state, b"garbage", None, "x")
    assert isinstance(problem, str) and problem and state[LS.UPLOADED][1] == problem


def test_digit_endpoints_are_remembered_in_the_session():
    from playground.digits.classifier import load_classifier

    state, gen, clf = {}, small_generator(), load_classifier()
    z, prob = LS.digit_endpoint(state, "k", gen, clf, 3, seed=0)
    assert 0 <= prob <= 1 and list(state[LS.MEMO]) == [("k", None, 3, 0)]
    assert LS.digit_endpoint(state, "k", gen, clf, 3, seed=0)[0] is z
