"""The one place that defines session-state keys, their defaults, and per-session training workers.

Widget keys are namespaced per page (``toy.lr_d``); pages call ``init(page)`` before drawing widgets
and then create widgets with ``key=`` only, so the defaults live here and nowhere else.

Workers: each browser session owns its workers (``st.session_state``). A session-scoped
``st.cache_resource`` holds a ``SessionGuard`` listing them; Streamlit releases that cache when the
session disconnects, and the guard tells each worker to stop after a short grace period (a reconnect
within it, whose page stamps a heartbeat again, keeps training). The worker's own heartbeat timeout
is the fallback if a release never comes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from playground.models import ModelConfig
from playground.training import TrainConfig
from playground.worker import TrainingWorker

_M, _T = ModelConfig(), TrainConfig()

# ---- toy 2-D page -------------------------------------------------------------------------------
TOY = "toy"
TOY_DEFAULTS: dict[str, object] = {
    "toy.dataset": "ring8",
    "toy.loss": _T.loss,
    "toy.optimizer": _T.optimizer,
    "toy.lr_d": _T.lr_d,
    "toy.lr_g": _T.lr_g,
    "toy.k": _T.k,
    "toy.batch_size": _T.batch_size,
    "toy.hidden": _M.hidden,
    "toy.depth": _M.depth,
    "toy.activation": _M.activation,
    "toy.latent_dim": _M.latent_dim,
    "toy.seed": _T.seed,
    "toy.refresh": 5,  # plot redraws per second
    "toy.speed": "full",  # training speed cap (steps/s) or "full"
    "toy.show_dstar": False,
    "toy.show_arrows": True,
}
# non-widget state of the toy page
TOY_RUN = "toy.run"  # ToyRun: worker + fixed view + what the trainer was built with
TOY_WAS_RUNNING = "toy.was_running"  # lets the live fragment notice training stopped by itself
TOY_TIMELINE = "toy.timeline"  # snapshots the timeline slider offers (frozen at each full run)
TOY_FRAME_CACHE = "toy.frame_cache"  # (step, show_dstar) → computed frame, so a paused page redraws free

DEFAULTS = {TOY: TOY_DEFAULTS}


def init(page: str) -> None:
    """Put a page's defaults into session state (only keys that are missing)."""
    for key, value in DEFAULTS[page].items():
        if key not in st.session_state:
            st.session_state[key] = value


def reset_widgets(page: str) -> None:
    """Restore a page's widgets to their defaults."""
    for key, value in DEFAULTS[page].items():
        st.session_state[key] = value


# ---- worker lifecycle -----------------------------------------------------------------------------
class SessionGuard:
    """Lists the workers of one browser session; ``release_all`` runs when the session goes away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.workers: list[TrainingWorker] = []

    def watch(self, worker: TrainingWorker) -> None:
        with self._lock:
            self.workers = [w for w in self.workers if w.alive or w is worker]
            if worker not in self.workers:
                self.workers.append(worker)

    def release_all(self) -> None:
        with self._lock:
            workers = list(self.workers)
        for worker in workers:
            worker.release()  # non-blocking: this runs on Streamlit's event loop thread


@st.cache_resource(scope="session", on_release=SessionGuard.release_all, show_spinner=False)
def session_guard() -> SessionGuard:
    return SessionGuard()


def watch(worker: TrainingWorker) -> TrainingWorker:
    """Register a worker with this session's guard and stamp its heartbeat; call on every page run."""
    session_guard().watch(worker)
    worker.heartbeat()
    return worker


def replace_run(key: str, make: Callable[[], object]) -> object:
    """Stop the worker of the run stored under ``key`` (if any) and store a fresh run from ``make()``."""
    old = st.session_state.get(key)
    if old is not None and getattr(old, "worker", None) is not None:
        old.worker.stop(reason="reset")
    st.session_state[key] = run = make()
    return run


# ---- navigation ----------------------------------------------------------------------------------
# (file, title, icon, one-line description): a page is listed once its file exists, so pages can land one by one.
PAGES = [
    ("pages/home.py", "Home", ":material/home:", "The two-player game in a few lines."),
    ("pages/toy2d.py", "Toy 2-D", ":material/scatter_plot:", "Train a GAN live on 2-D points and watch D and G."),
    (
        "pages/theory.py",
        "1-D theory",
        ":material/functions:",
        "The optimal discriminator and the JSD, in one dimension.",
    ),
    ("pages/collapse.py", "Mode-collapse lab", ":material/blur_on:", "Count modes, compare remedies with the papers."),
    ("pages/mnist.py", "MNIST", ":material/draw:", "Train a GAN on handwritten digits."),
    ("pages/latent.py", "Latent explorer", ":material/explore:", "Walk through z and watch the digits morph."),
]


def available_pages(root) -> list[tuple[str, str, str, str]]:
    """The PAGES whose file exists under ``root`` (a pathlib.Path)."""
    return [page for page in PAGES if (root / page[0]).is_file()]


_router = threading.local()  # .active is True while app.py runs a page (on the script thread)


def run_page(page) -> None:
    """Run the page ``st.navigation`` chose, marking that the router is in charge (see ``ensure_router``)."""
    _router.active = True
    try:
        page.run()
    finally:
        _router.active = False


def ensure_router() -> None:
    """Make sure app.py's ``st.navigation`` is the router; call first thing in every page.

    Streamlit quirk (1.67): a server whose first session opens a page URL such as /toy2d directly, before
    any session has run app.py, treats ``pages/`` as an old-style (v1) pages folder and runs the page file
    alone: no page list, no wide layout, no sidebar footer. Then clear that flag and rerun, which sends
    the run through app.py; after its first ``st.navigation`` call Streamlit keeps the flag cleared.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not getattr(_router, "active", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
