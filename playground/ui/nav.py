"""The app's page list and the router that runs it (``app.py`` is only ``st.navigation(...)`` over these)."""

from __future__ import annotations

import threading

import streamlit as st

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
