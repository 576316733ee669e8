"""Checkpoints: safetensors weights with the model config as JSON metadata. Nothing is unpickled.

A file carries everything needed to rebuild its network (``kind``, ``model_type``, ``config``),
so loading is: parse the header, rebuild from the JSON, check every tensor's name and shape.
Files are untrusted input: every problem is a ``CheckpointError`` with a plain message.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_bytes
from safetensors.torch import save as save_bytes
from torch import nn

from playground.digits.models import DCGANConfig, MnistMLPConfig
from playground.gan.models import ModelConfig

FORMAT = "gan-playground/1"
KINDS = ("generator", "discriminator")
MAX_BYTES = 200 * 1024 * 1024

# model_type → config class; other model families register here (e.g. the MNIST models)
MODEL_CONFIGS: dict[str, type] = {"mlp": ModelConfig, "mnist-mlp": MnistMLPConfig, "dcgan": DCGANConfig}


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is meant for the user."""


def model_type_of(cfg) -> str:
    for name, cls in MODEL_CONFIGS.items():
        if type(cfg) is cls:
            return name
    raise TypeError(f"unregistered model config {type(cfg).__name__}")


def checkpoint_bytes(module: nn.Module, kind: str, model_cfg, step: int = 0, extra: dict | None = None) -> bytes:
    """Serialise one network to safetensors bytes with its config in the metadata."""
    meta = {
        "format": FORMAT,
        "kind": kind,
        "model_type": model_type_of(model_cfg),
        "config": json.dumps(model_cfg.to_dict()),
        "step": str(step),
        "extra": json.dumps(extra or {}),
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    return save_bytes(tensors, metadata=meta)


def save_checkpoint(path: str | Path, module: nn.Module, kind: str, model_cfg, step: int = 0, extra=None) -> None:
    Path(path).write_bytes(checkpoint_bytes(module, kind, model_cfg, step, extra))


def read_checkpoint(
    data: bytes | str | Path, kind: str = "generator", expect_cfg=None
) -> tuple[nn.Module, object, dict]:
    """Rebuild a network from checkpoint bytes or a path; returns (module, config, metadata).

    Refuses pickles, truncated files, the wrong kind, a config that differs from ``expect_cfg``,
    and tensors whose names or shapes do not match the rebuilt network.
    """
    if isinstance(data, (str, Path)):
        try:
            data = Path(data).read_bytes()
        except OSError as exc:
            raise CheckpointError(f"Checkpoint could not be read: {exc.strerror}.") from None
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"Checkpoint is larger than {MAX_BYTES // 2**20} MB.")
    # safetensors: an 8-byte header length, then the JSON header. Its first byte can be 0x80 too (a header of
    # 128 + 256·n bytes), so a file only counts as a pickle (0x80 …) or zip (PK …) if no JSON header follows.
    if data[8:9] != b"{" and (data[:1] == b"\x80" or data[:2] == b"PK"):
        raise CheckpointError("This looks like a PyTorch pickle (.pt/.pth); only .safetensors files are accepted.")
    try:
        tensors = load_bytes(data)
        meta = _metadata(data)
    except (SafetensorError, ValueError, OSError, json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError("Not a valid safetensors file (truncated or corrupted?).") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError("This safetensors file was not written by GAN Playground (no config inside).")
    if meta.get("kind") != kind:
        raise CheckpointError(f"Expected a {kind} checkpoint but this file holds a {meta.get('kind')}.")
    cfg = _config_from(meta)
    if expect_cfg is not None and cfg != expect_cfg:
        raise CheckpointError(f"Checkpoint config {cfg} does not match the expected {expect_cfg}.")
    module = cfg.build_generator() if kind == "generator" else cfg.build_discriminator()
    expected = module.state_dict()
    if set(expected) != set(tensors):
        raise CheckpointError("Checkpoint tensors do not match the network its config describes.")
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape:
            raise CheckpointError(
                f"Tensor {name} has shape {list(tensor.shape)}, the network needs {list(expected[name].shape)}."
            )
        if tensor.dtype.is_floating_point and not torch.isfinite(tensor).all():
            raise CheckpointError(f"Tensor {name} contains NaN or infinite values.")
    module.load_state_dict(tensors)
    return module.eval(), cfg, meta


def _metadata(data: bytes) -> dict:
    header_len = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    return header.get("__metadata__", {}) or {}


def _config_from(meta: dict):
    cls = MODEL_CONFIGS.get(meta.get("model_type", ""))
    if cls is None:
        raise CheckpointError(f"Unknown model type {meta.get('model_type')!r} in checkpoint.")
    try:
        raw = json.loads(meta.get("config", ""))
        known = {f.name for f in fields(cls)}
        if not isinstance(raw, dict) or set(raw) - known:
            raise ValueError("unexpected config fields")
        return cls(**raw)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"Checkpoint config is invalid: {exc}.") from None
