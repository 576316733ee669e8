"""The app's page list (``app.py`` is only ``st.navigation(...)`` over these).

The pages live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named ``pages`` beside the entry script as
an old-style page list, and a server whose first request opened a page URL directly (before any session ran app.py) then
ran that page alone, without the app's navigation or layout (seen with Streamlit 1.67; the pages had to rerun themselves
through app.py to recover).
"""

from __future__ import annotations

# (file, title, icon, one-line description): a page is listed once its file exists, so pages can land one by one.
PAGES = [
    ("app_pages/home.py", "Home", ":material/home:", "The two-player game in a few lines."),
    ("app_pages/toy2d.py", "Toy 2-D", ":material/scatter_plot:", "Train a GAN live on 2-D points and watch D and G."),
    (
        "app_pages/theory.py",
        "1-D theory",
        ":material/functions:",
        "The optimal discriminator and the JSD, in one dimension.",
    ),
    (
        "app_pages/collapse.py",
        "Mode-collapse lab",
        ":material/blur_on:",
        "Count modes, compare remedies with the papers.",
    ),
    ("app_pages/mnist.py", "MNIST", ":material/draw:", "Train a GAN on handwritten digits."),
    ("app_pages/latent.py", "Latent explorer", ":material/explore:", "Walk through z and watch the digits morph."),
]


def available_pages(root) -> list[tuple[str, str, str, str]]:
    """The PAGES whose file exists under ``root`` (a pathlib.Path)."""
    return [page for page in PAGES if (root / page[0]).is_file()]
