"""The room at a glance: how many modes the class's runs captured, how many collapsed, what the good runs share.

A run counts when its data is a Gaussian mixture (modes are defined) and it has been measured. It *collapsed*
when it captured fewer modes than its data has (VEEGAN protocol: a mode is captured when at least one of the
evaluation samples lies within 3σ of it); it is *good* when it captured them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from playground.runtime.room import Card


@dataclass(frozen=True)
class Histogram:
    """Runs on one data set by modes captured: ``counts[k]`` runs captured k of ``total`` modes."""

    dataset: str
    total: int
    counts: tuple[int, ...]  # [total + 1]


@dataclass(frozen=True)
class Aggregate:
    histograms: tuple[Histogram, ...]  # one per data set, in order of first appearance
    counted: int  # runs with a mode count
    collapsed: int  # of those, runs that lost at least one mode
    shared: dict[str, object]  # settings every good run has and not every collapsed run has (empty: none)

    @property
    def good(self) -> int:
        return self.counted - self.collapsed


def counted(cards: Iterable[Card]) -> list[Card]:
    """The cards whose run has a measured mode count."""
    return [c for c in cards if c.reading is not None and c.reading.modes_total is not None]


def histograms(cards: Iterable[Card]) -> tuple[Histogram, ...]:
    """Per data set, how many runs captured 0, 1, …, all of its modes."""
    tallies: dict[str, list[int]] = {}
    for card in counted(cards):
        r = card.reading
        tally = tallies.setdefault(card.about.dataset, [0] * (r.modes_total + 1))
        tally[r.modes_captured] += 1
    return tuple(Histogram(name, len(t) - 1, tuple(t)) for name, t in tallies.items())


def _common(settings: list[dict[str, object]]) -> dict[str, object]:
    """The (name, value) pairs every one of ``settings`` has."""
    if not settings:
        return {}
    first, *rest = settings
    return {n: v for n, v in first.items() if all(n in s and s[n] == v for s in rest)}


def shared_by_good(cards: Iterable[Card]) -> dict[str, object]:
    """Settings all good runs share, less those every collapsed run shares too (they explain nothing)."""
    runs = counted(cards)
    good = [dict(c.about.settings) for c in runs if c.reading.modes_captured == c.reading.modes_total]
    bad = [dict(c.about.settings) for c in runs if c.reading.modes_captured < c.reading.modes_total]
    in_good, in_bad = _common(good), _common(bad)
    return {n: v for n, v in in_good.items() if not (bad and n in in_bad and in_bad[n] == v)}


def aggregate(cards: list[Card]) -> Aggregate:
    runs = counted(cards)
    collapsed = sum(c.reading.modes_captured < c.reading.modes_total for c in runs)
    return Aggregate(histograms(runs), len(runs), collapsed, shared_by_good(runs))
