import pytest
import torch

from playground.gan.device import DEVICE_ENV, pick_device


def test_auto_picks_cpu_when_no_accelerator_and_no_override(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    assert pick_device("auto") == torch.device("cpu")


def test_environment_variable_forces_the_default_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # auto would say cuda
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    assert pick_device() == torch.device("cpu")
    assert pick_device("cpu").type == "cpu"


def test_explicit_device_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "cuda")
    assert pick_device("cpu") == torch.device("cpu")


def test_unavailable_cuda_is_explained(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(DEVICE_ENV, "cuda")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        pick_device()
    with pytest.raises(ValueError, match="Unknown device"):
        pick_device("warp-drive")
