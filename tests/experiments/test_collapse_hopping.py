"""Mode hopping on small known inputs: which modes are held at each checkpoint, and how often that set changes."""

import pytest

from playground.experiments.collapse.hopping import captured_sets, drops, hops

# three modes, five checkpoints: holds mode 1, hops to 2, holds 2, spreads to 2 and 3, back to 1
SHARES = [
    [0.90, 0.00, 0.005],
    [0.00, 0.95, 0.00],
    [0.004, 0.96, 0.00],
    [0.00, 0.50, 0.45],
    [0.80, 0.009, 0.00],
]


def test_captured_sets_number_modes_from_one_and_keep_shares_at_the_threshold():
    assert captured_sets(SHARES, 0.01) == [{1}, {2}, {2}, {2, 3}, {1}]
    assert captured_sets([[0.01, 0.0099]], 0.01) == [{1}]  # ≥: exactly 1 % is held, as "modes ≥ 1 %" counts it
    assert captured_sets(SHARES, 1 / 2500) == [{1, 3}, {2}, {1, 2}, {2, 3}, {1, 2}]  # one sample of 2,500 is enough


def test_captured_sets_refuse_a_threshold_that_would_hold_empty_modes():
    with pytest.raises(ValueError, match="positive"):
        captured_sets(SHARES, 0.0)


def test_hops_count_checkpoints_whose_set_differs_from_the_one_before():
    assert hops(captured_sets(SHARES, 0.01)) == 3  # {1}→{2}, {2}→{2,3}, {2,3}→{1}; {2}→{2} is no hop
    assert hops([frozenset({1, 2})] * 4) == 0  # a run that holds its modes never hops
    assert hops([frozenset({1})]) == 0 and hops([]) == 0


def test_drops_count_modes_that_stop_being_held_but_not_modes_gained():
    assert drops(captured_sets(SHARES, 0.01)) == 3  # 1 at the first hop, none on spreading to {2,3}, then 2 and 3
    filling_in = [frozenset({1}), frozenset({1, 2}), frozenset({1, 2, 3})]
    assert hops(filling_in) == 2 and drops(filling_in) == 0  # a remedy spreading out hops but drops nothing
    assert drops([frozenset({1, 2})]) == 0
