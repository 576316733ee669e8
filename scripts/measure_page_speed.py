"""Training speed inside the toy page, in a real browser, against the headless Trainer (the README's figures).

Each round: press Train, read the page's step counter over ``--seconds``, press Pause, then train the same
default preset headless (one torch thread, as the page's trainer) for as long. Prints one line per round
(page and headless steps/s, their ratio, the CPU used by the server, its training child and Chromium) and
the median ratio. Needs the dev requirements and Debian's Chromium:

    .venv/bin/python scripts/measure_page_speed.py [--rounds 3] [--seconds 12] [--browser-core 1]

``--browser-core N`` confines this script, Playwright and Chromium to core N, as if the browser ran on a
student's laptop; the server is free to use every core. Stop other work on the machine while it runs.
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

HEADLESS = """
import json, sys, time, torch
from playground.data import make_dataset
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.training import Trainer
torch.set_num_threads(1)
preset = PRESETS[DEFAULT_PRESET]
trainer = Trainer(make_dataset(preset.dataset), preset.model, preset.train, device="cpu")
trainer.step(20)
first, start = trainer.step_count, time.perf_counter()
while time.perf_counter() - start < float(sys.argv[1]):
    trainer.step(10_000, seconds=0.05)
print(json.dumps((trainer.step_count - first) / (time.perf_counter() - start)))
"""


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time of a process (``children``: of the processes whose parent it is, e.g. the training child)."""
    total = 0.0
    for path in glob.glob("/proc/[0-9]*/stat") if children else [f"/proc/{pid}/stat"]:
        try:
            fields = Path(path).read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if not children or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def chromium_seconds() -> float:
    total = 0.0
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if b"chromium" in Path(path).read_bytes():
                total += cpu_seconds(int(path.split("/")[2]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def page_step(page) -> int:
    text = page.locator('[data-testid="stMetric"]').first.inner_text()
    return int(text.split()[-1].replace(",", ""))


def main() -> None:
    from conftest import CHROMIUM, CHROMIUM_ARGS, free_port
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=12.0)
    p.add_argument("--browser-core", type=int, default=None, help="confine Chromium to this core")
    args = p.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if args.browser_core is not None:
        os.sched_setaffinity(0, {args.browser_core})  # Chromium and the headless runs inherit it
    ratios = []
    try:
        time.sleep(4)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/toy2d")
            page.get_by_role("button", name="Train").wait_for(timeout=60_000)
            for _ in range(args.rounds):
                page.get_by_role("button", name="Train").click()
                time.sleep(2)
                before = (page_step(page), time.monotonic(), cpu_seconds(server.pid),
                          cpu_seconds(server.pid, children=True), chromium_seconds())  # fmt: skip
                time.sleep(args.seconds)
                after = (page_step(page), time.monotonic(), cpu_seconds(server.pid),
                         cpu_seconds(server.pid, children=True), chromium_seconds())  # fmt: skip
                page.get_by_role("button", name="Pause").click()
                time.sleep(1)
                wall = after[1] - before[1]
                in_page = (after[0] - before[0]) / wall
                headless = float(
                    subprocess.run(
                        [sys.executable, "-c", HEADLESS, str(args.seconds)],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                ratios.append(in_page / headless)
                server_cpu, child_cpu, chromium_cpu = ((after[i] - before[i]) / wall for i in (2, 3, 4))
                print(
                    f"page {in_page:.0f} steps/s, headless {headless:.0f}: ratio {ratios[-1]:.2f}; cores used: "
                    f"server {server_cpu:.2f}, training child {child_cpu:.2f}, Chromium {chromium_cpu:.2f}",
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} rounds")


if __name__ == "__main__":
    main()
