import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground.gan.checkpoints import read_checkpoint
from playground.gan.data import DATASETS
from playground.train import main

FAST = ["--steps", "30", "--hidden", "16", "--batch-size", "32"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playground.train", *args], capture_output=True, text=True)


def run_in_process(capsys, *args: str) -> tuple[int, str]:
    """Run the CLI's main() here (fast: no new interpreter); returns (exit status, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code, capsys.readouterr().err


def test_cli_writes_every_output_file(tmp_path):
    main(["--dataset", "ring8", "--out", str(tmp_path), *FAST])
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"config.json", "history.csv", "metrics.json", "generator.safetensors",
                     "discriminator.safetensors", "samples.npy"}  # fmt: skip
    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (2500, 2) and samples.dtype == np.float32
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["step"] == 30 and metrics["modes_total"] == 8
    config = json.loads((tmp_path / "config.json").read_text())
    g, cfg, _ = read_checkpoint(tmp_path / "generator.safetensors")
    assert cfg.to_dict() == config["model"]
    header = (tmp_path / "history.csv").read_text().splitlines()[0]
    assert header.startswith("step,d_loss,g_loss,value")
    assert g(torch.zeros(1, 2)).shape == (1, 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "ring9"], "Unknown dataset"),
        (["--dataset", "missing.csv"], "not found"),
        (["--loss", "bogus"], "invalid choice"),
        (["--k", "0"], "k must"),
        (["--device", "cuda:7"] if not torch.cuda.is_available() else ["--device", "tpu"], "device"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    status, err = run_in_process(capsys, *args, "--out", str(tmp_path / "o"), "--steps", "1")
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message.lower() in lines[0].lower()


@pytest.mark.parametrize(
    "content",
    ["x,y\n1,2\n", "a\n" * 20, "x,y\n" + "1,hello\n" * 20, "x,y\n" + "1,nan\n" * 20, "\x00\x01binary"],
)
def test_bad_csv_exits_2_with_one_line(tmp_path, capsys, content):
    path = tmp_path / "points.csv"
    path.write_text(content)
    status, err = run_in_process(capsys, "--dataset", str(path), "--out", str(tmp_path / "o"), "--steps", "1")
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:")


def test_a_real_process_reports_bad_input_without_a_traceback(tmp_path):
    result = run_cli("--dataset", "ring9", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"error: Unknown dataset 'ring9'; choose one of {', '.join(DATASETS)} or a .csv path."
    )


def test_reuse_fakes_flag_reaches_the_config_and_changes_the_run(tmp_path):
    main(["--dataset", "ring8", "--out", str(tmp_path / "fresh"), *FAST])
    main(["--dataset", "ring8", "--reuse-fakes", "--out", str(tmp_path / "reuse"), *FAST])
    fresh, reuse = (json.loads((tmp_path / run / "config.json").read_text())["train"] for run in ("fresh", "reuse"))
    assert (fresh["reuse_fakes"], reuse["reuse_fakes"]) == (False, True)
    rows = [(tmp_path / run / "history.csv").read_text().splitlines()[1].split(",") for run in ("fresh", "reuse")]
    assert rows[0][1] == rows[1][1] and rows[0][2] != rows[1][2]  # the same first D loss, G judged on other fakes
