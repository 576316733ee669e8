"""Download buttons and their data, and inline pictures: built on click, holding nothing that would keep a
session alive."""

from __future__ import annotations

import base64
import weakref
from collections.abc import Callable, Sequence
from typing import NamedTuple

import streamlit as st

from playground.gan.checkpoints import checkpoint_bytes
from playground.runtime.controller import RunController
from playground.views import figures as F


class Download(NamedTuple):
    label: str
    data: Callable[[], bytes | str] | bytes | str  # a callable is called when the student clicks
    file_name: str
    help: str
    mime: str | None = None


def buttons(files: Sequence[Download]) -> None:
    """The files' download buttons side by side; clicking one downloads without rerunning the page."""
    for col, f in zip(st.columns(len(files)), files, strict=True):
        col.download_button(f.label, f.data, f.file_name, mime=f.mime, on_click="ignore", help=f.help)


def run_files(run, extra: dict) -> tuple[Download, Download, Download]:
    """A Trainer run's generator, discriminator (checkpoints with ``extra`` in their metadata) and history."""
    return (
        Download("Generator (.safetensors)", weights_download(run, "generator", extra), "generator.safetensors",
                 "G's weights with its config inside (safetensors)."),
        Download("Discriminator (.safetensors)", weights_download(run, "discriminator", extra),
                 "discriminator.safetensors", "D's weights with its config inside (safetensors)."),
        Download("History (.csv)", history_download(run), "history.csv",
                 "Losses, D outputs and V(D,G) per generator step.", "text/csv"),
    )  # fmt: skip


def _trainer(run):
    """The Trainer of a RunController (or the Trainer itself)."""
    return run.trainer if isinstance(run, RunController) else run


def image_url(data: bytes, mime: str) -> str:
    """A picture as a data: URL for ``st.image``: it travels inside the page update, not as a media file.

    Streamlit's media files can vanish while a fragment redraws the same picture (a broken-image icon was
    seen in place of the MNIST page's constant row of real digits), and each one costs an extra request.
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def weights_download(run, kind: str, extra: dict) -> Callable[[], bytes]:
    """A download button's data: the latest published G or D of a run (or trainer) as a checkpoint, built on click.

    Holds the trainer weakly and lives here, not in a page: Streamlit keeps a deferred download's callable after
    its session has expired, and a page's function (through the page's globals) or a strong reference then kept
    that session's whole run alive (found with ``gc.get_referrers`` after the load test).
    """
    ref = weakref.ref(_trainer(run))

    def data() -> bytes:
        t = ref()
        if t is None:
            return b""
        G, D, step = F.snapshot_models(t)
        net = G if kind == "generator" else D
        return checkpoint_bytes(net, kind, t.model_cfg, step, {"train": t.cfg.to_dict(), **extra})

    return data


def history_download(run) -> Callable[[], str]:
    """A download button's data: a run's (or trainer's) history as CSV, built on click (weakly held, as above)."""
    ref = weakref.ref(_trainer(run))

    def data() -> str:
        t = ref()
        if t is None:
            return ""
        with t.lock:
            return t.history.to_csv()

    return data
