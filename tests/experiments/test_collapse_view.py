"""What the mode-collapse lab draws: the sweep's table, CSV and charts from hand-made rows; a pair's columns."""

import math

import pytest

from playground.experiments.collapse import about, hopping
from playground.experiments.collapse import figures as CF
from playground.experiments.collapse import view as CV
from playground.experiments.collapse.runs import pair_run


def _row(seed, modes, over, hq, kl=0.5, diverged=False):
    return {"seed": seed, "step": 10, "diverged": diverged, "modes_captured": modes, "modes_total": 8,
            "modes_over_1pct": over, "high_quality": hq, "reverse_kl": kl, "mode_share": [0.1] * 8}  # fmt: skip


RESULTS = {"vanilla": [_row(0, 6, 5, 0.9), _row(1, 8, 7, 0.8)], "pacgan": [_row(0, 8, 8, 0.95, kl=math.nan)]}


def test_sweep_table_gives_mean_and_standard_error_over_seeds():
    vanilla, pacgan = CV.sweep_table(RESULTS)
    # modes 6, 8: mean 7, s.e. = std(ddof=1) / √2 = √2 / √2 = 1
    assert vanilla == {"preset": "vanilla", "modes captured": "7.0 ± 1.0", "modes ≥ 1 %": "6.0 ± 1.0",
                       "high quality": "85.0 ± 5.0 %", "per seed (modes)": "6 8"}  # fmt: skip
    assert pacgan["modes captured"] == "8.0 ± 0.0"  # one seed: no spread to report
    assert pacgan["high quality"] == "95.0 ± 0.0 %"


def test_sweep_csv_has_one_row_per_preset_and_seed_without_mode_shares():
    lines = CV.sweep_csv(RESULTS).splitlines()
    assert lines[0] == "preset,seed,step,diverged,modes_captured,modes_total,modes_over_1pct,high_quality,reverse_kl"
    assert lines[1:] == [
        "vanilla,0,10,False,6,8,5,0.9,0.5",
        "vanilla,1,10,False,8,8,7,0.8,0.5",
        "pacgan,0,10,False,8,8,8,0.95,",  # NaN reverse KL: an empty cell, as a spreadsheet expects
    ]


def test_sweep_charts_show_every_seed_with_high_quality_in_percent():
    modes, over, hq = CV.sweep_charts(RESULTS)
    assert [list(t.y) for t in modes.data] == [[6, 8], [8]]
    assert [list(t.y) for t in over.data] == [[5, 7], [8]]
    assert [list(t.y) for t in hq.data] == [pytest.approx([90.0, 80.0]), pytest.approx([95.0])]
    assert list(modes.layout.yaxis.range) == [-0.3, 8.5]  # 0 … 8 modes, the ring's count
    assert list(hq.layout.yaxis.range) == [0, 102]


@pytest.fixture
def pair():
    run = pair_run({"left": "collapse-ring8", "right": "pacgan-ring8", "seed": 1, "refresh": 2})
    yield run
    run.stop()


def test_pair_columns_start_equal_from_one_seed_and_name_their_step(pair):
    left, right = CV.pair_columns(pair)
    assert (left.name, right.name) == ("collapse-ring8", "pacgan-ring8")
    assert left.metrics == right.metrics  # same seed → the same initial generator on both sides
    assert left.metrics["modes_total"] == 8 and len(left.bars.data[0].y) == 8
    assert left.step == 0 and left.samples.layout.title.text == "Samples at step 0 over p_data"
    assert left.diverged is None
    assert left.samples.layout.uirevision == f"{pair.run_id}-0"  # each run keeps its own zoom


def test_pair_column_draws_the_published_step_and_names_a_blow_up(pair):
    pair.step(2)
    assert CV.pair_columns(pair)[1].samples.layout.title.text == "Samples at step 2 over p_data"
    pair.trainer.trainers[0].diverged = "loss is NaN"  # as the trainer marks it
    left, right = CV.pair_columns(pair)
    assert (left.diverged, left.step) == ("loss is NaN", 2)
    assert right.diverged is None  # its neighbour is unaffected


def test_both_columns_share_one_bar_scale_and_each_draws_its_mode_timeline(pair):
    pair.step(100)  # a snapshot every 100 steps: at 0 and 100
    left, right = CV.pair_columns(pair)
    assert list(left.bars.layout.yaxis.range) == list(right.bars.layout.yaxis.range)
    top = CF.bars_top(left.metrics["mode_share"], right.metrics["mode_share"])
    assert left.bars.layout.yaxis.range[1] == pytest.approx(top)
    assert list(left.timeline.data[0].x) == [0, 100] == list(right.timeline.data[0].x)
    assert len(left.timeline.data[0].y) == 8  # one row per mode
    for i, column in enumerate((left, right)):
        shares = pair.trainer.mode_timeline(i)[1]
        held = hopping.captured_sets(shares, CV.HELD_SHARE)
        assert column.hops == hopping.hops(held)
        assert column.timeline.layout.title.text == CV.timeline_title(column.hops, hopping.drops(held), 2)


def test_timeline_title_says_how_often_the_held_modes_changed():
    assert CV.timeline_title(1, 0, 31) == (
        "Share per mode over training<br><sup>modes held (≥ 1 %) changed once in 31 checkpoints · 0 dropped</sup>"
    )
    assert CV.timeline_title(4, 3, 31).endswith("changed 4 times in 31 checkpoints · 3 dropped</sup>")


def test_a_run_at_its_budget_says_so_and_how_to_go_on():
    assert CV.finished_notice(6000) == (
        "Both runs reached their 6,000 steps, where the presets' descriptions were measured. "
        "Press **Train** to continue."
    )
    assert CV.finished_notice(12_500, sweep=True) == "The sweep reached its 12,500 steps. Raise **Steps** to train on."


def test_big_numbers_read_as_the_page_shows_them():
    m = {"modes_captured": 7, "modes_total": 8, "modes_over_1pct": 5, "high_quality": 0.756}
    assert CV.pair_numbers(m) == {"modes captured": "7/8", "high quality": "76%", "modes ≥ 1 %": "5/8"}
    report = {"classes_present": 3, "confident_fraction": 0.404}
    assert CV.digit_numbers(report, 12_345) == {"digits present": "3/10", "confident": "40%", "step": "12,345"}
    assert {*CV.pair_numbers(m), *CV.digit_numbers(report, 0)} == set(about.METRIC_HELP)  # each one's tooltip
