"""Session state: each experiment's widget defaults, and the keys that more than one page reads.

Pages call ``init(experiment)`` before drawing widgets and then create widgets with ``key=`` only, so a
setting's default lives in its declaration (``playground.experiments.<name>.settings``) and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground.settings import Experiment

TOY_RUN = "toy.run"  # the toy page's run; the latent explorer offers its generator
MNIST_RUN = "mnist.run"  # the MNIST page's run; the latent explorer offers its generator
URL_LOCKED = "url.locked"  # widget keys a lecture link locked (all pages; keys are namespaced)


def init(experiment: Experiment) -> None:
    """Put an experiment's defaults into session state (only keys that are missing)."""
    for key, value in experiment.defaults().items():
        if key not in st.session_state:
            st.session_state[key] = value


def replace_run(key: str, make: Callable[[], object]) -> object:
    """Stop the worker of the run stored under ``key`` (if any) and store a fresh run from ``make()``."""
    old = st.session_state.get(key)
    if old is not None and getattr(old, "worker", None) is not None:
        old.worker.stop(reason="reset")
    st.session_state[key] = run = make()
    return run
