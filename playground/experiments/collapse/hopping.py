"""Mode hopping as numbers: which modes a generator holds at each checkpoint, and how often that set changes.

A collapsing GAN (Unrolled GAN, Metz et al. 2017, Figure 1) does not sit on one mode: it holds a few at a time
and moves on as the discriminator catches up. A final bar chart cannot show that; the sequence of captured sets
can. Pure functions of per-mode shares (``mode_metrics``' ``mode_share`` at each checkpoint).
"""

from __future__ import annotations

from collections.abc import Sequence


def captured_sets(shares: Sequence[Sequence[float]], threshold: float) -> list[frozenset[int]]:
    """Per checkpoint, the modes (numbered 1 … M, as the page's bars) holding at least ``threshold`` of the samples.

    ``shares``: [T][M] fractions of the samples that are high quality and nearest to each mode. A threshold of 0.01
    is the page's "modes ≥ 1 %"; any positive threshold below 1 / n_samples is the protocol's "captured".
    """
    if not threshold > 0:
        raise ValueError(f"threshold must be positive (a mode with no samples is never held), not {threshold!r}")
    return [frozenset(m + 1 for m, s in enumerate(row) if s >= threshold) for row in shares]


def hops(sets: Sequence[frozenset[int]]) -> int:
    """How many checkpoints hold a different set of modes from the checkpoint before them (0 for fewer than two)."""
    return sum(a != b for a, b in zip(sets, sets[1:]))


def drops(sets: Sequence[frozenset[int]]) -> int:
    """How many times a held mode stops being held from one checkpoint to the next: a run that only spreads out
    (a remedy filling in its modes) hops without dropping any; a collapsing one drops modes as it moves on."""
    return sum(len(a - b) for a, b in zip(sets, sets[1:]))
