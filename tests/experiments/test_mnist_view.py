"""The MNIST page's numbers and texts (experiments.mnist.view) against hand-made inputs."""

import pytest

from playground.experiments.mnist import view as V


def test_recent_mean_averages_only_the_last_twenty_steps():
    history = {"d_real": [float(v) for v in range(1, 26)]}  # 1 … 25: the last 20 are 6 … 25
    assert V.recent_mean(history, "d_real") == pytest.approx(15.5)
    assert V.recent_mean({"d_real": [0.2, 0.4]}, "d_real") == pytest.approx(0.3)
    assert V.recent_mean({"d_real": []}, "d_real") is None


def test_images_per_s_counts_k_discriminator_batches_per_generator_step():
    assert V.images_per_s(2.0, 64, 1) == pytest.approx(128.0)
    assert V.images_per_s(2.5, 32, 2) == pytest.approx(160.0)


def test_metrics_formats_the_row_the_page_shows():
    history = {"step": [1.0, 2.0], "d_real": [0.7, 0.8], "d_fake": [0.1, 0.4]}
    row = V.metrics(history, step=1234, steps_per_s=2.04, batch_size=64, k=1)
    assert row == {
        "step": "1,234",
        "steps/s": "2.0",
        "real images/s": "131",  # 2.04 × 64 × 1 = 130.56
        "mean D(x)": "0.750",
        "mean D(G(z))": "0.250",
    }


def test_every_metric_has_its_tooltip():
    empty = {"step": [], "d_real": [], "d_fake": []}
    row = V.metrics(empty, step=0, steps_per_s=0.0, batch_size=64, k=1)
    critic = V.metrics(empty, step=0, steps_per_s=0.0, batch_size=64, k=1, critic=True)
    assert set(row) | set(critic) == set(V.METRIC_HELP)
    assert "last 20 steps" in V.METRIC_HELP["mean D(x)"]


def test_metrics_show_a_dash_for_the_means_before_the_first_step():
    row = V.metrics({"step": [], "d_real": [], "d_fake": []}, step=0, steps_per_s=0.0, batch_size=64, k=1)
    assert (row["step"], row["real images/s"], row["mean D(x)"], row["mean D(G(z))"]) == ("0", "0", "–", "–")


def test_a_critic_s_row_shows_its_mean_scores_from_the_latest_report_not_probabilities():
    history = {"step": [1.0], "d_real": [0.002], "d_fake": [0.001]}  # σ(score): meaningless for a critic
    report = {"step": 900, "score_real": 3.25, "score_fake": -1.5}
    row = V.metrics(history, step=1000, steps_per_s=2.0, batch_size=32, k=2, critic=True, report=report)
    assert row == {"step": "1,000", "steps/s": "2.0", "real images/s": "128",
                   "mean critic score, real": "3.250", "mean critic score, fake": "-1.500"}  # fmt: skip
    before = V.metrics(history, step=0, steps_per_s=0.0, batch_size=32, k=2, critic=True)
    assert (before["mean critic score, real"], before["mean critic score, fake"]) == ("–", "–")


def test_speed_reads_zero_unless_training():
    history = {"step": [1.0], "d_real": [0.5], "d_fake": [0.5]}
    row = V.metrics(history, step=5, steps_per_s=2.04, batch_size=64, k=1, training=False)
    assert (row["steps/s"], row["real images/s"]) == ("0.0", "0")


def test_critic_history_lines_up_each_report_s_scores_by_step():
    scores = [{"step": 0, "score_real": 0.1, "score_fake": 0.0}, {"step": 40, "score_real": 2.0, "score_fake": -1.0}]
    assert V.critic_history(scores) == {"step": [0, 40], "score_real": [0.1, 2.0], "score_fake": [0.0, -1.0]}


def test_verdict_table_puts_each_score_beside_the_real_digits_floor():
    report = {"step": 1500, "n": 500, "confident_fraction": 0.944, "classes_present": 9, "fid": 42.25,
              "inception_score": 8.126}  # fmt: skip
    floor = {"confident_fraction": 0.98, "classes_present": 10, "fid": 10.31, "inception_score": 9.561}
    lines = V.verdict_table(report, floor).splitlines()
    assert lines[0] == "**The digit classifier's verdict** at step 1,500 (500 samples)"
    assert lines[4] == "| confident digits (> 90 % sure) | **94%** | 98% |"
    assert lines[5] == "| classes present (≥ 2 % each) | **9 / 10** | 10 / 10 |"
    assert lines[6] == "| classifier-FID (lower is better) | **42.2** | 10.3 |"
    assert lines[7] == "| classifier-IS (higher is better, ≤ 10) | **8.13** | 9.56 |"


def test_samples_caption_says_each_column_is_one_digit_only_for_a_conditional_generator():
    assert V.samples_caption(2500, True).startswith("**Generator samples at step 2,500** — the same 60 noise")
    assert "each column asks G for one digit" in V.samples_caption(0, True)
    assert "each column asks G for one digit" not in V.samples_caption(0, False)
