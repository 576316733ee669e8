"""The room's aggregate: the histogram is the runs' own modes-captured figures, collapse and shared settings."""

from collections import Counter

from playground.experiments.room.aggregate import aggregate, histograms, shared_by_good
from playground.runtime.room import About, Card, Reading


def card(student, captured, total=8, dataset="ring8", **settings) -> Card:
    reading = None if captured is None else Reading(100, captured, total, 0.9 if total else None, b"")
    about = About("Toy 2-D", dataset, None, settings, {}, None)
    return Card(student, "toy", f"r{student}", about, "training", 100, 50.0, reading, probe=None)


def test_the_histogram_counts_each_run_once_by_its_own_modes_captured():
    captured = [8, 8, 4, 5, 8, 1, 4, 8, 7, 3]
    cards = [card(i, m) for i, m in enumerate(captured)]
    (h,) = histograms(cards)
    assert (h.dataset, h.total) == ("ring8", 8)
    assert h.counts == tuple(Counter(captured)[k] for k in range(9))
    assert h.counts == (0, 1, 0, 1, 2, 1, 0, 1, 4)


def test_data_sets_get_their_own_histogram_and_unmeasured_or_modeless_runs_do_not_count():
    cards = [card(1, 8), card(2, 20, total=25, dataset="grid25"), card(3, None),
             card(4, None, total=None, dataset="moons")]  # fmt: skip
    cards[3] = Card(4, "toy", "r4", cards[3].about, "idle", 5, 0.0, Reading(5, None, None, None, b""), probe=None)
    hs = histograms(cards)
    assert [(h.dataset, h.total, sum(h.counts)) for h in hs] == [("ring8", 8, 1), ("grid25", 25, 1)]
    assert hs[1].counts[20] == 1
    agg = aggregate(cards)
    assert (agg.counted, agg.collapsed, agg.good) == (2, 1, 1)


def test_the_good_runs_share_what_sets_them_apart():
    cards = [
        card(1, 8, pack=2, lr_d=1e-3, seed=0),
        card(2, 8, pack=2, lr_d=6e-3, seed=1),
        card(3, 4, pack=1, lr_d=6e-3, seed=0),
        card(4, 3, pack=1, lr_d=1e-3, seed=2),
    ]
    assert shared_by_good(cards) == {"pack": 2}  # lr_d and seed vary among the good runs


def test_a_setting_every_run_shares_explains_nothing():
    cards = [card(1, 8, loss="nonsat", pack=2), card(2, 5, loss="nonsat", pack=1)]
    assert shared_by_good(cards) == {"pack": 2}
    assert shared_by_good([card(1, 8, k=1), card(2, 8, k=1)]) == {"k": 1}  # nothing collapsed: all they share
    assert shared_by_good([card(1, 3, k=1)]) == {}  # no good run
