"""The one place that defines session-state keys, their defaults, and per-session training workers.

Widget keys are namespaced per page (``toy.lr_d``); pages call ``init(page)`` before drawing widgets
and then create widgets with ``key=`` only, so the defaults live here and nowhere else.

Workers: each browser session owns its workers (``st.session_state``). A session-scoped
``st.cache_resource`` holds a ``SessionGuard`` listing them; Streamlit releases that cache when the
session disconnects, and the guard tells each worker to stop after a short grace period (a reconnect
within it, whose page stamps a heartbeat again, keeps training). The worker's own heartbeat timeout
is the fallback if a release never comes.

URL state: ``url_state(page)`` applies a shared link's settings once per session (``playground.urlstate``
validates them), keeps the address bar in step with the widgets so the current URL is always a link to
the current experiment, and records which widgets a ``lock=1`` link locks (``locked(key)``).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st
from streamlit import runtime
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground import urlstate
from playground.digits.classifier import load_classifier
from playground.digits.data import load_mnist
from playground.digits.metrics import real_floor, reference_stats
from playground.experiments.toy.presets import DEFAULT_PRESET, PRESETS
from playground.gan.checkpoints import checkpoint_bytes
from playground.gan.data import DATASETS
from playground.gan.losses import LOSSES
from playground.gan.models import ACTIVATIONS
from playground.gan.trainer import OPTIMIZERS
from playground.runtime.worker import JANITOR, TrainingWorker
from playground.views import figures as F
from playground.views.pictures import curves_image

_M, _T = PRESETS[DEFAULT_PRESET].model, PRESETS[DEFAULT_PRESET].train  # the page starts from the default preset

# ---- toy 2-D page: the values its widgets offer (the URL schema below accepts exactly these) -------------
# every preset's learning rates are offered too, so ?preset=… restores them exactly
TOY_LEARNING_RATES = sorted(
    {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1}
    | {lr for p in PRESETS.values() for lr in (p.train.lr_d, p.train.lr_g)}
)
TOY_BATCH_SIZES = [16, 32, 64, 128, 256, 512, 1024]
TOY_PACKS = (1, 2, 4)  # PacGAN pack sizes; every batch size above divides by them
TOY_WIDTHS = [8, 16, 32, 64, 128, 256, 512]
TOY_SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, "full"]
TOY_REFRESH_RATES = [1, 2, 4, 5, 8, 10]

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
    "toy.pack": _M.pack,
    "toy.seed": _T.seed,
    "toy.refresh": 4,  # picture redraws per second while training
    "toy.speed": "full",  # training speed cap (steps/s) or "full"
    "toy.show_dstar": False,
    "toy.show_arrows": True,
}
# non-widget state of the toy page
TOY_RUN = "toy.run"  # ToyRun: worker + fixed view + what the trainer was built with
TOY_LIVE_STATE = "toy.live_state"  # lets the live fragment notice training stopped or got its slot
TOY_TIMELINE = "toy.timeline"  # snapshots the timeline slider offers (frozen at each full run)
TOY_FRAME_CACHE = "toy.frame_cache"  # (step, show_dstar) → computed frame, so a paused page redraws free
TOY_PICTURES = "toy.pictures"  # (run id, step, overlays) → the live view's JPEGs
TOY_EVAL_MODELS = "toy.eval_models"  # (run id, (G, D)): eval-mode copies the frames are computed with

DEFAULTS = {TOY: TOY_DEFAULTS}

C, R = urlstate.Choice, urlstate.IntRange
TOY_URL = urlstate.Schema(
    prefix="toy.",
    fields={
        "dataset": C(tuple(DATASETS)),  # an uploaded CSV cannot travel in a link
        "loss": C(tuple(LOSSES)),
        "optimizer": C(OPTIMIZERS),
        "lr_d": C(tuple(TOY_LEARNING_RATES)),
        "lr_g": C(tuple(TOY_LEARNING_RATES)),
        "k": R(1, 10),
        "batch_size": C(tuple(TOY_BATCH_SIZES)),
        "hidden": C(tuple(TOY_WIDTHS)),
        "depth": R(1, 4),
        "activation": C(tuple(ACTIVATIONS)),
        "latent_dim": R(1, 8),
        "pack": C(TOY_PACKS),
        "seed": R(0, 10_000),
        "speed": C(tuple(TOY_SPEEDS)),
        "refresh": C(tuple(TOY_REFRESH_RATES)),
        "show_dstar": urlstate.Flag(),
        "show_arrows": urlstate.Flag(),
    },
    display=frozenset({"refresh", "show_dstar", "show_arrows"}),  # each student's own view
)


def toy_preset(name: str) -> dict[str, object] | str:
    """A preset as the toy page's widget values, or a sentence saying why the page cannot show it exactly."""
    p = PRESETS[name]
    model = {f: getattr(p.model, f) for f in ("hidden", "depth", "activation", "latent_dim", "pack")}
    train = {f: getattr(p.train, f) for f in ("loss", "optimizer", "lr_d", "lr_g", "k", "batch_size", "seed")}
    values = {f"toy.{f}": v for f, v in {"dataset": p.dataset, **model, **train}.items()}
    exact = replace(_M, **model) == p.model and replace(_T, **train) == p.train  # no remedies, no other fields
    fits = all(urlstate.is_valid(TOY_URL.fields[k.removeprefix("toy.")], v) for k, v in values.items())
    if not (exact and fits):
        return f"Preset {name!r} needs settings this page does not have: open it in the Mode-collapse lab."
    return values


URL_SCHEMAS = {TOY: TOY_URL}
URL_PRESETS = {TOY: {name: toy_preset(name) for name in PRESETS}}
URL_LOCKED = "url.locked"  # widget keys a lecture link locked (all pages; keys are namespaced)


def init(page: str) -> None:
    """Put a page's defaults into session state (only keys that are missing)."""
    for key, value in DEFAULTS[page].items():
        if key not in st.session_state:
            st.session_state[key] = value


def reset_widgets(page: str) -> None:
    """Restore a page's widgets to their defaults."""
    for key, value in DEFAULTS[page].items():
        st.session_state[key] = value


# ---- URL state: shareable links and lecture mode --------------------------------------------------------
def _page_values(page: str) -> dict[str, object]:
    return {key: st.session_state[key] for key in DEFAULTS[page] if key in st.session_state}


def url_state(page: str) -> None:
    """Call right after ``init(page)``: apply the link once per session, then mirror the widgets into the URL.

    The link is read on the session's first run of the page (a reload or a shared link is a new session);
    later runs only write, so the address bar is always a link to what the page shows right now.
    """
    schema, applied = URL_SCHEMAS[page], f"{page}.url.applied"
    if not st.session_state.get(applied):
        st.session_state[applied] = True
        decoded = urlstate.decode(schema, st.query_params.to_dict(), URL_PRESETS.get(page))
        for key, value in decoded.values.items():
            st.session_state[key] = value
        st.session_state[URL_LOCKED] = set(st.session_state.get(URL_LOCKED, ())) | decoded.locked
        for message in decoded.errors:
            st.warning(f"Link: {message}", icon=":material/link_off:")
    params = urlstate.encode(schema, _page_values(page), DEFAULTS[page], _locked_of(schema))
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def _locked_of(schema: urlstate.Schema) -> frozenset[str]:
    return frozenset(k for k in st.session_state.get(URL_LOCKED, ()) if k.startswith(schema.prefix))


def locked(key: str) -> bool:
    """True when a lecture link locked this widget: pass as ``disabled=S.locked(key)``."""
    return key in st.session_state.get(URL_LOCKED, ())


def share_ui(page: str) -> None:
    """The link to this page's current settings (copy button), with a choice of what to lock for students."""
    schema = URL_SCHEMAS[page]
    if _locked_of(schema):
        st.caption(":material/lock: Settings marked as disabled are locked by the lecturer's link.")
        return
    with st.expander("Share these settings (lecture link)", icon=":material/link:"):
        names = st.multiselect(
            "Lock for students",
            list(schema.fields),
            key=f"{page}.share.lock",
            help="Students who open the link see these controls disabled. All but the view options = lock=1.",
        )
        params = urlstate.encode(schema, _page_values(page), DEFAULTS[page], {schema.key(n) for n in names})
        base = st.context.url or ""
        st.code(f"{base}?{urlencode(params)}" if params else base, language=None, wrap_lines=True)
        st.caption("Copy with the button at the right of the link. Opening it restores these settings exactly.")


# ---- run controls ---------------------------------------------------------------------------------------
STEP_HELP = "One generator step (after its k discriminator steps)."


def run_buttons(
    cols, running: bool, train_help: str, prefix: str | None = None, step_help: str = STEP_HELP
) -> str | None:
    """Train / Pause / Step / Reset in the first four of ``cols`` (keys ``prefix.train`` …); returns the one pressed."""
    key = (lambda name: f"{prefix}.{name}") if prefix else (lambda name: None)
    pressed = None
    if cols[0].button("Train", key=key("train"), type="primary", disabled=running, width="stretch", help=train_help):
        pressed = "train"
    if cols[1].button("Pause", key=key("pause"), disabled=not running, width="stretch",
                      help="Stop training; nothing is lost."):  # fmt: skip
        pressed = "pause"
    if cols[2].button("Step", key=key("step"), width="stretch", help=step_help):
        pressed = "step"
    if cols[3].button("Reset", key=key("reset"), width="stretch",
                      help="New networks from the current settings (step 0)."):  # fmt: skip
        pressed = "reset"
    return pressed


# ---- fair sharing of the CPU ---------------------------------------------------------------------------------
def queue_notice(worker: TrainingWorker) -> None:
    """While ``worker`` waits for a free trainer slot, say so (call in the page's live fragment)."""
    position = worker.queue_position
    if position is not None:
        training, waiting = worker.slots.counts()
        st.info(
            f"**Waiting for a free trainer (position {position} of {waiting}).** "
            f"{training} {'session is' if training == 1 else 'sessions are'} training right now; yours starts "
            "as soon as one pauses or has had its turn. Nothing is lost.",
            icon=":material/hourglass_top:",
        )


QUEUED_REFRESH = 2.0  # seconds between polls of the queue while a session waits for a trainer


def live_state(worker: TrainingWorker) -> str:
    """'training', 'queued' (waiting for a slot) or 'idle': what the page's controls and timer depend on."""
    if worker.queue_position is not None:
        return "queued"
    return "training" if worker.running else "idle"


# While a page trains: stale elements keep full opacity and start no transition (see live_timer). A style-only st.html
# takes no space: Streamlit sends it to the page's event container.
NO_STALE_FADE = (
    "<style>[data-testid='stElementContainer'][data-stale='true']"
    "{opacity:1!important;transition:none!important}</style>"
)


def live_timer(key: str, worker: TrainingWorker, seconds: float | None) -> float | None:
    """For the full page run: the live fragment's ``run_every``, and the worker's state remembered under ``key``.

    ``seconds`` while training, None when idle, and None while queued: the live view is then drawn once, and a
    small fragment placed here polls the queue every ``QUEUED_REFRESH`` s instead (its place in the queue, the
    heartbeat, a full rerun when the turn comes). Waiting sessions then send no pictures: in the 20-session
    load test, 18 queued pages re-sending theirs every second starved the server until browsers disconnected.

    While training, this full run also switches off Streamlit's fade of stale elements (``NO_STALE_FADE``). Each
    fragment run marks the fragment's elements stale, which starts a delayed opacity transition that the new
    elements cancel a moment later, several times a second: ~0.1 of a core in Chromium beside the server. The
    style is page-wide and sent by the full run, never from inside a fragment: the earlier rule, scoped by a keyed
    container and sent from inside each live fragment (commit 0602bc4), went with load-test stalls (cause unknown).
    """
    state = st.session_state[key] = live_state(worker)
    if state == "queued":
        st.fragment(_queue_poll, run_every=QUEUED_REFRESH)(key, worker)
    if state == "training":
        st.html(NO_STALE_FADE)
    return seconds if state == "training" else None


def _queue_poll(key: str, worker: TrainingWorker) -> None:
    watch(worker)
    queue_notice(worker)
    rerun_on_change(key, worker)


def rerun_on_change(key: str, worker: TrainingWorker) -> None:
    """For the live fragment: a full rerun when the state changed since the page was drawn (training stopped
    by itself, diverged, or the run got or lost its trainer slot), so controls and timer follow it."""
    if key in st.session_state and st.session_state[key] != live_state(worker):
        st.rerun()


def image_url(data: bytes, mime: str) -> str:
    """A picture as a data: URL for ``st.image``: it travels inside the page update, not as a media file.

    Streamlit's media files can vanish while a fragment redraws the same picture (a broken-image icon was
    seen in place of the MNIST page's constant row of real digits), and each one costs an extra request.
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def curve_charts(cols, history: dict, specs: tuple[F.Curves, ...], running: bool, revision: str, page: str) -> None:
    """One chart per column: PNG pictures while training, interactive plotly charts once paused.

    Streamlit gives a plotly chart a new identity whenever its data change, so the browser rebuilds it on
    every redraw: in headless Chromium the three curve charts of the toy page took more than half of the
    page's JavaScript time (profiled), on the same cores training needs when the browser runs beside it.
    """
    for i, (col, spec) in enumerate(zip(cols, specs, strict=True)):
        if running:
            col.image(image_url(curves_image(history, spec), "image/png"))
        else:
            fig = F.curves_figure(history, spec, revision)
            col.plotly_chart(fig, key=f"{page}.curves{i}", config={"displaylogo": False})


def weights_download(trainer, kind: str, extra: dict) -> Callable[[], bytes]:
    """A download button's data: the trainer's latest published G or D as a checkpoint, built on click.

    Holds the trainer weakly and lives here, not in a page: Streamlit keeps a deferred download's callable after
    its session has expired, and a page's function (through the page's globals) or a strong reference then kept
    that session's whole run alive (found with ``gc.get_referrers`` after the load test).
    """
    ref = weakref.ref(trainer)

    def data() -> bytes:
        t = ref()
        if t is None:
            return b""
        G, D, step = F.snapshot_models(t)
        net = G if kind == "generator" else D
        return checkpoint_bytes(net, kind, t.model_cfg, step, {"train": t.cfg.to_dict(), **extra})

    return data


def history_download(trainer) -> Callable[[], str]:
    """A download button's data: the trainer's history as CSV, built on click (weakly held, as above)."""
    ref = weakref.ref(trainer)

    def data() -> str:
        t = ref()
        if t is None:
            return ""
        with t.lock:
            return t.history.to_csv()

    return data


# ---- shared read-only resources (one copy per server) -------------------------------------------------------
MNIST_ROOT = os.environ.get("MNIST_ROOT", "data")  # full MNIST is used when torchvision finds it here (no download)


@st.cache_resource(show_spinner="Loading MNIST digits…")
def mnist_data():
    return load_mnist(MNIST_ROOT, download=False)


@st.cache_resource(show_spinner="Loading the digit classifier…")
def judge():
    """The classifier, the held-out digits' feature statistics and the real-vs-real floor (same n as the scores)."""
    classifier = load_classifier()
    ref = reference_stats(load_mnist(split="heldout").images, classifier)
    floor = real_floor(mnist_data().images, classifier, ref, n=500)
    return classifier, ref, floor


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


def _session_connected() -> bool:
    """False when this run's browser has just gone: a fragment run can race the disconnect, and a heartbeat
    from it would cancel the release the disconnect just sent (seen once in the 20-session load test: that
    worker only stopped when the session expired, after more than 60 s). A reconnect reruns the page."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return True  # AppTest and bare script runs have no server sessions
    return runtime.get_instance().is_active_session(ctx.session_id)


def _drop_expired_sessions() -> None:
    """Make Streamlit forget sessions whose reconnect time (``disconnectedSessionTTL``) is over.

    Its store of disconnected sessions (a cachetools ``TTLCache``) evicts them only when another session
    connects, so a room that has left kept all its sessions' memory until the next student arrived (seen in
    the load test: 20 workers still referenced after every tab had closed). This reaches a private attribute;
    should a Streamlit release rename it, nothing happens and the memory comes back at the next connection.
    """
    with contextlib.suppress(Exception):
        runtime.get_instance()._session_mgr._session_storage._cache.expire()


if _drop_expired_sessions not in JANITOR.hooks:  # runs before each clean-up after sessions ended
    JANITOR.hooks.append(_drop_expired_sessions)


def watch(worker: TrainingWorker) -> TrainingWorker:
    """Register a worker with this session's guard and stamp its heartbeat; call on every page run."""
    if not _session_connected():
        return worker
    session_guard().watch(worker)
    ctx = get_script_run_ctx()
    if ctx is not None and runtime.exists():
        worker.revive = functools.partial(_rerun_session, ctx.session_id)
    worker.heartbeat()
    return worker


def _rerun_session(session_id: str) -> None:
    """Rerun a connected session's page from the server, as Streamlit's own run-on-save does.

    Why: seen once in the 20-session load test, a page kept asking for fragments that a full rerun had replaced
    (Streamlit logged "The fragment with id … does not exist anymore" every second): it never redrew again,
    sent no heartbeat, and its training stopped 120 s later. A full rerun sends the page fresh fragments.
    """
    info = runtime.get_instance()._session_mgr.get_active_session_info(session_id)
    if info is None:
        return  # gone or disconnected: the release path handles it
    session = info.session
    state = ClientState()
    state.CopyFrom(session._client_state)  # the page and query string of its last run
    state.fragment_id, state.is_auto_rerun = "", False  # the whole page, not one fragment
    session._event_loop.call_soon_threadsafe(session.request_rerun, state)


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
