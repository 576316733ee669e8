"""Read-only things every session shares, loaded once per server: the MNIST digits, the digit classifier with its
reference statistics, and the shipped pretrained generators (``st.cache_resource``; never trained in place)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from playground.digits.classifier import load_classifier
from playground.digits.data import load_mnist
from playground.digits.metrics import real_floor, reference_stats
from playground.gan.checkpoints import read_checkpoint

MNIST_ROOT = os.environ.get("MNIST_ROOT", "data")  # full MNIST is used when torchvision finds it here (no download)
PRETRAINED_DIR = Path(__file__).resolve().parents[1] / "pretrained"


@st.cache_resource(show_spinner="Loading MNIST digits…")
def mnist_data():
    return load_mnist(MNIST_ROOT, download=False)


@st.cache_resource(show_spinner="Loading the digit classifier…")
def classifier():
    return load_classifier()


@st.cache_resource(show_spinner="Scoring real digits for reference…")
def judge():
    """The classifier, the held-out digits' feature statistics and the real-vs-real floor (same n as the scores)."""
    digits = classifier()
    ref = reference_stats(load_mnist(split="heldout").images, digits)
    floor = real_floor(mnist_data().images, digits, ref, n=500)
    return digits, ref, floor


@st.cache_resource(show_spinner="Loading the pretrained generator…")
def pretrained_generator(name: str):
    """(G, config, metadata) of ``pretrained/<name>_generator.safetensors``, or None if absent.

    G is in eval mode without gradients and shared by every session: copy its ``state_dict()`` to train from it.
    A ``CheckpointError`` is not cached, so a fixed file loads on the next call.
    """
    path = PRETRAINED_DIR / f"{name}_generator.safetensors"
    if not path.is_file():
        return None
    G, cfg, meta = read_checkpoint(path, "generator")
    return G.eval().requires_grad_(False), cfg, meta
