import hashlib

import pytest
import torch

from playground.experiments.toy.build import make_trainer, uploaded_dataset
from playground.experiments.toy.settings import TOY
from playground.gan.data import DataError, make_dataset

CSV = b"x,y\n" + b"".join(f"{i},{-i}\n".encode() for i in range(10))


def test_uploaded_points_are_read_and_named_by_their_content():
    data_id, cloud = uploaded_dataset(CSV)
    assert data_id == "csv:" + hashlib.sha1(CSV).hexdigest()[:12]
    torch.testing.assert_close(cloud.points[3], torch.tensor([3.0, -3.0]))
    assert len(cloud.points) == 10
    assert uploaded_dataset(CSV)[0] == data_id  # the same file again: the same run, no Reset
    assert uploaded_dataset(CSV + b"10,-10\n")[0] != data_id


def test_an_unusable_upload_says_why():
    with pytest.raises(DataError, match="at least 10 points"):
        uploaded_dataset(b"0,0\n1,1\n")


def test_make_trainer_builds_from_the_setting_values_with_the_fast_engine():
    values = {
        **{s.name: s.default for s in TOY.settings},
        "hidden": 16,
        "latent_dim": 3,
        "batch_size": 32,
        "lr_d": 1e-4,
    }
    trainer = make_trainer(make_dataset("ring8"), values)
    assert (trainer.model_cfg.hidden, trainer.model_cfg.latent_dim) == (16, 3)
    assert trainer.cfg.batch_size == 32 and trainer.cfg.lr_d == pytest.approx(1e-4)
    assert trainer.model_cfg.pack == 2  # the default preset's PacGAN2 comes with the page's defaults
    assert trainer.engine.name == "mlp"
    assert trainer.step(2) == 2
