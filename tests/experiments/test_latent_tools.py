import io
import json

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from playground.digits.classifier import load_classifier
from playground.digits.metrics import classify
from playground.digits.models import DCGANConfig, MnistMLPConfig
from playground.experiments.latent import tools as LT
from playground.gan.checkpoints import CheckpointError, checkpoint_bytes
from playground.gan.models import ModelConfig

SMALL_DCGAN = DCGANConfig(latent_dim=8, g_channels=4, d_channels=4)


@pytest.fixture(scope="module")
def clf():
    return load_classifier()


def small_generator(cfg=SMALL_DCGAN) -> LT.LatentGenerator:
    return LT.explorer_generator(cfg.build_generator(), cfg, "test")


class PickAxes(nn.Module):
    """A 'generator' that copies two latent entries to (x, y): G(z) = (z_i, z_j)."""

    def __init__(self, i: int, j: int) -> None:
        super().__init__()
        self.i, self.j = i, j

    def forward(self, z):
        return z[:, [self.i, self.j]]


# ---- generators and uploads -----------------------------------------------------------------------
def test_image_and_toy_generators_are_told_apart_and_1d_generators_refused():
    assert small_generator().is_image
    toy = small_generator(ModelConfig(latent_dim=3))
    assert not toy.is_image and toy.latent_dim == 3 and toy.prior == "normal"
    with pytest.raises(CheckpointError, match="1-D points"):
        small_generator(ModelConfig(data_dim=1))


def test_explorer_generator_is_frozen_in_eval_mode():
    gen = small_generator()
    assert not gen.G.training
    assert not any(p.requires_grad for p in gen.G.parameters())


def test_sample_z_is_reproducible_and_follows_the_prior():
    torch.testing.assert_close(LT.sample_z(16, "normal", 3), LT.sample_z(16, "normal", 3))
    assert not torch.equal(LT.sample_z(16, "normal", 3), LT.sample_z(16, "normal", 4))
    uniform = LT.sample_z(1000, "uniform", 0)
    assert uniform.min().item() >= -1 and uniform.max().item() <= 1
    assert LT.latent_range("uniform") == pytest.approx(1.0)
    assert LT.latent_range("normal") == pytest.approx(4.0)


def test_uploaded_checkpoint_loads_with_and_without_a_matching_config():
    G = SMALL_DCGAN.build_generator()
    data = checkpoint_bytes(G, "generator", SMALL_DCGAN)
    assert LT.load_uploaded(data, None, "g.safetensors").cfg == SMALL_DCGAN
    loaded = LT.load_uploaded(data, LT.config_json(SMALL_DCGAN), "g.safetensors")
    assert loaded.cfg == SMALL_DCGAN and loaded.source == "uploaded g.safetensors"
    z = torch.randn(2, 8)
    torch.testing.assert_close(loaded.G(z), G.eval()(z))


def test_uploaded_checkpoint_with_a_different_config_names_the_differing_field():
    data = checkpoint_bytes(SMALL_DCGAN.build_generator(), "generator", SMALL_DCGAN)
    other = json.dumps({"model_type": "dcgan", "config": {"latent_dim": 16, "g_channels": 4, "d_channels": 4}})
    with pytest.raises(CheckpointError, match="latent_dim: config 16, checkpoint 8"):
        LT.load_uploaded(data, other)
    with pytest.raises(CheckpointError, match="describes a mnist-mlp model but the checkpoint holds a dcgan"):
        LT.load_uploaded(data, LT.config_json(MnistMLPConfig()))


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"model_type": "resnet"}', "model_type must be one of"),
        ('{"model_type": "dcgan", "config": {"depth": 3}}', "Unknown dcgan config field"),
        ('{"model_type": "dcgan", "config": {"latent_dim": 0}}', "latent_dim must be between"),
    ],
)
def test_bad_config_json_gets_a_clear_message(text, message):
    with pytest.raises(CheckpointError, match=message):
        LT.config_from_json(text)


def test_config_json_reads_back_flat_or_nested():
    assert LT.config_from_json(LT.config_json(SMALL_DCGAN)) == SMALL_DCGAN
    flat = json.dumps({"model_type": "mlp", "latent_dim": 3})
    assert LT.config_from_json(flat) == ModelConfig(latent_dim=3)


def test_uploaded_discriminator_or_garbage_is_refused():
    d_bytes = checkpoint_bytes(SMALL_DCGAN.build_discriminator(), "discriminator", SMALL_DCGAN)
    with pytest.raises(CheckpointError, match="Expected a generator"):
        LT.load_uploaded(d_bytes)
    with pytest.raises(CheckpointError):
        LT.load_uploaded(b"definitely not safetensors")


# ---- digits -----------------------------------------------------------------------------------------
def test_digit_png_is_the_upscaled_28px_digit():
    gen = small_generator()
    png = LT.digit_png(gen.G, torch.zeros(8), scale=10)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (280, 280)
    expected = ((gen.G(torch.zeros(1, 8))[0, 0].clamp(-1, 1) + 1) * 127.5).round().numpy()
    np.testing.assert_allclose(np.asarray(image)[::10, ::10], expected, atol=1)


def test_find_digit_z_keeps_the_candidate_the_classifier_is_surest_about(clf):
    gen = small_generator()
    z, prob = LT.find_digit_z(gen.G, clf, digit=4, dim=8, prior="normal", seed=5, candidates=32)
    candidates = torch.randn(32, 8, generator=torch.Generator().manual_seed(5))
    probs, _ = classify(gen.G(candidates), clf)
    assert prob == pytest.approx(probs[:, 4].max(), abs=1e-6)
    assert any(torch.equal(z, c) for c in candidates)


def test_interpolation_strip_runs_from_g_of_a_to_g_of_b_with_a_label_per_frame(clf):
    gen = small_generator()
    z0, z1 = LT.sample_z(8, "normal", 1), LT.sample_z(8, "normal", 2)
    strip = LT.interpolation_strip(gen.G, clf, z0, z1, steps=6, method="lerp")
    assert len(strip.frames) == len(strip.labels) == len(strip.confidences) == len(strip.norms) == 6
    ends = LT.generate(gen.G, torch.stack([z0, z1]))
    from playground.experiments.latent.walks import images_to_grid

    np.testing.assert_array_equal(strip.frames[0], images_to_grid(ends[:1], nrow=1, pad=0))
    np.testing.assert_array_equal(strip.frames[-1], images_to_grid(ends[1:], nrow=1, pad=0))
    assert all(0 <= label <= 9 for label in strip.labels)
    assert all(0.1 <= conf <= 1.0 for conf in strip.confidences)  # the max of 10 probabilities is ≥ 0.1
    assert strip.norms[0] == pytest.approx(z0.norm().item()) and strip.norms[-1] == pytest.approx(z1.norm().item())
    assert strip.captions()[0] == f"{strip.labels[0]} · {strip.confidences[0]:.0%}"


def test_slerp_strip_keeps_the_norm_where_lerp_dips(clf):
    gen = small_generator()
    z0 = LT.sample_z(8, "normal", 1)
    z1 = LT.sample_z(8, "normal", 2)
    z1 = z1 * z0.norm() / z1.norm()
    slerp = LT.interpolation_strip(gen.G, clf, z0, z1, steps=5, method="slerp")
    lerp = LT.interpolation_strip(gen.G, clf, z0, z1, steps=5, method="lerp")
    assert slerp.norms == pytest.approx([z0.norm().item()] * 5, rel=1e-5)
    assert lerp.norms[2] < z0.norm().item() - 1e-3


def test_strip_gif_plays_forward_then_back(clf):
    frames = [np.full((28, 28), 40 * k, dtype=np.uint8) for k in range(5)]
    strip = LT.Strip("lerp", frames, [0] * 5, [1.0] * 5, [1.0] * 5)
    gif = Image.open(io.BytesIO(LT.strip_gif(strip, duration_ms=100, scale=2)))
    assert gif.format == "GIF" and gif.is_animated
    assert gif.n_frames == 8  # 0 1 2 3 4 3 2 1, then the loop returns to 0
    assert gif.size == (56, 56)
    assert gif.info["loop"] == 0
    once = Image.open(io.BytesIO(LT.strip_gif(strip, boomerang=False)))
    assert once.n_frames == 5


def test_the_gif_for_slides_is_448_px_of_nearest_neighbour_blocks():
    frame = np.zeros((28, 28), dtype=np.uint8)
    frame[0, 0] = 255  # one white pixel in the corner
    strip = LT.Strip("lerp", [frame, frame[::-1].copy()], [0, 0], [1.0, 1.0], [1.0, 1.0])
    gif = Image.open(io.BytesIO(LT.strip_gif(strip, scale=LT.SLIDES_GIF_SCALE)))
    assert gif.size == (448, 448)  # 28 px × 16
    pixels = np.asarray(gif.convert("L"))
    assert (pixels[:16, :16] == 255).all() and (pixels[16:, :] == 0).all() and (pixels[:, 16:] == 0).all()
    assert Image.open(io.BytesIO(LT.strip_gif(strip))).size == (168, 168)  # the page's animation: 28 px × 6


def test_label_codes_move_from_one_hot_a_to_one_hot_b():
    expected = torch.tensor([[0.0, 1.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.5], [0.0, 0.0, 0.0, 1.0]])
    torch.testing.assert_close(LT.label_codes(4, 1, 3, steps=3), expected)
    torch.testing.assert_close(LT.label_codes(3, 2, 2, steps=2), torch.tensor([[0.0, 0.0, 1.0]] * 2))


class Recorder(nn.Module):
    """A 'conditional generator' that keeps its input and draws black digits."""

    def forward(self, x):
        self.seen = x
        return -torch.ones(len(x), 1, 28, 28)


def test_a_conditional_strip_feeds_each_frame_its_z_and_its_label_code(clf):
    G, z0, z1 = Recorder(), torch.tensor([1.0, 0.0]), torch.tensor([3.0, 2.0])
    codes = LT.label_codes(3, 0, 2, steps=3)
    LT.interpolation_strip(G, clf, z0, z1, steps=3, method="lerp", codes=codes)
    expected = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.0], [2.0, 1.0, 0.5, 0.0, 0.5], [3.0, 2.0, 0.0, 0.0, 1.0]])
    torch.testing.assert_close(G.seen, expected)  # [z(t), code(t)] per frame


def test_a_conditional_generator_keeps_its_own_network_whatever_label_it_is_asked_for():
    cfg = DCGANConfig(latent_dim=8, g_channels=4, d_channels=4, num_classes=10)
    gen = small_generator(cfg)
    asked = gen.for_label(3).for_label(8)
    assert asked.conditional_G is gen.G and asked.label == 8
    assert gen.conditional_G is gen.G


def test_walk_grid_png_tiles_steps_by_steps_digits():
    gen = small_generator()
    d1, d2 = LT.axis_directions(8, 0, 3)
    png = LT.walk_grid_png(gen.G, torch.zeros(8), d1, d2, span=2.0, steps=5)
    image = Image.open(io.BytesIO(png))
    side = (5 * 30 + 2) * LT.FRAME_SCALE  # 28-px digits with 2-px padding, upscaled
    assert image.size == (side, side)


def test_axis_directions_are_unit_vectors_on_two_different_axes():
    d1, d2 = LT.axis_directions(4, 1, 3)
    torch.testing.assert_close(d1, torch.tensor([0.0, 1.0, 0.0, 0.0]))
    torch.testing.assert_close(d2, torch.tensor([0.0, 0.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="two different axes"):
        LT.axis_directions(4, 2, 2)
    with pytest.raises(ValueError):
        LT.axis_directions(4, 0, 4)


# ---- toy 2-D ------------------------------------------------------------------------------------------
def test_toy_frame_of_an_identity_generator_is_the_latent_grid_itself():
    z = torch.tensor([0.5, -1.0])
    frame = LT.toy_latent_frame(PickAxes(0, 1), z, (0, 1), "normal", torch.randn(10, 2))
    np.testing.assert_allclose(frame.warped, frame.lines, atol=1e-6)
    np.testing.assert_allclose(frame.point, [0.5, -1.0])
    np.testing.assert_allclose(frame.z_plane, [0.5, -1.0])
    assert frame.lines.shape == (22, 40, 2)  # 11 lines each way, 40 points per line
    assert frame.lines.min() == pytest.approx(-2.0) and frame.lines.max() == pytest.approx(2.0)
    assert frame.cloud.shape == (10, 2)


def test_toy_frame_varies_the_chosen_axes_and_holds_the_others_at_z():
    z = torch.tensor([0.3, 0.7, -0.2])
    frame = LT.toy_latent_frame(PickAxes(1, 2), z, (0, 2), "normal", torch.randn(4, 3))
    np.testing.assert_allclose(frame.warped[..., 0], 0.7)  # z₂ is not a grid axis: held at z's value
    np.testing.assert_allclose(frame.warped[..., 1], frame.lines[..., 1], atol=1e-6)  # z₃ is the vertical axis
    np.testing.assert_allclose(frame.z_plane, [0.3, -0.2])


def test_toy_frame_of_a_1d_latent_is_a_single_line():
    frame = LT.toy_latent_frame(
        nn.Sequential(nn.Linear(1, 2)), torch.tensor([0.4]), (0, 0), "normal", torch.randn(3, 1)
    )
    assert frame.lines.shape[0] == 1 and frame.warped.shape == (1, 40, 2)


def test_toy_figures_mark_z_and_g_of_z():
    z = torch.tensor([0.5, -1.0])
    frame = LT.toy_latent_frame(PickAxes(0, 1), z, (0, 1), "normal", torch.randn(10, 2))
    latent, data = LT.toy_latent_figures(frame, real=np.zeros((5, 2)), data_ranges=((-3, 3), (-3, 3)))
    star = [t for t in data.data if t.name == "G(z)"][0]
    assert (star.x[0], star.y[0]) == pytest.approx((0.5, -1.0))
    assert [t.name for t in latent.data][-1] == "your z"
    assert "real x" in [t.name for t in data.data]
    assert list(data.layout.xaxis.range) == [-3, 3]


# ---- latency ------------------------------------------------------------------------------------------
def test_latency_summary_is_median_and_interpolated_p95():
    median, p95 = LT.latency_summary([float(v) for v in range(1, 101)])
    assert median == pytest.approx(50.5)
    assert p95 == pytest.approx(95.05)
    with pytest.raises(ValueError):
        LT.latency_summary([])


def test_slider_latency_times_each_simulated_change():
    calls = []
    times = LT.slider_latency(lambda z: calls.append(z.clone()), torch.zeros(4), changes=12)
    assert len(times) == len(calls) == 12
    assert all(t >= 0 for t in times)
    changed = [int((a != b).sum()) for a, b in zip([torch.zeros(4), *calls[:-1]], calls, strict=True)]
    assert all(n <= 1 for n in changed)  # one slider moves at a time
    assert all(c.abs().max() <= 4.0 for c in calls)


@pytest.mark.parametrize("name", ["dcgan", "mlp"])
def test_shipped_generators_render_a_slider_change_well_under_100_ms(name):
    from pathlib import Path

    from playground.gan.checkpoints import read_checkpoint

    path = Path(__file__).resolve().parents[2] / "pretrained" / f"{name}_generator.safetensors"
    if not path.is_file():
        pytest.skip(f"{path.name} is not shipped yet")
    G, cfg, _ = read_checkpoint(path)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        times = LT.slider_latency(lambda z: LT.digit_png(G, z), LT.sample_z(cfg.latent_dim, cfg.prior, 0), changes=60)
    finally:
        torch.set_num_threads(threads)
    median, p95 = LT.latency_summary(times)
    print(f"{name}: slider → PNG median {median:.1f} ms, p95 {p95:.1f} ms over {len(times)} changes")
    assert 0 < median <= 100
