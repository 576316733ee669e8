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
                "sweep16_vectorised_vs_loop", "lecture20_pool_vs_exclusive", "lecture60_stacked_vs_unstacked",
                "stack20_stacked_vs_one_by_one"):  # fmt: skip
        assert figures[key] > 0
    assert figures["mnist_dcgan_images_per_s"] > 0 and figures["latent_slider_to_png_ms_p95"] > 0
    assert figures["device"] == "cpu"
    for n in (20, 60):  # in so short a run a session may not train at all (the former exclusive turns)
        for regime in ("stacked", "unstacked", "exclusive"):
            assert figures[f"lecture{n}_{regime}_slowest_session_steps_per_s"] >= 0
