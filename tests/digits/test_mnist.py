import hashlib
import socket
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from playground.digits.data import HELDOUT_PER_CLASS, embedded_mnist, embedded_split_indices, load_mnist


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails at once, so no test here can reach the network."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def write_idx(root: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Write IDX files the way torchvision expects them: root/MNIST/raw/{prefix}-images-idx3-ubyte etc."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    n = len(labels)
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">iiii", 2051, n, 28, 28) + images.tobytes())
    (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">ii", 2049, n) + labels.tobytes())


@pytest.fixture
def tiny_mnist_root(tmp_path: Path) -> tuple[Path, dict]:
    rng = np.random.default_rng(0)
    data = {}
    for prefix, n in (("train", 6), ("t10k", 4)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255  # pin the extremes of the scaling
        labels = np.arange(n, dtype=np.uint8)
        write_idx(tmp_path, prefix, images, labels)
        data[prefix] = (images, labels)
    return tmp_path, data


@pytest.mark.parametrize(("split", "prefix"), [("train", "train"), ("heldout", "t10k")])
def test_torchvision_path_reads_idx_files_and_scales_to_minus_one_one(tiny_mnist_root, split, prefix):
    root, data = tiny_mnist_root
    images, labels = data[prefix]
    mnist = load_mnist(str(root), download=False, split=split)
    assert mnist.source == "torchvision"
    assert mnist.notice == ""
    assert mnist.images.shape == (len(labels), 1, 28, 28)
    assert mnist.images.dtype == torch.float32
    assert mnist.labels.dtype == torch.int64
    torch.testing.assert_close(mnist.labels, torch.as_tensor(labels, dtype=torch.int64))
    expected = torch.as_tensor(images, dtype=torch.float32).unsqueeze(1) / 127.5 - 1
    torch.testing.assert_close(mnist.images, expected)
    assert mnist.images.min().item() == pytest.approx(-1.0)
    assert mnist.images.max().item() == pytest.approx(1.0)


def test_empty_root_without_download_falls_back_to_embedded_with_notice(tmp_path):
    mnist = load_mnist(str(tmp_path), download=False, split="train")
    assert mnist.source == "embedded"
    assert "embedded" in mnist.notice and str(tmp_path) in mnist.notice
    assert len(mnist.labels) == 4500


def test_failed_download_falls_back_to_embedded_heldout(tmp_path):
    mnist = load_mnist(str(tmp_path), download=True, split="heldout")  # the fixture refuses every connection
    assert mnist.source == "embedded"
    assert mnist.notice != ""
    assert len(mnist.labels) == 500


def test_no_root_means_embedded_without_notice():
    mnist = load_mnist()
    assert (mnist.source, mnist.notice) == ("embedded", "")


def test_embedded_splits_have_fixed_sizes_balanced_classes_and_are_disjoint():
    train, heldout = embedded_mnist("train"), embedded_mnist("heldout")
    assert len(train.labels) == 4500
    assert len(heldout.labels) == 500
    assert torch.bincount(heldout.labels, minlength=10).tolist() == [HELDOUT_PER_CLASS] * 10
    assert torch.bincount(train.labels, minlength=10).tolist() == [500 - HELDOUT_PER_CLASS] * 10
    assert set(embedded_split_indices("train")).isdisjoint(embedded_split_indices("heldout"))

    def digests(x: torch.Tensor) -> set[str]:
        return {hashlib.md5(img.numpy().tobytes()).hexdigest() for img in x}

    assert digests(train.images).isdisjoint(digests(heldout.images))


def test_heldout_split_is_the_last_fifty_digits_of_each_class_in_file_order():
    # the embedded file is grouped by class, 500 digits each, so the held-out indices are pinned
    expected = np.concatenate([np.arange(c * 500 + 450, c * 500 + 500) for c in range(10)])
    np.testing.assert_array_equal(embedded_split_indices("heldout"), expected)


def test_embedded_images_span_minus_one_to_one():
    images = embedded_mnist("train").images
    assert images.shape[1:] == (1, 28, 28)
    assert images.min().item() == pytest.approx(-1.0)
    assert images.max().item() == pytest.approx(1.0)


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError, match="split"):
        load_mnist(split="test")
