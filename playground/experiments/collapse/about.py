"""The mode-collapse lab's words: what it shows, how modes are counted, the papers' numbers, each preset's caption."""

from __future__ import annotations

from playground.experiments.toy.presets import PRESETS
from playground.gan.remedies import REMEDIES

INTRO = (
    "A GAN can fool its discriminator by producing only a few of the data's modes. Train a collapsing "
    "setting beside the same setting with one remedy, from the same seed, and count the modes each one covers."
)

DIGITS_INTRO = (
    "Collapse on real images: two MLP GANs on the embedded MNIST digits from the same seed, differing only in "
    "their objective. The shipped digit classifier counts which digits each generator draws, counting a sample "
    "only when it reads it with more than 90 % confidence (grey noise is no digit); a collapsing generator piles "
    "its samples onto a few digits (tall bars), a healthy one sits near 10 % each."
)

DIGITS_PATIENCE = (
    "**This tab needs minutes.** The two MNIST runs train together at about 20 steps/s on this app's 2-core "
    "machine (9 steps/s with other jobs running), so the 7,500 steps their descriptions were measured at take 6 to "
    "15 minutes. Both start as grey noise, which counts as no digit: after one minute (about 1,200 steps) the "
    "collapsing run still drew no readable digit. Give them a few minutes before reading the bars."
)

METRIC_HELP = {  # the big numbers' tooltips (``view.pair_numbers``, ``view.digit_numbers``)
    "modes captured": "Modes with at least one of 2,500 samples within 3σ (VEEGAN/PacGAN protocol).",
    "high quality": "Share of samples within 3σ of their nearest mode; real data scores ≈ 98.9 %.",
    "modes ≥ 1 %": "Modes holding ≥ 1 % of the samples: 'captured' alone hides thin modes.",
    "digits present": "Digits read with > 90 % confidence in ≥ 2 % of 500 samples, by the shipped classifier.",
    "confident": "Samples the classifier reads with probability > 0.9 (readable digits).",
    "step": "Generator steps so far (both runs move in lockstep).",
}

PROTOCOL = """
**How modes are counted** (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): draw 2,500 samples
from G. A sample is **high quality** if it lies within 3σ of its nearest mode. A mode is **captured** if at
least one high-quality sample has it as its nearest mode. Because one sample out of 2,500 is enough, the page
also counts **modes holding ≥ 1 %** of the samples, and the bars show every mode's share. Real data scores
8/8 (25/25) modes and ≈ 98.9 % high quality (the 2-D Gaussian mass within 3σ). Samples come from a moving
average of G's weights, as everywhere in this app.
"""

PUBLISHED = """
| method (paper) | ring modes /8 | ring HQ % | grid modes /25 | grid HQ % |
|---|---|---|---|---|
| GAN (VEEGAN table) | 1 | 99.3 | 3.3 | 0.5 |
| Unrolled GAN, 5 steps (VEEGAN table) | 7.6 | 35.6 | 23.6 | 16 |
| WGAN-GP (GDPP table) | 6.8 | 59.6 | 24.2 | 28.7 |
| GAN (PacGAN table, larger nets) | 6.3 ± 0.5 | 98.2 ± 0.2 | 17.3 ± 0.8 | 94.8 ± 0.7 |
| PacGAN2 | 7.9 ± 0.1 | 95.6 ± 2.0 | 23.8 ± 0.7 | 91.3 ± 0.8 |
| PacGAN4 | 7.8 ± 0.1 | 95.9 ± 1.4 | 24.8 ± 0.2 | 93.6 ± 0.6 |

Papers' nets, data scale and step counts differ from this app's (PacGAN: ring radius 1, σ 0.01, 4×400
generator, 10 trials, mean ± s.e.), so compare trends, not digits.
"""


def preset_caption(name: str) -> str:
    """A preset's description, followed by its remedy's paper and one-line summary when it applies one."""
    preset = PRESETS[name]
    remedy = REMEDIES.get(preset.remedies[0].partition("=")[0]) if preset.remedies else None
    return preset.description + (f"\n\n**{remedy.paper}**: {remedy.summary}" if remedy else "")


def remedy_list() -> str:
    """Every remedy with its summary and paper, as a markdown list."""
    return "\n".join(f"- **{name}** — {r.summary} *{r.paper}.*" for name, r in REMEDIES.items())
