import json
import subprocess
import sys


def test_bench_smoke_prints_every_ratio_as_json():
    result = subprocess.run(
        [sys.executable, "-m", "playground.bench", "--seconds", "0.3", "--repeats", "1", "--json", "--device", "cpu"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    for key in ("toy_trainer_vs_naive", "toy_all_cores_trainer_vs_naive", "toy_refresh_vs_headless",
                "sweep16_vectorised_vs_loop", "lecture_aggregate_vs_one_alone"):  # fmt: skip
        assert figures[key] > 0
    assert figures["mnist_dcgan_images_per_s"] > 0 and figures["latent_slider_to_png_ms_p95"] > 0
    assert figures["device"] == "cpu"
    assert figures["lecture_sessions"] == 20 and figures["lecture_slowest_session_steps_per_s"] >= 0
