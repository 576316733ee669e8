import math

import pytest
import torch

from playground.digits.classifier import load_classifier
from playground.digits.data import embedded_mnist
from playground.digits.metrics import digit_report, reference_stats
from playground.digits.models import (
    DCGANConfig,
    FoldConvTranspose2d,
    ImageSampler,
    MnistMLPConfig,
    UnfoldConv2d,
    recalibrate_batch_norm,
    start_from_generator,
)
from playground.gan.checkpoints import checkpoint_bytes, read_checkpoint
from playground.gan.losses import LOSSES, gradient_penalty
from playground.gan.models import sample_latent
from playground.gan.record import STAT_NAMES
from playground.gan.trainer import TrainConfig, Trainer

SMALL = {"mlp": MnistMLPConfig(g_width=32, d_width=32), "dcgan": DCGANConfig(g_channels=8, d_channels=8)}
PRETRAINED = {
    "mlp": "pretrained/mlp_generator.safetensors",
    "dcgan": "pretrained/dcgan_generator.safetensors",
    "dcgan_conditional": "pretrained/dcgan_conditional_generator.safetensors",
}


@pytest.fixture(scope="module")
def digits() -> ImageSampler:
    return ImageSampler(embedded_mnist("train").images[:256])


@pytest.mark.parametrize("cfg", [MnistMLPConfig(), DCGANConfig()], ids=["mlp", "dcgan"])
def test_generator_maps_latents_to_28x28_images_in_tanh_range(cfg):
    G = cfg.build_generator().eval()
    images = G(torch.randn(5, cfg.latent_dim))
    assert images.shape == (5, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1


@pytest.mark.parametrize("cfg", [MnistMLPConfig(), DCGANConfig()], ids=["mlp", "dcgan"])
def test_discriminator_maps_images_to_one_logit_each(cfg):
    logits = cfg.build_discriminator()(torch.rand(5, 1, 28, 28) * 2 - 1)
    assert logits.shape == (5, 1)


def test_discriminator_has_no_batch_norm_because_real_and_fake_share_one_batch():
    for cfg in (MnistMLPConfig(), DCGANConfig()):
        assert not any(
            isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in cfg.build_discriminator().modules()
        )


def test_dcgan_generator_batch_norm_can_be_switched_off():
    with_bn = sum(isinstance(m, torch.nn.BatchNorm2d) for m in DCGANConfig().build_generator().modules())
    without = sum(
        isinstance(m, torch.nn.BatchNorm2d) for m in DCGANConfig(batch_norm=False).build_generator().modules()
    )
    assert (with_bn, without) == (2, 0)


@pytest.mark.parametrize("bad", [{"latent_dim": 0}, {"prior": "cauchy"}, {"g_channels": 0}])
def test_invalid_dcgan_config_is_refused(bad):
    with pytest.raises(ValueError):
        DCGANConfig(**bad)


@pytest.mark.parametrize(
    ("fast", "reference", "shape"),
    [
        (FoldConvTranspose2d, torch.nn.ConvTranspose2d, (4, 32, 14, 14)),
        (FoldConvTranspose2d, torch.nn.ConvTranspose2d, (3, 8, 7, 7)),
        (UnfoldConv2d, torch.nn.Conv2d, (4, 1, 28, 28)),
        (UnfoldConv2d, torch.nn.Conv2d, (3, 8, 14, 14)),
    ],
)
def test_fast_layers_compute_what_the_torch_layers_compute_values_and_gradients(fast, reference, shape):
    cin = shape[1]
    cout = 1 if fast is FoldConvTranspose2d and cin == 32 else (32 if cin == 1 else 6)
    torch.manual_seed(0)
    ref = reference(cin, cout, 4, stride=2, padding=1)
    mine = fast(cin, cout, 4, stride=2, padding=1)
    mine.load_state_dict(ref.state_dict())  # same parameters, same state_dict keys
    x = torch.randn(shape)
    xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    ya, yb = ref(xa), mine(xb)
    torch.testing.assert_close(yb, ya, rtol=1e-5, atol=1e-5)
    g = torch.randn_like(ya)
    ya.backward(g)
    yb.backward(g)
    torch.testing.assert_close(xb.grad, xa.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(mine.weight.grad, ref.weight.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(mine.bias.grad, ref.bias.grad, rtol=1e-4, atol=1e-4)


def test_building_a_network_twice_gives_identical_weights_including_convolutions():
    a, b = DCGANConfig().build_discriminator(), DCGANConfig().build_discriminator()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


def test_image_sampler_serves_real_digits_reproducibly(digits):
    a = digits.sample(16, torch.Generator().manual_seed(3))
    b = digits.sample(16, torch.Generator().manual_seed(3))
    assert a.shape == (16, 1, 28, 28)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert a.min() == pytest.approx(-1.0) and a.max() == pytest.approx(1.0, abs=0.01)


def test_image_sampler_refuses_flat_vectors():
    with pytest.raises(ValueError, match="28, 28"):
        ImageSampler(torch.zeros(4, 784))


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("model", list(SMALL))
def test_one_trainer_step_of_every_model_and_loss_is_finite(digits, model, loss):
    cfg = TrainConfig(loss=loss, k=2, batch_size=8, lr_d=1e-4, lr_g=1e-4, gp_weight=10.0)  # λ 10: the image setting
    t = Trainer(digits, SMALL[model], cfg, device="cpu")
    assert t.step(1) == 1
    row = {k: v[-1] for k, v in t.history.copy().items()}
    assert all(math.isfinite(row[name]) for name in STAT_NAMES)
    assert 0 < row["d_real"] < 1 and 0 < row["d_fake"] < 1
    assert t.diverged is None


def test_gradient_penalty_on_images_uses_the_norm_over_all_pixels():
    # A linear critic D(x) = <w, x> has ∇ₓD = w everywhere: penalty = (‖w‖ − 1)² exactly.
    w = torch.full((1, 1, 28, 28), 3.0 / 28)  # ‖w‖₂ = 3/28 · 28 = 3
    critic = lambda x: (x * w).sum(dim=(1, 2, 3)).unsqueeze(1)  # [N, 1]
    real, fake = torch.randn(6, 1, 28, 28), torch.randn(6, 1, 28, 28)
    penalty = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    assert penalty.item() == pytest.approx((3.0 - 1.0) ** 2, rel=1e-5)


@pytest.mark.parametrize("cfg", [MnistMLPConfig(latent_dim=16), DCGANConfig(latent_dim=8, batch_norm=False)])
def test_generator_checkpoint_round_trips_config_and_outputs(cfg):
    G = cfg.build_generator().eval()
    loaded, loaded_cfg, meta = read_checkpoint(checkpoint_bytes(G, "generator", cfg, step=7), "generator")
    assert loaded_cfg == cfg and meta["step"] == "7"
    z = torch.randn(3, cfg.latent_dim)
    torch.testing.assert_close(loaded(z), G(z), rtol=0, atol=0)


def test_discriminator_checkpoint_round_trips():
    cfg = DCGANConfig()
    D = cfg.build_discriminator()
    loaded, loaded_cfg, _ = read_checkpoint(checkpoint_bytes(D, "discriminator", cfg), "discriminator")
    x = torch.randn(2, 1, 28, 28)
    assert loaded_cfg == cfg
    torch.testing.assert_close(loaded(x), D(x), rtol=0, atol=0)


def test_recalibrated_batch_norm_holds_the_statistics_of_fresh_samples():
    cfg = DCGANConfig()
    G = cfg.build_generator()
    gen = torch.Generator().manual_seed(0)
    recalibrate_batch_norm(G, lambda n: torch.randn(n, cfg.latent_dim, generator=gen), batches=4, batch_size=256)
    bn = G.net[0]  # first BatchNorm2d, on the projected 7×7 maps
    h = G.project(torch.randn(4096, cfg.latent_dim, generator=gen)).view(4096, -1, 7, 7)
    torch.testing.assert_close(bn.running_mean, h.mean(dim=(0, 2, 3)), atol=0.02, rtol=0)
    assert not G.training and bn.momentum == pytest.approx(0.1)


def test_start_from_generator_publishes_the_pretrained_weights(digits):
    cfg = SMALL["mlp"]
    donor = cfg.build_generator()
    for p in donor.parameters():
        torch.nn.init.constant_(p, 0.01)
    t = Trainer(digits, cfg, TrainConfig(batch_size=8), device="cpu")
    start_from_generator(t, donor.state_dict())
    for name, tensor in t.published.generator.items():
        torch.testing.assert_close(tensor, donor.state_dict()[name])


# ---- the shipped generators ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def judge():
    classifier = load_classifier()
    return classifier, reference_stats(embedded_mnist("heldout").images, classifier)


def _report(G, cfg, judge):
    """500 samples, z from seed 0; a class-conditional G is asked for each digit 50 times."""
    z = sample_latent(500, cfg, torch.Generator().manual_seed(0), "cpu", torch.arange(500) % 10)
    with torch.no_grad():
        return digit_report(G.eval()(z), *judge)


def test_untrained_generator_draws_no_readable_digits(judge):
    r = _report(DCGANConfig().build_generator(), DCGANConfig(), judge)
    assert r["confident_fraction"] == pytest.approx(0.0, abs=0.02)
    assert r["classes_present"] <= 3


# Measured on 500 samples with z from seed 0 (pretrained/README.md lists the 1,000-sample scores and the floor).
EXPECTED = {"mlp": (0.52, 86.5), "dcgan": (0.568, 56.2), "dcgan_conditional": (0.968, 15.6)}


@pytest.mark.parametrize("model", list(PRETRAINED))
def test_pretrained_generator_draws_readable_digits_of_most_classes(model, judge):
    G, cfg, _ = read_checkpoint(PRETRAINED[model], "generator")
    assert isinstance(cfg, MnistMLPConfig if model == "mlp" else DCGANConfig)
    assert cfg.to_dict().get("num_classes", 0) == (10 if model == "dcgan_conditional" else 0)
    r = _report(G, cfg, judge)
    confident, fid = EXPECTED[model]
    assert 8 <= r["classes_present"] <= 10
    assert r["confident_fraction"] == pytest.approx(confident, abs=0.05)  # untrained: 0.0 (test above)
    assert r["fid"] == pytest.approx(fid, rel=0.1)  # the real-vs-real floor is ≈ 10
