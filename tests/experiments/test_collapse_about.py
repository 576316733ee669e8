"""The lab's words: preset labels and captions name the remedy and its paper."""

from playground.experiments.collapse import about
from playground.gan.remedies import REMEDIES


def test_a_remedy_presets_caption_cites_its_paper():
    caption = about.preset_caption("pacgan-ring8")
    assert caption.endswith(f"**{REMEDIES['pacgan'].paper}**: {REMEDIES['pacgan'].summary}")
    assert "**" not in about.preset_caption("collapse-ring8")  # no remedy, no citation


def test_remedy_list_has_one_line_per_remedy():
    lines = about.remedy_list().splitlines()
    assert len(lines) == len(REMEDIES) and lines[0].startswith("- **unrolled** — ")
