"""The Streamlit layer: the only package (besides ``app.py`` and ``app_pages/``) that imports streamlit.

``state`` (widget defaults, shared session keys), ``share`` (links and lecture locks), ``form`` (widgets drawn
from a settings declaration), ``controls`` (run buttons, live timer, queue notice), ``session`` (workers stop
when their browser tab goes), ``resources`` (one cached copy of shared read-only things), ``downloads``,
``charts`` and ``nav`` (the page list the router runs).
"""
