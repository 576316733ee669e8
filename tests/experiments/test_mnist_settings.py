"""The MNIST page's settings declaration: the defaults, link and live/reset split the page had before it."""

import pytest

from playground.experiments.mnist import run as R
from playground.experiments.mnist import settings as M
from playground.experiments.mnist.presets import FAMILY_DEFAULTS
from playground.gan.trainer import Trainer


def test_family_settings_are_the_presets_that_trained_each_family_best():
    assert M.family_settings("dcgan") == {"loss": "nonsat", "k": 1, "lr_d": 2e-3, "lr_g": 2e-3, "latent_dim": 32,
                                          "conditional": True, "augment": 2, "batch_size": 64}  # fmt: skip
    assert M.family_settings("mlp") == {"loss": "wgan-gp", "k": 2, "lr_d": 2e-4, "lr_g": 2e-4, "latent_dim": 64,
                                        "conditional": False, "augment": 0, "batch_size": 32}  # fmt: skip


def test_defaults_are_the_conditional_dcgan_family_settings():
    assert M.MNIST.defaults() == {
        "mnist.model": "dcgan", "mnist.conditional": True, "mnist.start": "scratch", "mnist.latent_dim": 32,
        "mnist.loss": "nonsat", "mnist.optimizer": "adam", "mnist.lr_d": 2e-3, "mnist.lr_g": 2e-3, "mnist.k": 1,
        "mnist.batch_size": 64, "mnist.augment": 2, "mnist.seed": 0, "mnist.refresh": 1,
    }  # fmt: skip


def test_the_share_link_keeps_its_parameter_names_and_refresh_is_each_students_own():
    schema = M.MNIST.schema()
    assert set(schema.fields) == {"model", "start", "loss", "optimizer", "lr_d", "lr_g", "k", "batch_size",
                                  "latent_dim", "conditional", "augment", "seed", "refresh"}  # fmt: skip
    assert schema.display == frozenset({"refresh"})


def test_live_settings_are_the_trainers_live_fields_under_its_names():
    assert M.LIVE_FIELDS == ("loss", "lr_d", "lr_g", "k", "batch_size", "augment_shift")
    assert set(M.LIVE_FIELDS) <= set(Trainer.LIVE_FIELDS)
    assert set(M.MNIST.reset_names) == {"model", "conditional", "start", "latent_dim", "optimizer", "seed"}


def test_run_settings_use_the_trainer_names_and_leave_out_the_view_options():
    values = M.MNIST.values({"mnist.augment": 3})
    run = M.run_settings(values)
    assert run["augment_shift"] == 3 and "augment" not in run and "refresh" not in run
    assert set(run) == {*M.MNIST.reset_names, *M.LIVE_FIELDS}


def test_picking_the_mlp_sets_the_wgan_gp_settings_that_trained_it_best():
    values = M.family_values("mlp")
    assert values["mnist.loss"] == "wgan-gp" and values["mnist.k"] == 2 and values["mnist.conditional"] is False
    assert values["mnist.lr_d"] == pytest.approx(2e-4) and values["mnist.batch_size"] == 32


def test_train_config_of_the_defaults_is_the_dcgan_family_config():
    assert R.train_config(M.MNIST.values({})) == FAMILY_DEFAULTS["dcgan"][1]
    cfg = R.train_config(M.MNIST.values({"mnist.model": "mlp", "mnist.augment": 4, "mnist.seed": 9}))
    assert (cfg.augment_shift, cfg.seed, cfg.ema_decay) == (4, 9, FAMILY_DEFAULTS["mlp"][1].ema_decay)
