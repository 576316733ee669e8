#!/usr/bin/env bash
# The GPU proof of issue 28 in one run (≤ 8 minutes on the lent machine): every figure as JSON under $OUT.
#   bash scripts/gpu_check.sh --device cuda     # on the GPU machine ($OUT is set there)
#   OUT=/tmp/gpu bash scripts/gpu_check.sh --device cpu   # the same script on a CPU, which is how it is tested
# Steps: the benchmark (naive loop vs Trainer, sweep vs sequential, MNIST images/s, latent slider); a 10-second MNIST
# run of the default preset with its classifier report; a short toy run per loss; AppTests of the toy and MNIST pages
# with the device forced (a step advances, no exception). Each step has its own time limit and its own JSON file; a
# failed step is recorded in summary.json and the script goes on, so one run always brings back every figure it can.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE="$2"; shift 2 ;;
    *) echo "usage: $0 [--device cpu|cuda]" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-runs/gpu_check}"
mkdir -p "$OUT"
if [ -d .venv ]; then . .venv/bin/activate; fi
python -c "import torch, streamlit" 2>/dev/null || pip install -q -r requirements-dev.txt
export PLAYGROUND_DEVICE="$DEVICE"  # what the pages' trainers use (playground/gan/device.py)
declare -A RC

step() {  # step NAME SECONDS COMMAND...: run with a time limit, keep its output, record its exit status
  local name="$1" limit="$2"; shift 2
  echo "== $name (limit ${limit}s)"
  local start; start=$(date +%s)
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
  RC[$name]=$?
  echo "   exit ${RC[$name]} after $(( $(date +%s) - start )) s"
}

python - >"$OUT/device.json" <<PY
import json, platform, torch
cuda = torch.cuda.is_available()
print(json.dumps({"device": "$DEVICE", "torch": torch.__version__, "python": platform.python_version(),
                  "gpu": torch.cuda.get_device_name(0) if cuda else None, "cpu": platform.processor() or platform.machine()}))
PY
git rev-parse HEAD >"$OUT/commit.txt" 2>/dev/null || true

step bench 240 sh -c "python -m playground.bench --device $DEVICE --seconds 2 --repeats 3 --json >'$OUT/bench.json'"
step mnist 90 python -m playground.train --dataset mnist --seconds 10 --steps 1000000 --device "$DEVICE" --out "$OUT/mnist"
for loss in nonsat minimax wgan-gp lsgan hinge; do
  step "toy_$loss" 60 python -m playground.train --dataset ring8 --loss "$loss" --steps 1000 --device "$DEVICE" \
    --out "$OUT/toy_$loss"
done
step pages 180 python - <<'PY'
"""AppTest of the toy and MNIST pages on the forced device: a Step advances the step count, no exception."""
import json, os
from streamlit.testing.v1 import AppTest

results = {}
for page, run_key in (("toy2d", "toy.run"), ("mnist", "mnist.run")):
    at = AppTest.from_file(os.path.abspath(f"app_pages/{page}.py"), default_timeout=120).run()
    step_button = next((b for b in at.button if b.label == "Step"), None)
    if step_button is None:
        raise SystemExit(f"{page}: no Step button; exceptions: {[e.value for e in at.exception]}")
    step_button.click().run()
    metric = next((m.value for m in at.metric if m.label == "step"), None)
    device = at.session_state[run_key].trainer.device.type  # where the page's trainer really lives
    results[page] = {"exception": [str(e.value) for e in at.exception], "step_after_one_click": metric,
                     "trainer_device": device}
    at.session_state[run_key].stop()  # the page's RunController
print(json.dumps(results))
with open(os.path.join(os.environ.get("OUT", "runs/gpu_check"), "pages.json"), "w") as f:
    json.dump(results, f)
assert all(not r["exception"] and r["step_after_one_click"] == "1" and r["trainer_device"] == os.environ["PLAYGROUND_DEVICE"]
           for r in results.values()), results
PY

export OUT
python - <<'PY'
"""Collect every step's figures into summary.json."""
import json, os, pathlib
out = pathlib.Path(os.environ["OUT"])
def load(path):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return None
summary = {"device": load(out / "device.json"), "commit": (out / "commit.txt").read_text().strip()
           if (out / "commit.txt").exists() else None, "bench": load(out / "bench.json"), "pages": load(out / "pages.json")}
mnist = load(out / "mnist" / "metrics.json") or {}
summary["mnist_10s"] = {k: v for k, v in mnist.items() if not isinstance(v, (list, dict))} | (
    {"class_counts": mnist.get("class_counts")} if "class_counts" in mnist else {})
summary["toy"] = {}
for d in sorted(p for p in out.glob("toy_*") if p.is_dir()):
    m = load(d / "metrics.json") or {}
    summary["toy"][d.name[4:]] = {k: m.get(k) for k in ("modes_captured", "high_quality", "steps_per_s", "diverged")}
(out / "summary.json").write_text(json.dumps(summary, indent=1))
print(json.dumps({k: summary[k] for k in ("device", "mnist_10s", "toy", "pages")}, indent=1))
PY
for name in "${!RC[@]}"; do echo "$name ${RC[$name]}"; done | sort >"$OUT/exit_codes.txt"
cat "$OUT/exit_codes.txt"
! grep -qv ' 0$' "$OUT/exit_codes.txt"
