"""Building an MNIST run from the page's settings (experiments.mnist.run)."""

from pathlib import Path

import pytest
import torch

from playground.digits.models import DCGANConfig, MnistMLPConfig
from playground.experiments.mnist import run as R
from playground.experiments.mnist.settings import MNIST

PRETRAINED = Path(__file__).resolve().parents[2] / "pretrained"
DEFAULTS = MNIST.values({})  # setting name → default


@pytest.mark.parametrize(
    ("model", "conditional", "name"),
    [("dcgan", True, "dcgan_conditional"), ("dcgan", False, "dcgan"), ("mlp", True, "mlp"), ("mlp", False, "mlp")],
)
def test_pretrained_name_picks_a_shipped_generator(model, conditional, name):
    assert R.pretrained_name(model, conditional) == name
    assert (PRETRAINED / f"{name}_generator.safetensors").is_file()


def _values(**changes) -> dict:
    return {**DEFAULTS, **changes}


def test_model_config_is_conditional_only_for_the_dcgan_and_a_pretrained_config_wins():
    assert R.model_config(_values(latent_dim=16)) == DCGANConfig(latent_dim=16, num_classes=10)
    assert R.model_config(_values(latent_dim=16, conditional=False)) == DCGANConfig(latent_dim=16, num_classes=0)
    assert R.model_config(_values(model="mlp", latent_dim=8)) == MnistMLPConfig(latent_dim=8)
    shipped = DCGANConfig(latent_dim=64)
    assert R.model_config(_values(latent_dim=16), shipped) is shipped


def test_train_config_keeps_the_family_penalty_and_moving_average():
    cfg = R.train_config(_values(model="mlp", loss="wgan-gp", k=2, lr_d=1e-3, augment=3, seed=7))
    assert (cfg.lr_d, cfg.seed, cfg.loss, cfg.k, cfg.augment_shift) == (1e-3, 7, "wgan-gp", 2, 3)
    assert (cfg.gp_weight, cfg.ema_decay, cfg.snapshot_every) == (10.0, 0.995, 500)


def _digits(n: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 28, 28, generator=gen) * 2 - 1, torch.arange(n) % 10


def test_build_trainer_tells_d_the_classes_only_when_the_model_is_conditional():
    images, labels = _digits()
    train, cpu = R.train_config(DEFAULTS), torch.device("cpu")
    cond = R.build_trainer(DCGANConfig(latent_dim=8, num_classes=10), train, images, labels, device=cpu)
    plain = R.build_trainer(DCGANConfig(latent_dim=8), train, images, labels, device=cpu)
    torch.testing.assert_close(cond.data.labels, labels)
    assert plain.data.labels is None


def test_build_trainer_starts_g_and_its_moving_average_from_the_given_weights():
    images, labels = _digits()
    cfg, cpu = MnistMLPConfig(latent_dim=8, g_width=16, d_width=16), torch.device("cpu")
    donor = R.build_trainer(cfg, R.train_config(_values(model="mlp", seed=1)), images, labels, device=cpu)
    state = {k: v + 0.5 for k, v in donor.G.state_dict().items()}  # weights no fresh init draws
    trainer = R.build_trainer(cfg, R.train_config(_values(model="mlp", seed=2)), images, labels, state, device=cpu)
    for net in (trainer.G, trainer.G_ema):
        for name, value in net.state_dict().items():
            torch.testing.assert_close(value, state[name])
    torch.testing.assert_close(trainer.published.generator, state)  # step 0 republished with them


def test_builder_makes_the_run_from_the_settings_and_a_pretrained_generator():
    images, labels = _digits()
    shipped = MnistMLPConfig(latent_dim=8, g_width=16, d_width=16)
    G = shipped.build_generator()
    with torch.no_grad():
        for p in G.parameters():
            p.fill_(0.25)
    build = R.builder(_values(model="mlp", latent_dim=100, batch_size=16, seed=3), images, labels, (G, shipped, {}))
    trainer = build()
    assert trainer.model_cfg is shipped and (trainer.cfg.batch_size, trainer.cfg.seed) == (16, 3)
    for value in trainer.G.parameters():
        torch.testing.assert_close(value, torch.full_like(value, 0.25))
    plain = R.builder(_values(model="mlp", latent_dim=8), images, labels)()
    assert plain.model_cfg == MnistMLPConfig(latent_dim=8)
