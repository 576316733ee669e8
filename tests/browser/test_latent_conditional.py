"""The latent explorer's Interpolation tab with the shipped class-conditional generator, in a real browser: the
endpoints "a 3" and "an 8" set the label of each end, so the strip starts with a 3 and ends with an 8 by the
shipped classifier, and no warning blames the generator (issue 29).

A screenshot goes to $LATENT_SCREENSHOTS if set (to look at it), else to the test's tmp folder.
"""

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CONDITIONAL = "Pretrained class-conditional DCGAN (shipped)"


def test_a_conditional_interpolation_morphs_a_3_into_an_8(streamlit_server, page, tmp_path, wait_for):
    page.goto(streamlit_server.url, timeout=120_000)
    page.get_by_role("link", name=re.compile("^Latent explorer")).first.click()
    page.get_by_text("The digit classifier reads").wait_for(timeout=120_000)
    page.locator('[data-testid="stSidebar"]').get_by_text(CONDITIONAL).click()
    page.get_by_text("Generator: pretrained class-conditional DCGAN").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Interpolation").click()
    strip = page.locator('[data-testid="stImage"]').filter(has_text="%").first  # lerp's frames, each captioned
    assert wait_for(lambda: strip.locator("img").count() == 10, timeout=60)
    captions = strip.locator('[data-testid="stImageCaption"]').all_inner_texts()
    assert captions[0].startswith("3 · ") and captions[-1].startswith("8 · "), captions
    assert page.get_by_text("rarely draws").count() == 0
    assert page.get_by_text("from 3 at A to 8 at B").is_visible()
    folder = Path(os.environ.get("LATENT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "latent_conditional_interpolation.png"))
