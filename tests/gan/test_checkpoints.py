import pickle

import pytest
import torch

from playground.gan.checkpoints import CheckpointError, checkpoint_bytes, read_checkpoint
from playground.gan.models import ModelConfig, build_discriminator, build_generator

CFG = ModelConfig(hidden=16, latent_dim=3)


def test_round_trip_rebuilds_the_network_from_its_config():
    g = build_generator(CFG)
    data = checkpoint_bytes(g, "generator", CFG, step=42)
    loaded, cfg, meta = read_checkpoint(data)
    assert cfg == CFG and meta["step"] == "42"
    z = torch.randn(5, 3)
    torch.testing.assert_close(loaded(z), g(z))


def test_save_and_load_from_path(tmp_path):
    d = build_discriminator(CFG)
    path = tmp_path / "d.safetensors"
    path.write_bytes(checkpoint_bytes(d, "discriminator", CFG))
    loaded, _, _ = read_checkpoint(path, kind="discriminator")
    x = torch.randn(4, 2)
    torch.testing.assert_close(loaded(x), d(x))


def test_pickle_is_refused_without_unpickling(tmp_path):
    data = pickle.dumps({"weight": [1, 2, 3]})
    with pytest.raises(CheckpointError, match="pickle"):
        read_checkpoint(data)
    torch.save(build_generator(CFG).state_dict(), tmp_path / "g.pt")
    with pytest.raises(CheckpointError, match="pickle"):
        read_checkpoint(tmp_path / "g.pt")


def test_a_safetensors_file_whose_header_length_starts_with_the_pickle_byte_is_accepted():
    # the first byte is the header length's low byte: 0x80 for headers of 128 + 256·n bytes (1 file in 256)
    G = build_generator(CFG)
    pads = (checkpoint_bytes(G, "generator", CFG, extra={"pad": "x" * n}) for n in range(256))
    data = next(d for d in pads if d[0] == 0x80)
    read_checkpoint(data)  # no "pickle" refusal


def test_truncated_and_garbage_files_are_refused():
    data = checkpoint_bytes(build_generator(CFG), "generator", CFG)
    with pytest.raises(CheckpointError, match="truncated"):
        read_checkpoint(data[: len(data) // 2])
    with pytest.raises(CheckpointError):
        read_checkpoint(b"hello world, not a checkpoint")


def test_wrong_kind_and_mismatched_config_are_refused():
    data = checkpoint_bytes(build_generator(CFG), "generator", CFG)
    with pytest.raises(CheckpointError, match="discriminator"):
        read_checkpoint(data, kind="discriminator")
    with pytest.raises(CheckpointError, match="does not match"):
        read_checkpoint(data, expect_cfg=ModelConfig(hidden=16, latent_dim=2))


def test_shapes_that_do_not_match_the_config_are_refused():
    from safetensors.torch import save

    wide = build_generator(ModelConfig(hidden=32, latent_dim=3))
    meta_src = read_checkpoint(checkpoint_bytes(build_generator(CFG), "generator", CFG))[2]
    forged = save({k: v.contiguous() for k, v in wide.state_dict().items()}, metadata=meta_src)
    with pytest.raises(CheckpointError, match="shape"):
        read_checkpoint(forged)


def test_safetensors_without_our_metadata_is_refused():
    from safetensors.torch import save

    with pytest.raises(CheckpointError, match="not written by GAN Playground"):
        read_checkpoint(save({"w": torch.zeros(2)}))
