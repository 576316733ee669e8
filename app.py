"""GAN Playground: the entry script is only a router (run: streamlit run app.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

import playground
from playground.gan.device import pick_device
from playground.runtime.memory import limit_malloc_arenas
from webui.nav import available_pages

ROOT = Path(__file__).parent
limit_malloc_arenas()  # before the first training thread: a full room's memory comes back when it leaves

_log = logging.getLogger("playground")  # worker start/stop lines go to the server log
if not _log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)

# A file, not ":material/…": Streamlit fetches a material favicon from an online font service (a lecture hall may
# have no network); the file is served by this server like any other media.
st.set_page_config(page_title="GAN Playground", page_icon=str(ROOT / "static" / "icon.png"), layout="wide")
pages = [
    st.Page(path, title=title, icon=icon, default=path == "app_pages/home.py")
    for path, title, icon, _ in available_pages(ROOT)
]
page = st.navigation(pages)
st.sidebar.caption(f"Compute device: **{pick_device().type}** · GAN Playground {playground.__version__}")
page.run()
