"""The 1-D theory page's named experiments (``?preset=NAME``): setting values, with what each was measured to do.

"settles" is the page's default: Figure 1 (d) reached and kept. "oscillates" is the raw game of the earlier
default (the paper's uniform z, a constant rate): the same networks circle p_data without ever settling, which is
what GAN training does when nothing damps it.
"""

from __future__ import annotations

THEORY_PRESETS: dict[str, dict[str, object]] = {
    "settles": {"data": "gaussian", "prior": "normal", "schedule": "cosine", "lr": 5e-4},
    "oscillates": {"data": "gaussian", "prior": "uniform", "schedule": "constant", "lr": 5e-4},
}
PRESET_LABELS = {
    "settles": "Figure 1 (d): D flattens to ½ and stays",
    "oscillates": "Why GAN training oscillates: the raw game at a constant rate",
}
PRESET_DESCRIPTIONS = {
    "settles": "Standard-normal z, Adam 5e-4 for both, G's rate falling to 0 by step 10,000 (cosine) while D keeps "
    "its rate. In the browser (seeds 0–2, this 2-core CPU under load): after 60 s (steps 16,761 / 32,463 / 10,127) "
    "JSD 0.002 on each and mean |D − ½| 0.002 / 0.024 / 0.007; after 120 s (34,407 / 48,201 / 46,529) JSD 0.002 "
    "and |D − ½| 0.006 / 0.028 / 0.023: D creeps towards D* of the settled G. Headless, seeds 0–9 at 12,000 "
    "steps: JSD 0.0016–0.0123, |D − ½| 0.004–0.020. Decaying D's rate too left D flat over a G still off "
    "p_data on 3 of 10 seeds (JSD 0.037–0.067).",
    "oscillates": "The paper's uniform z and a constant Adam 5e-4 (the page's earlier default). Seed 0, headless, "
    "checked every 1,000 steps up to 20,000: the JSD swings between 0.043 and 0.354 and mean |D − ½| between 0.010 "
    "and 0.067; it never settles.",
}
