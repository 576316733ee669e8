"""Train the toy page's pretrained G and D for every built-in 2-D data set and ship them as safetensors + JSON.

    python -m pretrained.train_toy                 # every built-in set: 5,000 steps (grid25: 14,000)
    python -m pretrained.train_toy --dataset moons --steps 200 --out /tmp/toy   # one set, elsewhere

Each set trains with the toy page's default settings (``playground/experiments/toy/settings.py``) through the
command line (``playground.train``, seed 0), which writes G's moving average and D; they are copied to
``toy_<set>_generator.safetensors`` / ``toy_<set>_discriminator.safetensors`` beside ``toy_<set>.json`` (the page's
setting values, the step count, the CLI's metrics and the exact command), which the page's "Load pretrained" reads
(``playground.experiments.toy.pretrained``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from playground.experiments.toy.settings import TOY
from playground.gan.data import DATASETS
from playground.train import main as train_main

HERE = Path(__file__).resolve().parent
STEPS = 5000  # the default preset's budget: ring8 keeps 8/8 modes there on seeds 0–2
LONGER = {"grid25": 14000}  # 25 modes sharpen slowly: at 5,000 steps 24/25 modes but only 21 % high quality


def train_one(dataset: str, steps: int, out: Path) -> dict:
    """Train one set; returns its JSON record (also written to ``out``)."""
    values = TOY.run_settings({**TOY.values(TOY.defaults()), "dataset": dataset})
    command = ["--dataset", dataset, "--steps", str(steps), "--seed", str(values["seed"])]
    with tempfile.TemporaryDirectory() as tmp:
        train_main([*command, "--out", tmp])
        metrics = json.loads((Path(tmp) / "metrics.json").read_text())
        for kind in ("generator", "discriminator"):
            shutil.copy(Path(tmp) / f"{kind}.safetensors", out / f"toy_{dataset}_{kind}.safetensors")
    summary = {k: v for k, v in metrics.items() if not isinstance(v, list | dict)}
    record = {"dataset": dataset, "settings": values, "steps": steps, "metrics": summary,
              "command": "python -m playground.train " + " ".join(command) + " --out DIR"}  # fmt: skip
    (out / f"toy_{dataset}.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", action="append", choices=list(DATASETS), help="default: every built-in set")
    p.add_argument("--steps", type=int, default=None, help=f"default {STEPS} ({LONGER} for these)")
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for dataset in args.dataset or list(DATASETS):
        record = train_one(dataset, args.steps or LONGER.get(dataset, STEPS), args.out)
        print(dataset, json.dumps(record["metrics"]))


if __name__ == "__main__":
    main()
