"""What the latent explorer page draws, computed without Streamlit (playground.experiments.latent.view)."""

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from playground.digits.classifier import load_classifier
from playground.digits.models import DCGANConfig
from playground.experiments.latent import tools as LT
from playground.experiments.latent import view as LV
from playground.experiments.latent.walks import images_to_grid
from playground.gan.checkpoints import CheckpointError, checkpoint_bytes, read_checkpoint, save_checkpoint
from playground.gan.data import make_dataset
from playground.gan.models import ModelConfig
from playground.gan.trainer import TrainConfig, Trainer
from playground.views import figures as F

SMALL_DCGAN = DCGANConfig(latent_dim=8, g_channels=4, d_channels=4)
PRETRAINED = Path(__file__).resolve().parents[2] / "pretrained"


class SaysDigit(nn.Module):
    """A 'classifier' whose logits are ln 9 for `digit` and 0 elsewhere: p(digit) = 9 / (9 + 9) = 0.5 for any image."""

    def __init__(self, digit: int) -> None:
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(10))
        with torch.no_grad():
            self.logits[digit] = math.log(9)
        self.calls = 0

    def features(self, images):
        self.calls += 1
        return images.reshape(len(images), -1)[:, :1]

    def head(self, features):
        return self.logits.expand(len(features), -1)


class PickAxes(nn.Module):
    """A 'generator' that copies two latent entries to (x, y): G(z) = (z_i, z_j)."""

    def __init__(self, i: int, j: int) -> None:
        super().__init__()
        self.i, self.j = i, j

    def forward(self, z):
        return z[:, [self.i, self.j]]


def small_generator(cfg=SMALL_DCGAN) -> LT.LatentGenerator:
    return LT.explorer_generator(cfg.build_generator(), cfg, "test")


def toy_run(seed: int = 0):
    data, cfg = make_dataset("ring8"), ModelConfig(latent_dim=3, hidden=16)
    return SimpleNamespace(worker=SimpleNamespace(trainer=Trainer(data, cfg, TrainConfig(batch_size=32, seed=seed))))


# ---- which generator ------------------------------------------------------------------------------
def test_shipped_generators_are_found_by_file_name_and_wrapped_frozen(tmp_path):
    path = tmp_path / "dcgan_generator.safetensors"
    save_checkpoint(path, SMALL_DCGAN.build_generator(), "generator", SMALL_DCGAN)
    (tmp_path / "classifier.safetensors").write_bytes(b"")  # not a generator: not offered
    assert LV.pretrained_names(tmp_path) == ["dcgan"]
    gen = LV.shipped_generator("dcgan", read_checkpoint(path, "generator"))
    assert gen.source == "pretrained DCGAN" and gen.cfg == SMALL_DCGAN
    assert not gen.G.training and not any(p.requires_grad for p in gen.G.parameters())
    with pytest.raises(CheckpointError, match="'mlp' is missing"):
        LV.shipped_generator("mlp", None)


def test_source_options_list_shipped_then_this_sessions_runs_then_upload():
    options = LV.source_options(["dcgan", "mystery"], {"session:toy"})
    assert options == {
        "pretrained:dcgan": "Pretrained DCGAN (shipped)",
        "pretrained:mystery": "Pretrained mystery (shipped)",
        "session:toy": "Your toy 2-D run (this session)",
        "upload": "Upload a checkpoint…",
    }
    assert list(LV.source_options([], {"session:toy", "session:mnist"})) == ["session:mnist", "session:toy", "upload"]


def test_a_session_copy_is_held_until_the_run_is_replaced():
    run = toy_run()
    assert LV.published_step(run) == 0
    copy = LV.copy_generator("session:toy", run)
    assert copy.step == 0 and copy.generator.source == "your toy 2-D run at step 0"
    assert not copy.generator.is_image and copy.generator.latent_dim == 3
    assert LV.held_copy(copy, "session:toy", run) is copy
    assert LV.held_copy(copy, "session:mnist", run) is None
    assert LV.held_copy(copy, "session:toy", toy_run()) is None  # a Reset made a new run
    assert LV.held_copy(None, "session:toy", run) is None


def test_an_upload_is_validated_once_per_content_and_a_bad_one_explains_itself():
    data = checkpoint_bytes(SMALL_DCGAN.build_generator(), "generator", SMALL_DCGAN)
    held = LV.load_upload(None, data, None, "g.safetensors")
    assert held[1].source == "uploaded g.safetensors"
    assert LV.load_upload(held, data, None, "g.safetensors") is held
    wrong = '{"model_type": "dcgan", "config": {"latent_dim": 16, "g_channels": 4, "d_channels": 4}}'
    other = LV.load_upload(held, data, wrong, "g.safetensors")
    assert other[0] != held[0] and "latent_dim: config 16, checkpoint 8" in other[1]
    assert isinstance(LV.load_upload(None, b"not safetensors", None, "x")[1], str)


def test_generator_key_and_slider_count():
    gen = small_generator()
    assert LV.generator_key("upload", gen) == "upload|test"
    assert LV.slider_count(32, 8) == (32, 8)
    assert LV.slider_count(2, 8) == (2, 2)
    assert LV.slider_count(100, 40) == (32, 32)


# ---- the current z --------------------------------------------------------------------------------
def test_widgets_show_z_rounded_and_held_at_the_slider_ends_with_the_exact_value_in_the_box():
    z = torch.tensor([0.126, -5.0, 3.999])
    values = LV.widget_values(z, limit=4.0)
    assert values == pytest.approx(
        {
            "latent.s0": 0.13,
            "latent.n0": 0.126,
            "latent.s1": -4.0,
            "latent.n1": -5.0,
            "latent.s2": 4.0,
            "latent.n2": 3.999,
        }
    )
    assert LV.slider_value(-0.994, 1.0) == pytest.approx(-0.99)
    assert LV.slider_value(1.5, 1.0) == pytest.approx(1.0)


def test_first_and_zero_z():
    gen = small_generator()
    torch.testing.assert_close(LV.first_z(gen), LT.sample_z(8, "normal", seed=0))
    torch.testing.assert_close(LV.zero_z(3), torch.zeros(3))


def test_fixed_caption_names_the_entries_without_sliders():
    assert LV.fixed_caption(3, 32).startswith("z4…z32 are **fixed** at their current values (all 32 are in the text")


def test_parse_z_returns_the_latent_or_the_problem():
    z, problem = LV.parse_z("1, -2.5", 2)
    assert problem is None and z.tolist() == [1.0, -2.5]
    z, problem = LV.parse_z("1, 2, 3", 2)
    assert z is None and problem == "expected 2 comma-separated numbers, got 3"


def test_timing_caption_gives_the_latest_the_median_and_the_p95():
    # p95 of (10, 20, 30): rank 0.95 · 2 = 1.9 → 20 + 0.9 · (30 − 20) = 29
    assert LV.timing_caption([10.0, 20.0, 30.0]) == (
        "Server time, slider change → new image: 30 ms (median 20 ms, p95 29 ms over the last 3)"
    )


# ---- what the Sliders tab shows -------------------------------------------------------------------
def test_digit_reading_is_the_classifiers_digit_and_probability():
    label, conf = LV.digit_reading(small_generator(), torch.zeros(8), SaysDigit(3))
    assert label == 3 and conf == pytest.approx(0.5)


def test_toy_axes_are_the_chosen_ones_or_all_a_small_latent_has():
    assert LV.toy_axes(1, 4, 5) == (0, 0)
    assert LV.toy_axes(2, 4, 5) == (0, 1)
    assert LV.toy_axes(5, 3, 1) == (2, 0)
    assert LV.axis_choices(4) == [1, 2, 3, 4]
    assert LV.axis_choices(4, other=2) == [1, 3, 4]


def test_toy_pictures_put_the_star_on_g_of_z():
    gen = LT.LatentGenerator(PickAxes(2, 0), ModelConfig(latent_dim=3), "test")
    pictures = LV.toy_pictures(gen, torch.tensor([0.5, -1.0, 1.5]), (0, 1), None, None)
    assert pictures.point == pytest.approx((1.5, 0.5))
    star = [t for t in pictures.latent.data if t.name == "your z"][0]
    assert (star.x[0], star.y[0]) == pytest.approx((0.5, -1.0))
    cloud = [t for t in pictures.data.data if t.name == "G's samples"][0]
    assert len(cloud.x) == LV.TOY_CLOUD


def test_toy_caption_gives_g_of_z_to_two_decimals():
    pictures = LV.ToyPictures(None, None, (0.125, -2.0))
    assert LV.toy_caption(pictures).endswith("G(z) = (0.12, -2.00).")


def test_toy_backdrop_is_the_real_points_and_ranges_the_toy_page_draws_for_its_seed():
    assert LV.toy_backdrop(None) == (None, None)
    run = toy_run(seed=3)
    real, ranges = LV.toy_backdrop(run)
    page_view = F.make_view(make_dataset("ring8"), run.worker.trainer.model_cfg, seed=3)  # as toy/scene.py does
    np.testing.assert_array_equal(real, page_view.real.numpy())
    assert ranges == (page_view.x_range, page_view.y_range)
    assert real.shape == (400, 2)


# ---- interpolation and walk -----------------------------------------------------------------------
def test_digit_endpoint_searches_once_per_generator_digit_and_seed():
    gen, clf, memo = small_generator(), SaysDigit(7), {}
    z, prob = LV.digit_endpoint(memo, "k", gen, clf, digit=7, seed=4)
    assert prob == pytest.approx(0.5) and z.shape == (8,)
    calls = clf.calls
    again = LV.digit_endpoint(memo, "k", gen, clf, digit=7, seed=4)
    assert clf.calls == calls and again[0] is z
    LV.digit_endpoint(memo, "k", gen, clf, digit=7, seed=5)
    assert clf.calls > calls and len(memo) == 2


def test_random_endpoint_of_seed_s_is_the_prior_draw_of_seed_s_plus_one():
    gen = small_generator()
    torch.testing.assert_close(LV.random_endpoint(gen, 0), LT.sample_z(8, "normal", seed=1))


def test_strip_heading_and_slerp_note_quote_the_norms():
    strip = LT.Strip("lerp", [], [], [], [5.0, 3.04, 5.0])
    assert LV.strip_heading(strip) == (
        "**Straight line (lerp)** — under each frame: the classifier's digit · its confidence. ‖z‖ mid-way: 3.0"
    )
    note = LV.slerp_note(16, torch.tensor([3.0, 4.0]), torch.tensor([0.0, 2.0]))
    assert note.startswith("**Why slerp?**")
    assert note.endswith(" Here √d = 4.0; A has ‖z‖ = 5.0, B 2.0.")


def test_both_paths_are_rendered():
    a, b = LV.Endpoint(LT.sample_z(8, "normal", 1)), LV.Endpoint(LT.sample_z(8, "normal", 2))
    strips = LV.strips(small_generator(), SaysDigit(0), a, b, steps=4)
    assert list(strips) == ["lerp", "slerp"]
    assert all(len(s.frames) == 4 and s.labels == [0] * 4 for s in strips.values())


CONDITIONAL = DCGANConfig(latent_dim=8, g_channels=4, d_channels=4, num_classes=10)


def test_a_conditional_generator_is_asked_for_the_endpoints_digit_not_the_sidebars():
    gen, clf, memo = small_generator(CONDITIONAL).for_label(0), SaysDigit(7), {}
    z, _ = LV.digit_endpoint(memo, "k", gen, clf, digit=7, seed=4)
    assert list(memo) == [("k", 7, 7, 4)]  # searched with the label 7, not the sidebar's 0
    expected, _ = LT.find_digit_z(gen.for_label(7).G, clf, 7, 8, "normal", 4)
    torch.testing.assert_close(z, expected)
    assert LV.digit_end(gen, z, 7) == LV.Endpoint(z, 7)
    assert LV.digit_end(small_generator(), z, 7) == LV.Endpoint(z, None)  # unconditional: no label


def test_the_endpoint_warning_blames_the_generator_only_when_it_was_not_asked_for_the_digit():
    conditional, plain = small_generator(CONDITIONAL).for_label(0), small_generator()
    assert LV.endpoint_warning(plain, 3, 0.5) is None and LV.endpoint_warning(conditional, 3, 0.9) is None
    assert LV.endpoint_warning(plain, 3, 0.2) == "This generator rarely draws a 3: the best of 128 tries is 20% a 3."
    assert LV.endpoint_warning(conditional, 8, 0.2) == (
        "Asked for an 8, the best of 128 tries is 20% an 8 to the classifier: try another seed."
    )


def test_the_label_note_says_how_a_conditional_label_travels():
    z = torch.zeros(8)
    gen = small_generator(CONDITIONAL).for_label(0)
    assert LV.label_note(small_generator(), LV.Endpoint(z), LV.Endpoint(z)) is None
    moving = LV.label_note(gen, LV.Endpoint(z, 3), LV.Endpoint(z, 8))
    assert "from 3 at A to 8 at B" in moving and "a 3 morphs into an 8" in moving
    assert "its label stays 5 along the path" in LV.label_note(gen, LV.Endpoint(z, 5), LV.Endpoint(z, 5))


def test_a_conditional_strip_moves_the_label_from_a_to_b():
    gen, z = small_generator(CONDITIONAL).for_label(0), LT.sample_z(8, "normal", 1)
    strip = LV.strips(gen, SaysDigit(0), LV.Endpoint(z, 3), LV.Endpoint(z, 8), steps=3)["lerp"]
    codes = LT.label_codes(10, 3, 8, 3)
    expected = LT.generate(gen.conditional_G, torch.cat([z.expand(3, -1), codes], dim=1))
    for frame, image in zip(strip.frames, expected, strict=True):
        np.testing.assert_array_equal(frame, images_to_grid(image[None], nrow=1, pad=0))


def test_the_shipped_conditional_generator_interpolates_a_3_into_an_8():
    """The page's default endpoints (a 3 with seed 1, an 8 with seed 2) on the shipped class-conditional DCGAN."""
    G, cfg, _ = read_checkpoint(PRETRAINED / "dcgan_conditional_generator.safetensors", "generator")
    gen, clf, memo = LV.shipped_generator("dcgan_conditional", (G, cfg, {})).for_label(0), load_classifier(), {}
    ends = []
    for digit, seed in ((3, 1), (8, 2)):
        z, prob = LV.digit_endpoint(memo, "k", gen, clf, digit, seed)
        assert prob > 0.9 and LV.endpoint_warning(gen, digit, prob) is None
        ends.append(LV.digit_end(gen, z, digit))
    for strip in LV.strips(gen, clf, *ends, steps=10).values():
        assert (strip.labels[0], strip.labels[-1]) == (3, 8)
        assert strip.confidences[0] > 0.9 and strip.confidences[-1] > 0.9


def test_walk_directions_are_a_seeded_orthonormal_pair_or_two_axes():
    d1, d2, across, down = LV.walk_directions(6, "random", 3, None, None)
    assert (across, down) == ("direction 1", "direction 2")
    assert float(d1 @ d2) == pytest.approx(0.0, abs=1e-6)
    assert float(d1.norm()) == pytest.approx(1.0) and float(d2.norm()) == pytest.approx(1.0)
    torch.testing.assert_close(LV.walk_directions(6, "random", 3, None, None)[0], d1)
    d1, d2, across, down = LV.walk_directions(4, "axes", None, 2, 4)
    torch.testing.assert_close(d1, torch.tensor([0.0, 1.0, 0.0, 0.0]))
    torch.testing.assert_close(d2, torch.tensor([0.0, 0.0, 0.0, 1.0]))
    assert (across, down) == ("z2", "z4")
