"""Settings declared once per experiment (``declaration``), their share-link codec (``url``) and CLI flags (``cli``).

No streamlit here: ``webui.form`` draws the widgets from the same declaration.
"""

from playground.settings.cli import add_flags
from playground.settings.declaration import Experiment, Setting

__all__ = ["Experiment", "Setting", "add_flags"]
